"""Report arithmetic, checked against the published tables the demo data reproduces."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

import pytest
from civic.errors import Invalid
from civic_savings import seed
from civic_savings.figures import (
    contribution,
    difference,
    highlights,
    month,
    parse_years,
    reconciliation,
    summed,
    target_position,
    theme_matrix,
    variance_by_year,
)
from civic_savings.initiatives.domain import Initiative

from tests.seed_001 import TABLE, YEARS

NOW = datetime(2023, 5, 17, tzinfo=UTC)
POUND = 100


def seeded(closures: bool = True) -> list[Initiative]:
    """The demo data walked through the domain exactly as seed.py walks it through the API, then (unless
    ``closures`` is False) the demo's building events as savings applies them: property's seed closes Lodge
    Road on 31 March 2023 (running cost £500k a year), which the office estate plan names."""
    out = []
    for n, entry in enumerate(seed.INITIATIVES):
        i = Initiative.propose(id=str(n), **entry["body"], **entry.get("building", {}), by="seed", now=NOW)
        for step in entry["path"]:
            if step != "approved":
                for year, amount in entry["actuals"].items():
                    i.record_actual(year, amount, by="seed", now=NOW)
            extra = dict(entry.get("slip", {})) if step == "slipped" else {}
            extra.setdefault("reason", entry.get("undeliverable"))
            i.transition(step, by="seed", now=NOW, **extra)
        out.append(i)
    if closures:
        [plan] = [i for i in out if i.plans("lodge-road", "Lodge Road", "Daventry")]
        plan.realise(building_id="lodge-road", building_name="Lodge Road", town="Daventry", on=date(2023, 3, 31),
                     annual_running_cost_pence=500_000 * POUND, by="property.building.closed", now=NOW)  # fmt: skip
    return out


def read_model(initiatives: list[Initiative]) -> dict[tuple[str, ...], dict[str, int]]:
    """Build the read model the way the service does: by adding each change's difference."""
    cells: dict[tuple[str, ...], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for i in initiatives:
        for key, delta in difference({}, contribution(i)).items():
            for m, v in delta.items():
                cells[key][m] += v
    return cells


def rows(cells: dict[tuple[str, ...], dict[str, int]], **match: str) -> list[dict[str, Any]]:
    names = ("theme", "year", "directorate", "programme", "category")
    out = []
    for key, sums in cells.items():
        row = dict(zip(names, key, strict=True))
        if all(row[k] == v for k, v in match.items()):
            out.append({**row, **sums})
    return out




def test_seeded_theme_report_reproduces_the_published_table_to_the_pound() -> None:
    report = theme_matrix(rows(read_model(seeded()), category="transformation"), YEARS)
    assert report["years"] == YEARS
    assert [r["theme"] for r in report["rows"]] == list(TABLE)
    for row in report["rows"]:
        *by_year, total = TABLE[row["theme"]]
        assert [row["by_year"][y]["planned_pence"] for y in YEARS] == [p * POUND for p in by_year]
        assert row["planned_pence"] == total * POUND
        # 2021/22 and 2022/23 are delivered; 2023/24 is anticipated, but for Lodge Road's £500k a year,
        # realised against the office estate plan from 1 April 2023
        realised = 500_000 * POUND if row["theme"] == "redesign_reorganisation" else 0
        assert [row["by_year"][y]["delivered_pence"] for y in YEARS] == [
            by_year[0] * POUND,
            by_year[1] * POUND,
            realised,
        ]
    totals = report["totals"]
    assert [totals["by_year"][y]["planned_pence"] for y in YEARS] == [
        6_607_000 * POUND,
        13_939_000 * POUND,
        24_788_230 * POUND,  # the paper prints 24,778,230: a slip
    ]
    assert totals["planned_pence"] == 45_334_230 * POUND


def test_survive_to_thrive_is_in_year_recovery_by_theme() -> None:
    # seed 001: over 150 proposals worth £10,792k for 2023-24, on top of the budget's (not in the table)
    report = theme_matrix(rows(read_model(seeded()), category="in_year_recovery"), ["2023/24"])
    by_theme = {r["theme"]: r["planned_pence"] for r in report["rows"]}
    assert by_theme == {
        "redesign_reorganisation": 1_283_000 * POUND,
        "demand_prevention": 4_083_000 * POUND,
        "buying_commissioning": 162_000 * POUND,
        "charging_income": 4_091_000 * POUND,
        "technology_innovation": 359_000 * POUND,
        "process_policy": 814_000 * POUND,
    }
    assert report["totals"]["planned_pence"] == 10_792_000 * POUND


def test_the_closure_moves_no_planned_figure() -> None:
    before, after = read_model(seeded(closures=False)), read_model(seeded())
    assert {k: v.get("planned_pence") for k, v in before.items()} == {k: v.get("planned_pence") for k, v in after.items()}


def test_seeded_lgr_target_shows_the_published_excess() -> None:
    position = target_position(
        name="LGR", amount_pence=17_530_000 * POUND, sums=rows(read_model(seeded()), programme="LGR")
    )
    # Lodge Road's closure turns £500k of 2023/24's anticipated saving into a delivered one
    assert position["delivered_pence"] == (6_120_000 + 6_409_000 + 500_000) * POUND
    assert position["anticipated_pence"] == (13_905_000 - 500_000 + 5_494_000 + 2_075_000) * POUND
    assert position["total_pence"] == 34_003_000 * POUND
    assert position["excess_pence"] == 16_473_000 * POUND
    by_year = {r["year"]: r["delivered_pence"] + r["anticipated_pence"] for r in position["by_year"]}
    assert by_year == {
        "2021/22": 6_120_000 * POUND,
        "2022/23": 6_409_000 * POUND,
        "2023/24": 13_905_000 * POUND,
        "2024/25": 5_494_000 * POUND,
        "2025/26": 2_075_000 * POUND,
    }


def test_seeded_reconciliation_to_the_budget_report() -> None:
    by_category: dict[str, int] = defaultdict(int)
    for row in rows(read_model(seeded()), year="2023/24"):
        by_category[row["category"]] += row.get("planned_pence", 0)
    result = reconciliation("2023/24", by_category, 35_621_000 * POUND)
    assert result["centrally_controlled_pence"] == 5_563_000 * POUND
    assert result["technical_adjustment_pence"] == 5_270_000 * POUND
    assert result["expected_transformation_pence"] == 24_788_000 * POUND
    assert result["unreconciled_pence"] == -230 * POUND  # the budget report rounds to £000
    assert result["within_rounding"] and not result["reconciled"]


def test_seeded_future_northants_variance() -> None:
    variance = {
        r["year"]: r for r in variance_by_year(rows(read_model(seeded()), programme="Future Northants"))
    }
    assert variance["2020/21"]["planned_pence"] == 14_481_000 * POUND
    assert variance["2020/21"]["delivered_pence"] == 14_013_000 * POUND
    assert variance["2020/21"]["variance_pence"] == 468_000 * POUND


def test_reconciliation_without_a_budget_figure_uses_the_register() -> None:
    result = reconciliation("2023/24", {"transformation": 10, "centrally_controlled": 3}, None)
    assert result["budget_report_pence"] == 13
    assert result["reconciled"] and result["unreconciled_pence"] == 0


# ---------------------------------------------------------------- contributions


def _initiative() -> Initiative:
    return Initiative.propose(
        id="x",
        title="t",
        directorate="d",
        theme="process_policy",
        category="transformation",
        profile=[{"year": "2022/23", "planned_pence": 100}, {"year": "2023/24", "planned_pence": 50}],
        by="o",
        now=NOW,
    )


def test_contribution_follows_the_status() -> None:
    i = _initiative()
    key = ("process_policy", "2022/23", "d", "", "transformation")
    assert contribution(i)[key] == {"planned_pence": 100, "pipeline_pence": 100}
    i.transition("approved", by="o", now=NOW)
    i.record_actual("2022/23", 30, by="o", now=NOW)
    assert contribution(i)[key] == {"planned_pence": 100, "delivered_pence": 30, "anticipated_pence": 70}
    i.transition("slipped", by="o", now=NOW, to_year="2023/24")
    later = ("process_policy", "2023/24", "d", "", "transformation")
    assert contribution(i)[key] == {"planned_pence": 30, "delivered_pence": 30, "slipped_out_pence": 70}
    assert contribution(i)[later] == {"planned_pence": 120, "anticipated_pence": 120, "slipped_in_pence": 70}
    i.transition("undeliverable", by="o", now=NOW, reason="demand")
    assert contribution(i)[later] == {
        "planned_pence": 120,
        "undeliverable_pence": 120,
        "slipped_in_pence": 70,
    }


def test_difference_is_what_turns_before_into_after() -> None:
    i = _initiative()
    before = contribution(i)
    i.transition("approved", by="o", now=NOW)
    delta = difference(before, contribution(i))
    key = ("process_policy", "2022/23", "d", "", "transformation")
    assert delta[key] == {"pipeline_pence": -100, "anticipated_pence": 100}
    assert difference(contribution(i), contribution(i)) == {}


def test_moving_theme_moves_the_whole_contribution() -> None:
    i = _initiative()
    before = contribution(i)
    i.amend({"theme": "charging_income"}, by="o", now=NOW)
    delta = difference(before, contribution(i))
    assert delta[("process_policy", "2022/23", "d", "", "transformation")]["planned_pence"] == -100
    assert delta[("charging_income", "2022/23", "d", "", "transformation")]["planned_pence"] == 100


# ---------------------------------------------------------------- parsing and highlights


def test_parse_years() -> None:
    assert parse_years("2023/24, 2021/22,2023/24") == ["2021/22", "2023/24"]
    assert parse_years(None) is None and parse_years(" ") is None
    with pytest.raises(Invalid):
        parse_years("2021/22,2021/23")


@pytest.mark.parametrize("value", ["2024-13", "2024-5", "24-05", "1999-12", "2024/05"])
def test_bad_months(value: str) -> None:
    with pytest.raises(Invalid):
        month(value)


def test_theme_matrix_without_years_uses_those_present_and_keeps_all_themes() -> None:
    report = theme_matrix([{"theme": "process_policy", "year": "2024/25", "planned_pence": 5}], None)
    assert report["years"] == ["2024/25"]
    assert len(report["rows"]) == 6
    assert report["totals"]["planned_pence"] == 5


def test_highlights_sort_changes_into_sections() -> None:
    base = {
        "initiative_id": "a",
        "title": "t",
        "theme": "process_policy",
        "directorate": "d",
        "programme": None,
        "at": NOW,
        "by": "o",
    }
    changes = [
        {**base, "kind": "status", "to": "approved", "from": "proposed"},
        {
            **base,
            "kind": "status",
            "to": "slipped",
            "from": "in_delivery",
            "from_year": "2022/23",
            "to_year": "2023/24",
            "amount_pence": 70,
        },
        {**base, "kind": "actual", "year": "2022/23", "delivered_pence": 30},
        {**base, "kind": "rag", "from": "green", "to": "red", "reason": "demand"},
        {**base, "kind": "amended", "fields": ["title"]},
    ]
    report = highlights("2023-05", changes)
    assert report["counts"]["approved"] == 1
    assert report["slipped"][0]["amount_pence"] == 70
    assert report["slipped_pence"] == 70
    assert report["actuals"][0]["delivered_pence"] == 30
    assert report["rag_changes"][0]["to"] == "red"
    assert report["moved"] == 2


def test_summed_adds_each_keys_measures_and_ignores_other_fields() -> None:
    parts = [
        ("a", {"planned_pence": 100, "delivered_pence": 0, "theme": "process_policy", "_id": "x"}),
        ("a", {"planned_pence": 50, "delivered_pence": 20}),
        ("b", {"pipeline_pence": 7}),
    ]
    assert summed(parts) == {
        "a": {"planned_pence": 150, "delivered_pence": 20},
        "b": {"pipeline_pence": 7},
    }
