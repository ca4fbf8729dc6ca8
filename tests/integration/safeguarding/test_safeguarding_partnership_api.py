"""Issue 21 with real servers: the children's partnership as the law shapes it (three equal safeguarding
partners, no independent chair, Child Safeguarding Practice Reviews instead of SARs), the constitution's yearly
review and members' notice of leaving. Each refusal: the problem, and nothing changed (the record, the outbox)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

import pytest

from tests.conftest import created, unique

from .conftest import ICB, POLICE, ok

pytestmark = pytest.mark.integration

COUNCIL = "West Northamptonshire Council"
# key: (name, organisation, role, statutory, safeguarding partner)
PARTNERSHIP = {
    "la": ("Lee Authority", COUNCIL, "statutory_partner", True, "local_authority"),
    "police": ("Pam Police", POLICE, "statutory_partner", True, "police"),
    "health": ("Hal Health", ICB, "statutory_partner", True, "health"),
    "scrutineer": ("Sam Scrutiny", "Independent", "independent_scrutineer", False, None),
}
CHILD = {"reference": "Child C", "case_summary": "An infant harmed at home.", "child": {"name": "Ada Example"}}


async def _partnership(api: Any, lead: str | None = "police") -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    body = {"name": unique("Safeguarding Children Partnership"), "kind": "children", "lead_partner": lead}
    board = await created(api, "/v1/boards", body)
    members = {}
    for key, (name, org, role, statutory, partner) in PARTNERSHIP.items():
        member = await created(api, f"/v1/boards/{board['id']}/members", {
            "name": name, "organisation": org, "role": role, "statutory": statutory, "safeguarding_partner": partner,
        })  # fmt: skip
        members[key] = await ok(await api.post(f"/v1/members/{member['id']}/mou"))
    return board, members


async def _refused(api: Any, outbox: Any, url: str, aggregate: str, send: Callable[[], Awaitable[Any]],
                   status: int, words: str) -> dict[str, Any]:  # fmt: skip
    """A refusal: `send` answers `status` with a problem naming `words`; the record at `url` and the outbox of
    `aggregate` as they were before."""
    before, events = (await api.get(url)).json(), await outbox(aggregate)
    response = await send()
    assert response.status_code == status, response.text
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert words in problem["detail"] or any(words in e["message"] for e in problem.get("errors", []))
    assert (await api.get(url)).json() == before
    assert await outbox(aggregate) == events
    return dict(problem)


async def test_a_partnership_has_three_equal_partners_and_no_independent_chair(api, db, outbox):
    board, members = await _partnership(api)
    assert board["kind"] == "children" and board["lead_partner"] == "police"
    before = await db["members"].count_documents({"board_id": board["id"]})
    chair = await api.post(f"/v1/boards/{board['id']}/members", json={
        "name": "Ivy Independent", "organisation": "Independent", "role": "independent_chair"})  # fmt: skip
    assert chair.status_code == 409 and "has no independent chair" in chair.json()["detail"]
    no_partner = await api.post(f"/v1/boards/{board['id']}/members", json={
        "name": "Nat", "organisation": COUNCIL, "role": "statutory_partner", "statutory": True})  # fmt: skip
    assert no_partner.status_code == 422 and "say which in safeguarding_partner" in no_partner.json()["detail"]
    assert [e["field"] for e in no_partner.json()["errors"]] == ["safeguarding_partner"]
    assert await db["members"].count_documents({"board_id": board["id"]}) == before

    adults = await created(api, "/v1/boards", {"name": unique("Adults Board"), "kind": "adults"})
    scrutineer = await api.post(f"/v1/boards/{adults['id']}/members", json={
        "name": "Sam", "organisation": "Independent", "role": "independent_scrutineer"})  # fmt: skip
    assert scrutineer.status_code == 409 and "children's safeguarding partnership's role" in scrutineer.json()["detail"]
    await _refused(api, outbox, f"/v1/boards/{adults['id']}", adults["id"],
                   lambda: api.put(f"/v1/boards/{adults['id']}/lead-partner", json={"lead_partner": "police"}),
                   409, "only a children's safeguarding partnership has a lead partner")  # fmt: skip

    # the lead partner's member chairs; the three partners make the quorum, the scrutineer does not count
    meeting = await created(api, f"/v1/boards/{board['id']}/meetings", {"scheduled_for": "2026-06-11"})
    register = [{"member_id": members[k]["id"], "status": "present"} for k in ("police", "health", "scrutineer")]
    await ok(await api.put(f"/v1/meetings/{meeting['id']}/attendance", json=register))
    quorum = await ok(await api.get(f"/v1/meetings/{meeting['id']}/quorum"))
    assert quorum["quorate"] is False and quorum["presiding"]["member_id"] == members["police"]["id"]
    assert quorum["missing"] == ["the local authority (safeguarding partner): no member or named deputy present "
                                 "(Lee Authority: attendance not recorded)"]  # fmt: skip
    rotated = await ok(await api.put(f"/v1/boards/{board['id']}/lead-partner", json={"lead_partner": "health"}))
    assert rotated["lead_partner"] == "health" and rotated["version"] == 2


async def test_a_partnership_reviews_children_not_adults(api, writer, db, new_board, outbox):
    board, _ = await _partnership(api)
    adults, _ = await new_board()
    sar = await api.post(f"/v1/boards/{board['id']}/sars", json={
        "reference": "Adult Z", "case_summary": "x", "person": {"name": "Zed Person"}, "referred_by": "Police"})  # fmt: skip
    assert sar.status_code == 409 and "Child Safeguarding Practice Reviews" in sar.json()["detail"]
    cspr = await api.post(f"/v1/boards/{adults['id']}/practice-reviews", json=CHILD)
    assert cspr.status_code == 409 and "Safeguarding Adults Reviews" in cspr.json()["detail"]
    assert await db["sars"].count_documents({"board_id": board["id"]}) == 0
    assert await db["practice_reviews"].count_documents({"board_id": adults["id"]}) == 0

    review = await created(api, f"/v1/boards/{board['id']}/practice-reviews",
                           {**CHILD, "incident_known_on": "2026-09-04", "notified_on": "2026-09-07"})  # fmt: skip
    # 15 working days from Monday 7 September: Monday 28 September
    assert (review["rapid_review_due_on"], review["notification_due_on"], review["notified_late"]) == (
        "2026-09-28", "2026-09-11", False)  # fmt: skip
    assert review["child"] == {"name": "Ada Example"}
    shown = await ok(await writer.get(f"/v1/practice-reviews/{review['id']}"))
    assert "child" not in shown and "case_summary" not in shown and shown["confidential_withheld"] is True

    before = await db["practice_reviews"].count_documents({"board_id": board["id"]})
    unknown_yet = await api.post(f"/v1/boards/{board['id']}/practice-reviews",
                                 json={**CHILD, "incident_known_on": "2026-09-04", "notified_on": "2026-09-03"})  # fmt: skip
    assert unknown_yet.status_code == 422 and [e["field"] for e in unknown_yet.json()["errors"]] == ["notified_on"]
    assert await db["practice_reviews"].count_documents({"board_id": board["id"]}) == before

    url = f"/v1/practice-reviews/{review['id']}"
    early = {"to": "rapid_review", "on": "2026-09-06", "local_review": True, "reasons": "Before it was notified"}
    problem = await _refused(api, outbox, url, review["id"], lambda: api.post(f"{url}/transitions", json=early),
                             422, "before the previous step")  # fmt: skip
    assert [e["field"] for e in problem["errors"]] == ["on"]
    skip = {"to": "commissioned", "reviewer": "R", "reviewer_organisation": "O"}
    problem = await _refused(api, outbox, url, review["id"], lambda: api.post(f"{url}/transitions", json=skip),
                             409, "the next step is 'rapid_review'")  # fmt: skip
    assert problem["next_stage"] == "rapid_review"
    decided = await ok(await api.post(f"{url}/transitions", json={
        "to": "rapid_review", "on": "2026-09-29", "local_review": True, "reasons": "Learning on sharing"}))  # fmt: skip
    assert (decided["status"], decided["rapid_review_late"]) == ("rapid_review", True)
    assert decided["rapid_review"] == {"on": "2026-09-29", "local_review": True, "reasons": "Learning on sharing"}
    own = {"to": "commissioned", "reviewer": "R", "reviewer_organisation": POLICE}
    await _refused(api, outbox, url, review["id"],
                   lambda: api.post(f"{url}/transitions", headers={"If-Match": '"2"'}, json=own),
                   409, "independent of the case")  # fmt: skip
    done = await ok(await api.post(f"{url}/transitions", json={
        "to": "commissioned", "reviewer": "Rae Reviewer", "reviewer_organisation": "Independent Reviews Ltd"}))  # fmt: skip
    assert done["status"] == "commissioned" and done["commission"]["reviewer_organisation"] == "Independent Reviews Ltd"


async def test_a_board_says_which_case_reviews_it_holds(api, new_board):
    """review_kind, so a client offers SARs or practice reviews without holding the rule."""
    board, _ = await _partnership(api)
    adults, _ = await new_board()
    assert board["review_kind"] == "practice_review" and adults["review_kind"] == "sar"
    assert (await ok(await api.get(f"/v1/boards/{board['id']}")))["review_kind"] == "practice_review"
    assert (await ok(await api.get(f"/v1/boards/{adults['id']}")))["review_kind"] == "sar"
    listed, cursor = {}, None
    while True:  # every page: each board's kind and review_kind agree
        page = await ok(await api.get("/v1/boards", params={"limit": 100} | ({"cursor": cursor} if cursor else {})))
        listed |= {b["id"]: b["review_kind"] for b in page["items"]}
        assert all(b["review_kind"] == {"adults": "sar", "children": "practice_review"}[b["kind"]] for b in page["items"])
        if not (cursor := page["next_cursor"]):
            break
    assert (listed[board["id"]], listed[adults["id"]]) == ("practice_review", "sar")


async def test_undecided_rapid_reviews_past_their_day_are_reported(api, new_board):
    board, _ = await _partnership(api)
    known = date.today() - timedelta(days=40)
    late = await created(
        api, f"/v1/boards/{board['id']}/practice-reviews", {**CHILD, "incident_known_on": known.isoformat()}
    )
    await created(api, f"/v1/boards/{board['id']}/practice-reviews", {**CHILD, "reference": "Child D"})
    report = await ok(await api.get(f"/v1/boards/{board['id']}/reports/overdue-rapid-reviews"))
    assert [r["practice_review_id"] for r in report["rapid_reviews"]] == [late["id"]]


async def test_the_constitution_is_reviewed_yearly_by_a_decision(api, db, new_board, new_meeting, outbox):
    board, members = await new_board()
    shown = await ok(await api.get(f"/v1/boards/{board['id']}"))
    due = date.today().replace(year=date.today().year + 1).isoformat()
    review = ("constitution_reviewed_on", "constitution_review_due_on", "constitution_review_overdue")
    assert [shown[k] for k in review] == [None, due, False]
    meeting = await new_meeting(board, members, statuses={})
    item = meeting["agenda"][1]
    decided = await api.post(f"/v1/meetings/{meeting['id']}/items/{item['id']}/decision", json={
        "method": "vote", "votes": [{"member_id": members["council"]["id"], "vote": "against"}]})  # fmt: skip
    against = (await ok(decided, 201))["id"]
    url = f"/v1/boards/{board['id']}"
    await _refused(api, outbox, url, board["id"],
                   lambda: api.post(f"{url}/constitution-reviews", json={"decision_id": against}),
                   409, "a decision of the board in favour")  # fmt: skip
    other, _ = await new_board()
    unknown = await api.post(f"/v1/boards/{other['id']}/constitution-reviews", json={"decision_id": against})
    assert unknown.status_code == 409 and "another board's" in unknown.json()["detail"]

    item = meeting["agenda"][2]
    carried = await ok(await api.post(f"/v1/meetings/{meeting['id']}/items/{item['id']}/decision",
                                      json={"method": "consensus"}, headers={"If-Match": '"3"'}), 201)  # fmt: skip
    problem = await _refused(api, outbox, url, board["id"], lambda: api.post(f"{url}/constitution-reviews", json={
        "decision_id": carried["id"], "reviewed_on": "2026-06-10"}), 422, "not recorded before it")  # fmt: skip
    assert [e["field"] for e in problem["errors"]] == ["reviewed_on"]
    reviewed = await ok(await api.post(f"{url}/constitution-reviews", json={"decision_id": carried["id"]}))
    assert (reviewed["constitution_reviewed_on"], reviewed["constitution_review_due_on"]) == (date.today().isoformat(), due)
    assert reviewed["constitution_reviews"] == [{"reviewed_on": date.today().isoformat(), "decision_id": carried["id"]}]
    await _refused(api, outbox, url, board["id"],
                   lambda: api.post(f"{url}/constitution-reviews", json={"decision_id": carried["id"]}),
                   409, "already approved a review")  # fmt: skip
    overdue = await ok(await api.get("/v1/reports/overdue-constitution-reviews"))
    assert board["id"] not in {b["board_id"] for b in overdue["boards"]}


async def test_a_member_leaving_counts_until_their_last_day_then_leaves_a_vacancy(api, db, new_board, new_meeting, outbox):
    board, members = await new_board()
    police = members["police"]
    url = f"/v1/members/{police['id']}"
    await _refused(api, outbox, url, police["id"],
                   lambda: api.post(f"{url}/notice", json={"given_on": "2026-06-01", "leaves_on": "2026-05-31"}),
                   422, "cannot end membership before it")  # fmt: skip
    notice = await ok(await api.post(f"{url}/notice", json={"given_on": "2026-05-01", "leaves_on": "2026-06-30"}))
    assert (notice["notice_given_on"], notice["leaves_on"], notice["version"]) == ("2026-05-01", "2026-06-30", 3)
    (leaving,) = await outbox(police["id"])
    assert leaving["type"] == "safeguarding.member.leaving" and leaving["data"] == {
        "member_id": police["id"], "board_id": board["id"], "board_name": board["name"], "organisation": POLICE,
        "role": "statutory_partner", "statutory": True, "safeguarding_partner": None,
        "notice_given_on": "2026-05-01", "leaves_on": "2026-06-30",
    }  # ids and the organisation only: never the member's name  # fmt: skip
    await _refused(api, outbox, url, police["id"],
                   lambda: api.post(f"{url}/notice", json={"given_on": "2026-05-02", "leaves_on": "2026-07-31"}),
                   409, "already gave notice")  # fmt: skip

    before = await new_meeting(board, members, day="2026-06-30", statuses={})
    after = await new_meeting(board, members, day="2026-07-01", statuses={})
    assert (await ok(await api.get(f"/v1/meetings/{before['id']}/quorum")))["quorate"] is True
    quorum = await ok(await api.get(f"/v1/meetings/{after['id']}/quorum"))
    assert quorum["missing"] == [
        "Northamptonshire Police (statutory partner): the board has no member from this organisation"
    ]
    item = after["agenda"][1]
    vote = await api.post(f"/v1/meetings/{after['id']}/items/{item['id']}/decision", json={
        "method": "vote", "votes": [{"member_id": police["id"], "vote": "for"}]})  # fmt: skip
    assert vote.status_code == 409

    shown = await ok(await api.get(f"/v1/boards/{board['id']}"))
    assert shown["leaving"] == [{"member_id": police["id"], "organisation": POLICE, "leaves_on": "2026-06-30",
                                 "left": date.today() > date(2026, 6, 30)}]  # fmt: skip
    if date.today() > date(2026, 6, 30):
        assert shown["vacancies"] == [{"partner": POLICE, "left_by_member_id": police["id"], "since": "2026-07-01"}]
    else:
        assert shown["vacancies"] == []
