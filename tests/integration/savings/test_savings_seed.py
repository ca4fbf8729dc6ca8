"""The demo data: loaded through the API, twice, reproduces the published figures to the pound."""

from __future__ import annotations

import pytest
from civic_savings.seed import seed

pytestmark = pytest.mark.integration

POUND = 100
YEARS = ["2021/22", "2022/23", "2023/24"]
# seed 001, in pounds: theme -> 2021/22, 2022/23, 2023/24, total
TABLE = {
    "redesign_reorganisation": (830_000, 2_716_000, 13_890_000, 17_436_000),
    "demand_prevention": (3_744_000, 1_150_000, 2_132_000, 7_026_000),
    "buying_commissioning": (1_300_000, 1_803_000, 425_000, 3_528_000),
    "charging_income": (399_000, 7_975_000, 5_409_300, 13_783_300),
    "technology_innovation": (71_000, 189_000, 1_050_000, 1_310_000),
    "process_policy": (263_000, 106_000, 1_881_930, 2_250_930),
}


async def test_seed_twice_reproduces_the_published_figures(api, db):
    await seed(api)
    counts = {
        c: await db[c].count_documents({}) for c in ("initiatives", "targets", "cost_avoidance", "outbox")
    }
    await seed(api)  # idempotent: nothing new, nothing moved
    assert {c: await db[c].count_documents({}) for c in counts} == counts

    params = {"years": ",".join(YEARS)}
    report = (await api.get("/v1/reports/themes", params=params)).json()
    # building savings arrive from property's events in the same test session; they are their own programme
    buildings = await api.get(
        "/v1/reports/themes", params={**params, "programme": "Property rationalisation"}
    )
    for row, other in zip(report["rows"], buildings.json()["rows"], strict=True):
        *by_year, total = TABLE[row["theme"]]
        planned = [row["by_year"][y]["planned_pence"] - other["by_year"][y]["planned_pence"] for y in YEARS]
        assert planned == [p * POUND for p in by_year], row["label"]
        assert row["planned_pence"] - other["planned_pence"] == total * POUND
        delivered = [
            row["by_year"][y]["delivered_pence"] - other["by_year"][y]["delivered_pence"] for y in YEARS
        ]
        assert delivered == [by_year[0] * POUND, by_year[1] * POUND, 0]  # 2023/24 is anticipated
    assert (
        report["totals"]["planned_pence"] - buildings.json()["totals"]["planned_pence"] == 45_334_230 * POUND
    )

    lgr = (await api.get("/v1/reports/target/LGR")).json()
    assert lgr["target_pence"] == 17_530_000 * POUND
    assert lgr["delivered_pence"] + lgr["anticipated_pence"] == 34_003_000 * POUND
    assert lgr["excess_pence"] == 16_473_000 * POUND
    assert lgr["passed"] is True
    assert [o["type"] for o in await db["outbox"].find({"key": "LGR"}).to_list()] == ["savings.target.passed"]

    reconciliation = (
        await api.get(
            "/v1/reports/reconciliation", params={"year": "2023/24", "budget_report_pence": 3_562_100_000}
        )
    ).json()
    assert reconciliation["centrally_controlled_pence"] == 5_563_000 * POUND
    assert reconciliation["technical_adjustment_pence"] == 5_270_000 * POUND
    assert reconciliation["expected_transformation_pence"] == 24_788_000 * POUND

    panel = (await api.get("/v1/cost-avoidance", params={"year": "2022/23", "limit": 500})).json()["items"]
    assert 1_700_000 * POUND in [r["amount_pence"] for r in panel]
