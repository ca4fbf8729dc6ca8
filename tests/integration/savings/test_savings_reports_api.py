"""Targets, cost avoidance and the reports, read from the read model kept in step with each change."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from civic.tallies import RECORDS
from civic_savings.initiatives.domain import Initiative
from civic_savings.repository import INITIATIVES, STATUS_COUNTS, to_document

from bench import invariants

from .conftest import unique

pytestmark = pytest.mark.integration

YEARS = "2030/31,2031/32,2032/33"


def cell(report, theme, year):
    row = next(r for r in report["rows"] if r["theme"] == theme)
    return row["by_year"][year]


async def test_theme_report_follows_every_change(api, new_initiative):
    directorate = unique("Themes")
    params = {"years": YEARS, "directorate": directorate}
    empty = (await api.get("/v1/reports/themes", params=params)).json()
    assert empty["years"] == ["2030/31", "2031/32", "2032/33"]
    assert [r["theme"] for r in empty["rows"]] == [
        "redesign_reorganisation", "demand_prevention", "buying_commissioning", "charging_income",
        "technology_innovation", "process_policy",
    ]  # fmt: skip
    assert empty["totals"]["planned_pence"] == 0

    first = await new_initiative("approved", "in_delivery", directorate=directorate)
    await new_initiative(directorate=directorate, theme="charging_income")
    await api.post(
        f"/v1/initiatives/{first['id']}/actuals", json={"year": "2030/31", "delivered_pence": 250_000}
    )
    report = (await api.get("/v1/reports/themes", params=params)).json()
    assert cell(report, "buying_commissioning", "2030/31") == {
        "planned_pence": 1_000_000,
        "delivered_pence": 250_000,
    }
    assert cell(report, "charging_income", "2031/32") == {"planned_pence": 500_000, "delivered_pence": 0}
    b_and_c = next(r for r in report["rows"] if r["theme"] == "buying_commissioning")
    assert (b_and_c["planned_pence"], b_and_c["delivered_pence"]) == (1_500_000, 250_000)
    assert report["totals"]["by_year"]["2030/31"] == {"planned_pence": 2_000_000, "delivered_pence": 250_000}
    assert report["totals"]["planned_pence"] == 3_000_000

    # slipping moves the planned amount between columns; the total stays
    await api.post(f"/v1/initiatives/{first['id']}/transitions", json={"to": "slipped", "to_year": "2032/33"})
    report = (await api.get("/v1/reports/themes", params=params)).json()
    assert cell(report, "buying_commissioning", "2030/31")["planned_pence"] == 250_000
    assert cell(report, "buying_commissioning", "2032/33")["planned_pence"] == 750_000
    assert report["totals"]["planned_pence"] == 3_000_000

    only_one_year = (await api.get("/v1/reports/themes", params={**params, "years": "2032/33"})).json()
    assert only_one_year["totals"]["planned_pence"] == 750_000


async def test_theme_report_category_filter(api, new_initiative):
    directorate = unique("Categories")
    await new_initiative(directorate=directorate, category="technical_adjustment")
    params = {"years": YEARS, "directorate": directorate}
    assert (await api.get("/v1/reports/themes", params=params)).json()["totals"]["planned_pence"] == 0
    every = (await api.get("/v1/reports/themes", params={**params, "category": "all"})).json()
    assert every["totals"]["planned_pence"] == 1_500_000
    adjustments = await api.get("/v1/reports/themes", params={**params, "category": "technical_adjustment"})
    assert adjustments.json()["totals"]["planned_pence"] == 1_500_000


@pytest.mark.parametrize(
    "params",
    [{"years": "2030/32"}, {"years": "2030/31,next year"}, {"category": "imaginary"}],
)
async def test_bad_report_filters(api, params):
    response = await api.get("/v1/reports/themes", params=params)
    assert response.status_code == 422
    assert response.json()["errors"]


async def test_target_report_and_target_passed_once(api, db, new_initiative, broker_events):
    programme = unique("Programme")
    created = await api.put(
        f"/v1/targets/{programme}", json={"amount_pence": 2_000_000, "description": "inherited target"}
    )
    assert created.status_code == 201 and created.headers["ETag"] == '"1"'
    again = await api.put(
        f"/v1/targets/{programme}", json={"amount_pence": 2_000_000, "description": "inherited target"}
    )
    assert again.status_code == 200 and again.json()["version"] == 1  # the same target changes nothing

    first = await new_initiative("approved", "in_delivery", programme=programme)
    report = (await api.get(f"/v1/reports/target/{programme}")).json()
    assert report["target_pence"] == 2_000_000
    assert report["anticipated_pence"] == 1_500_000 and report["delivered_pence"] == 0
    assert report["excess_pence"] == -500_000 and report["passed"] is False
    await new_initiative(programme=programme)  # a proposal is pipeline, not yet counted
    assert (await api.get(f"/v1/reports/target/{programme}")).json()["pipeline_pence"] == 1_500_000
    assert await db["outbox"].count_documents({"key": programme}) == 0

    second = await new_initiative("approved", programme=programme)
    await api.post(
        f"/v1/initiatives/{first['id']}/actuals", json={"year": "2030/31", "delivered_pence": 1_000_000}
    )
    report = (await api.get(f"/v1/reports/target/{programme}")).json()
    assert report["delivered_pence"] == 1_000_000
    assert report["anticipated_pence"] == 500_000 + 1_500_000
    assert report["excess_pence"] == 1_000_000 and report["passed"] is True
    # more progress does not pass it again
    await api.post(f"/v1/initiatives/{second['id']}/transitions", json={"to": "in_delivery"})
    await api.post(
        f"/v1/initiatives/{first['id']}/actuals", json={"year": "2031/32", "delivered_pence": 500_000}
    )
    outbox = await db["outbox"].find({"key": programme}).to_list()
    assert [o["type"] for o in outbox] == ["savings.target.passed"]
    events = await broker_events("savings.target.passed", programme)
    assert events[0]["data"]["target_pence"] == 2_000_000
    assert events[0]["data"]["delivered_pence"] + events[0]["data"]["anticipated_pence"] >= 2_000_000


@pytest.mark.parametrize(
    "sent", [{"amount_pence": -1}, {"amount_pence": 1.5}, {}, {"amount_pence": 1, "x": 1}]
)
async def test_bad_targets_are_refused(api, db, sent):
    name = unique("Target")
    response = await api.put(f"/v1/targets/{name}", json=sent)
    assert response.status_code == 422
    assert await db["targets"].count_documents({"_id": name}) == 0
    assert (await api.get(f"/v1/reports/target/{name}")).status_code == 404


async def test_target_if_match(api, db):
    name = unique("Target")
    await api.put(f"/v1/targets/{name}", json={"amount_pence": 10})
    stale = await api.put(f"/v1/targets/{name}", json={"amount_pence": 20}, headers={"If-Match": '"5"'})
    assert stale.status_code == 412
    assert (await db["targets"].find_one({"_id": name}))["amount_pence"] == 10
    fresh = await api.put(f"/v1/targets/{name}", json={"amount_pence": 20}, headers={"If-Match": '"1"'})
    assert fresh.status_code == 200 and fresh.headers["ETag"] == '"2"'
    listed = (await api.get("/v1/targets", params={"limit": 500})).json()["items"]
    assert name in [t["name"] for t in listed]


async def test_a_target_is_read_by_name_and_created_only_when_asked(api, db):
    name = unique("Target")
    assert (await api.get(f"/v1/targets/{name}")).status_code == 404
    made = await api.put(f"/v1/targets/{name}", json={"amount_pence": 10}, headers={"If-None-Match": "*"})
    assert made.status_code == 201
    read = await api.get(f"/v1/targets/{name}")
    assert read.status_code == 200 and read.headers["ETag"] == '"1"'
    assert read.json()["name"] == name and read.json()["amount_pence"] == 10
    # someone else made it meanwhile: a create-only is refused and changes nothing
    again = await api.put(f"/v1/targets/{name}", json={"amount_pence": 99}, headers={"If-None-Match": "*"})
    assert again.status_code == 412 and again.headers["content-type"] == "application/problem+json"
    assert (await db["targets"].find_one({"_id": name}))["amount_pence"] == 10
    odd = await api.put(f"/v1/targets/{name}", json={"amount_pence": 99}, headers={"If-None-Match": '"1"'})
    assert odd.status_code == 422
    assert (await api.get(f"/v1/targets/{name}")).json()["version"] == 1


async def test_cost_avoidance_is_kept_apart_from_savings(api, db):
    directorate = unique("Panel")
    before = (await api.get("/v1/summary")).json()
    body = {"title": "Spending Review Panel", "directorate": directorate, "year": "2030/31",
            "amount_pence": 170_000_000, "programme": "Survive to Thrive"}  # fmt: skip
    response = await api.post("/v1/cost-avoidance", json=body)
    assert response.status_code == 201 and response.headers["ETag"] == '"1"'
    record = response.json()
    assert (await api.get(f"/v1/cost-avoidance/{record['id']}")).json()["amount_pence"] == 170_000_000
    listed = (await api.get("/v1/cost-avoidance", params={"year": "2030/31", "limit": 500})).json()["items"]
    assert record["id"] in [r["id"] for r in listed]
    report = (
        await api.get("/v1/reports/themes", params={"directorate": directorate, "category": "all"})
    ).json()
    assert report["totals"]["planned_pence"] == 0
    after = (await api.get("/v1/summary")).json()
    assert after["planned_pence"] == before["planned_pence"]
    assert after["delivered_pence"] == before["delivered_pence"]
    assert after["cost_avoided_pence"] == before["cost_avoided_pence"] + 170_000_000


@pytest.mark.parametrize(
    ("change", "field"),
    [({"amount_pence": -5}, "amount_pence"), ({"year": "2030/32"}, "year"), ({"title": ""}, "title")],
)
async def test_bad_cost_avoidance_is_refused(api, db, change, field):
    directorate = unique("Panel")
    body = {"title": "Panel", "directorate": directorate, "year": "2030/31", "amount_pence": 5, **change}
    response = await api.post("/v1/cost-avoidance", json=body)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert await db["cost_avoidance"].count_documents({"directorate": directorate}) == 0


async def test_reconciliation(api, new_initiative):
    directorate = unique("Finance")
    await new_initiative(
        "approved", directorate=directorate, profile=[{"year": "2030/31", "planned_pence": 700}]
    )
    await new_initiative(
        "approved", directorate=directorate, category="centrally_controlled",
        profile=[{"year": "2030/31", "planned_pence": 200}],
    )  # fmt: skip
    await new_initiative(
        "approved", directorate=directorate, category="technical_adjustment",
        profile=[{"year": "2030/31", "planned_pence": 100}],
    )  # fmt: skip
    params = {"year": "2030/31", "directorate": directorate}
    register = (await api.get("/v1/reports/reconciliation", params=params)).json()
    assert register["budget_report_pence"] == 1000 and register["reconciled"] is True
    given = (
        await api.get("/v1/reports/reconciliation", params={**params, "budget_report_pence": 1100})
    ).json()
    assert given["expected_transformation_pence"] == 800
    assert given["transformation_pence"] == 700 and given["unreconciled_pence"] == 100
    assert (await api.get("/v1/reports/reconciliation", params={"year": "2030/32"})).status_code == 422
    assert (await api.get("/v1/reports/reconciliation", params={})).status_code == 422


async def test_variance_by_year_shows_slippage_and_failure(api, new_initiative):
    programme = unique("Variance")
    slipping = await new_initiative("approved", "in_delivery", programme=programme)
    await api.post(
        f"/v1/initiatives/{slipping['id']}/actuals", json={"year": "2030/31", "delivered_pence": 800_000}
    )
    await api.post(
        f"/v1/initiatives/{slipping['id']}/transitions", json={"to": "slipped", "to_year": "2031/32"}
    )
    await new_initiative("approved", "undeliverable", programme=programme)
    report = (await api.get("/v1/reports/variance", params={"programme": programme})).json()
    years = {row["year"]: row for row in report["years"]}
    assert years["2030/31"]["original_planned_pence"] == 2_000_000
    assert years["2030/31"]["slipped_out_pence"] == 200_000
    assert years["2030/31"]["planned_pence"] == 1_800_000
    assert years["2030/31"]["delivered_pence"] == 800_000
    assert years["2030/31"]["variance_pence"] == 1_000_000
    assert years["2030/31"]["undeliverable_pence"] == 1_000_000
    assert years["2031/32"]["slipped_in_pence"] == 200_000
    assert report["totals"]["planned_pence"] == 3_000_000


async def test_monthly_highlights(api, new_initiative):
    programme = unique("Highlights")
    done = await new_initiative("approved", "in_delivery", programme=programme)
    await api.post(f"/v1/initiatives/{done['id']}/actuals", json={"year": "2030/31", "delivered_pence": 1})
    await api.post(f"/v1/initiatives/{done['id']}/actuals", json={"year": "2031/32", "delivered_pence": 2})
    delivered = await api.post(f"/v1/initiatives/{done['id']}/transitions", json={"to": "delivered"})
    assert delivered.status_code == 200, delivered.text
    slipped = await new_initiative("approved", "slipped", programme=programme)
    month = datetime.now(UTC).strftime("%Y-%m")
    report = (await api.get(f"/v1/reports/highlights/{month}")).json()
    assert report["month"] == month
    assert done["id"] in [x["initiative_id"] for x in report["delivered"]]
    assert done["id"] in [x["initiative_id"] for x in report["actuals"]]
    lines = [x for x in report["slipped"] if x["initiative_id"] == slipped["id"]]
    assert lines and lines[0]["amount_pence"] == 1_000_000 and lines[0]["to_year"] == "2032/33"
    quiet = (await api.get("/v1/reports/highlights/2001-01")).json()
    assert quiet["moved"] == 0 and quiet["delivered"] == []
    for bad in ("2024-13", "May"):
        assert (await api.get(f"/v1/reports/highlights/{bad}")).status_code == 422


async def test_summary(reader):
    response = await reader.get("/v1/summary")
    assert response.status_code == 200
    summary = response.json()
    assert set(summary) >= {"targets", "initiatives_by_status", "planned_pence", "delivered_pence"}
    for target in summary["targets"]:
        assert set(target) == {"name", "target_pence", "delivered_pence", "anticipated_pence", "excess_pence"}
    assert all(isinstance(n, int) and n > 0 for n in summary["initiatives_by_status"].values())


async def test_the_summary_counts_each_status_as_the_initiatives_move(api, db, new_initiative):
    before = (await api.get("/v1/summary")).json()["initiatives_by_status"]
    await new_initiative()
    await new_initiative("approved", "in_delivery")
    await asyncio.gather(*(new_initiative("approved", "undeliverable") for _ in range(3)))
    after = (await api.get("/v1/summary")).json()["initiatives_by_status"]
    moved = {s: after.get(s, 0) - before.get(s, 0) for s in set(before) | set(after)}
    assert {s: n for s, n in moved.items() if n} == {"proposed": 1, "in_delivery": 1, "undeliverable": 3}
    assert await invariants.savings_read_model_matches_initiatives(db) == []


async def test_the_status_counts_are_made_once_for_a_database_from_before_them(db):
    """An older database has initiatives and no counts: preparing it counts them, once, and counts made by
    changes committed after the upgrade but before that are not counted twice."""
    older = db.client[f"civic_savings_older_{uuid.uuid4().hex[:8]}"]
    now = datetime.now(UTC)
    try:
        def initiative(status: str) -> dict:
            made = Initiative.propose(id=uuid.uuid4().hex, title=unique("Older"), directorate="Place",
                                      theme="process_policy", category="transformation",
                                      profile=[{"year": "2030/31", "planned_pence": 100}], by="test", now=now)
            return {**to_document(made), "status": status}

        await older[INITIATIVES].insert_many([initiative("proposed") for _ in range(3)] + [initiative("approved")])
        # a change by the new version before the counts were made: its initiative and its count, together
        await older[INITIATIVES].insert_one(initiative("approved"))
        await older[STATUS_COUNTS.collection].insert_one({"_id": "approved:5", "status": "approved", RECORDS: 1})
        await STATUS_COUNTS.count_once(older)
        await STATUS_COUNTS.count_once(older)  # a second replica, or the next start: nothing more

        assert await STATUS_COUNTS.read(older) == {"proposed": {RECORDS: 3}, "approved": {RECORDS: 2}}
        # the invariant agrees (its other lines are the totals, which these hand-made initiatives lack)
        wrong = await invariants.savings_read_model_matches_initiatives(older)
        assert [line for line in wrong if line.startswith("initiatives ")] == []
    finally:
        await db.client.drop_database(older.name)


async def test_concurrent_changes_keep_the_read_model_exact(api, new_initiative):
    directorate = unique("Concurrent")
    made = await asyncio.gather(*(new_initiative("approved", directorate=directorate) for _ in range(12)))
    await asyncio.gather(
        *(
            api.post(f"/v1/initiatives/{m['id']}/actuals", json={"year": "2030/31", "delivered_pence": 1_000})
            for m in made
        )
    )
    report = (await api.get("/v1/reports/themes", params={"years": YEARS, "directorate": directorate})).json()
    assert report["totals"]["planned_pence"] == 12 * 1_500_000
    assert report["totals"]["delivered_pence"] == 12 * 1_000
    summary = (await api.get("/v1/initiatives", params={"directorate": directorate, "limit": 500})).json()
    assert len(summary["items"]) == 12
