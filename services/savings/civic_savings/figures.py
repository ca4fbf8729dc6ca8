"""The arithmetic behind the savings reports, as plain Python over plain dicts.

The read model keeps, per (theme, year, directorate, programme, category), running sums of the
measures below. Each initiative *contributes* to some of those cells; when it changes, the
difference between its contribution before and after is added to the cells in the same unit of
work, so reports read a few hundred small documents however many initiatives there are.

Definitions (per initiative, per financial year):
- planned: the profile, whatever the status (so a failed saving still shows as a variance);
- delivered: the recorded actuals;
- anticipated: the unmet planned amount of an approved, in-delivery or slipped initiative;
- pipeline: the planned amount of a proposal not yet approved (not counted against targets);
- undeliverable: the unmet planned amount of an initiative marked undeliverable;
- slipped_out / slipped_in: amounts moved out of / into the year by slippage.

A rejected proposal contributes nothing: it was never part of the plan, so it leaves planned and pipeline
alike (undeliverable, by contrast, stays planned: a failed saving shows as a variance).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from civic.errors import FieldErrors, Invalid

from civic_savings.domain import year_problem
from civic_savings.initiatives.domain import Initiative
from civic_savings.programme.domain import BUDGET_CATEGORIES, THEMES

MEASURES = (
    "planned_pence",
    "delivered_pence",
    "anticipated_pence",
    "pipeline_pence",
    "undeliverable_pence",
    "slipped_out_pence",
    "slipped_in_pence",
)
ROUNDING_PENCE = 50_000
ANTICIPATING = frozenset({"approved", "in_delivery", "slipped"})

Cell = tuple[str, str, str, str, str]  # theme, year, directorate, programme ("" for none), category
K = TypeVar("K")


def contribution(initiative: Initiative | None) -> dict[Cell, dict[str, int]]:
    """What one initiative adds to each read-model cell (nothing for None, i.e. before it existed)."""
    if initiative is None or initiative.status == "rejected":
        return {}
    out: dict[Cell, Counter[str]] = defaultdict(Counter)
    i = initiative

    def cell(year: str) -> Counter[str]:
        return out[(i.theme, year, i.directorate, i.programme or "", i.category)]

    for year, planned in i.profile.items():
        cell(year)["planned_pence"] += planned
        unmet = i.unmet(year)
        if i.status in ANTICIPATING:
            cell(year)["anticipated_pence"] += unmet
        elif i.status == "proposed":
            cell(year)["pipeline_pence"] += planned
        elif i.status == "undeliverable":
            cell(year)["undeliverable_pence"] += unmet
    for year, delivered in i.actuals.items():
        cell(year)["delivered_pence"] += delivered
    for slip in i.slippages:
        cell(slip["from_year"])["slipped_out_pence"] += slip["amount_pence"]
        cell(slip["to_year"])["slipped_in_pence"] += slip["amount_pence"]
    return {key: {m: v for m, v in sums.items() if v} for key, sums in out.items()}


def summed(parts: Iterable[tuple[K, Mapping[str, Any]]]) -> dict[K, dict[str, int]]:
    """Each key's measures added up over its parts (a part may hold other fields: only measures count)."""
    out: dict[K, dict[str, int]] = {}
    for key, part in parts:
        sums = out.setdefault(key, {})
        for measure in MEASURES:
            if part.get(measure):
                sums[measure] = sums.get(measure, 0) + part[measure]
    return out


def difference(
    before: Mapping[Cell, Mapping[str, int]], after: Mapping[Cell, Mapping[str, int]]
) -> dict[Cell, dict[str, int]]:
    """The increments that turn ``before`` into ``after``, leaving out cells that do not change."""
    out: dict[Cell, dict[str, int]] = {}
    for key in set(before) | set(after):
        delta = {m: after.get(key, {}).get(m, 0) - before.get(key, {}).get(m, 0) for m in MEASURES}
        delta = {m: v for m, v in delta.items() if v}
        if delta:
            out[key] = delta
    return out


def parse_years(value: str | None) -> list[str] | None:
    """``"2021/22,2022/23"`` -> the years, checked; None when not given."""
    if value is None or not value.strip():
        return None
    years = [y.strip() for y in value.split(",") if y.strip()]
    errors = FieldErrors({"field": "years", "message": p} for y in years if (p := year_problem(y)))
    errors.raise_if_any("years must be financial years like 2023/24, separated by commas.")
    return sorted(set(years))


def _pair(planned: int = 0, delivered: int = 0) -> dict[str, int]:
    return {"planned_pence": planned, "delivered_pence": delivered}


def theme_matrix(sums: Iterable[Mapping[str, Any]], years: list[str] | None) -> dict[str, Any]:
    """Theme x year planned and delivered, with row and column totals.

    ``sums`` are rows of {theme, year, planned_pence, delivered_pence}; all six themes appear.
    """
    cells: dict[tuple[str, str], dict[str, int]] = {}
    seen_years: set[str] = set()
    for row in sums:
        seen_years.add(row["year"])
        cell = cells.setdefault((row["theme"], row["year"]), _pair())
        cell["planned_pence"] += int(row.get("planned_pence", 0))
        cell["delivered_pence"] += int(row.get("delivered_pence", 0))
    columns = years if years is not None else sorted(seen_years)
    rows = []
    column_totals = {year: _pair() for year in columns}
    grand = _pair()
    for theme, label in THEMES.items():
        by_year = {}
        row_total = _pair()
        for year in columns:
            cell = cells.get((theme, year), _pair())
            by_year[year] = dict(cell)
            for m in ("planned_pence", "delivered_pence"):
                row_total[m] += cell[m]
                column_totals[year][m] += cell[m]
                grand[m] += cell[m]
        rows.append({"theme": theme, "label": label, "by_year": by_year, **row_total})
    return {"years": columns, "rows": rows, "totals": {"by_year": column_totals, **grand}}


TARGET_MEASURES = ("delivered_pence", "anticipated_pence")


def target_measure_change(delta: Mapping[Cell, Mapping[str, int]], programme: str) -> int:
    """How much a change (a :func:`difference`) moves what counts against ``programme``'s target.

    A target is checked when delivered plus anticipated moves; a proposal (pipeline only) or a slip
    from one year to another (anticipated moves between years) leaves it where it was.
    """
    return sum(
        sums.get(measure, 0) for cell, sums in delta.items() if cell[3] == programme for measure in TARGET_MEASURES
    )


def target_position(*, name: str, amount_pence: int, sums: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """A programme against its target. ``sums`` are per-year rows of the programme's measures.

    The target counts delivered plus anticipated; ``excess_pence`` is negative for a shortfall.
    """
    by_year: dict[str, dict[str, int]] = {}
    for row in sums:
        entry = by_year.setdefault(
            row["year"], {"delivered_pence": 0, "anticipated_pence": 0, "pipeline_pence": 0}
        )
        for m in entry:
            entry[m] += int(row.get(m, 0))
    delivered = sum(e["delivered_pence"] for e in by_year.values())
    anticipated = sum(e["anticipated_pence"] for e in by_year.values())
    pipeline = sum(e["pipeline_pence"] for e in by_year.values())
    total = delivered + anticipated
    return {
        "name": name,
        "programme": name,
        "target_pence": amount_pence,
        "delivered_pence": delivered,
        "anticipated_pence": anticipated,
        "total_pence": total,
        "excess_pence": total - amount_pence,
        "pipeline_pence": pipeline,
        "by_year": [{"year": y, **by_year[y]} for y in sorted(by_year)],
    }


def reconciliation(
    year: str, planned_by_category: Mapping[str, int], budget_report_pence: int | None
) -> dict[str, Any]:
    """Budget report figure less centrally controlled and technical adjustments = transformation total.

    Without a budget report figure the register's own total of the three budget categories is used (in-year
    recovery is in no budget line).
    ``unreconciled_pence`` is what the register's transformation total differs from the expectation.
    """
    by_category = {c: int(planned_by_category.get(c, 0)) for c in BUDGET_CATEGORIES}
    register_total = sum(by_category.values())
    budget = register_total if budget_report_pence is None else budget_report_pence
    expected = budget - by_category["centrally_controlled"] - by_category["technical_adjustment"]
    return {
        "year": year,
        "budget_report_pence": budget,
        "budget_report_source": "register" if budget_report_pence is None else "given",
        "centrally_controlled_pence": by_category["centrally_controlled"],
        "technical_adjustment_pence": by_category["technical_adjustment"],
        "expected_transformation_pence": expected,
        "transformation_pence": by_category["transformation"],
        "unreconciled_pence": expected - by_category["transformation"],
        "reconciled": expected == by_category["transformation"],
        # budget reports are in £000: a difference under £500 is rounding, not a missing proposal
        "within_rounding": abs(expected - by_category["transformation"]) <= ROUNDING_PENCE,
    }


def variance_by_year(sums: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per year: the original plan, what slipped out and in, the plan now, delivery and variance.

    Variance is planned less delivered (positive = shortfall), as in a benefits realisation table.
    """
    by_year: dict[str, dict[str, int]] = {}
    for row in sums:
        entry = by_year.setdefault(row["year"], dict.fromkeys(MEASURES, 0))
        for m in MEASURES:
            entry[m] += int(row.get(m, 0))
    rows = []
    for year in sorted(by_year):
        e = by_year[year]
        rows.append(
            {
                "year": year,
                "original_planned_pence": e["planned_pence"] + e["slipped_out_pence"] - e["slipped_in_pence"],
                "slipped_out_pence": e["slipped_out_pence"],
                "slipped_in_pence": e["slipped_in_pence"],
                "planned_pence": e["planned_pence"],
                "delivered_pence": e["delivered_pence"],
                "variance_pence": e["planned_pence"] - e["delivered_pence"],
                "anticipated_pence": e["anticipated_pence"],
                "undeliverable_pence": e["undeliverable_pence"],
                "pipeline_pence": e["pipeline_pence"],
            }
        )
    return rows


_MONTH = re.compile(r"(\d{4})-(\d{2})")


def month(value: str) -> str:
    """A calendar month as ``YYYY-MM``."""
    m = _MONTH.fullmatch(value)
    if not m or not 1 <= int(m[2]) <= 12 or not 2000 <= int(m[1]) <= 2099:
        raise Invalid.at(
            "month", "must be YYYY-MM between 2000-01 and 2099-12",
            f"{value!r} is not a month; write it like 2024-05.",
        )
    return value


def highlights(month_: str, changes: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The monthly highlight report: what was proposed, approved, started, slipped, delivered, failed or
    rejected, actuals recorded and RAG changes, from the change journal of that month (oldest first)."""
    sections: dict[str, list[dict[str, Any]]] = {
        "proposed": [], "approved": [], "in_delivery": [], "slipped": [], "delivered": [],
        "undeliverable": [], "rejected": [], "actuals": [], "rag_changes": [],
    }  # fmt: skip
    for change in changes:
        line = {
            k: change.get(k)
            for k in ("initiative_id", "title", "theme", "directorate", "programme", "at", "by")
        }
        kind = change.get("kind")
        if kind == "status" and change.get("to") in sections:
            extra = ("from", "reason", "from_year", "to_year", "amount_pence")
            line.update({k: change[k] for k in extra if k in change})
            sections[change["to"]].append(line)
        elif kind == "actual":
            line.update({k: change.get(k) for k in ("year", "delivered_pence", "previous_pence")})
            sections["actuals"].append(line)
        elif kind == "rag":
            line.update({"from": change.get("from"), "to": change.get("to"), "reason": change.get("reason")})
            sections["rag_changes"].append(line)
    counts = {name: len(items) for name, items in sections.items()}
    return {
        "month": month_,
        **sections,
        "counts": counts,
        "slipped_pence": sum(int(x.get("amount_pence") or 0) for x in sections["slipped"]),
        "moved": sum(
            counts[k] for k in ("approved", "in_delivery", "slipped", "delivered", "undeliverable", "rejected")
        ),
    }
