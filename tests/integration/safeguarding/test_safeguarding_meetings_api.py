"""Meetings, attendance, quorum, declarations and decisions over HTTP, with every refusal."""

from __future__ import annotations

import pytest

from tests.conftest import first_version

from .conftest import ICB, POLICE, ok, stored

pytestmark = pytest.mark.integration


async def test_agenda_starts_with_declarations_once(api, new_board, new_meeting):
    board, members = await new_board()
    meeting = await new_meeting(
        board,
        members,
        agenda=[
            {"title": "Budget", "kind": "decision"},
            {"title": "Declarations of interest", "kind": "declarations"},
        ],
    )
    assert [i["kind"] for i in meeting["agenda"]] == ["declarations", "decision"]
    plain = await new_meeting(board, members, agenda=[{"title": "Budget", "kind": "decision"}])
    assert plain["agenda"][0]["title"] == "Declarations of interest" and len(plain["agenda"]) == 2


async def test_quorum_names_what_is_missing(api, new_board, new_meeting):
    board, members = await new_board()
    meeting = await new_meeting(
        board, members, statuses={"chair": "apologies", "vice": "absent", "police": "apologies"}
    )
    quorum = await ok(await api.get(f"/v1/meetings/{meeting['id']}/quorum"))
    assert quorum["quorate"] is False
    assert quorum["missing"][0].startswith("The chair: neither the independent chair")
    assert quorum["missing"][1] == (
        f"{POLICE} (statutory partner): no member or named deputy present (Pat Police: sent apologies)"
    )
    fixed = await new_meeting(
        board, members, statuses={"chair": "apologies", "police": "deputy"}, deputies={"police": "Dan Deputy"}
    )
    quorum = await ok(await api.get(f"/v1/meetings/{fixed['id']}/quorum"))
    assert quorum == {
        "meeting_id": fixed["id"],
        "quorate": True,
        "missing": [],
        "presiding": {"member_id": members["vice"]["id"], "name": "Vic Vice"},
    }


async def test_attendance_refusals_change_nothing(api, db, new_board, new_meeting):
    board, members = await new_board()
    meeting = await new_meeting(board, members)
    url = f"/v1/meetings/{meeting['id']}/attendance"
    assert (
        await api.put(url, json=[{"member_id": members["police"]["id"], "status": "deputy"}])
    ).status_code == 422
    assert (
        await api.put(url, json=[{"member_id": members["police"]["id"], "status": "late"}])
    ).status_code == 422
    stranger = await api.put(url, json=[{"member_id": "someone", "status": "present"}])
    assert stranger.status_code == 409 and "not a member of this board" in stranger.json()["detail"]
    await ok(
        await api.put(f"/v1/members/{members['police']['id']}/deputy", json={"deputy_name": "Dan Deputy"})
    )
    wrong = await api.put(
        url, json=[{"member_id": members["police"]["id"], "status": "deputy", "deputy_name": "Someone Else"}]
    )
    assert wrong.status_code == 409 and "named deputy is Dan Deputy" in wrong.json()["detail"]
    stale = await api.put(url, json=[], headers={"If-Match": '"9"'})
    assert stale.status_code == 412
    doc = await stored(db, "meetings", meeting["id"])
    assert doc["version"] == 1 and doc["attendance"] == []
    wrapped = await api.put(
        url,
        json={"attendance": [{"member_id": members["chair"]["id"], "status": "present"}]},
        headers={"If-Match": '"1"'},
    )
    assert wrapped.status_code == 200 and wrapped.json()["version"] == 2


async def _decide(api, meeting, body, item=1):
    return await api.post(
        f"/v1/meetings/{meeting['id']}/items/{meeting['agenda'][item]['id']}/decision", json=body
    )


async def test_consensus_and_vote_decisions_with_events(
    api, db, new_board, new_meeting, outbox, broker_events
):
    board, members = await new_board()
    meeting = await new_meeting(board, members, statuses={})
    consensus = await _decide(api, meeting, {"method": "consensus"})
    decision = first_version(consensus)
    assert (decision["method"], decision["outcome"], decision["decided_on"]) == (
        "consensus",
        "agreed",
        "2026-06-11",
    )
    votes = [
        {"member_id": members[k]["id"], "vote": v}
        for k, v in {"council": "for", "police": "for", "icb": "against", "vcs": "abstain"}.items()
    ]
    voted = await ok(await _decide(api, meeting, {"method": "vote", "votes": votes}, item=2), 201)
    assert (voted["outcome"], voted["votes_for"], voted["votes_against"], voted["abstentions"]) == (
        "carried",
        2,
        1,
        1,
    )
    [event] = await outbox(voted["id"])
    assert event["type"] == "safeguarding.decision.recorded"
    assert event["data"] == {
        "decision_id": voted["id"],
        "board_id": board["id"],
        "board_name": board["name"],
        "meeting_id": meeting["id"],
        "item_title": "Annual report",
        "method": "vote",
        "outcome": "carried",
        "decided_on": "2026-06-11",
        "requires_ratification": False,
        "authorises_content_id": None,
    }
    assert await broker_events("safeguarding.decision.recorded", voted["id"])
    again = await _decide(api, meeting, {"method": "consensus"}, item=2)
    assert again.status_code == 409 and "already been decided" in again.json()["detail"]


REFUSALS = [
    ("inquorate", {"police": "absent"}, [], "consensus", {}, None, "not quorate"),
    (
        "absent voter",
        {"vcs": "absent"},
        [],
        "vote",
        {"council": "for", "vcs": "for"},
        None,
        "Val Voluntary (Northamptonshire Voluntary Sector) cannot vote: absent",
    ),
    ("apologies voter", {"vcs": "apologies"}, [], "vote", {"vcs": "for"}, None, "sent apologies"),
    (
        "unsigned voter",
        {},
        [],
        "vote",
        {"unsigned": "for"},
        None,
        "not signed the memorandum of understanding",
    ),
    ("conflicted voter", {}, ["vcs"], "vote", {"vcs": "for", "council": "for"}, None, "declared an interest"),
    (
        "two votes, one organisation",
        {},
        [],
        "vote",
        {"council": "for", "council2": "against"},
        None,
        "no organisation has more than one vote",
    ),
    (
        "tie without casting vote",
        {},
        [],
        "vote",
        {"council": "for", "police": "against"},
        None,
        "casting vote",
    ),
]


@pytest.mark.parametrize(
    ("case", "statuses", "conflicts", "method", "votes", "casting", "words"),
    REFUSALS,
    ids=[r[0] for r in REFUSALS],
)
async def test_decision_refusals_change_nothing(
    api, db, new_board, new_meeting, outbox, case, statuses, conflicts, method, votes, casting, words
):
    board, members = await new_board()
    meeting = await new_meeting(board, members, statuses=statuses)
    item = meeting["agenda"][1]
    for key in conflicts:
        await ok(
            await api.post(
                f"/v1/meetings/{meeting['id']}/declarations",
                json={
                    "member_id": members[key]["id"],
                    "item_id": item["id"],
                    "nature": "Trustee of a provider",
                },
            ),
            201,
        )
    before = await stored(db, "meetings", meeting["id"])
    body = {"method": method}
    if votes:
        body["votes"] = [{"member_id": members[k]["id"], "vote": v} for k, v in votes.items()]
    if casting:
        body["casting_vote"] = casting
    response = await _decide(api, meeting, body)
    assert response.status_code == 409, response.text
    problem = response.json()
    assert words in problem["detail"] and problem["status"] == 409
    assert await stored(db, "meetings", meeting["id"]) == before
    assert await db["decisions"].count_documents({"meeting_id": meeting["id"]}) == 0
    assert await outbox(board["id"]) == [] and await outbox(meeting["id"]) == []


async def test_tie_decided_by_casting_vote(api, new_board, new_meeting):
    board, members = await new_board()
    meeting = await new_meeting(board, members, statuses={})
    votes = [
        {"member_id": members["council"]["id"], "vote": "for"},
        {"member_id": members["police"]["id"], "vote": "against"},
    ]
    decided = await ok(
        await _decide(api, meeting, {"method": "vote", "votes": votes, "casting_vote": "against"}), 201
    )
    assert (decided["outcome"], decided["casting_vote"], decided["presiding_member_id"]) == (
        "not_carried",
        "against",
        members["chair"]["id"],
    )


async def test_deputy_votes_for_their_member(api, new_board, new_meeting):
    board, members = await new_board()
    meeting = await new_meeting(board, members, statuses={"icb": "deputy"}, deputies={"icb": "Deputy Nurse"})
    votes = [{"member_id": members["icb"]["id"], "vote": "for"}]
    assert (await ok(await _decide(api, meeting, {"method": "vote", "votes": votes}), 201))[
        "outcome"
    ] == "carried"


async def test_declarations(api, db, new_board, new_meeting):
    board, members = await new_board()
    meeting = await new_meeting(board, members)
    url = f"/v1/meetings/{meeting['id']}/declarations"
    item = meeting["agenda"][1]["id"]
    declared = await ok(
        await api.post(
            url,
            json={"member_id": members["vcs"]["id"], "item_id": item, "nature": "Trustee of the provider"},
        ),
        201,
    )
    assert declared["meeting_id"] == meeting["id"] and declared["item_id"] == item
    twice = await api.post(url, json={"member_id": members["vcs"]["id"], "item_id": item, "nature": "again"})
    assert twice.status_code == 409
    wrong_item = await api.post(
        url, json={"member_id": members["vcs"]["id"], "item_id": "nope", "nature": "x"}
    )
    assert wrong_item.status_code == 422
    stranger = await api.post(url, json={"member_id": "nobody", "item_id": item, "nature": "x"})
    assert stranger.status_code == 409
    assert len((await stored(db, "meetings", meeting["id"]))["declarations"]) == 1


async def test_between_meetings_decision_ratified_at_next_meeting(api, db, new_board, new_meeting, outbox, confirm):
    board, members = await new_board()
    url = f"/v1/boards/{board['id']}/decisions"
    partners = [members[k]["id"] for k in ("council", "police", "icb")]
    missing = await api.post(
        url,
        json={
            "item_title": "Commission SAR Adult B",
            "decided_by": members["chair"]["id"],
            "consulted": partners[:2],
            "decided_on": "2026-07-01",
        },
    )
    assert missing.status_code == 409 and f"Not consulted: {ICB}" in missing.json()["detail"]
    not_chair = await api.post(
        url, json={"item_title": "X", "decided_by": members["council"]["id"], "consulted": partners}
    )
    assert not_chair.status_code == 409 and "only the chair" in not_chair.json()["detail"]
    assert await db["decisions"].count_documents({"board_id": board["id"]}) == 0
    decision = await ok(
        await api.post(
            url,
            json={
                "item_title": "Commission SAR Adult B",
                "consulted": partners,
                "decided_by": members["chair"]["id"],
                "decided_on": "2026-07-01",
            },
        ),
        201,
    )
    assert (decision["method"], decision["requires_ratification"], decision["ratification"]) == (
        "between_meetings",
        True,
        "pending",
    )
    # it takes effect (and is announced) once the three statutory partners have confirmed it (issue 21)
    assert (decision["status"], await outbox(decision["id"])) == ("awaiting_confirmation", [])
    decision = await confirm(decision, members)
    [event] = await outbox(decision["id"])
    assert event["data"]["method"] == "between_meetings" and event["data"]["meeting_id"] is None
    next_meeting = await new_meeting(board, members, day="2026-08-13", statuses={})
    ratification = next_meeting["agenda"][-1]
    assert ratification["kind"] == "ratification" and ratification["ratifies_decision_id"] == decision["id"]
    await ok(
        await api.post(
            f"/v1/meetings/{next_meeting['id']}/items/{ratification['id']}/decision",
            json={"method": "consensus"},
        ),
        201,
    )
    ratified = await ok(await api.get(f"/v1/decisions/{decision['id']}"))
    assert (ratified["ratification"], ratified["ratified_at_meeting_id"]) == ("ratified", next_meeting["id"])
    assert [e["type"] for e in await outbox(decision["id"])] == [
        "safeguarding.decision.recorded",
        "safeguarding.decision.ratified",
    ]
    pending = await ok(await api.get(url, params={"ratification": "pending"}))
    assert pending["items"] == []


async def test_meeting_held_event_and_register_closed(api, new_board, new_meeting, outbox):
    board, members = await new_board()
    meeting = await new_meeting(board, members)
    early = await api.post(f"/v1/meetings/{meeting['id']}/held")
    assert early.status_code == 409 and "Record the attendance register" in early.json()["detail"]
    await ok(
        await api.put(
            f"/v1/meetings/{meeting['id']}/attendance",
            json=[{"member_id": members["chair"]["id"], "status": "present"}],
        )
    )
    held = await ok(await api.post(f"/v1/meetings/{meeting['id']}/held"))
    assert held["status"] == "held" and held["held_quorate"] is False
    [event] = await outbox(meeting["id"])
    assert event["type"] == "safeguarding.meeting.held" and event["data"]["quorate"] is False
    assert len(event["data"]["missing"]) == 3
    closed = await api.put(f"/v1/meetings/{meeting['id']}/attendance", json=[])
    assert closed.status_code == 409


async def test_persistent_non_attendance_flagged_once(api, new_board, new_meeting, outbox, db):
    board, members = await new_board()
    for day in ("2026-04-16", "2026-06-11", "2026-08-13", "2026-10-08"):
        await new_meeting(board, members, day=day, statuses={"vcs": "apologies"})
    flagged = [e for e in await outbox(board["id"]) if e["type"] == "safeguarding.non_attendance.flagged"]
    assert [e["data"]["organisation"] for e in flagged] == ["Northamptonshire Voluntary Sector"]
    assert flagged[0]["data"]["consecutive_meetings_missed"] == 3
    assert flagged[0]["data"]["last_meeting_on"] == "2026-08-13"
    report = await ok(await api.get(f"/v1/boards/{board['id']}/reports/attendance", params={"last": 4}))
    vcs = next(r for r in report["organisations"] if r["organisation"] == "Northamptonshire Voluntary Sector")
    assert (
        vcs["meetings"],
        vcs["apologies"],
        vcs["consecutive_missed"],
        vcs["persistent_non_attendance"],
    ) == (4, 4, 4, True)
    assert "chief executive of Northamptonshire Voluntary Sector" in vcs["action"]
    council = next(r for r in report["organisations"] if r["organisation"].startswith("West"))
    assert council["attendance_rate"] == 1.0


async def test_meetings_listed_and_paginated(api, new_board, new_meeting):
    board, members = await new_board()
    ids = [
        (await new_meeting(board, members, day=d))["id"] for d in ("2026-04-16", "2026-06-11", "2026-08-13")
    ]
    first = await ok(await api.get(f"/v1/boards/{board['id']}/meetings", params={"limit": 2}))
    second = await ok(
        await api.get(
            f"/v1/boards/{board['id']}/meetings", params={"limit": 2, "cursor": first["next_cursor"]}
        )
    )
    assert [m["id"] for m in first["items"] + second["items"]] == ids and second["next_cursor"] is None
