"""Interim decisions between meetings (issue 21, seed 003): the chair decides with the statutory partners, each
partner confirms electronically, and only then does the decision take effect (its notice and
``safeguarding.decision.recorded`` published), to be ratified at the next meeting. Every refusal: the problem,
and nothing changed (the decision, the outbox)."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import COUNCIL, ICB, POLICE, ok, stored

pytestmark = pytest.mark.integration


async def _proposed(api: Any, board: dict[str, Any], members: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return await ok(await api.post(f"/v1/boards/{board['id']}/decisions", json={
        "item_title": "Interim escalation protocol", "decided_by": members["chair"]["id"], "decided_on": "2026-07-01",
        "consulted": [members[k]["id"] for k in ("council", "police", "icb")], **extra}), 201)  # fmt: skip


def _confirmation(member: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"organisation": member["organisation"], "member_id": member["id"], **extra}


async def _refused(api: Any, db: Any, outbox: Any, decision: dict[str, Any], body: dict[str, Any], words: str) -> None:
    before = await stored(db, "decisions", decision["id"])
    events = await outbox(decision["id"])
    refused = await api.post(f"/v1/decisions/{decision['id']}/confirmations", json=body)
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["status"] == 409 and words in refused.json()["detail"]
    assert await stored(db, "decisions", decision["id"]) == before
    assert await outbox(decision["id"]) == events


async def test_a_decision_between_meetings_awaits_every_partner_then_takes_effect(
    api, db, new_board, new_meeting, outbox, broker_events
):
    board, members = await new_board()
    decision = await _proposed(api, board, members)
    assert (decision["status"], decision["partners"], decision["awaiting"], decision["confirmations"]) == (
        "awaiting_confirmation", [COUNCIL, POLICE, ICB], [COUNCIL, POLICE, ICB], [],
    )  # fmt: skip
    assert (decision["decision_notice_id"], decision["in_effect_on"]) == (None, None)
    assert await outbox(decision["id"]) == []
    assert await db["decision_notices"].count_documents({"decision_id": decision["id"]}) == 0
    awaiting = await ok(await api.get(f"/v1/boards/{board['id']}/decisions", params={"status": "awaiting_confirmation"}))
    assert [d["id"] for d in awaiting["items"]] == [decision["id"]]
    # not taken yet: a meeting scheduled now does not ratify it
    early_meeting = await new_meeting(board, members, day="2026-07-09", statuses={})
    assert all(i["kind"] != "ratification" for i in early_meeting["agenda"])

    url = f"/v1/decisions/{decision['id']}/confirmations"
    first = await ok(await api.post(url, json=_confirmation(members["council"], confirmed_on="2026-07-02")))
    second = await ok(await api.post(url, json=_confirmation(members["police"], confirmed_on="2026-07-02")))
    assert (first["awaiting"], second["awaiting"], second["status"]) == ([POLICE, ICB], [ICB], "awaiting_confirmation")
    assert await outbox(decision["id"]) == []
    last = await ok(await api.post(url, json=_confirmation(members["icb"], confirmed_on="2026-07-03")))
    assert (last["status"], last["awaiting"], last["in_effect_on"]) == ("in_effect", [], "2026-07-03")
    assert [(c["organisation"], c["member_id"], c["by_deputy"]) for c in last["confirmations"]] == [
        (COUNCIL, members["council"]["id"], False), (POLICE, members["police"]["id"], False),
        (ICB, members["icb"]["id"], False),
    ]  # fmt: skip
    assert [e["type"] for e in await outbox(decision["id"])] == ["safeguarding.decision.recorded"]
    assert await broker_events("safeguarding.decision.recorded", decision["id"])
    notice = await ok(await api.get(f"/v1/decision-notices/{last['decision_notice_id']}"))
    assert notice["decision_id"] == decision["id"]
    # a partner confirming again, once in effect: refused, nothing changed
    await _refused(api, db, outbox, decision, _confirmation(members["council"]), "already confirmed")
    # in effect after the next meeting was scheduled: on that meeting's agenda for ratification, not a later one's
    assert last["ratification_meeting_id"] == early_meeting["id"]
    agenda = (await ok(await api.get(f"/v1/meetings/{early_meeting['id']}")))["agenda"]
    ratification = agenda[-1]
    assert (ratification["kind"], ratification["ratifies_decision_id"]) == ("ratification", decision["id"])
    assert ratification["title"] == "Ratification: Interim escalation protocol"
    assert agenda[: len(early_meeting["agenda"])] == early_meeting["agenda"]
    later_meeting = await new_meeting(board, members, day="2026-08-13", statuses={})
    assert all(i["kind"] != "ratification" for i in later_meeting["agenda"])
    await ok(
        await api.post(
            f"/v1/meetings/{early_meeting['id']}/items/{ratification['id']}/decision", json={"method": "consensus"}
        ),
        201,
    )
    assert (await ok(await api.get(f"/v1/decisions/{decision['id']}")))["ratification"] == "ratified"


async def test_taking_effect_reaches_the_next_meeting_still_to_be_held(api, db, new_board, new_meeting, outbox):
    """Not a meeting held or cancelled, nor one before the decision took effect; with none scheduled, the next
    meeting scheduled takes it; a refused confirmation adds nothing to any agenda."""
    board, members = await new_board()
    before_it = await new_meeting(board, members, day="2026-06-25")
    held = await new_meeting(board, members, day="2026-07-06", statuses={})
    await ok(await api.post(f"/v1/meetings/{held['id']}/held"))
    cancelled = await new_meeting(board, members, day="2026-07-07")
    await ok(await api.post(f"/v1/meetings/{cancelled['id']}/cancel"))
    after = await new_meeting(board, members, day="2026-07-20")
    meetings = [before_it, held, cancelled, after]
    agendas = {m["id"]: await stored(db, "meetings", m["id"]) for m in meetings}
    decision = await _proposed(api, board, members)
    url = f"/v1/decisions/{decision['id']}/confirmations"
    for key in ("council", "police"):
        await ok(await api.post(url, json=_confirmation(members[key], confirmed_on="2026-07-02")))
    refused = await api.post(url, json=_confirmation(members["icb"], confirmed_on="2026-06-30"))
    assert refused.status_code == 422 and refused.headers["content-type"].startswith("application/problem+json")
    assert {m["id"]: await stored(db, "meetings", m["id"]) for m in meetings} == agendas
    assert (await stored(db, "decisions", decision["id"]))["status"] == "awaiting_confirmation"
    assert await outbox(decision["id"]) == []

    last = await ok(await api.post(url, json=_confirmation(members["icb"], confirmed_on="2026-07-03")))
    assert last["ratification_meeting_id"] == after["id"]
    for untouched in (before_it, held, cancelled):
        assert await stored(db, "meetings", untouched["id"]) == agendas[untouched["id"]]
    shown = await ok(await api.get(f"/v1/meetings/{after['id']}"))
    assert [i["ratifies_decision_id"] for i in shown["agenda"] if i["kind"] == "ratification"] == [decision["id"]]
    assert shown["version"] == agendas[after["id"]]["version"] + 1

    other, others = await new_board()
    unscheduled = await _proposed(api, other, others)
    for key in ("council", "police", "icb"):
        done = await ok(await api.post(f"/v1/decisions/{unscheduled['id']}/confirmations",
                                       json=_confirmation(others[key], confirmed_on="2026-07-03")))  # fmt: skip
    assert (done["status"], done["ratification_meeting_id"]) == ("in_effect", None)
    first = await new_meeting(other, others, day="2026-09-10")
    assert [i["ratifies_decision_id"] for i in first["agenda"] if i["kind"] == "ratification"] == [unscheduled["id"]]


async def test_confirmations_refused_change_nothing(api, db, new_board, outbox):
    board, members = await new_board()
    decision = await _proposed(api, board, members)
    url = f"/v1/decisions/{decision['id']}/confirmations"
    vcs = members["vcs"]
    await _refused(api, db, outbox, decision, _confirmation(vcs), "is not a statutory partner of the board")
    await _refused(api, db, outbox, decision, {"organisation": POLICE, "member_id": members["council"]["id"]},
                   "is not Northamptonshire Police's member")  # fmt: skip
    await _refused(api, db, outbox, decision, {"organisation": POLICE, "member_id": "nobody"}, "member on the board")
    await _refused(api, db, outbox, decision, _confirmation(members["police"], deputy_name="Someone Else"),
                   "is not the named deputy")  # fmt: skip
    await ok(await api.post(url, json=_confirmation(members["police"])))
    await _refused(api, db, outbox, decision, _confirmation(members["police"]), "already confirmed")
    assert (await stored(db, "decisions", decision["id"]))["awaiting"] == [COUNCIL, ICB]
    before = await stored(db, "decisions", decision["id"])
    early = await api.post(url, json=_confirmation(members["icb"], confirmed_on="2026-06-30"))
    assert early.status_code == 422 and early.json()["errors"][0]["field"] == "confirmed_on"
    assert await stored(db, "decisions", decision["id"]) == before
    assert await outbox(decision["id"]) == []


async def test_a_partners_named_deputy_confirms_for_them(api, db, new_board, outbox):
    board, members = await new_board()
    icb = members["icb"]
    await ok(await api.put(f"/v1/members/{icb['id']}/deputy", json={"deputy_name": "Dan Deputy"}))
    decision = await _proposed(api, board, members)
    confirmed = await ok(
        await api.post(f"/v1/decisions/{decision['id']}/confirmations", json=_confirmation(icb, deputy_name="Dan Deputy"))
    )
    assert [(c["organisation"], c["by_deputy"]) for c in confirmed["confirmations"]] == [(ICB, True)]


async def test_a_decision_at_a_meeting_needs_no_confirmation(api, db, new_board, new_meeting, outbox):
    board, members = await new_board()
    meeting = await new_meeting(board, members, statuses={})
    decision = await ok(
        await api.post(
            f"/v1/meetings/{meeting['id']}/items/{meeting['agenda'][1]['id']}/decision", json={"method": "consensus"}
        ),
        201,
    )
    assert (decision["status"], decision["in_effect_on"]) == ("in_effect", "2026-06-11")
    await _refused(api, db, outbox, decision, _confirmation(members["police"]), "needs no confirmation")


async def test_an_annual_report_is_not_approved_by_a_decision_not_in_effect(api, db, new_board, outbox, confirm):
    board, members = await new_board()
    decision = await _proposed(api, board, members, item_title="Approve the annual report 2025/26")
    decision = await confirm(decision, members, keys=("council", "police"))
    report = await ok(
        await api.post(f"/v1/boards/{board['id']}/annual-reports", json={"year": "2025/26", "title": "Annual report"}), 201
    )
    url = f"/v1/annual-reports/{report['id']}/transitions"
    refused = await api.post(url, json={"to": "approved", "decision_id": decision["id"]})
    assert refused.status_code == 409 and refused.headers["content-type"].startswith("application/problem+json")
    assert "has not taken effect" in refused.json()["detail"] and refused.json()["awaiting"] == [ICB]
    kept = await stored(db, "annual_reports", report["id"])
    assert (kept["status"], kept["version"], kept["approved_by_decision_id"]) == ("draft", report["version"], None)
    assert await outbox(report["id"]) == []
    await confirm(decision, members, keys=("icb",))
    approved = await ok(await api.post(url, json={"to": "approved", "decision_id": decision["id"]}))
    assert (approved["status"], approved["approved_by_decision_id"]) == ("approved", decision["id"])
