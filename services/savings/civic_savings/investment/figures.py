"""The arithmetic of a programme's payback, as plain Python over plain dicts.

By financial year: the investment (the cost of change), the savings it buys (delivered, plus the unmet
plan of initiatives still live: what counts against a target, ``civic_savings.figures``), the net benefit
(savings less investment) and its running total. The payback year is the first year, from the first year
with investment on, whose cumulative net benefit is nought or more; there is none when it never is, or when
nothing was invested (nothing to pay back).

Cost is never a negative saving: the savings figures are never reduced by the investment; only the net
benefit sets one against the other. Cost avoided is shown beside them and counted in neither.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from civic_savings.figures import Cell

#: the savings measures a payback counts (as a target does): delivered, and still expected
SAVINGS_MEASURES = ("delivered_pence", "anticipated_pence")
SHOWN_MEASURES = ("planned_pence", "delivered_pence", "anticipated_pence")


def payback_year(years: Iterable[tuple[str, int, int]]) -> str | None:
    """The first year from the first investment on whose cumulative net benefit is >= 0, or None.
    ``years`` are (year, investment_pence, savings_pence), in any order."""
    cumulative, invested = 0, False
    for year, investment, savings in sorted(years):
        cumulative += savings - investment
        invested = invested or investment > 0
        if invested and cumulative >= 0:
            return year
    return None


def payback(
    investment: Iterable[Mapping[str, Any]],
    savings: Iterable[Mapping[str, Any]],
    cost_avoided: Iterable[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The payback table: ``investment`` rows of {year, category, amount_pence}; ``savings`` rows of
    {year, <measures>} (the read model's sums for the programme); ``cost_avoided`` rows of {year,
    amount_pence}, shown apart."""
    invested: dict[str, dict[str, int]] = {}
    for line in investment:
        by_category = invested.setdefault(line["year"], {})
        by_category[line["category"]] = by_category.get(line["category"], 0) + int(line["amount_pence"])
    saved: dict[str, dict[str, int]] = {}
    for row in savings:
        sums = saved.setdefault(row["year"], dict.fromkeys(SHOWN_MEASURES, 0))
        for measure in SHOWN_MEASURES:
            sums[measure] += int(row.get(measure, 0))
    avoided: dict[str, int] = {}
    for row in cost_avoided:
        avoided[row["year"]] = avoided.get(row["year"], 0) + int(row["amount_pence"])

    rows: list[dict[str, Any]] = []
    cumulative = 0
    for year in sorted(set(invested) | set(saved) | set(avoided)):
        investment_pence = sum(invested.get(year, {}).values())
        sums = saved.get(year, dict.fromkeys(SHOWN_MEASURES, 0))
        savings_pence = sum(sums[m] for m in SAVINGS_MEASURES)
        net = savings_pence - investment_pence
        cumulative += net
        rows.append({
            "year": year, "investment_pence": investment_pence,
            "investment_by_category": dict(sorted(invested.get(year, {}).items())),
            **sums, "savings_pence": savings_pence, "net_benefit_pence": net,
            "cumulative_net_benefit_pence": cumulative, "cost_avoided_pence": avoided.get(year, 0),
        })  # fmt: skip
    all_years: dict[str, int] = {}
    for categories in invested.values():
        for category, amount in categories.items():
            all_years[category] = all_years.get(category, 0) + amount
    totals = {k: sum(r[k] for r in rows) for k in (
        "investment_pence", *SHOWN_MEASURES, "savings_pence", "net_benefit_pence", "cost_avoided_pence")}
    return {
        "payback_year": payback_year((r["year"], r["investment_pence"], r["savings_pence"]) for r in rows),
        **totals,
        "investment_by_category": dict(sorted(all_years.items())),
        "years": rows,
    }


def savings_moved(delta: Mapping[Cell, Mapping[str, int]], programme: str) -> bool:
    """Whether a change (a ``civic_savings.figures.difference``) moves any year of ``programme``'s savings as a
    payback counts them: a slip from one year to a later one does, though its total stays the same."""
    return any(
        sums.get(measure, 0) for cell, sums in delta.items() if cell[3] == programme for measure in SAVINGS_MEASURES
    )
