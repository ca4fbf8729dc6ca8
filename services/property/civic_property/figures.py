"""The figures of the estates team's reports, computed from the domain objects (plain Python, no database;
``reports.py`` fetches what they need).

- desk demand: desks each building and the whole estate needs against what it has;
- the move plan by directorate;
- rationalisation year by year: running cost, carbon and desks before and after closures,
  receipts from disposals, rent from partners.

How the rationalisation figures are counted (the report's ``basis`` repeats this):
- the baseline is the estate at the start of the first year shown: every building not yet closed;
- a building's running cost and carbon stop the day after it closed (``closed_on``); a site that
  went from market engagement straight to disposal closed on the day it was put up for disposal;
- ``annual_running_cost_saved_pence`` is the run rate at the year's end: the annual running cost of
  every baseline building closed by then; ``in_year_running_cost_saved_pence`` is what was actually
  saved within the year, pro rata by day (rounded down to the penny per building);
- ``anticipated_annual_running_cost_saved_pence`` adds closures planned to happen by the year's end;
- partner rent and energy-measure savings are annual run rates of the buildings still open at the
  year's end (a partner counts from the day it moved in, ``since``); disposal receipts fall in the year
  of disposal;
- ``partner_rent_gained_pence`` is the rent of partners who moved in since the start of the first year
  shown (co-location that came with the rationalisation), and ``annual_saving_pence`` the property
  plan's saving a year at the year's end: running cost no longer paid plus that rent (seed 001:
  "£500k a year initially, rising to £750k a year by the end of 2023").

The in-year rule (``saved_in_year``) is the one savings books a closure by: in the closure year the part
of the year after the closing day, the full amount from the next year (``civic.calendar.share_of_year_after``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from civic.calendar import FinancialYear, share_of_year_after

from civic_property.buildings.domain import CLOSURE_PLANNED, IN_USE, Building
from civic_property.domain import (
    financial_year_bounds,
    financial_year_of,
    financial_years,
)
from civic_property.teams.domain import WORKER_TYPES, DeskRatios, Move, Team

RATIONALISATION_BASIS = (
    "Baseline: buildings not closed before the first year. Running cost and carbon stop the day after "
    "closure. annual_* figures are run rates at the year's end; in_year_* is pro rata by day in the "
    "closure year and the full amount from the next. anticipated_* adds closures planned by the year's "
    "end. annual_saving_pence is the running cost saved plus rent from partners who moved in since the "
    "first year began."
)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def desk_demand(
    buildings: Iterable[Building], teams: Iterable[Team], ratios: DeskRatios, planned_moves: Iterable[Move]
) -> dict[str, Any]:
    """Desks needed against desks available, per building in use and for the whole estate.

    ``desks_committed`` counts the teams based in a building plus the teams planned to move in (the
    figure a new move is checked against); teams planned to move out still count until they go."""
    in_use = [b for b in buildings if b.status in IN_USE]
    team_list = list(teams)
    need = {t.id: ratios.desks_for(t.workforce) for t in team_list}
    moves_in: dict[str, int] = defaultdict(int)
    moves_out: dict[str, int] = defaultdict(int)
    for move in planned_moves:
        desks = need.get(move.team_id, 0)
        moves_in[move.to_building_id] += desks
        moves_out[move.from_building_id] += desks
    by_building: dict[str, list[Team]] = defaultdict(list)
    for team in team_list:
        by_building[team.building_id].append(team)

    rows = []
    for b in sorted(in_use, key=lambda b: b.name):
        based = by_building.get(b.id, [])
        needed = sum(need[t.id] for t in based)
        committed = needed + moves_in[b.id]
        after_moves = committed - moves_out[b.id]
        rows.append(
            {
                "building_id": b.id,
                "name": b.name,
                "status": b.status,
                "desks": b.desks,
                "teams": len(based),
                "headcount": sum(t.workforce.headcount for t in based),
                "desks_needed": needed,
                "surplus_desks": b.desks - needed,
                "planned_in_desks": moves_in[b.id],
                "planned_out_desks": moves_out[b.id],
                "desks_committed": committed,
                "desks_needed_after_moves": after_moves,
                "surplus_desks_after_moves": b.desks - after_moves,
                "needed_share": _share(needed, b.desks),
            }
        )
    estate_desks = sum(b.desks for b in in_use)
    in_use_ids = {b.id for b in in_use}
    estate_teams = [t for t in team_list if t.building_id in in_use_ids]
    estate_needed = sum(need[t.id] for t in estate_teams)
    headcount = {w: sum(getattr(t.workforce, w) for t in estate_teams) for w in WORKER_TYPES}
    return {
        "ratios": ratios.as_dict(),
        "estate": {
            "buildings": len(in_use),
            "desks": estate_desks,
            "headcount": sum(headcount.values()),
            "headcount_by_worker_type": headcount,
            "desks_needed": estate_needed,
            "surplus_desks": estate_desks - estate_needed,
            "needed_share": _share(estate_needed, estate_desks),
        },
        "buildings": rows,
        # teams whose recorded home is no longer in use (should not happen: closing needs them moved)
        "teams_without_building": sorted(t.name for t in team_list if t.building_id not in in_use_ids),
    }


def move_plan(
    moves: Iterable[Move], teams: Mapping[str, Team], buildings: Mapping[str, Building], ratios: DeskRatios
) -> dict[str, Any]:
    """Moves grouped by directorate, then by destination: who goes where, and when."""
    directorates: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for move in sorted(moves, key=lambda m: (m.planned_for, m.id)):
        team = teams.get(move.team_id)
        if team is None:
            continue
        source = buildings.get(move.from_building_id)
        destination = buildings.get(move.to_building_id)
        directorates[team.directorate].append(
            {
                "move_id": move.id,
                "team_id": team.id,
                "team_name": team.name,
                "from_building_id": move.from_building_id,
                "from_building_name": source.name if source else None,
                "to_building_id": move.to_building_id,
                "to_building_name": destination.name if destination else None,
                "planned_for": move.planned_for,
                "status": move.status,
                "completed_on": move.completed_on,
                "headcount": team.workforce.headcount,
                "desks": ratios.desks_for(team.workforce),
            }
        )
    result = []
    for name in sorted(directorates):
        items = directorates[name]
        destinations: dict[str, dict[str, Any]] = {}
        for item in items:
            dest = destinations.setdefault(
                item["to_building_id"],
                {
                    "building_id": item["to_building_id"],
                    "name": item["to_building_name"],
                    "teams": 0,
                    "desks": 0,
                },
            )
            dest["teams"] += 1
            dest["desks"] += item["desks"]
        result.append(
            {
                "directorate": name,
                "moves": items,
                "destinations": sorted(destinations.values(), key=lambda d: d["name"] or ""),
                "planned": sum(1 for i in items if i["status"] == "planned"),
                "completed": sum(1 for i in items if i["status"] == "completed"),
            }
        )
    return {"directorates": result}


def default_years(buildings: Iterable[Building], today: date) -> tuple[str, str]:
    """From the year of the first closure (or this year) to the last year anything is planned."""
    days = [today]
    for b in buildings:
        days += [d for d in (b.closed_on, b.disposed_on) if d is not None]
        if b.status == CLOSURE_PLANNED and b.closure_date is not None:
            days.append(b.closure_date)
    return financial_year_of(min(days)), financial_year_of(max(days))


def saved_in_year(annual: int, closed_on: date, year: str) -> int:
    """What a building closed on ``closed_on`` saves of an annual figure (running cost, carbon) within the
    financial year ``year``: nothing before the closure year; in the closure year the part of the year
    after the closing day (``civic.calendar.share_of_year_after``: the building runs on its closing day),
    rounded down; the full amount in every year after. Savings books a closure by the same rule.
    """
    closure_year = FinancialYear.of(closed_on)
    asked = FinancialYear.parse(year)
    if asked < closure_year:
        return 0
    if asked > closure_year:
        return annual
    share = share_of_year_after(closed_on)
    return annual * share.numerator // share.denominator


def _totals(buildings: Iterable[Building]) -> dict[str, int]:
    bs = list(buildings)
    return {
        "buildings": len(bs),
        "desks": sum(b.desks for b in bs),
        "annual_running_cost_pence": sum(b.annual_running_cost_pence for b in bs),
        "annual_carbon_kg": sum(b.annual_carbon_kg for b in bs),
    }


def rationalisation(buildings: Iterable[Building], first_year: str, last_year: str) -> dict[str, Any]:
    years = financial_years(first_year, last_year)
    start_of_window = financial_year_bounds(years[0])[0]
    baseline = [b for b in buildings if not (b.closed_on is not None and b.closed_on < start_of_window)]
    rows = []
    total_in_year = total_receipts = total_carbon_in_year = 0
    for year in years:
        start, end = financial_year_bounds(year)
        open_at_end = [b for b in baseline if not b.vacated_by(end)]
        closed_by_end = [b for b in baseline if b.vacated_by(end)]
        planned_by_end = [
            b
            for b in open_at_end
            if b.status == CLOSURE_PLANNED and b.closure_date is not None and b.closure_date <= end
        ]
        in_year = carbon_in_year = 0
        for b in closed_by_end:
            assert b.closed_on is not None
            in_year += saved_in_year(b.annual_running_cost_pence, b.closed_on, year)
            carbon_in_year += saved_in_year(b.annual_carbon_kg, b.closed_on, year)
        receipts = [b for b in baseline if b.disposed_on is not None and start <= b.disposed_on <= end]
        receipts_pence = sum(b.receipt_pence or 0 for b in receipts)
        measures = [
            m
            for b in open_at_end
            for m in b.energy_measures
            if m.installed_on is None or m.installed_on <= end
        ]
        after = _totals(open_at_end)
        saved = sum(b.annual_running_cost_pence for b in closed_by_end)
        rent_gained = sum(
            p.annual_rent_pence
            for b in open_at_end
            for p in b.partners
            if p.since is not None and start_of_window <= p.since <= end
        )
        carbon_saved = sum(b.annual_carbon_kg for b in closed_by_end)
        rows.append(
            {
                "year": year,
                "closed_in_year": [
                    {"building_id": b.id, "name": b.name, "closed_on": b.closed_on}
                    for b in sorted(closed_by_end, key=lambda b: (b.closed_on, b.name))
                    if b.closed_on is not None and start <= b.closed_on <= end
                ],
                "disposed_in_year": [
                    {
                        "building_id": b.id,
                        "name": b.name,
                        "disposed_on": b.disposed_on,
                        "method": b.disposal_method,
                        "receipt_pence": b.receipt_pence,
                    }
                    for b in sorted(receipts, key=lambda b: (b.disposed_on, b.name))
                ],
                "after": after,
                "annual_saving_pence": saved + rent_gained,
                "annual_running_cost_saved_pence": saved,
                "partner_rent_gained_pence": rent_gained,
                "in_year_running_cost_saved_pence": in_year,
                "anticipated_annual_running_cost_saved_pence": saved
                + sum(b.annual_running_cost_pence for b in planned_by_end),
                "annual_carbon_saved_kg": carbon_saved,
                "in_year_carbon_saved_kg": carbon_in_year,
                "anticipated_annual_carbon_saved_kg": carbon_saved
                + sum(b.annual_carbon_kg for b in planned_by_end),
                "desks_removed": sum(b.desks for b in closed_by_end),
                "disposal_receipts_pence": receipts_pence,
                "partner_rental_income_pence": sum(
                    p.annual_rent_pence for b in open_at_end for p in b.partners if p.there_by(end)
                ),
                "energy_measure_saving_pence": sum(m.expected_annual_saving_pence for m in measures),
                "energy_measure_carbon_saving_kg": sum(m.expected_carbon_saving_kg for m in measures),
            }
        )
        total_in_year += in_year
        total_carbon_in_year += carbon_in_year
        total_receipts += receipts_pence
    return {
        "from_year": years[0],
        "to_year": years[-1],
        "basis": RATIONALISATION_BASIS,
        "before": _totals(baseline),
        "years": rows,
        "totals": {
            "in_year_running_cost_saved_pence": total_in_year,
            "in_year_carbon_saved_kg": total_carbon_in_year,
            "disposal_receipts_pence": total_receipts,
        },
    }
