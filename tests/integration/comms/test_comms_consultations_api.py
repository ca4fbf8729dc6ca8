"""Consultations over HTTP: the window, answers that fit, bulk import, results by hand count, CSV."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from civic_comms.consultations import service
from civic_comms.repository import RESPONSES, ensure_indexes, response_counts

from .conftest import problem, soon

pytestmark = pytest.mark.integration

HAND_COUNTED = [
    {"vision": "strongly_agree", "priority": "Safe places", "heard": ["website", "social"], "place": 6},
    {
        "vision": "agree",
        "priority": "Safe places",
        "heard": ["newspaper"],
        "place": 4,
        "comments": "More buses",
    },
    {"vision": "agree", "priority": "Green environment"},
    {"vision": "neutral", "heard": ["website"], "place": 2},
    {"vision": "disagree", "priority": "Active communities", "comments": "Keep libraries open"},
]


async def test_create_numbers_questions_and_reports_state(new_consultation, author):
    created = await new_consultation(
        questions=[{"text": "Agree?", "kind": "likert"}, {"text": "Why?", "kind": "free_text"}]
    )
    assert [q["id"] for q in created["questions"]] == ["q1", "q2"]
    assert created["state"] == "open" and created["responses"] == 0 and created["version"] == 1


@pytest.mark.parametrize(
    "overrides",
    [
        {"questions": [{"text": "x", "kind": "essay"}]},
        {"questions": [{"text": "x", "kind": "single_choice", "options": ["one"]}]},
        {"questions": []},
        {"opens_at": None, "opens_on": None},
        {"closes_at": soon(days=-2)},
    ],
)
async def test_bad_consultations_are_refused(author, db, overrides):
    body = {
        "title": "Bad consultation",
        "opens_at": soon(days=-1),
        "closes_at": soon(days=1),
        "questions": [{"text": "Agree?", "kind": "likert"}],
        **overrides,
    }
    body = {k: v for k, v in body.items() if v is not None}
    before = await db["consultations"].count_documents({})
    problem(await author.post("/v1/consultations", json=body), 422)
    assert await db["consultations"].count_documents({}) == before


async def test_results_match_the_hand_count(new_consultation, author):
    k = await new_consultation()
    for answers in HAND_COUNTED:
        response = await author.post(f"/v1/consultations/{k['id']}/responses", json={"answers": answers})
        assert response.status_code == 201, response.text
    results = (await author.get(f"/v1/consultations/{k['id']}/results")).json()
    assert results["responses"] == 5
    by_id = {q["question_id"]: q for q in results["questions"]}
    vision = by_id["vision"]
    assert {o["value"]: o["count"] for o in vision["options"]} == {
        "strongly_disagree": 0,
        "disagree": 1,
        "neutral": 1,
        "agree": 2,
        "strongly_agree": 1,
    }
    assert vision["agreeing"] == 3 and vision["agreement_percentage"] == 60.0
    priority = by_id["priority"]
    assert priority["answered"] == 4 and priority["skipped"] == 1
    assert {o["value"]: o["percentage"] for o in priority["options"]} == {
        "Active communities": 25.0,
        "Safe places": 50.0,
        "Green environment": 25.0,
    }
    heard = by_id["heard"]
    assert {o["value"]: (o["count"], o["percentage"]) for o in heard["options"]} == {
        "website": (2, 66.7),
        "social": (1, 33.3),
        "newspaper": (1, 33.3),
    }
    assert by_id["place"]["mean"] == 4.0 and by_id["place"]["median"] == 4
    assert by_id["comments"]["answered"] == 2
    text = (await author.get(f"/v1/consultations/{k['id']}/results.csv")).text
    assert "vision,Do you agree with the vision?,likert,agree,2,40.0,5" in text
    export = await author.get(f"/v1/consultations/{k['id']}/responses.csv")
    assert export.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert len(rows) == 5 and rows[0]["heard"] == "website; social" and rows[1]["comments"] == "More buses"
    assert (await author.get(f"/v1/consultations/{k['id']}")).json()["responses"] == 5


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"vision": "sort of"}, "answers.vision"),
        ({"vision": "agree", "place": 9}, "answers.place"),
        ({"vision": "agree", "heard": ["pigeon"]}, "answers.heard"),
        ({"vision": "agree", "nope": 1}, "answers.nope"),
        ({"priority": "Safe places"}, "answers.vision"),
        ({}, "answers"),
    ],
)
async def test_answers_that_do_not_fit_are_422_and_not_stored(new_consultation, author, db, answers, field):
    k = await new_consultation()
    body = problem(
        await author.post(f"/v1/consultations/{k['id']}/responses", json={"answers": answers}), 422
    )
    assert field in [e["field"] for e in body["errors"]]
    assert await db["responses"].count_documents({"consultation_id": k["id"]}) == 0


@pytest.mark.parametrize(
    "window",
    [
        {"opens_at": soon(days=2), "closes_at": soon(days=10)},
        {"opens_on": "2021-06-01", "closes_on": "2021-07-31"},
    ],
)
async def test_responses_outside_the_window_are_409(new_consultation, author, db, window):
    k = await new_consultation(**{"opens_at": None, "closes_at": None, **window})
    body = problem(
        await author.post(f"/v1/consultations/{k['id']}/responses", json={"answers": {"vision": "agree"}}),
        409,
    )
    assert "opens" in body["detail"] or "closed" in body["detail"]
    problem(
        await author.post(
            f"/v1/consultations/{k['id']}/responses/bulk",
            json={"responses": [{"answers": {"vision": "agree"}}]},
        ),
        409,
    )
    assert await db["responses"].count_documents({"consultation_id": k["id"]}) == 0


async def test_bulk_import_is_all_or_nothing(new_consultation, author, db):
    k = await new_consultation()
    good = [{"answers": {"vision": "agree"}} for _ in range(20)]
    bad = [*good, {"answers": {"vision": "maybe"}}]
    body = problem(
        await author.post(f"/v1/consultations/{k['id']}/responses/bulk", json={"responses": bad}), 422
    )
    assert body["errors"][0]["field"] == "responses.20.answers.vision"
    assert await db["responses"].count_documents({"consultation_id": k["id"]}) == 0
    done = await author.post(f"/v1/consultations/{k['id']}/responses/bulk", json={"responses": good})
    assert done.status_code == 201 and done.json()["accepted"] == 20
    problem(
        await author.post(
            f"/v1/consultations/{k['id']}/responses/bulk",
            json={"responses": [{"answers": {"vision": "agree"}}] * 1001},
        ),
        422,
    )


async def test_closing_announces_headline_results_once(new_consultation, author, outbox, db):
    k = await new_consultation()
    for level in ("agree", "agree", "strongly_agree", "disagree"):
        await author.post(f"/v1/consultations/{k['id']}/responses", json={"answers": {"vision": level}})
    closed = await author.post(f"/v1/consultations/{k['id']}/close")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert await outbox(k["id"]) == ["comms.consultation.opened", "comms.consultation.closed"]
    event = await db["outbox"].find_one({"key": k["id"], "type": "comms.consultation.closed"})
    data = event["envelope"]["data"]
    assert data["responses"] == 4
    assert data["headline"][0]["agreement_percentage"] == 75.0
    problem(await author.post(f"/v1/consultations/{k['id']}/close"), 409)
    problem(
        await author.post(f"/v1/consultations/{k['id']}/responses", json={"answers": {"vision": "agree"}}),
        409,
    )
    assert await outbox(k["id"]) == ["comms.consultation.opened", "comms.consultation.closed"]


async def test_scheduler_announces_opening_and_closing_once(new_consultation, outbox, service_runtime):
    k = await new_consultation(opens_at=soon(hours=1), closes_at=soon(hours=2))
    runtime = await service_runtime("comms")
    now = datetime.now(UTC)
    await service.announce_due(runtime, now)
    assert await outbox(k["id"]) == []
    await service.announce_due(runtime, now + timedelta(minutes=90))
    await service.announce_due(runtime, now + timedelta(minutes=90))
    assert await outbox(k["id"]) == ["comms.consultation.opened"]
    await service.announce_due(runtime, now + timedelta(hours=3))
    await service.announce_due(runtime, now + timedelta(hours=3))
    assert await outbox(k["id"]) == ["comms.consultation.opened", "comms.consultation.closed"]


async def test_the_scheduler_announcing_the_opening_does_not_refuse_an_officers_close(
        new_consultation, author, outbox, service_runtime):
    """The announcement is the scheduler's bookkeeping: a close sent with the ETag of a page loaded before
    it went out is not refused as a lost update (it was, under load, when the scheduler bumped the version)."""
    k = await new_consultation()  # opened yesterday, not yet announced
    seen = await author.get(f"/v1/consultations/{k['id']}")
    await service.announce_due(await service_runtime("comms"), datetime.now(UTC))
    assert await outbox(k["id"]) == ["comms.consultation.opened"]
    again = await author.get(f"/v1/consultations/{k['id']}")
    assert again.headers["ETag"] == seen.headers["ETag"] and again.json() == seen.json()
    assert "opened_announced" not in again.json()
    closed = await author.post(f"/v1/consultations/{k['id']}/close", headers={"If-Match": seen.headers["ETag"]})
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert await outbox(k["id"]) == ["comms.consultation.opened", "comms.consultation.closed"]  # opened once


async def test_unknown_consultation_is_404(author):
    problem(await author.get("/v1/consultations/nope/results"), 404)
    problem(await author.post("/v1/consultations/nope/responses", json={"answers": {"a": 1}}), 404)


async def test_reader_cannot_respond(new_consultation, reader):
    k = await new_consultation()
    problem(
        await reader.post(f"/v1/consultations/{k['id']}/responses", json={"answers": {"vision": "agree"}}),
        403,
    )
    assert (await reader.get(f"/v1/consultations/{k['id']}/results")).status_code == 200


async def test_the_response_count_keeps_up_with_residents_answering_at_once(new_consultation, author):
    k = await new_consultation()
    url = f"/v1/consultations/{k['id']}/responses"
    answers = await asyncio.gather(*(author.post(url, json={"answers": {"vision": "agree"}}) for _ in range(24)))
    assert [a.status_code for a in answers] == [201] * 24  # meeting on a tally shard is retried, not refused
    bulk = await author.post(url + "/bulk", json={"responses": [{"answers": {"vision": "neutral"}}] * 6})
    assert bulk.json()["responses"] == 30
    problem(await author.post(url, json={"answers": {"vision": "maybe"}}), 422)
    assert (await author.get(f"/v1/consultations/{k['id']}")).json()["responses"] == 30


async def test_responses_stored_before_tallies_existed_are_counted_once(db):
    scratch = db.client[f"civic_comms_scratch_{uuid.uuid4().hex[:8]}"]
    try:
        await scratch[RESPONSES].insert_many(
            [{"_id": f"r{i}", "consultation_id": "k1" if i < 5 else "k2"} for i in range(7)]
        )
        await ensure_indexes(scratch)
        await ensure_indexes(scratch)  # every start runs it; only the first counts
        assert await response_counts(scratch, ["k1", "k2", "k3"]) == {"k1": 5, "k2": 2, "k3": 0}
    finally:
        await db.client.drop_database(scratch.name)
