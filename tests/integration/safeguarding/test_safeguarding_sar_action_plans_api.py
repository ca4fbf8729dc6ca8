"""A SAR's action plan tracked to completion (issue 21): each action done with its evidence, overdue actions
reported, and the review closed only when every action is done and its learning briefing is recorded. Every
refusal: the problem, and nothing changed (the review, the outbox); the case details stay confidential."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import ok, stored
from .test_safeguarding_sars_api import SECRET_NAME, SECRET_SUMMARY, STEPS, referral

pytestmark = pytest.mark.integration

#: a plan agreed long ago, so its first action is overdue whatever day the tests run; the second is not
PLAN = {"to": "action_plan", "on": "2026-11-10", "actions": [
    {"action": "Joint visit protocol", "owner": "Northamptonshire Police", "due_on": "2026-12-01"},
    {"action": "Self-neglect training", "owner": "West Northamptonshire Council", "due_on": "2999-03-31"},
]}  # fmt: skip


async def _published(api: Any, board: dict[str, Any]) -> dict[str, Any]:
    sar = await ok(await api.post(f"/v1/boards/{board['id']}/sars", json=referral()), 201)
    for step in [*STEPS[:3], PLAN, STEPS[-1]]:
        sar = await ok(await api.post(f"/v1/sars/{sar['id']}/transitions", json=step))
    return sar


async def _refused(api: Any, db: Any, outbox: Any, sar: dict[str, Any], path: str, body: dict[str, Any],
                   status: int, words: str) -> None:  # fmt: skip
    before = await stored(db, "sars", sar["id"])
    events = await outbox(sar["id"])
    refused = await api.post(f"/v1/sars/{sar['id']}/{path}", json=body)
    assert refused.status_code == status, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert words in problem["detail"] + " ".join(e["field"] for e in problem.get("errors", []))
    assert await stored(db, "sars", sar["id"]) == before
    assert await outbox(sar["id"]) == events


async def test_a_review_closes_once_its_plan_is_done_and_its_learning_shared(api, writer, db, new_board, outbox):
    board, _ = await new_board()
    sar = await _published(api, board)
    assert [(a["id"], a["completed_on"]) for a in sar["actions"]] == [("a1", None), ("a2", None)]

    overdue = await ok(await writer.get(f"/v1/boards/{board['id']}/reports/overdue-sar-actions"))
    assert [(a["sar_id"], a["action_id"], a["owner"], a["due_on"]) for a in overdue["actions"]] == [
        (sar["id"], "a1", "Northamptonshire Police", "2026-12-01")]  # fmt: skip
    assert overdue["actions"][0]["days_overdue"] > 0 and overdue["board_id"] == board["id"]
    assert SECRET_SUMMARY not in str(overdue) and SECRET_NAME not in str(overdue)

    await _refused(api, db, outbox, sar, "transitions", {"to": "closed"}, 409, "open action(s) (a1, a2)")
    evidence = {"evidence": "Protocol signed by both forces", "completed_on": "2026-12-05"}
    done = await ok(await writer.post(f"/v1/sars/{sar['id']}/actions/a1/completion", json=evidence))
    assert (done["actions"][0]["completed_on"], done["actions"][0]["evidence"]) == (
        "2026-12-05", "Protocol signed by both forces")  # fmt: skip
    assert done["confidential_withheld"] is True and "case_summary" not in done  # as before: not for this caller
    overdue = await ok(await api.get(f"/v1/boards/{board['id']}/reports/overdue-sar-actions"))
    assert overdue["actions"] == []
    await ok(await api.post(f"/v1/sars/{sar['id']}/actions/a2/completion", json={"evidence": "All staff trained"}))
    await _refused(api, db, outbox, sar, "transitions", {"to": "closed"}, 409, "no learning briefing")
    briefed = await ok(await api.post(f"/v1/sars/{sar['id']}/learning-briefing",
                                      json={"summary": "Share concerns early", "issued_on": "2026-12-10"}))  # fmt: skip
    assert briefed["learning_briefing"] == {"summary": "Share concerns early", "issued_on": "2026-12-10"}
    await _refused(api, db, outbox, sar, "learning-briefing", {"summary": "Again"}, 409, "already has its learning")
    closed = await ok(await api.post(f"/v1/sars/{sar['id']}/transitions", json={"to": "closed", "on": "2026-12-11"}))
    assert (closed["status"], closed["closed_on"]) == ("closed", "2026-12-11")
    await _refused(api, db, outbox, sar, "transitions", {"to": "closed"}, 409, "it is complete")


async def test_completing_an_action_is_refused_without_evidence_or_twice(api, db, new_board, outbox):
    board, _ = await new_board()
    early = await ok(await api.post(f"/v1/boards/{board['id']}/sars", json=referral()), 201)
    await _refused(api, db, outbox, early, "actions/a1/completion", {"evidence": "x"}, 409, "no action plan yet")
    await _refused(api, db, outbox, early, "learning-briefing", {"summary": "x"}, 409, "no report yet")
    sar = await _published(api, board)
    url = "actions/a1/completion"
    await _refused(api, db, outbox, sar, url, {}, 422, "evidence")
    await _refused(api, db, outbox, sar, url, {"evidence": "   "}, 422, "evidence")
    await _refused(api, db, outbox, sar, url, {"evidence": f"Visited {SECRET_NAME}"}, 422, "evidence")
    await _refused(api, db, outbox, sar, url, {"evidence": "done", "completed_on": "2026-11-01"}, 422, "completed_on")
    await _refused(api, db, outbox, sar, "actions/a9/completion", {"evidence": "done"}, 404, "a9")
    await _refused(api, db, outbox, sar, "learning-briefing", {"summary": f"About {SECRET_NAME}"}, 422, "summary")
    await ok(await api.post(f"/v1/sars/{sar['id']}/{url}", json={"evidence": "Protocol signed"}))
    await _refused(api, db, outbox, sar, url, {"evidence": "Again"}, 409, "already completed")
