"""MongoDB adapter: collection names, indexes, and documents <-> domain objects.

Dates are stored as ISO strings ("2023-03-31"): they sort as text, compare in queries and come
back out of the API unchanged.

Occupancy is kept twice on purpose: one document per building and day (the record, unique by
its id ``<building_id>:<date>``) and one per building and month (``occupancy_months``, the read
model utilisation is computed from: a year of one building is twelve small documents).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from civic.documents import (
    Stored,
    check_version,
    day_from_text,
    day_text,
    fields_of,
    insert,
    save,
    values_of,
    values_or_none,
)
from civic.tallies import Tally
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from civic_property.buildings.domain import Building, EnergyMeasure, Lease, LeaseBreak, MapReference, PartnerOccupant
from civic_property.occupancy.domain import Reading
from civic_property.teams.domain import WORKER_TYPES, DeskRatios, Move, Team, Workforce

if TYPE_CHECKING:
    from civic.uow import UnitOfWork

BUILDINGS = "buildings"
TEAMS = "teams"
MOVES = "moves"
OCCUPANCY = "occupancy"
OCCUPANCY_MONTHS = "occupancy_months"
SETTINGS = "settings"
FINDINGS = "utilisation_findings"
#: each lease date (a break or the expiry) flagged as approaching, once: ``<building_id>:<kind>:<date>``
LEASE_FLAGS = "lease_flags"

DESK_RATIOS_ID = "desk_ratios"


async def ensure_indexes(db: AsyncDatabase[Any]) -> None:
    await db[BUILDINGS].create_index([("_name_key", ASCENDING)], unique=True, name="unique_name_in_town")
    await db[BUILDINGS].create_index([("status", ASCENDING)])
    await db[TEAMS].create_index([("building_id", ASCENDING)])
    await db[TEAMS].create_index([("directorate", ASCENDING)])
    await db[MOVES].create_index([("status", ASCENDING), ("to_building_id", ASCENDING)])
    await db[MOVES].create_index([("team_id", ASCENDING), ("status", ASCENDING)])
    await db[OCCUPANCY].create_index([("building_id", ASCENDING), ("date", ASCENDING)], unique=True)
    await db[OCCUPANCY_MONTHS].create_index([("building_id", ASCENDING), ("month", ASCENDING)], unique=True)
    await db[OCCUPANCY_MONTHS].create_index([("month", ASCENDING)])
    await db[BUILDINGS].create_index([("tenure", ASCENDING)])  # the lease review reads the leasehold ones
    # a UPRN or an asset id names one asset of the register: the check before a write reads, so two
    # registrations at the same moment could both pass it; these make the second fail (buildings hold
    # null when they have none, hence partial rather than sparse)
    for field_name in ("uprn", "asset_ref"):
        await db[BUILDINGS].create_index([(field_name, ASCENDING)], unique=True, name=f"one_building_per_{field_name}",
                                         partialFilterExpression={field_name: {"$type": "string"}})
    await ESTATE.count_once(db)


def name_key(name: str, town: str) -> str:
    """Two buildings of the same name in the same town would be one building registered twice."""
    return f"{' '.join(name.split()).casefold()}|{' '.join(town.split()).casefold()}"


# --- buildings -------------------------------------------------------------------------------


def building_from(doc: dict[str, Any]) -> Building:
    return Building(
        id=doc["_id"],
        **values_of(doc, "name", "town", "kind", "desks", "tenure", "annual_running_cost_pence", "annual_carbon_kg"),
        annual_utility_cost_pence=doc.get("annual_utility_cost_pence", 0),
        floor_area_m2=doc.get("floor_area_m2"),
        partners=[
            PartnerOccupant(p["name"], p["annual_rent_pence"], day_from_text(p.get("since")))
            for p in doc.get("partners", [])
        ],
        energy_measures=[
            EnergyMeasure(
                m["kind"],
                m["expected_annual_saving_pence"],
                m["expected_carbon_saving_kg"],
                day_from_text(m.get("installed_on")),
            )
            for m in doc.get("energy_measures", [])
        ],
        **values_or_none(doc, "notes", "uprn", "asset_ref", "street_number", "street_name", "postcode"),
        map_reference=MapReference(**doc["map_reference"]) if doc.get("map_reference") else None,
        interests_granted=list(doc.get("interests_granted", [])),
        lease=lease_from(doc.get("lease")),
        status=doc["status"],
        closure_date=day_from_text(doc.get("closure_date")),
        market_engagement_from=day_from_text(doc.get("market_engagement_from")),
        closed_on=day_from_text(doc.get("closed_on")),
        disposed_on=day_from_text(doc.get("disposed_on")),
        **values_or_none(doc, "disposal_method", "receipt_pence"),
    )


def lease_from(doc: dict[str, Any] | None) -> Lease | None:
    if not doc:
        return None
    return Lease(
        landlord=doc["landlord"],
        annual_rent_pence=doc["annual_rent_pence"],
        expires_on=date.fromisoformat(doc["expires_on"]),
        starts_on=day_from_text(doc.get("starts_on")),
        breaks=tuple(
            LeaseBreak(date.fromisoformat(b["on"]), b.get("notice_months")) for b in doc.get("breaks", [])
        ),
    )


def lease_fields(lease: Lease | None) -> dict[str, Any] | None:
    """A lease as stored and shown: dates as ISO text, each break with the last day to serve its notice."""
    if lease is None:
        return None
    return {
        **fields_of(lease, "landlord", "annual_rent_pence"),
        "starts_on": day_text(lease.starts_on),
        "expires_on": lease.expires_on.isoformat(),
        "breaks": [
            {"on": b.on.isoformat(), "notice_months": b.notice_months, "notice_by": day_text(b.notice_by)}
            for b in lease.breaks
        ],
    }


def _partner(p: PartnerOccupant) -> dict[str, Any]:
    shown: dict[str, Any] = {"name": p.name, "annual_rent_pence": p.annual_rent_pence}
    if p.since is not None:  # only a partner who came with the rationalisation has one
        shown["since"] = p.since.isoformat()
    return shown


def building_fields(b: Building) -> dict[str, Any]:
    """The stored (and API) fields of a building, without the bookkeeping ones."""
    return {
        **fields_of(b, "name", "town", "kind", "desks", "floor_area_m2", "tenure", "annual_running_cost_pence"),
        **fields_of(b, "annual_utility_cost_pence", "annual_carbon_kg"),
        "partners": [_partner(p) for p in b.partners],
        "energy_measures": [
            {
                **fields_of(m, "kind", "expected_annual_saving_pence", "expected_carbon_saving_kg"),
                "installed_on": day_text(m.installed_on),
            }
            for m in b.energy_measures
        ],
        **fields_of(b, "uprn", "asset_ref", "street_number", "street_name", "postcode"),
        "map_reference": fields_of(b.map_reference, "easting", "northing") if b.map_reference else None,
        "interests_granted": list(b.interests_granted),
        "lease": lease_fields(b.lease),
        **fields_of(b, "notes", "status"),
        "closure_date": day_text(b.closure_date),
        "market_engagement_from": day_text(b.market_engagement_from),
        "closed_on": day_text(b.closed_on),
        "disposed_on": day_text(b.disposed_on),
        "disposal_method": b.disposal_method,
        "receipt_pence": b.receipt_pence,
        "_name_key": name_key(b.name, b.town),
    }


def building_document(b: Building, previous: dict[str, Any] | None = None) -> dict[str, Any]:
    doc = dict(previous or {})
    doc.update(building_fields(b))
    doc["_id"] = b.id
    return doc


#: a building as the use cases load and save it
BUILDING_RECORDS = Stored(BUILDINGS, "building", building_from, building_document)
#: the estate by status: how many buildings and their running cost (the dashboard's counts and the cost of
#: the buildings vacated), kept by each change rather than counted from every building on each view
ESTATE = Tally("estate_by_status", BUILDINGS, figures=("annual_running_cost_pence",))


# --- teams and moves -------------------------------------------------------------------------


def team_from(doc: dict[str, Any]) -> Team:
    w = doc["workforce"]
    return Team(
        id=doc["_id"],
        **values_of(doc, "name", "directorate", "building_id"),
        workforce=Workforce(**values_of(w, *WORKER_TYPES)),
    )


def team_document(t: Team, previous: dict[str, Any] | None = None) -> dict[str, Any]:
    doc = dict(previous or {})
    doc.update(
        _id=t.id,
        **fields_of(t, "name", "directorate", "building_id"),
        workforce=fields_of(t.workforce, *WORKER_TYPES),
    )
    return doc


def move_from(doc: dict[str, Any]) -> Move:
    return Move(
        id=doc["_id"],
        **values_of(doc, "team_id", "from_building_id", "to_building_id", "status"),
        planned_for=date.fromisoformat(doc["planned_for"]),
        completed_on=day_from_text(doc.get("completed_on")),
    )


def move_document(m: Move, previous: dict[str, Any] | None = None, **names: Any) -> dict[str, Any]:
    doc = dict(previous or {})
    doc.update(
        _id=m.id,
        **fields_of(m, "team_id", "from_building_id", "to_building_id"),
        planned_for=m.planned_for.isoformat(),
        status=m.status,
        completed_on=day_text(m.completed_on),
        **names,
    )
    return doc


#: a team and a move as the use cases load and save them
TEAM_RECORDS = Stored(TEAMS, "team", team_from, team_document)
MOVE_RECORDS = Stored(MOVES, "move", move_from, move_document)


# --- settings: the desk ratios and the utilisation threshold -----------------------------------


async def put_setting(
    uow: UnitOfWork, setting_id: str, fields: dict[str, Any], expected_version: int | None
) -> dict[str, Any]:
    """Write one settings document; one never written counts as version 0 for If-Match."""
    doc = await uow.db[SETTINGS].find_one({"_id": setting_id}, session=uow.session)
    if doc is None:
        check_version({"version": 0}, expected_version)
        return await insert(uow, SETTINGS, {"_id": setting_id, **fields})
    check_version(doc, expected_version)
    return await save(uow, SETTINGS, {**doc, **fields}, doc["version"])


def ratios_from(doc: dict[str, Any] | None) -> DeskRatios:
    if doc is None:
        return DeskRatios()
    return DeskRatios(**{k: doc["ratios"][k] for k in ("fixed", "part_flexible", "flexible", "field")})


# --- occupancy -------------------------------------------------------------------------------


def reading_id(building_id: str, day: date) -> str:
    return f"{building_id}:{day.isoformat()}"


def month_id(building_id: str, month: str) -> str:
    return f"{building_id}:{month}"


def reading_document(r: Reading) -> dict[str, Any]:
    return {
        "_id": reading_id(r.building_id, r.on),
        "building_id": r.building_id,
        "date": r.on.isoformat(),
        "occupied_desks": r.occupied_desks,
        "desks": r.desks,
    }


def month_days(docs: list[dict[str, Any]], first: date, last: date) -> list[tuple[int, int]]:
    """``(occupied, desks)`` for each day of the month documents that falls within the period."""
    days: list[tuple[int, int]] = []
    for doc in docs:
        year, month = (int(p) for p in doc["month"].split("-"))
        for dd, (occupied, desks) in doc.get("days", {}).items():
            day = date(year, month, int(dd))
            if first <= day <= last:
                days.append((occupied, desks))
    return days
