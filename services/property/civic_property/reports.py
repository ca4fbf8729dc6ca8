"""The estates team's reports and the dashboard's summary: the service-wide read side.

Each report fetches the buildings, teams and moves it needs; the figures are computed in
``figures.py`` (plain Python) and the utilisation in ``occupancy/figures.py``.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from civic.calendar import today
from civic.tallies import RECORDS
from pymongo import ASCENDING

from civic_property import figures
from civic_property.buildings.domain import CLOSURE_PLANNED, IN_USE, VACATED
from civic_property.domain import check_report_years
from civic_property.occupancy.figures import utilisation
from civic_property.occupancy.reports import days_for, under_used_threshold
from civic_property.repository import BUILDINGS, ESTATE, MOVES, TEAMS, building_from, move_from, team_from
from civic_property.teams.domain import PLANNED
from civic_property.teams.service import desk_ratios

if TYPE_CHECKING:
    from civic.service import Runtime


async def _all(rt: Runtime, collection: str, query: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    return list(await rt.db[collection].find(query or {}).to_list())


async def desk_demand_report(rt: Runtime) -> dict[str, Any]:
    buildings = [building_from(d) for d in await _all(rt, BUILDINGS, {"status": {"$in": list(IN_USE)}})]
    teams = [team_from(d) for d in await _all(rt, TEAMS)]
    moves = [move_from(d) for d in await _all(rt, MOVES, {"status": PLANNED})]
    return figures.desk_demand(buildings, teams, await desk_ratios(rt), moves)


async def move_plan_report(rt: Runtime, directorate: str | None, include_cancelled: bool) -> dict[str, Any]:
    query: dict[str, Any] = {} if include_cancelled else {"status": {"$ne": "cancelled"}}
    if directorate:
        query["directorate"] = directorate
    moves = [move_from(d) for d in await _all(rt, MOVES, query)]
    team_ids = list({m.team_id for m in moves})
    building_ids = list({b for m in moves for b in (m.from_building_id, m.to_building_id)})
    teams = {t["_id"]: team_from(t) for t in await _all(rt, TEAMS, {"_id": {"$in": team_ids}})}
    buildings = {
        b["_id"]: building_from(b) for b in await _all(rt, BUILDINGS, {"_id": {"$in": building_ids}})
    }
    return figures.move_plan(moves, teams, buildings, await desk_ratios(rt))


async def rationalisation_report(rt: Runtime, from_year: str | None, to_year: str | None) -> dict[str, Any]:
    buildings = [building_from(d) for d in await _all(rt, BUILDINGS)]
    first, last = figures.default_years(buildings, today())
    check_report_years(from_year, to_year)
    return figures.rationalisation(buildings, from_year or first, to_year or last)


async def summary(rt: Runtime) -> dict[str, Any]:
    """The dashboard's small picture: cheap, from indexed queries and the month read model."""
    # the estate's tally, kept by each change: counting every building on each dashboard held the
    # database up for every other caller once the estate had a few thousand
    estate = await ESTATE.read(rt.db)
    planned = (
        await rt.db[BUILDINGS]
        .find({"status": CLOSURE_PLANNED}, {"name": 1, "closure_date": 1})
        .sort("closure_date", ASCENDING)
        .to_list()
    )
    in_use = (
        await rt.db[BUILDINGS].find({"status": {"$in": list(IN_USE)}}, {"name": 1}).sort("name").to_list()
    )
    # the last 30 days, ending yesterday (today's reading may not be in yet)
    last = date.fromordinal(today().toordinal() - 1)
    first = date.fromordinal(last.toordinal() - 29)
    threshold = await under_used_threshold(rt)
    days = await days_for(rt, [b["_id"] for b in in_use], first, last) if in_use else {}
    means, under_used = [], []
    for b in in_use:
        u = utilisation(days.get(b["_id"], []), threshold)
        if u.mean is not None:
            means.append(u.mean)
            if u.under_used:
                under_used.append({"building_id": b["_id"], "name": b["name"], "mean": u.mean})
    return {
        "buildings_by_status": {status: n[RECORDS] for status, n in estate.items()},
        "planned_closures": [
            {"building_id": b["_id"], "name": b["name"], "closure_date": b.get("closure_date")}
            for b in planned
        ],
        "utilisation": {
            "from": first.isoformat(),
            "to": last.isoformat(),
            "mean": round(sum(means) / len(means), 4) if means else None,
            "under_used": under_used,
        },
        "annual_running_cost_saved_pence": sum(
            n["annual_running_cost_pence"] for status, n in estate.items() if status in VACATED
        ),
    }
