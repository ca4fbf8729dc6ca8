"""Use cases of the estate register: register, amend and move buildings along their lifecycle.

Each use case's ``work`` runs in ``rt.transaction``, which runs it again when a concurrent change to
the same record won the race (everything the failed attempt wrote was rolled back): so ``work``
reads what it needs afresh and has no effect outside the database. Every use case returns the
building as the API shows it.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from civic.calendar import today
from civic.documents import insert_op, load, matching, new_id, resource, write_together
from civic.errors import Invalid, Refused
from civic.http import Page, paginate
from civic.tallies import ShardsInUse
from civic_contracts.property import AffectedTeam, BuildingClosed, BuildingClosurePlanned, BuildingDisposed
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from civic_property.buildings.domain import (
    CLOSED,
    CLOSURE_PLANNED,
    DISPOSED,
    FOR_DISPOSAL,
    MARKET_ENGAGEMENT,
    Building,
    BuildingTransition,
    EnergyMeasure,
    Lease,
    LeaseBreak,
    MapReference,
    PartnerOccupant,
)
from civic_property.repository import (
    BUILDING_RECORDS,
    BUILDINGS,
    ESTATE,
    TEAMS,
    building_document,
    name_key,
    team_from,
)
from civic_property.teams.domain import Team

if TYPE_CHECKING:
    from datetime import date

    from civic.service import Runtime
    from civic.uow import UnitOfWork

#: the fields of a building that may be emptied by an amendment (sent as null)
NULLABLE = (
    "notes", "floor_area_m2", "uprn", "asset_ref", "street_number", "street_name", "postcode", "map_reference", "lease",
)


def _building_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """The request's fields with partners and energy measures as the domain's objects."""
    fields = dict(fields)
    if fields.get("partners") is not None:
        fields["partners"] = [PartnerOccupant(**p) for p in fields["partners"]]
    if fields.get("energy_measures") is not None:
        fields["energy_measures"] = [EnergyMeasure(**m) for m in fields["energy_measures"]]
    if fields.get("map_reference") is not None:
        fields["map_reference"] = MapReference(**fields["map_reference"])
    if fields.get("lease") is not None:
        lease = dict(fields["lease"])
        lease["breaks"] = tuple(LeaseBreak(**b) for b in lease.get("breaks") or ())
        fields["lease"] = Lease(**lease)
    return fields


# the estate's tally is written in a shard no other change of this process is writing (civic.tallies)
_SHARDS = ShardsInUse()


def _counted(building: Building | None) -> dict[str, Any] | None:
    """What the estate's tally counts of a building: its status and running cost."""
    if building is None:
        return None
    return {"status": building.status, "annual_running_cost_pence": building.annual_running_cost_pence}


async def _save(uow: UnitOfWork, doc: dict[str, Any], before: Building, after: Building, shard: int) -> dict[str, Any]:
    """The changed building saved over the document it was loaded from, and the estate's tally moved with it."""
    saved = await BUILDING_RECORDS.save(uow, doc, after)
    moved = ESTATE.writes(uow.db, _counted(before), _counted(after), shard)
    if moved:
        await write_together(uow, moved)
    return saved


async def _check_references(uow: UnitOfWork, building: Building) -> None:
    """A UPRN or an asset id names one asset of the register: another building holding it is refused (409)."""
    for field_name in ("uprn", "asset_ref"):
        value = getattr(building, field_name)
        if value is None:
            continue
        holder = await uow.db[BUILDINGS].find_one(
            {field_name: value, "_id": {"$ne": building.id}}, {"name": 1, "town": 1}, session=uow.session
        )
        if holder is not None:
            label = "UPRN" if field_name == "uprn" else "Asset id"
            raise Refused(
                f"{label} {value} is already on the register as {holder['name']} in {holder['town']}.",
                building_id=holder["_id"],
                field=field_name,
            )


def _taken_meanwhile(building: Building) -> Refused:
    """Another change at the same moment took this building's name in its town, its UPRN or its asset id
    (a unique index said so after the checks above had passed)."""
    return Refused(f"{building.name} in {building.town}, its UPRN or its asset id is already on the register: "
                   "another change registered it at the same moment. Nothing was changed.")


async def register_building(rt: Runtime, fields: dict[str, Any]) -> dict[str, Any]:
    building = Building.register(new_id(), **_building_fields(fields))

    async def work(uow: UnitOfWork, shard: int) -> dict[str, Any]:
        key = name_key(building.name, building.town)
        existing = await uow.db[BUILDINGS].find_one({"_name_key": key}, {"_id": 1}, session=uow.session)
        if existing is not None:
            raise Refused(
                f"{building.name} in {building.town} is already registered.", building_id=existing["_id"]
            )
        await _check_references(uow, building)
        # the building and the estate's tally in one command
        added, doc = insert_op(uow, BUILDINGS, building_document(building))
        try:
            await write_together(uow, [added, *ESTATE.writes(uow.db, None, _counted(building), shard)])
        except DuplicateKeyError as exc:  # registered by someone else at the same moment
            raise _taken_meanwhile(building) from exc
        return doc

    with _SHARDS.holding() as shard:
        return resource(await rt.transaction(lambda uow: work(uow, shard)))


async def get_building(rt: Runtime, building_id: str) -> dict[str, Any]:
    return resource(await load(rt.db, BUILDINGS, building_id, kind="building"))


async def list_buildings(
    rt: Runtime, page: Page, *, status: str | None, town: str | None, kind: str | None
) -> dict[str, Any]:
    return await paginate(rt.db[BUILDINGS], matching(status=status, town=town, kind=kind), page)


async def amend_building(
    rt: Runtime, building_id: str, changes: dict[str, Any], expected_version: int | None
) -> dict[str, Any]:
    """Only the fields sent change; only the optional ones (``NULLABLE``) may be sent as null."""
    nulls = sorted(k for k, v in changes.items() if v is None and k not in NULLABLE)
    if nulls:
        raise Invalid(
            "These fields cannot be emptied.",
            errors=[{"field": k, "message": "must not be null"} for k in nulls],
        )
    changes = _building_fields(changes)

    async def work(uow: UnitOfWork, shard: int) -> dict[str, Any]:
        doc, building = await BUILDING_RECORDS.load(uow, building_id, expected_version)
        amended = building.amend(**changes)
        key = name_key(amended.name, amended.town)
        clash = await uow.db[BUILDINGS].find_one(
            {"_name_key": key, "_id": {"$ne": building_id}}, {"_id": 1}, session=uow.session
        )
        if clash is not None:
            raise Refused(
                f"{amended.name} in {amended.town} is already registered.", building_id=clash["_id"]
            )
        await _check_references(uow, amended)
        try:
            return await _save(uow, doc, building, amended, shard)
        except DuplicateKeyError as exc:  # the name, UPRN or asset id taken by someone else at the same moment
            raise _taken_meanwhile(amended) from exc

    with _SHARDS.holding() as shard:
        return resource(await rt.transaction(lambda uow: work(uow, shard)))


async def transition_building(
    rt: Runtime,
    building_id: str,
    *,
    to: str,
    on: date | None,
    method: str | None,
    receipt_pence: int | None,
    expected_version: int | None,
) -> dict[str, Any]:
    async def work(uow: UnitOfWork, shard: int) -> dict[str, Any]:
        doc, building = await BUILDING_RECORDS.load(uow, building_id, expected_version)
        before = copy.deepcopy(building)
        teams = [
            team_from(t)
            for t in await uow.db[TEAMS]
            .find({"building_id": building_id}, session=uow.session)
            .sort("name", ASCENDING)
            .to_list()
        ]
        step = building.transition(
            to,
            today=today(),
            on=on,
            method=method,
            receipt_pence=receipt_pence,
            teams_based_here=[t.name for t in teams],
        )
        saved = await _save(uow, doc, before, building, shard)
        event = _building_event(building, step, teams)
        if event is not None:
            uow.emit(event)
        return saved

    with _SHARDS.holding() as shard:
        return resource(await rt.transaction(lambda uow: work(uow, shard)))


def _identity(b: Building) -> dict[str, Any]:
    """What every building event says of the building: its id, and its name in its town."""
    return {"building_id": b.id, "name": b.name, "town": b.town}


def _running_costs(b: Building) -> dict[str, Any]:
    """What a building that leaves the estate stops costing each year, in money and carbon."""
    return {"annual_running_cost_pence": b.annual_running_cost_pence, "annual_carbon_kg": b.annual_carbon_kg}


def _building_event(
    b: Building, step: BuildingTransition, teams: list[Team]
) -> BuildingClosurePlanned | BuildingClosed | BuildingDisposed | None:
    if step.to_status == CLOSURE_PLANNED:
        return BuildingClosurePlanned(
            **_identity(b),
            closure_date=step.on,
            teams=[AffectedTeam(team_id=t.id, name=t.name, directorate=t.directorate) for t in teams],
        )
    # every building that is vacated is "closed" once, whether it went through closure_planned
    # or straight from market engagement to disposal: savings counts the saving from this event
    if step.to_status == CLOSED or (step.to_status == FOR_DISPOSAL and step.from_status == MARKET_ENGAGEMENT):
        return BuildingClosed(**_identity(b), closed_on=step.on, **_running_costs(b))
    if step.to_status == DISPOSED:
        assert b.disposal_method in ("sale", "lease", "transfer") and b.receipt_pence is not None
        return BuildingDisposed(
            **_identity(b), disposed_on=step.on, method=b.disposal_method, receipt_pence=b.receipt_pence, **_running_costs(b)
        )
    return None
