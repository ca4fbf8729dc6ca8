"""The forward plan of key decisions (28 clear days' notice, the general exception) and the decision notice
published with every decision, over HTTP. Every refusal: the problem, and nothing changed (the records and
the outbox)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from civic.calendar import today

from tests.conftest import first_version

from .conftest import ok, stored

pytestmark = pytest.mark.integration

KEY = {"title": "Strategic plan 2027-30", "decision_maker": "The board at its meeting",
       "documents": ["Draft strategic plan", "Consultation summary"]}  # fmt: skip


def days(n: int) -> str:
    return (today() + timedelta(days=n)).isoformat()


async def _unchanged(db, board_id):
    return (await db["key_decisions"].count_documents({"board_id": board_id}),
            await db["decision_notices"].count_documents({"board_id": board_id}),
            await db["outbox"].count_documents({}))  # fmt: skip


async def test_key_decisions_are_planned_with_notice_and_listed_in_date_order(api, new_board, new_meeting):
    board, members = await new_board()
    url = f"/v1/boards/{board['id']}/forward-plan"
    later = first_version(await api.post(url, json={**KEY, "to_be_taken_on": days(60)}))
    assert (later["to_be_taken_on"], later["notice_clear_days"], later["added_on"], later["urgent"]) == (
        days(60), 59, today().isoformat(), False,
    )  # fmt: skip
    meeting = await new_meeting(board, members, day=days(29))
    at_meeting = first_version(await api.post(url, json={**KEY, "title": "Budget 2027/28", "meeting_id": meeting["id"]}))
    assert (at_meeting["meeting_id"], at_meeting["to_be_taken_on"], at_meeting["notice_clear_days"]) == (
        meeting["id"], days(29), 28,
    )  # fmt: skip
    body = {**KEY, "title": "Winter pressures protocol", "to_be_taken_on": days(6), "urgent": True,
            "urgency_reason": "NHS winter funding closes"}  # fmt: skip
    urgent = first_version(await api.post(url, json=body))
    assert (urgent["urgent"], urgent["urgency_reason"]) == (True, "NHS winter funding closes")
    one = await api.get(f"/v1/key-decisions/{later['id']}")
    assert one.status_code == 200 and one.headers["ETag"] == '"1"' and one.json()["documents"] == KEY["documents"]

    plan = await ok(await api.get(url))
    assert [k["id"] for k in plan["key_decisions"]] == [urgent["id"], at_meeting["id"], later["id"]]
    assert (plan["board_name"], plan["from"], plan["to"]) == (board["name"], today().isoformat(), None)
    window = await ok(await api.get(url, params={"from": days(7), "to": days(30)}))
    assert [k["id"] for k in window["key_decisions"]] == [at_meeting["id"]]
    backwards = await api.get(url, params={"from": days(30), "to": days(7)})
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["field"] == "to"


REFUSED = [
    ("27 clear days", {"to_be_taken_on": 28}, 409, "at least 28 clear days"),
    ("urgent, 4 clear days", {"to_be_taken_on": 5, "urgent": True, "urgency_reason": "Now"}, 409, "special urgency"),
    ("a day passed", {"to_be_taken_on": -1, "urgent": True, "urgency_reason": "Late"}, 409, "has passed"),
    ("urgent without a reason", {"to_be_taken_on": 10, "urgent": True}, 422, "urgency_reason"),
    ("no day nor meeting", {}, 422, "to_be_taken_on"),
    ("a day and a meeting", {"to_be_taken_on": 40, "meeting_id": "own"}, 422, "to_be_taken_on"),
    ("no such meeting", {"meeting_id": "nowhere"}, 422, "meeting_id"),
    ("another board's meeting", {"meeting_id": "other"}, 409, "another board's"),
    ("a cancelled meeting", {"meeting_id": "cancelled"}, 409, "was cancelled"),
]


@pytest.mark.parametrize(("case", "body", "status", "words"), REFUSED, ids=[r[0] for r in REFUSED])
async def test_forward_plan_refusals_change_nothing(api, db, new_board, new_meeting, case, body, status, words):
    board, members = await new_board()
    own = await new_meeting(board, members, day=days(40))
    other_board, other_members = await new_board()
    meetings = {"own": own["id"], "other": (await new_meeting(other_board, other_members, day=days(40)))["id"],
                "nowhere": "nowhere"}  # fmt: skip
    if body.get("meeting_id") == "cancelled":
        cancelled = await new_meeting(board, members, day=days(50))
        await ok(await api.post(f"/v1/meetings/{cancelled['id']}/cancel"))
        meetings["cancelled"] = cancelled["id"]
    sent = {**KEY, **body}
    if "to_be_taken_on" in body:
        sent["to_be_taken_on"] = days(body["to_be_taken_on"])
    if "meeting_id" in body:
        sent["meeting_id"] = meetings[body["meeting_id"]]
    before = await _unchanged(db, board["id"])
    refused = await api.post(f"/v1/boards/{board['id']}/forward-plan", json=sent)
    assert refused.status_code == status, refused.text
    problem = refused.json()
    assert words in (problem["detail"] + " ".join(e["field"] for e in problem.get("errors", [])))
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert await _unchanged(db, board["id"]) == before
    if case == "27 clear days":
        assert (problem["notice_clear_days"], problem["earliest_on"]) == (27, days(29))


async def test_a_decision_at_a_meeting_publishes_its_notice_with_the_vote_and_the_interests_declared(
    api, db, new_board, new_meeting, outbox, broker_events
):
    board, members = await new_board()
    await ok(await api.post(f"/v1/members/{members['vcs']['id']}/interests", json={
        "kind": "pecuniary", "description": "Trustee (paid)", "concerns": ["Age UK Northamptonshire"],
        "held_from": "2026-01-01", "details": "SECRET-DETAILS-41"}), 201)  # fmt: skip
    meeting = await new_meeting(board, members, statuses={}, agenda=[
        {"title": "Advocacy contract award", "kind": "decision", "matters": ["Age UK Northamptonshire"]}])  # fmt: skip
    item = meeting["agenda"][1]
    await ok(await api.post(f"/v1/meetings/{meeting['id']}/declarations", json={
        "member_id": members["police"]["id"], "item_id": item["id"], "nature": "Spouse volunteers there",
        "prejudicial": False, "reason": "Unpaid, no say in the contract"}), 201)  # fmt: skip
    cast = {"council": "for", "police": "for", "icb": "against"}
    votes = [{"member_id": members[k]["id"], "vote": v} for k, v in cast.items()]

    before = await _unchanged(db, board["id"])
    refused = await api.post(f"/v1/meetings/{meeting['id']}/items/{item['id']}/decision", json={
        "method": "vote", "votes": [*votes, {"member_id": members["vcs"]["id"], "vote": "for"}]})  # fmt: skip
    assert refused.status_code == 409 and refused.json()["member_id"] == members["vcs"]["id"]
    assert await _unchanged(db, board["id"]) == before  # no decision, so no notice and no event

    decision = await ok(await api.post(f"/v1/meetings/{meeting['id']}/items/{item['id']}/decision",
                                       json={"method": "vote", "votes": votes}), 201)  # fmt: skip
    notice = await ok(await api.get(f"/v1/decision-notices/{decision['decision_notice_id']}"))
    assert (notice["decision_id"], notice["board_id"], notice["meeting_id"], notice["decided_on"]) == (
        decision["id"], board["id"], meeting["id"], "2026-06-11",
    )  # fmt: skip
    assert notice["decision"] == "'Advocacy contract award': carried by a vote of 2 for, 1 against, 0 abstaining."
    assert notice["decision_maker"] == f"{board['name']} at its meeting of 2026-06-11, chaired by Sue Chair."
    assert (notice["votes_for"], notice["votes_against"], notice["abstentions"], notice["published_on"]) == (
        2, 1, 0, today().isoformat(),
    )  # fmt: skip
    declared = {d["member_id"]: d for d in notice["declared_interests"]}
    vcs = declared[members["vcs"]["id"]]
    assert (vcs["from_register"], vcs["name"], vcs["prejudicial"]) == (True, "Val Voluntary", True)
    assert declared[members["police"]["id"]]["reason"] == "Unpaid, no say in the contract"
    assert "SECRET-DETAILS" not in str(notice)

    [event] = await outbox(notice["id"])
    assert event["type"] == "safeguarding.decision_notice.published"
    assert event["data"] == {"decision_notice_id": notice["id"], "decision_id": decision["id"],
                             "board_id": board["id"], "meeting_id": meeting["id"]}  # fmt: skip
    assert await broker_events("safeguarding.decision_notice.published", notice["id"])
    assert (await stored(db, "decisions", decision["id"]))["decision_notice_id"] == notice["id"]


async def test_a_decision_between_meetings_has_its_notice_and_notices_list_by_board_and_date(
    api, new_board, new_meeting, confirm
):
    board, members = await new_board()
    between = await ok(await api.post(f"/v1/boards/{board['id']}/decisions", json={
        "item_title": "Winter pressures protocol", "decided_by": members["chair"]["id"], "decided_on": "2026-07-01",
        "consulted": [members[k]["id"] for k in ("council", "police", "icb")]}), 201)  # fmt: skip
    # its notice is published when it takes effect, the three statutory partners having confirmed (issue 21)
    assert between["decision_notice_id"] is None
    between = await confirm(between, members)
    notice = await ok(await api.get(f"/v1/decision-notices/{between['decision_notice_id']}"))
    assert (notice["decided_by"]["name"], notice["meeting_id"], notice["requires_ratification"]) == ("Sue Chair", None, True)
    assert [c["name"] for c in notice["consulted"]] == ["Dee Dass", "Pat Police", "Nia Nurse"]
    meeting = await new_meeting(board, members, statuses={})
    at_meeting = await ok(await api.post(f"/v1/meetings/{meeting['id']}/items/{meeting['agenda'][2]['id']}/decision",
                                         json={"method": "consensus"}), 201)  # fmt: skip
    url = f"/v1/boards/{board['id']}/decision-notices"
    every = await ok(await api.get(url))
    assert {n["decision_id"] for n in every["items"]} == {between["id"], at_meeting["id"]}
    june = await ok(await api.get(url, params={"from": "2026-06-01", "to": "2026-06-30"}))
    assert [n["decision_id"] for n in june["items"]] == [at_meeting["id"]]
    july = await ok(await api.get(url, params={"from": "2026-07-01"}))
    assert [n["decision_id"] for n in july["items"]] == [between["id"]]
    backwards = await api.get(url, params={"from": "2026-07-01", "to": "2026-06-01"})
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["field"] == "to"
