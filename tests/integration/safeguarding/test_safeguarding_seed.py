"""The demo data loads through the API, matches the seed figures, and a second run adds nothing."""

from __future__ import annotations

import pytest
from civic_safeguarding.seed import seed

from .conftest import ALL, ok

pytestmark = pytest.mark.integration

COUNTED = (
    "boards",
    "members",
    "meetings",
    "decisions",
    "minutes",
    "sars",
    "budgets",
    "sub_groups",
    "annual_reports",
    "disputes",
    "interests",
    "interest_reviews",
    "key_decisions",
    "decision_notices",
    "outbox",
)


async def test_seed_twice_changes_nothing(service_client, db):
    client = await service_client("safeguarding", scopes=ALL + " ops")
    await seed(client)
    counts = {c: await db[c].count_documents({}) for c in COUNTED}
    await seed(client)
    assert {c: await db[c].count_documents({}) for c in COUNTED} == counts

    board = await db["boards"].find_one({"name": "Northamptonshire Safeguarding Adults Board"})
    budget = await ok(await client.get(f"/v1/boards/{board['_id']}/budget/2020/21"))
    assert (budget["total_expenditure_pence"], budget["total_contributions_pence"]) == (
        14_534_000,
        11_692_200,
    )
    assert await db["members"].count_documents({"board_id": board["_id"], "mou_signed_on": None}) == 0
    assert await db["annual_reports"].count_documents({"board_id": board["_id"], "status": "published"}) == 1
    # ILLUSTRATIVE register of interests: one review overdue, and the January item's declaration pre-filled
    register = await ok(await client.get(f"/v1/boards/{board['_id']}/reports/interests"))
    assert [m["name"] for m in register["overdue_reviews"]] == ["Director of Public Health"]
    january = await db["meetings"].find_one({"board_id": board["_id"], "scheduled_for": "2027-01-14"})
    assert [(d["source"], d["prejudicial"]) for d in january["declarations"]] == [("register", True)]
    # ILLUSTRATIVE forward plan; the seeded decisions' notices
    plan = await ok(await client.get(f"/v1/boards/{board['_id']}/forward-plan"))
    assert [k["urgent"] for k in plan["key_decisions"]] == [True, False, False]
    assert await db["decision_notices"].count_documents({"board_id": board["_id"]}) == await db[
        "decisions"
    ].count_documents({"board_id": board["_id"]}) > 0
