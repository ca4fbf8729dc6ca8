"""The rationalisation target against what has been delivered, year by year (plain Python; ``reports.py`` fetches).

What counts as delivered at a step's ``measured_on`` day (the figures of the rationalisation report, measured on
that day rather than at the year's end), counted from the start of the target's first year:
- each building closed from then to that day: its annual running cost, no longer paid (``closure``);
- each partner who moved into a building still open that day: the annual rent it now pays the council
  (``partner_moved_in``).
``anticipated`` adds the closures planned by that day. Each closure lists the team moves that emptied it (completed
moves out of it), and each planned closure the moves still planned out of it: the moves that deliver the saving.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from civic.calendar import FinancialYear

from civic_property.buildings.domain import CLOSURE_PLANNED, Building
from civic_property.domain import financial_years
from civic_property.target.domain import RationalisationTarget
from civic_property.teams.domain import COMPLETED, PLANNED, Move

BASIS = (
    "Delivered at measured_on (the step's by, else the year's end), counted from the start of the target's first "
    "year: the annual running cost of each building closed since, plus the annual rent of each partner who moved "
    "into a building still open. anticipated adds closures planned by measured_on. A year without a step of its "
    "own carries the last step forward."
)


#: every year's keys, null in a year before the target's first step
_ROW_KEYS = (
    "year", "target_annual_saving_pence", "target_year", "measured_on", "delivered_annual_saving_pence",
    "running_cost_saved_pence", "partner_rent_gained_pence", "anticipated_annual_saving_pence", "shortfall_pence",
    "excess_pence", "met", "delivered_by", "planned",
)


def _closure(kind: str, b: Building, on: date | None, moves: list[dict[str, Any]]) -> dict[str, Any]:
    """A closure that saved (or will save) the building's running cost, on the day it closed (or is to), with
    the moves out of it."""
    return {
        "kind": kind,
        "building_id": b.id,
        "name": b.name,
        "on": on.isoformat() if on else None,
        "annual_saving_pence": b.annual_running_cost_pence,
        "moves": moves,
    }


def _move(m: Move, names: Mapping[str, str], buildings: Mapping[str, Building]) -> dict[str, Any]:
    destination = buildings.get(m.to_building_id)
    return {
        "move_id": m.id,
        "team_id": m.team_id,
        "team_name": names.get(m.team_id),
        "to_building_id": m.to_building_id,
        "to_building_name": destination.name if destination else None,
        "planned_for": m.planned_for.isoformat(),
        "completed_on": m.completed_on.isoformat() if m.completed_on else None,
    }


def default_years(target: RationalisationTarget) -> tuple[str, str] | None:
    if not target.steps:
        return None
    return target.steps[0].year, target.steps[-1].year


def progress(
    target: RationalisationTarget,
    buildings: Iterable[Building],
    moves: Iterable[Move],
    team_names: Mapping[str, str],
    first_year: str,
    last_year: str,
) -> dict[str, Any]:
    estate = list(buildings)
    by_id = {b.id: b for b in estate}
    moves_out: dict[str, list[Move]] = defaultdict(list)
    for m in sorted(moves, key=lambda m: (m.completed_on or m.planned_for, m.id)):
        moves_out[m.from_building_id].append(m)
    start = FinancialYear.parse(target.first_year).first_day if target.first_year else None

    rows: list[dict[str, Any]] = []
    for year in financial_years(first_year, last_year):
        step = target.step_for(year)
        if step is None or start is None:
            rows.append({**dict.fromkeys(_ROW_KEYS), "year": year, "delivered_by": [], "planned": []})
            continue
        # a step of the year itself may name its day; a carried step is measured at this year's end
        day: date = step.measured_on if step.year == year else FinancialYear.parse(year).last_day
        closures = sorted(
            (b for b in estate if b.closed_on is not None and start <= b.closed_on <= day),
            key=lambda b: (b.closed_on, b.name),
        )
        partners_in = sorted(
            (
                (b, p)
                for b in estate
                if not b.vacated_by(day)
                for p in b.partners
                if p.since is not None and start <= p.since <= day
            ),
            key=lambda bp: (bp[1].since, bp[0].name, bp[1].name),
        )
        planned = sorted(
            (
                b
                for b in estate
                if b.status == CLOSURE_PLANNED and b.closure_date is not None and b.closure_date <= day
            ),
            key=lambda b: (b.closure_date, b.name),
        )
        delivered_by: list[dict[str, Any]] = [
            _closure(
                "closure", b, b.closed_on,
                [_move(m, team_names, by_id) for m in moves_out[b.id] if m.status == COMPLETED],
            )
            for b in closures
        ]
        delivered_by += [
            {
                "kind": "partner_moved_in",
                "building_id": b.id,
                "name": b.name,
                "partner": p.name,
                "on": p.since.isoformat() if p.since else None,
                "annual_saving_pence": p.annual_rent_pence,
            }
            for b, p in partners_in
        ]
        running_cost = sum(b.annual_running_cost_pence for b in closures)
        rent = sum(p.annual_rent_pence for _, p in partners_in)
        delivered = running_cost + rent
        anticipated = delivered + sum(b.annual_running_cost_pence for b in planned)
        rows.append(
            {
                "year": year,
                "target_annual_saving_pence": step.annual_saving_pence,
                "target_year": step.year,
                "measured_on": day.isoformat(),
                "delivered_annual_saving_pence": delivered,
                "running_cost_saved_pence": running_cost,
                "partner_rent_gained_pence": rent,
                "anticipated_annual_saving_pence": anticipated,
                "shortfall_pence": max(0, step.annual_saving_pence - delivered),
                "excess_pence": max(0, delivered - step.annual_saving_pence),
                "met": delivered >= step.annual_saving_pence,
                "delivered_by": delivered_by,
                "planned": [
                    _closure(
                        "closure_planned", b, b.closure_date,
                        [_move(m, team_names, by_id) for m in moves_out[b.id] if m.status == PLANNED],
                    )
                    for b in planned
                ],
            }
        )
    return {
        "from_year": first_year,
        "to_year": last_year,
        "basis": BASIS,
        "target": target.as_dict(),
        "counted_from": start.isoformat() if start else None,
        "years": rows,
    }
