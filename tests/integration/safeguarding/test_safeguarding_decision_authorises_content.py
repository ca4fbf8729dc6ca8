"""A board decision that authorises a comms content item for publication (the board's sign-off on its own
media communications), over HTTP: both routes that record a decision (between meetings, at a meeting)
store ``authorises_content_id`` on the decision, show it, and publish it in
``safeguarding.decision.recorded``; one that is not an id is 422 and nothing is stored or published."""

from __future__ import annotations

import pytest

from .conftest import ok, stored

pytestmark = pytest.mark.integration

CONTENT = "674d2a0f9c1e4b0012ab34cd"
NOT_IDS = ["", "has space", "../content", "x" * 65, 42, "caf\u00e9"]


def _between(members, **extra):
    return {
        "item_title": "Press release: annual report 2025/26",
        "decided_by": members["chair"]["id"],
        "consulted": [members[k]["id"] for k in ("council", "police", "icb")],
        "decided_on": "2026-07-02",
        **extra,
    }


def _decision_url(meeting, item=1):
    return f"/v1/meetings/{meeting['id']}/items/{meeting['agenda'][item]['id']}/decision"


async def test_between_meetings_the_decision_authorises_the_content_item(
    api, new_board, outbox, broker_events, confirm
):
    board, members = await new_board()
    decision = await ok(
        await api.post(f"/v1/boards/{board['id']}/decisions", json=_between(members, authorises_content_id=CONTENT)),
        201,
    )
    # nothing authorises the content until the statutory partners have confirmed the decision (issue 21)
    assert await outbox(decision["id"]) == []
    decision = await confirm(decision, members)
    assert (decision["authorises_content_id"], decision["method"], decision["outcome"]) == (
        CONTENT,
        "between_meetings",
        "agreed",
    )
    assert (await ok(await api.get(f"/v1/decisions/{decision['id']}")))["authorises_content_id"] == CONTENT
    [event] = await outbox(decision["id"])
    assert event["type"] == "safeguarding.decision.recorded"
    assert (event["data"]["authorises_content_id"], event["data"]["requires_ratification"]) == (CONTENT, True)
    [published] = await broker_events("safeguarding.decision.recorded", decision["id"])
    assert published["data"]["authorises_content_id"] == CONTENT


async def test_at_a_meeting_the_decision_authorises_the_content_item(
    api, new_board, new_meeting, outbox, broker_events
):
    board, members = await new_board()
    meeting = await new_meeting(
        board, members, statuses={}, agenda=[{"title": "Press release: annual report", "kind": "decision"}]
    )
    votes = [{"member_id": members[k]["id"], "vote": "for"} for k in ("council", "police")]
    decision = await ok(
        await api.post(
            _decision_url(meeting), json={"method": "vote", "votes": votes, "authorises_content_id": CONTENT}
        ),
        201,
    )
    assert (decision["authorises_content_id"], decision["outcome"], decision["meeting_id"]) == (
        CONTENT,
        "carried",
        meeting["id"],
    )
    assert (await ok(await api.get(f"/v1/decisions/{decision['id']}")))["authorises_content_id"] == CONTENT
    [event] = await outbox(decision["id"])
    assert (event["data"]["authorises_content_id"], event["data"]["outcome"]) == (CONTENT, "carried")
    [published] = await broker_events("safeguarding.decision.recorded", decision["id"])
    assert published["data"]["authorises_content_id"] == CONTENT


async def test_a_decision_that_names_no_content_authorises_none(api, new_board, new_meeting, outbox, confirm):
    board, members = await new_board()
    between = await ok(await api.post(f"/v1/boards/{board['id']}/decisions", json=_between(members)), 201)
    between = await confirm(between, members)
    meeting = await new_meeting(board, members, statuses={})
    at_meeting = await ok(await api.post(_decision_url(meeting), json={"method": "consensus"}), 201)
    for decision in (between, at_meeting):
        assert decision["authorises_content_id"] is None
        [event] = await outbox(decision["id"])
        assert event["data"]["authorises_content_id"] is None


@pytest.mark.parametrize("value", NOT_IDS)
async def test_between_meetings_a_malformed_content_id_is_422_and_nothing_is_stored(
    api, db, new_board, outbox, value
):
    board, members = await new_board()
    response = await api.post(
        f"/v1/boards/{board['id']}/decisions", json=_between(members, authorises_content_id=value)
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in response.json()["errors"]] == ["authorises_content_id"]
    assert await db["decisions"].count_documents({"board_id": board["id"]}) == 0
    assert await outbox(board["id"]) == []


@pytest.mark.parametrize("value", NOT_IDS)
async def test_at_a_meeting_a_malformed_content_id_is_422_and_nothing_is_stored(
    api, db, new_board, new_meeting, outbox, value
):
    board, members = await new_board()
    meeting = await new_meeting(board, members, statuses={})
    before = await stored(db, "meetings", meeting["id"])
    response = await api.post(_decision_url(meeting), json={"method": "consensus", "authorises_content_id": value})
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["authorises_content_id"]
    assert await stored(db, "meetings", meeting["id"]) == before  # the item is still undecided
    assert await db["decisions"].count_documents({"meeting_id": meeting["id"]}) == 0
    assert await db["decisions"].count_documents({"board_id": board["id"]}) == 0
    assert await outbox(meeting["id"]) == []
