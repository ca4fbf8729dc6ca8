"""Safeguarding Adults Reviews: the statutory path in order, and confidentiality proven.

The case summary and the adult's details must not appear in responses to callers without
`safeguarding:confidential`, in any event (outbox or broker), or in the logs.
"""

from __future__ import annotations

import json
import logging

import pytest

from .conftest import ok, stored

pytestmark = pytest.mark.integration

SECRET_SUMMARY = "CONFIDENTIAL-CASE-7f3a: died after missed visits at 12 Example Street"
SECRET_NAME = "Marjorie Testcase"


def referral() -> dict:
    return {
        "reference": "Adult C",
        "case_summary": SECRET_SUMMARY,
        "person": {"name": SECRET_NAME, "date_of_birth": "1940-01-02", "address": "12 Example Street"},
        "referred_by": "Northamptonshire Police",
        "referred_on": "2026-07-01",
    }


STEPS = [
    {"to": "decision", "on": "2026-07-20", "criteria_met": True, "reasons": "s44(1) met"},
    {
        "to": "commissioned",
        "on": "2026-08-01",
        "author": "A. Reviewer",
        "author_organisation": "Indie Reviews",
        "cost_pence": 850_000,
    },
    {"to": "report_received", "on": "2026-11-01"},
    {
        "to": "action_plan",
        "on": "2026-11-10",
        "actions": [
            {"action": "Joint visit protocol", "owner": "Northamptonshire Police", "due_on": "2027-03-31"}
        ],
    },
    {"to": "published", "on": "2026-11-20"},
]


def _leaks(value: object) -> bool:
    text = json.dumps(value, default=str)
    return SECRET_SUMMARY in text or SECRET_NAME in text or "Example Street" in text


async def test_sar_path_and_confidentiality(
    api, writer, reader, db, new_board, outbox, broker_events, caplog
):
    caplog.set_level(logging.DEBUG)
    board, _ = await new_board()
    created = await api.post(f"/v1/boards/{board['id']}/sars", json=referral())
    assert created.status_code == 201
    sar = created.json()
    assert sar["case_summary"] == SECRET_SUMMARY and sar["person"]["name"] == SECRET_NAME  # cleared caller

    for client in (writer, reader):
        one = await ok(await client.get(f"/v1/sars/{sar['id']}"))
        assert one["reference"] == "Adult C" and one["confidential_withheld"] is True and not _leaks(one)
        listed = await ok(await client.get(f"/v1/boards/{board['id']}/sars"))
        assert listed["items"] and not _leaks(listed)

    for step in STEPS:
        moved = await writer.post(f"/v1/sars/{sar['id']}/transitions", json=step)
        assert moved.status_code == 200, moved.text
        assert not _leaks(moved.json())
    final = await ok(await api.get(f"/v1/sars/{sar['id']}"))
    assert final["status"] == "published" and final["cost_pence"] == 850_000
    assert final["actions"] == [
        {"action": "Joint visit protocol", "owner": "Northamptonshire Police", "due_on": "2027-03-31", "id": "a1",
         "completed_on": None, "evidence": None}
    ]  # fmt: skip
    assert final["case_summary"] == SECRET_SUMMARY  # still kept, for those cleared to see it

    events = await outbox(sar["id"])
    assert [e["type"] for e in events] == ["safeguarding.sar.commissioned", "safeguarding.sar.published"]
    assert events[0]["data"]["reference"] == "Adult C" and events[0]["data"]["cost_pence"] == 850_000
    assert not _leaks(events)
    assert not _leaks([r.getMessage() for r in caplog.records] + [r.__dict__ for r in caplog.records])
    on_broker = await broker_events("safeguarding.sar.published", sar["id"])
    assert on_broker and not _leaks(on_broker)
    create_body = json.dumps(referral())
    plain_for_writer = await writer.post(f"/v1/boards/{board['id']}/sars", json=json.loads(create_body))
    assert plain_for_writer.status_code == 201 and not _leaks(plain_for_writer.json())


@pytest.mark.parametrize(
    ("done", "step", "status", "words"),
    [
        (
            0,
            {"to": "commissioned", "author": "A", "author_organisation": "B", "cost_pence": 1},
            409,
            "next step is 'decision'",
        ),
        (0, {"to": "published"}, 409, "next step is 'decision'"),
        (1, {"to": "decision", "criteria_met": True, "reasons": "x"}, 409, "next step is 'commissioned'"),
        (0, {"to": "decision", "criteria_met": True}, 422, "criteria_met and reasons"),
        (
            1,
            {
                "to": "commissioned",
                "author": "A",
                "author_organisation": "Northamptonshire Police",
                "cost_pence": 1,
            },
            409,
            "independently authored",
        ),
        (1, {"to": "commissioned", "author": "A", "author_organisation": "B"}, 422, "the cost"),
        (0, {"to": "archived"}, 422, None),
    ],
)
async def test_sar_refusals_change_nothing(api, db, new_board, outbox, done, step, status, words):
    board, _ = await new_board()
    sar = await ok(await api.post(f"/v1/boards/{board['id']}/sars", json=referral()), 201)
    for previous in STEPS[:done]:
        await ok(await api.post(f"/v1/sars/{sar['id']}/transitions", json=previous))
    before = await stored(db, "sars", sar["id"])
    response = await api.post(f"/v1/sars/{sar['id']}/transitions", json=step)
    assert response.status_code == status, response.text
    if words:
        assert words in response.json()["detail"]
    assert await stored(db, "sars", sar["id"]) == before
    assert await outbox(sar["id"]) == []


async def test_criteria_not_met_ends_the_review(api, new_board):
    board, _ = await new_board()
    sar = await ok(await api.post(f"/v1/boards/{board['id']}/sars", json=referral()), 201)
    await ok(
        await api.post(
            f"/v1/sars/{sar['id']}/transitions",
            json={"to": "decision", "criteria_met": False, "reasons": "Single-agency learning"},
        )
    )
    refused = await api.post(f"/v1/sars/{sar['id']}/transitions", json=STEPS[1])
    assert refused.status_code == 409 and "not met" in refused.json()["detail"]


async def test_referral_validation(api, db, new_board):
    board, _ = await new_board()
    before = await db["sars"].count_documents({})
    named = await api.post(
        f"/v1/boards/{board['id']}/sars", json={**referral(), "reference": "Marjorie's review"}
    )
    assert named.status_code == 422 and named.json()["errors"][0]["field"] == "reference"
    assert not _leaks(named.json())
    missing = await api.post(f"/v1/boards/{board['id']}/sars", json={"reference": "Adult D"})
    assert missing.status_code == 422
    assert await db["sars"].count_documents({}) == before
