""""We asked, you said, we did" over HTTP: a closed consultation's outcome recorded, amended while a draft,
published by an approver with its event, and listed newest first; every refusal changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import first_version

from .conftest import problem, unique

pytestmark = pytest.mark.integration

DECISION = {
    "we_did": "Cabinet adopted the corporate plan with 'Safe and thriving places' strengthened.",
    "decided_by": "Cabinet",
    "decided_on": "2021-11-09",
    "decision_reference": "CAB-2021-045",
    "decision_url": "https://www.example.gov.uk/cabinet/2021-11-09",
}


async def _closed(new_consultation: Any, author: Any, levels: tuple[str, ...] = ("agree", "agree", "disagree")) -> dict:
    k = await new_consultation()
    for level in levels:
        assert (await author.post(f"/v1/consultations/{k['id']}/responses",
                                  json={"answers": {"vision": level}})).status_code == 201
    assert (await author.post(f"/v1/consultations/{k['id']}/close")).status_code == 200
    return dict(k)


async def _state(db: Any, consultation_id: str) -> tuple[Any, Any]:
    """The stored outcome and every outbox record of the consultation: what a refusal must leave as it was."""
    outcome = await db["consultation_outcomes"].find_one({"_id": consultation_id})
    events = await db["outbox"].find({"key": consultation_id}, {"_id": 1}).to_list()
    return outcome, events


async def test_an_outcome_is_recorded_amended_published_and_listed(new_consultation, author, approver, outbox, db):
    k = await _closed(new_consultation, author)
    draft = first_version(await author.post(f"/v1/consultations/{k['id']}/outcome",
                                            json={"you_said": "Most of you agreed with the vision."}))
    url = f"/v1/consultation-outcomes/{draft['id']}"
    assert draft["id"] == k["id"]  # one outcome per consultation, under its id
    # what we asked defaults from the consultation; what you said carries the headline results
    assert draft["status"] == "draft" and draft["we_asked"] == k["title"] and draft["title"] == k["title"]
    assert draft["results"]["responses"] == 3
    assert draft["results"]["headline"][0]["agreement_percentage"] == 66.7
    assert draft["consultation_state"] == "closed"

    amended = await author.patch(url, json=DECISION, headers={"If-Match": '"1"'})
    assert amended.status_code == 200, amended.text
    assert amended.headers["ETag"] == '"2"'
    assert amended.json()["we_did"] == DECISION["we_did"] and amended.json()["decided_on"] == "2021-11-09"

    published = await approver.post(f"{url}/publication", headers={"If-Match": '"2"'})
    assert published.status_code == 200, published.text
    body = published.json()
    assert body["status"] == "published" and body["published_by"] == "ben-head-of-comms"
    assert body["results"]["responses"] == 3
    assert await outbox(k["id"]) == ["comms.consultation.opened", "comms.consultation.closed",
                                     "comms.consultation.outcome_published"]
    event = await db["outbox"].find_one({"key": k["id"], "type": "comms.consultation.outcome_published"})
    # ids and the decision's reference only: the words are on the page, not in the event
    assert event["envelope"]["data"] == {"consultation_id": k["id"], "outcome_id": k["id"],
                                         "decision_reference": "CAB-2021-045"}

    listed = (await author.get("/v1/consultation-outcomes", params={"limit": 500})).json()["items"]
    mine = next(o for o in listed if o["consultation_id"] == k["id"])
    assert mine["we_did"] == DECISION["we_did"] and mine["results"]["headline"][0]["agreement_percentage"] == 66.7
    assert (await author.get(url)).json()["status"] == "published"


async def test_published_outcomes_are_newest_first_page_by_page(new_consultation, author, approver):
    ids = []
    for _ in range(3):
        k = await _closed(new_consultation, author, ("agree",))
        first_version(await author.post(f"/v1/consultations/{k['id']}/outcome", json=DECISION))
        assert (await approver.post(f"/v1/consultation-outcomes/{k['id']}/publication")).status_code == 200
        ids.append(k["id"])
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await author.get("/v1/consultation-outcomes", params=params)).json()
        seen += [o["consultation_id"] for o in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert [i for i in seen if i in ids] == list(reversed(ids))
    assert len(seen) == len(set(seen))
    times = [o["published_at"] for o in (await author.get("/v1/consultation-outcomes",
                                                          params={"limit": 500})).json()["items"]]
    assert times == sorted(times, reverse=True)


async def test_publishing_while_open_is_refused_and_nothing_changes(new_consultation, author, approver, db):
    k = await new_consultation()  # still open
    record, url = f"/v1/consultations/{k['id']}/outcome", f"/v1/consultation-outcomes/{k['id']}"
    first_version(await author.post(record, json=DECISION))  # drafted ahead of the close
    before = await _state(db, k["id"])
    body = problem(await approver.post(f"{url}/publication"), 409)
    assert body["consultation_state"] == "open"
    assert await _state(db, k["id"]) == before


async def test_publishing_with_nothing_for_we_did_is_refused_and_nothing_changes(new_consultation, author, approver,
                                                                                   db):
    k = await _closed(new_consultation, author)
    record, url = f"/v1/consultations/{k['id']}/outcome", f"/v1/consultation-outcomes/{k['id']}"
    first_version(await author.post(record, json={"you_said": "You agreed.", "we_did": "   "}))
    before = await _state(db, k["id"])
    body = problem(await approver.post(f"{url}/publication"), 409)
    assert body["missing"] == ["we_did"]
    assert await _state(db, k["id"]) == before


async def test_publishing_needs_comms_approve(new_consultation, author, writer, db):
    k = await _closed(new_consultation, author)
    record, url = f"/v1/consultations/{k['id']}/outcome", f"/v1/consultation-outcomes/{k['id']}"
    first_version(await author.post(record, json=DECISION))
    before = await _state(db, k["id"])
    body = problem(await writer.post(f"{url}/publication"), 403)
    assert body["required_scope"] == "comms:approve"
    assert await _state(db, k["id"]) == before


async def test_a_published_outcome_is_not_amended_nor_published_twice(new_consultation, author, approver, db):
    k = await _closed(new_consultation, author)
    record, url = f"/v1/consultations/{k['id']}/outcome", f"/v1/consultation-outcomes/{k['id']}"
    first_version(await author.post(record, json=DECISION))
    assert (await approver.post(f"{url}/publication")).status_code == 200
    before = await _state(db, k["id"])
    assert problem(await author.patch(url, json={"we_did": "Something else"}), 409)["current_status"] == "published"
    problem(await approver.post(f"{url}/publication"), 409)
    problem(await author.post(record, json=DECISION), 409)  # one outcome per consultation
    assert await _state(db, k["id"]) == before


async def test_a_stale_amendment_is_412_and_nothing_changes(new_consultation, author, db):
    k = await _closed(new_consultation, author)
    record, url = f"/v1/consultations/{k['id']}/outcome", f"/v1/consultation-outcomes/{k['id']}"
    first_version(await author.post(record, json={"you_said": "First words."}))
    assert (await author.patch(url, json={"you_said": "Second words."}, headers={"If-Match": '"1"'})).status_code == 200
    before = await _state(db, k["id"])
    problem(await author.patch(url, json={"you_said": "Lost update."}, headers={"If-Match": '"1"'}), 412)
    assert await _state(db, k["id"]) == before


async def test_clearing_we_asked_brings_back_the_consultations_words(new_consultation, author):
    description = unique("Have your say on the plan")
    k = await new_consultation(description=description)
    record, url = f"/v1/consultations/{k['id']}/outcome", f"/v1/consultation-outcomes/{k['id']}"
    assert first_version(await author.post(record, json={"we_asked": "Our own words"}))["we_asked"] == "Our own words"
    assert (await author.patch(url, json={"we_asked": None})).json()["we_asked"] == description


async def test_unknown_consultation_or_outcome_is_404(new_consultation, author, approver, db):
    problem(await author.post("/v1/consultations/nope/outcome", json=DECISION), 404)
    problem(await author.get("/v1/consultation-outcomes/nope"), 404)
    k = await new_consultation()
    problem(await author.get(f"/v1/consultation-outcomes/{k['id']}"), 404)
    problem(await approver.post(f"/v1/consultation-outcomes/{k['id']}/publication"), 404)
    problem(await author.patch(f"/v1/consultation-outcomes/{k['id']}", json={"we_did": "x"}), 404)
    assert await db["consultation_outcomes"].find_one({"_id": k["id"]}) is None


async def test_malformed_parts_are_422_and_nothing_is_stored(new_consultation, author, db):
    k = await new_consultation()
    for body in ({"decision_url": "not a link"}, {"decided_on": "yesterday"}, {"we_did": "x" * 10_001},
                 {"colour": "blue"}):
        problem(await author.post(f"/v1/consultations/{k['id']}/outcome", json=body), 422)
    assert await db["consultation_outcomes"].find_one({"_id": k["id"]}) is None
