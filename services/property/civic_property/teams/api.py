"""HTTP edge of teams and moves: request models and routes, translating to their use cases."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from civic.http import IfMatch, Name, Number, Paging, RequestModel, Rt, versioned
from civic.problems import created
from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import Field

from civic_property.buildings.api import Count
from civic_property.http import Reader, Writer, record_routes
from civic_property.teams import service
from civic_property.teams.domain import MOVE_TRANSITIONS, PLANNED, WORKER_TYPES

router = APIRouter(prefix="/v1", tags=["property"])


#: what a planned move can become, from the domain's own table
MOVE_OUTCOMES = MOVE_TRANSITIONS[PLANNED]
MoveOutcome = Literal[MOVE_OUTCOMES]  # type: ignore[valid-type]
MOVE_STATUSES = tuple(MOVE_TRANSITIONS)
MoveStatus = Literal[MOVE_STATUSES]  # type: ignore[valid-type]
Id = Annotated[str, Field(max_length=64)]
Ratio = Annotated[Number, Field(ge=0, le=1, description="desks per worker, 0 to 1")]


def _someone(schema: dict[str, Any]) -> None:
    """A team needs at least one worker: one of the headcounts is at least 1."""
    schema["anyOf"] = [{"required": [t], "properties": {t: {"minimum": 1}}} for t in WORKER_TYPES]


class WorkforceBody(RequestModel):
    model_config = {"json_schema_extra": _someone}

    fixed: Count = 0
    part_flexible: Count = 0
    flexible: Count = 0
    field: Count = 0


class NewTeam(RequestModel):
    name: Name
    directorate: Name
    building_id: Id = Field(description="a building on the register")
    workforce: WorkforceBody


class TeamChanges(RequestModel):
    name: Name = None  # type: ignore[assignment]
    directorate: Name = None  # type: ignore[assignment]
    workforce: WorkforceBody = None  # type: ignore[assignment]


class DeskRatiosBody(RequestModel):
    fixed: Ratio
    part_flexible: Ratio
    flexible: Ratio
    field: Ratio


class NewMove(RequestModel):
    team_id: Id = Field(description="a team on the register")
    to_building_id: Id = Field(description="a building on the register")
    planned_for: date


class MoveTransitionBody(RequestModel):
    to: MoveOutcome = Field(description=" or ".join(MOVE_OUTCOMES))
    on: date | None = Field(None, description="when the move happened (not in the future); default today")


# --- teams -----------------------------------------------------------------------------------


@router.post("/teams", status_code=201, responses=created("team_id"))
async def create_team(body: NewTeam, caller: Writer, rt: Rt) -> JSONResponse:
    team = await service.create_team(
        rt, body.name, body.directorate, body.building_id, body.workforce.model_dump()
    )
    return versioned(team, status=201)


@router.get("/teams")
async def list_teams(
    page: Paging, caller: Reader, rt: Rt, building_id: str | None = Query(None, max_length=64),
    directorate: str | None = Query(None, max_length=200),
) -> dict[str, Any]:
    return await service.list_teams(rt, page, building_id=building_id, directorate=directorate)


record_routes(
    router, "/teams/{team_id}", service.get_team, service.amend_team, TeamChanges,
    amend_notes="Name, directorate and workforce; the home building changes only by a completed move.",
)


@router.get("/desk-ratios")
async def get_desk_ratios(caller: Reader, rt: Rt) -> JSONResponse:
    return versioned(await service.get_desk_ratios(rt))


@router.put("/desk-ratios")
async def put_desk_ratios(body: DeskRatiosBody, if_match: IfMatch, caller: Writer, rt: Rt) -> JSONResponse:
    """Desks per worker of each type (0 to 1).

    Defaults: fixed 1.0, part_flexible 0.6, flexible 0.3, field 0.1."""
    return versioned(await service.put_desk_ratios(rt, body.model_dump(), if_match))


# --- moves -----------------------------------------------------------------------------------


@router.post("/moves", status_code=201, responses=created("move_id"))
async def plan_move(body: NewMove, caller: Writer, rt: Rt) -> JSONResponse:
    return versioned(
        await service.plan_move(rt, body.team_id, body.to_building_id, body.planned_for), status=201
    )


@router.get("/moves")
async def list_moves(
    page: Paging, caller: Reader, rt: Rt, status: MoveStatus | None = None, team_id: str | None = Query(None, max_length=64),
    directorate: str | None = Query(None, max_length=200), to_building_id: str | None = Query(None, max_length=64),
) -> dict[str, Any]:
    return await service.list_moves(
        rt, page, status=status, team_id=team_id, directorate=directorate, to_building_id=to_building_id
    )


@router.get("/moves/{move_id}")
async def get_move(move_id: str, caller: Reader, rt: Rt) -> JSONResponse:
    return versioned(await service.get_move(rt, move_id))


@router.post("/moves/{move_id}/transitions")
async def transition_move(move_id: str, body: MoveTransitionBody, if_match: IfMatch, caller: Writer, rt: Rt) -> JSONResponse:
    return versioned(await service.transition_move(rt, move_id, body.to, body.on, if_match))

