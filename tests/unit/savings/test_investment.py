"""A programme's investment and payback: an investment line's rules, and the payback arithmetic (net benefit
by year, cumulative, the payback year; cost never a negative saving; cost avoided apart). No servers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from civic.errors import Invalid
from civic_savings.investment.domain import InvestmentLine
from civic_savings.investment.figures import payback, payback_year, savings_moved

NOW = datetime(2024, 3, 10, 9, 0, tzinfo=UTC)
K = 100_000  # pence in £1,000


def line(**overrides: object) -> InvestmentLine:
    fields: dict[str, object] = {"category": "staff", "year": "2020/21", "amount_pence": 5697 * K}
    fields.update(overrides)
    return InvestmentLine.record(id="l1", programme="LGR", by="officer", now=NOW, **fields)  # type: ignore[arg-type]


def test_a_line_is_recorded_and_noted() -> None:
    recorded = line(description="Programme team")
    assert (recorded.category, recorded.year, recorded.amount_pence) == ("staff", "2020/21", 5697 * K)
    assert recorded.history == [{"at": NOW, "by": "officer", "kind": "recorded", "amount_pence": 5697 * K}]


@pytest.mark.parametrize(
    ("fields", "broken"),
    [
        ({"amount_pence": -1}, {"amount_pence"}),  # a cost is never a negative saving
        ({"amount_pence": 1.5}, {"amount_pence"}),
        ({"amount_pence": True}, {"amount_pence"}),
        ({"category": "savings"}, {"category"}),
        ({"year": "2020/22"}, {"year"}),
        ({"year": "2020-21", "category": None, "description": " "}, {"year", "category", "description"}),
    ],
)
def test_every_broken_field_is_named(fields: dict[str, object], broken: set[str]) -> None:
    with pytest.raises(Invalid) as caught:
        line(**fields)
    assert {e["field"] for e in caught.value.errors} == broken


def test_a_change_notes_the_old_amount_and_the_same_values_change_nothing() -> None:
    recorded = line()
    assert recorded.change({"amount_pence": 5000 * K, "year": "2020/21"}, by="finance", now=NOW) is True
    assert recorded.history[-1] == {"at": NOW, "by": "finance", "kind": "changed", "fields": ["amount_pence"],
                                    "amount_was_pence": 5697 * K, "amount_pence": 5000 * K}  # fmt: skip
    assert recorded.change({"amount_pence": 5000 * K}, by="finance", now=NOW) is False
    assert len(recorded.history) == 2


def test_a_refused_change_changes_nothing() -> None:
    recorded = line()
    with pytest.raises(Invalid) as caught:
        recorded.change({"amount_pence": -5, "programme": "Other"}, by="finance", now=NOW)
    assert {e["field"] for e in caught.value.errors} == {"amount_pence", "programme"}
    assert (recorded.amount_pence, recorded.programme, len(recorded.history)) == (5697 * K, "LGR", 1)


# ---------------------------------------------------------------- payback

#: seed 003: the 2020/21 transformation budget, £22,697k, by category
SEED_003 = [
    {"year": "2020/21", "category": "pilots", "amount_pence": 7802 * K},
    {"year": "2020/21", "category": "transformation", "amount_pence": 4250 * K},
    {"year": "2020/21", "category": "other", "amount_pence": 4948 * K},
    {"year": "2020/21", "category": "staff", "amount_pence": 5697 * K},
]
#: DOMAIN.md: WNC's transformation savings, delivered 2021-22 and 2022-23, anticipated after
LGR_SAVINGS = [
    {"year": "2021/22", "planned_pence": 6120 * K, "delivered_pence": 6120 * K},
    {"year": "2022/23", "planned_pence": 6409 * K, "delivered_pence": 6409 * K},
    {"year": "2023/24", "planned_pence": 13905 * K, "anticipated_pence": 13905 * K},
    {"year": "2024/25", "planned_pence": 5494 * K, "anticipated_pence": 5494 * K},
    {"year": "2025/26", "planned_pence": 2075 * K, "anticipated_pence": 2075 * K},
]


def test_the_seed_budget_against_the_lgr_savings_pays_back_in_2023_24() -> None:
    table = payback(SEED_003, LGR_SAVINGS)
    assert table["investment_pence"] == 22697 * K
    assert table["investment_by_category"] == {"other": 4948 * K, "pilots": 7802 * K, "staff": 5697 * K,
                                               "transformation": 4250 * K}  # fmt: skip
    cumulative = [(r["year"], r["net_benefit_pence"] // K, r["cumulative_net_benefit_pence"] // K) for r in table["years"]]
    assert cumulative == [
        ("2020/21", -22697, -22697),
        ("2021/22", 6120, -16577),
        ("2022/23", 6409, -10168),
        ("2023/24", 13905, 3737),
        ("2024/25", 5494, 9231),
        ("2025/26", 2075, 11306),
    ]
    assert table["payback_year"] == "2023/24"
    assert table["savings_pence"] == 34003 * K  # the savings themselves, untouched by the cost
    assert table["net_benefit_pence"] == (34003 - 22697) * K


def test_cost_is_never_counted_as_a_negative_saving() -> None:
    table = payback(SEED_003, LGR_SAVINGS)
    first = table["years"][0]
    assert (first["investment_pence"], first["savings_pence"], first["planned_pence"], first["delivered_pence"]) == (
        22697 * K, 0, 0, 0)  # fmt: skip
    assert all(r["savings_pence"] >= 0 and r["delivered_pence"] >= 0 for r in table["years"])
    assert table["delivered_pence"] == (6120 + 6409) * K


def test_cost_avoided_is_shown_apart_and_counted_in_neither() -> None:
    avoided = [{"year": "2022/23", "amount_pence": 1700 * K}]
    with_it, without = payback(SEED_003, LGR_SAVINGS, avoided), payback(SEED_003, LGR_SAVINGS)
    assert with_it["cost_avoided_pence"] == 1700 * K
    assert [r["cost_avoided_pence"] for r in with_it["years"]][2] == 1700 * K
    for key in ("savings_pence", "net_benefit_pence", "payback_year"):
        assert with_it[key] == without[key]


def test_undelivered_plan_counts_only_while_still_anticipated() -> None:
    # a failed saving stays planned (a variance) but buys nothing back
    table = payback([{"year": "2030/31", "category": "staff", "amount_pence": 100}],
                    [{"year": "2030/31", "planned_pence": 500, "undeliverable_pence": 500}])  # fmt: skip
    assert table["savings_pence"] == 0 and table["payback_year"] is None


@pytest.mark.parametrize(
    ("years", "expected"),
    [
        ([], None),  # nothing invested, nothing to pay back
        ([("2030/31", 0, 500)], None),
        ([("2030/31", 100, 0), ("2031/32", 0, 99)], None),  # never: one penny short
        ([("2030/31", 100, 0), ("2031/32", 0, 100)], "2031/32"),  # nought is paid back
        ([("2030/31", 100, 100)], "2030/31"),  # in the year it is spent
        ([("2031/32", 0, 100), ("2030/31", 100, 0)], "2031/32"),  # in any order
        # savings before the investment do not make a payback before it was spent
        ([("2029/30", 0, 500), ("2030/31", 100, 0)], "2030/31"),
        ([("2029/30", 0, 50), ("2030/31", 100, 0), ("2031/32", 0, 40)], None),
    ],
)
def test_the_payback_year(years: list[tuple[str, int, int]], expected: str | None) -> None:
    assert payback_year(years) == expected


def test_a_slip_moves_the_savings_a_payback_counts() -> None:
    cell = ("process_policy", "2030/31", "Finance", "LGR", "transformation")
    later = ("process_policy", "2031/32", "Finance", "LGR", "transformation")
    assert savings_moved({cell: {"anticipated_pence": -5}, later: {"anticipated_pence": 5}}, "LGR")
    assert not savings_moved({cell: {"pipeline_pence": 5}}, "LGR")  # a proposal buys nothing yet
    assert not savings_moved({cell: {"delivered_pence": 5}}, "Other")
