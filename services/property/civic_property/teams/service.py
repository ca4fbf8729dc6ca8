"""Use cases of teams and moves: teams and their workforce, the desk ratios, planning and completing moves.

Each use case's ``work`` runs in ``rt.transaction``, which runs it again when a concurrent change to
the same record won the race (everything the failed attempt wrote was rolled back): so ``work``
reads what it needs afresh and has no effect outside the database.

References inside a request body (a team's ``building_id``, a move's ``team_id`` or
``to_building_id``) that name nothing are validation failures (422 naming the field); an unknown id
in the path is 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from civic.calendar import today
from civic.documents import fields_of, insert, load, matching, new_id, resource
from civic.errors import Invalid
from civic.http import Page, paginate
from civic_contracts.property import MoveCompleted, MovePlanned

from civic_property.repository import (
    BUILDING_RECORDS,
    BUILDINGS,
    DESK_RATIOS_ID,
    MOVE_RECORDS,
    MOVES,
    SETTINGS,
    TEAM_RECORDS,
    TEAMS,
    building_from,
    move_document,
    put_setting,
    ratios_from,
    team_document,
    team_from,
)
from civic_property.teams.domain import COMPLETED, PLANNED, DeskRatios, Move, Team, Workforce

if TYPE_CHECKING:
    from datetime import date

    from civic.service import Runtime
    from civic.uow import UnitOfWork

#: the events of a move
E = TypeVar("E", MovePlanned, MoveCompleted)


async def _referenced(uow: UnitOfWork, collection: str, ref: str, field: str, kind: str) -> dict[str, Any]:
    doc = await uow.db[collection].find_one({"_id": ref}, session=uow.session)
    if doc is None:
        raise Invalid.at(field, f"no {kind} with this id", f"No {kind} with id {ref!r}.")
    return dict(doc)


# --- teams -----------------------------------------------------------------------------------


async def create_team(
    rt: Runtime, name: str, directorate: str, building_id: str, workforce: dict[str, int]
) -> dict[str, Any]:
    team_id = new_id()

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        building_doc = await _referenced(uow, BUILDINGS, building_id, "building_id", "building")
        team = Team.register(team_id, name, directorate, building_from(building_doc), Workforce(**workforce))
        return await insert(uow, TEAMS, team_document(team))

    return resource(await rt.transaction(work))


async def amend_team(
    rt: Runtime, team_id: str, changes: dict[str, Any], expected_version: int | None
) -> dict[str, Any]:
    return resource(await TEAM_RECORDS.change(rt, team_id, expected_version, lambda team: team.amend(changes)))


async def get_team(rt: Runtime, team_id: str) -> dict[str, Any]:
    return resource(await load(rt.db, TEAMS, team_id, kind="team"))



async def list_teams(
    rt: Runtime, page: Page, *, building_id: str | None, directorate: str | None
) -> dict[str, Any]:
    return await paginate(rt.db[TEAMS], matching(building_id=building_id, directorate=directorate), page)


# --- desk ratios -----------------------------------------------------------------------------


async def desk_ratios(rt: Runtime) -> DeskRatios:
    return ratios_from(await rt.db[SETTINGS].find_one({"_id": DESK_RATIOS_ID}))


async def get_desk_ratios(rt: Runtime) -> dict[str, Any]:
    doc = await rt.db[SETTINGS].find_one({"_id": DESK_RATIOS_ID})
    if doc is None:
        return {"id": DESK_RATIOS_ID, **DeskRatios().as_dict(), "version": 0}
    return {"id": DESK_RATIOS_ID, **doc["ratios"], "version": doc["version"]}


async def put_desk_ratios(
    rt: Runtime, ratios: dict[str, Any], expected_version: int | None
) -> dict[str, Any]:
    checked = DeskRatios.checked(**ratios)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        return await put_setting(uow, DESK_RATIOS_ID, {"ratios": checked.as_dict()}, expected_version)

    saved = resource(await rt.transaction(work))
    return {"id": DESK_RATIOS_ID, **saved["ratios"], "version": saved["version"]}


# --- moves -----------------------------------------------------------------------------------


async def _desks_committed(uow: UnitOfWork, building_id: str, ratios: DeskRatios) -> int:
    """Desks the teams based in the building need, plus those of teams planned to move in."""
    planned = (
        await uow.db[MOVES]
        .find({"to_building_id": building_id, "status": PLANNED}, {"team_id": 1}, session=uow.session)
        .to_list()
    )
    incoming = [m["team_id"] for m in planned]
    teams = (
        await uow.db[TEAMS]
        .find({"$or": [{"building_id": building_id}, {"_id": {"$in": incoming}}]}, session=uow.session)
        .to_list()
    )
    return sum(ratios.desks_for(team_from(t).workforce) for t in teams)


async def plan_move(rt: Runtime, team_id: str, to_building_id: str, planned_for: date) -> dict[str, Any]:
    ratios = await desk_ratios(rt)
    move_id = new_id()

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        team_doc = await _referenced(uow, TEAMS, team_id, "team_id", "team")
        dest_doc = await _referenced(uow, BUILDINGS, to_building_id, "to_building_id", "building")
        # touching the destination makes two moves planned into it at once conflict in the
        # database (one transaction aborts) instead of both passing the capacity check
        await uow.db[BUILDINGS].update_one(
            {"_id": to_building_id}, {"$inc": {"_moves_guard": 1}}, session=uow.session
        )
        team = team_from(team_doc)
        source_doc = await uow.db[BUILDINGS].find_one({"_id": team.building_id}, session=uow.session)
        has_move = await uow.db[MOVES].find_one({"team_id": team_id, "status": PLANNED}, session=uow.session)
        move = Move.plan(
            move_id,
            team=team,
            destination=building_from(dest_doc),
            planned_for=planned_for,
            desks_committed_at_destination=await _desks_committed(uow, to_building_id, ratios),
            team_desks=ratios.desks_for(team.workforce),
            team_has_planned_move=has_move is not None,
        )
        names = _move_names(team, source_doc, dest_doc)
        doc = await insert(uow, MOVES, move_document(move, **names))
        uow.emit(_move_event(MovePlanned, move, team, names["from_building_name"], names["to_building_name"]))
        return doc

    return resource(await rt.transaction(work))


def _move_names(team: Team, source: dict[str, Any] | None, dest: dict[str, Any]) -> dict[str, Any]:
    return {
        "team_name": team.name,
        "directorate": team.directorate,
        "from_building_name": source["name"] if source else "",
        "to_building_name": dest["name"],
    }


def _move_event(event: type[E], move: Move, team: Team, from_name: str, to_name: str, **extra: Any) -> E:
    """A move's event (planned or completed), from the move, its team and the two buildings' names."""
    return event(
        move_id=move.id,
        **fields_of(move, "team_id", "from_building_id", "to_building_id", "planned_for"),
        team_name=team.name,
        directorate=team.directorate,
        from_building_name=from_name,
        to_building_name=to_name,
        **extra,
    )


async def transition_move(
    rt: Runtime, move_id: str, to: str, on: date | None, expected_version: int | None
) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc, move = await MOVE_RECORDS.load(uow, move_id, expected_version)
        team_doc, team = await TEAM_RECORDS.load(uow, move.team_id)
        dest_doc, destination = await BUILDING_RECORDS.load(uow, move.to_building_id)
        day = move.transition(to, today=today(), on=on, team=team, destination=destination)
        saved = await MOVE_RECORDS.save(uow, doc, move)
        if to == COMPLETED:
            await TEAM_RECORDS.save(uow, team_doc, team)
            from_name = doc.get("from_building_name", "")
            uow.emit(_move_event(MoveCompleted, move, team, from_name, dest_doc["name"], completed_on=day))
        return saved

    return resource(await rt.transaction(work))


async def get_move(rt: Runtime, move_id: str) -> dict[str, Any]:
    return resource(await load(rt.db, MOVES, move_id, kind="move"))



async def list_moves(
    rt: Runtime,
    page: Page,
    *,
    status: str | None,
    team_id: str | None,
    directorate: str | None,
    to_building_id: str | None,
) -> dict[str, Any]:
    query = matching(status=status, team_id=team_id, directorate=directorate, to_building_id=to_building_id)
    return await paginate(rt.db[MOVES], query, page)
