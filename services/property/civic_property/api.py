"""HTTP edge of the property service: request models and routes, translating to the service layer."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Annotated, Any

from civic.errors import DomainError, Invalid
from civic.http import Caller, IfMatch, IsoDate, Page, RequestModel, current_runtime, paginate, require, versioned
from civic.problems import answer_response, problem_response
from civic.service import Runtime
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from civic_property import service
from civic_property.domain import EnergyMeasure, PartnerOccupant
from civic_property.occupancy import check_threshold, parse_csv, rows_from_json
from civic_property.repository import BUILDINGS, MOVES, OCCUPANCY, TEAMS

router = APIRouter(prefix="/v1", tags=["property"])

READ = Depends(require("property:read"))
WRITE = Depends(require("property:write"))
RT = Depends(current_runtime)


class Partner(RequestModel):
    name: str = Field(max_length=200)
    annual_rent_pence: int


class Measure(RequestModel):
    kind: str = Field(description="led, solar or other")
    expected_annual_saving_pence: int
    expected_carbon_saving_kg: int
    installed_on: date | None = None


class NewBuilding(RequestModel):
    name: str = Field(max_length=200)
    town: str = Field(max_length=200)
    kind: str = Field(description="office, locality_hub, depot or other")
    desks: int
    tenure: str = Field(description="freehold, leasehold or other")
    annual_running_cost_pence: int = Field(
        description="total cost of running the building, utilities included"
    )
    annual_carbon_kg: int
    annual_utility_cost_pence: int = Field(0, description="the utilities part of the running cost")
    floor_area_m2: int | None = None
    partners: list[Partner] = Field(default_factory=list, max_length=100)
    energy_measures: list[Measure] = Field(default_factory=list, max_length=100)
    notes: str | None = Field(None, description="e.g. which figures are illustrative")


class BuildingChanges(RequestModel):
    name: str | None = Field(None, max_length=200)
    town: str | None = Field(None, max_length=200)
    kind: str | None = None
    desks: int | None = None
    tenure: str | None = None
    annual_running_cost_pence: int | None = None
    annual_carbon_kg: int | None = None
    annual_utility_cost_pence: int | None = None
    floor_area_m2: int | None = None
    partners: list[Partner] | None = Field(None, max_length=100)
    energy_measures: list[Measure] | None = Field(None, max_length=100)
    notes: str | None = None


class BuildingTransitionBody(RequestModel):
    to: str = Field(
        description="closure_planned, closed, for_disposal, disposed, market_engagement, operational"
    )
    on: date | None = Field(None, description="closure date (required for closure_planned); default today")
    method: str | None = Field(None, description="sale, lease or transfer (disposed only)")
    receipt_pence: int | None = Field(None, description="what the disposal raised (disposed only)")


class OccupancyBody(RequestModel):
    date: date
    occupied_desks: int


class WorkforceBody(RequestModel):
    fixed: int = 0
    part_flexible: int = 0
    flexible: int = 0
    field: int = 0


class NewTeam(RequestModel):
    name: str = Field(max_length=200)
    directorate: str = Field(max_length=200)
    building_id: str = Field(max_length=64)
    workforce: WorkforceBody


class TeamChanges(RequestModel):
    name: str | None = Field(None, max_length=200)
    directorate: str | None = Field(None, max_length=200)
    workforce: WorkforceBody | None = None


class DeskRatiosBody(RequestModel):
    fixed: float
    part_flexible: float
    flexible: float
    field: float


class ThresholdBody(RequestModel):
    threshold: float


class NewMove(RequestModel):
    team_id: str = Field(max_length=64)
    to_building_id: str = Field(max_length=64)
    planned_for: date


class MoveTransitionBody(RequestModel):
    to: str = Field(description="completed or cancelled")
    on: date | None = Field(None, description="when the move happened; default today")


class ReviewBody(RequestModel):
    model_config = ConfigDict(populate_by_name=True)

    period_from: date = Field(alias="from")
    period_to: date = Field(alias="to")
    threshold: float | None = None


class UnsupportedMediaType(DomainError):
    status = 415
    title = "Unsupported media type"
    type_slug = "unsupported-media-type"


def _building_fields(body: BaseModel, exclude_unset: bool = False) -> dict[str, Any]:
    fields = body.model_dump(exclude_unset=exclude_unset)
    if fields.get("partners") is not None:
        fields["partners"] = [PartnerOccupant(**p) for p in fields["partners"]]
    if fields.get("energy_measures") is not None:
        fields["energy_measures"] = [EnergyMeasure(**m) for m in fields["energy_measures"]]
    return fields


# --- buildings -------------------------------------------------------------------------------


@router.post("/buildings", status_code=201)
async def register_building(body: NewBuilding, caller: Caller = WRITE, rt: Runtime = RT) -> JSONResponse:
    return versioned(await service.register_building(rt, _building_fields(body)), status=201)


@router.get("/buildings")
async def list_buildings(
    page: Page = Depends(),
    status: str | None = Query(None, max_length=40),
    town: str | None = Query(None, max_length=200),
    kind: str | None = Query(None, max_length=40),
    caller: Caller = READ,
    rt: Runtime = RT,
) -> dict[str, Any]:
    query = {k: v for k, v in {"status": status, "town": town, "kind": kind}.items() if v is not None}
    return await paginate(rt.db[BUILDINGS], query, page)


@router.get("/buildings/{building_id}")
async def get_building(building_id: str, caller: Caller = READ, rt: Runtime = RT) -> JSONResponse:
    return versioned(await service.get_building(rt, building_id))


@router.patch("/buildings/{building_id}")
async def amend_building(
    building_id: str, body: BuildingChanges, if_match: IfMatch, caller: Caller = WRITE, rt: Runtime = RT
) -> JSONResponse:
    changes = _building_fields(body, exclude_unset=True)
    nulls = sorted(k for k, v in changes.items() if v is None and k not in ("notes", "floor_area_m2"))
    if nulls:
        raise Invalid(
            "These fields cannot be emptied.",
            errors=[{"field": k, "message": "must not be null"} for k in nulls],
        )
    return versioned(await service.amend_building(rt, building_id, changes, if_match))


@router.post("/buildings/{building_id}/transitions")
async def transition_building(
    building_id: str,
    body: BuildingTransitionBody,
    if_match: IfMatch,
    caller: Caller = WRITE,
    rt: Runtime = RT,
) -> JSONResponse:
    return versioned(
        await service.transition_building(
            rt,
            building_id,
            to=body.to,
            on=body.on,
            method=body.method,
            receipt_pence=body.receipt_pence,
            expected_version=if_match,
        )
    )


# --- occupancy -------------------------------------------------------------------------------


@router.post(
    "/buildings/{building_id}/occupancy",
    status_code=201,
    responses={200: answer_response("The day's earlier reading, corrected")},
)
async def record_occupancy(
    building_id: str, body: OccupancyBody, caller: Caller = WRITE, rt: Runtime = RT
) -> JSONResponse:
    """One day's reading: 201 when new, 200 when it corrects the day's earlier reading."""
    doc, created = await service.record_reading(rt, building_id, body.date, body.occupied_desks)
    return versioned(doc, status=201 if created else 200)


@router.get("/buildings/{building_id}/occupancy")
async def list_occupancy(
    building_id: str,
    page: Page = Depends(),
    period_from: Annotated[IsoDate | None, Query(alias="from")] = None,
    period_to: Annotated[IsoDate | None, Query(alias="to")] = None,
    caller: Caller = READ,
    rt: Runtime = RT,
) -> dict[str, Any]:
    await service.get_building(rt, building_id)  # 404 for an unknown building
    query: dict[str, Any] = {"building_id": building_id}
    if period_from or period_to:
        query["date"] = {}
        if period_from:
            query["date"]["$gte"] = period_from.isoformat()
        if period_to:
            query["date"]["$lte"] = period_to.isoformat()
    return await paginate(rt.db[OCCUPANCY], query, page)


IMPORT_DOC = {
    "requestBody": {
        "content": {
            "text/csv": {"schema": {"type": "string"}, "example": "building_id,date,occupied_desks\n..."},
            "multipart/form-data": {
                "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
            },
            "application/json": {
                "schema": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "building_id": {"type": "string"},
                            "date": {"type": "string", "format": "date"},
                            "occupied_desks": {"type": "integer"},
                        },
                    },
                }
            },
        }
    }
}


@router.post("/occupancy/import", openapi_extra=IMPORT_DOC, responses={415: problem_response(415)})
async def import_occupancy(request: Request, caller: Caller = WRITE, rt: Runtime = RT) -> dict[str, Any]:
    """Readings in bulk: a CSV (``text/csv`` body or a multipart ``file``) with columns building_id,
    date, occupied_desks, or a JSON list of the same. Any bad row: 422 listing every bad row by line,
    and nothing is imported."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("text/csv", "text/plain", "application/csv"):
        rows = parse_csv(_text(await request.body()))
    elif content_type == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise Invalid(
                "Send the CSV as the form field 'file'.", errors=[{"field": "file", "message": "missing"}]
            )
        rows = parse_csv(_text(await upload.read()))
    elif content_type == "application/json":
        try:
            payload = json.loads(await request.body())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DomainError("The request body is not valid JSON.") from exc
        except RecursionError as exc:  # hostile nesting: refuse it, never a 500
            raise DomainError("The request body is JSON nested too deeply.") from exc
        items = payload.get("readings") if isinstance(payload, dict) else payload
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise Invalid(
                "Send a JSON list of {building_id, date, occupied_desks}.",
                errors=[{"field": "body", "message": "must be a list of objects"}],
            )
        rows = rows_from_json(items)
    else:
        raise UnsupportedMediaType(
            f"Send text/csv, multipart/form-data or application/json, not {content_type or 'nothing'}."
        )
    return await service.import_readings(rt, rows)


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Invalid(
            "The file must be UTF-8 text.", errors=[{"field": "file", "message": "not UTF-8"}]
        ) from exc


@router.get("/buildings/{building_id}/utilisation")
async def building_utilisation(
    building_id: str,
    period_from: Annotated[
        IsoDate | None, Query(alias="from", description="default: 29 days before 'to'")
    ] = None,
    period_to: Annotated[IsoDate | None, Query(alias="to", description="default: today")] = None,
    threshold: Annotated[float | None, Query(gt=0, le=1, description="default: the configured one")] = None,
    caller: Caller = READ,
    rt: Runtime = RT,
) -> dict[str, Any]:
    last = period_to or service.today()
    first = period_from or last - timedelta(days=29)
    return await service.building_utilisation(rt, building_id, first, last, threshold)


@router.post("/utilisation-reviews")
async def review_utilisation(body: ReviewBody, caller: Caller = WRITE, rt: Runtime = RT) -> dict[str, Any]:
    """Checks every building in use over an ended period; publishes
    ``property.building.low_utilisation_detected`` once per under-used building and period."""
    threshold = body.threshold
    if threshold is not None:
        threshold = check_threshold(threshold)
    return await service.review_utilisation(rt, body.period_from, body.period_to, threshold)


@router.get("/utilisation-settings")
async def get_utilisation_settings(caller: Caller = READ, rt: Runtime = RT) -> JSONResponse:
    return versioned(await service.get_utilisation_settings(rt))


@router.put("/utilisation-settings")
async def put_utilisation_settings(
    body: ThresholdBody, if_match: IfMatch, caller: Caller = WRITE, rt: Runtime = RT
) -> JSONResponse:
    return versioned(await service.put_utilisation_settings(rt, body.threshold, if_match))


# --- teams -----------------------------------------------------------------------------------


@router.post("/teams", status_code=201)
async def create_team(body: NewTeam, caller: Caller = WRITE, rt: Runtime = RT) -> JSONResponse:
    team = await service.create_team(
        rt, body.name, body.directorate, body.building_id, body.workforce.model_dump()
    )
    return versioned(team, status=201)


@router.get("/teams")
async def list_teams(
    page: Page = Depends(),
    building_id: str | None = Query(None, max_length=64),
    directorate: str | None = Query(None, max_length=200),
    caller: Caller = READ,
    rt: Runtime = RT,
) -> dict[str, Any]:
    query = {
        k: v for k, v in {"building_id": building_id, "directorate": directorate}.items() if v is not None
    }
    return await paginate(rt.db[TEAMS], query, page)


@router.get("/teams/{team_id}")
async def get_team(team_id: str, caller: Caller = READ, rt: Runtime = RT) -> JSONResponse:
    return versioned(await service.get_team(rt, team_id))


@router.patch("/teams/{team_id}")
async def amend_team(
    team_id: str, body: TeamChanges, if_match: IfMatch, caller: Caller = WRITE, rt: Runtime = RT
) -> JSONResponse:
    """Name, directorate and workforce; the home building changes only by a completed move."""
    changes = body.model_dump(exclude_unset=True)
    return versioned(await service.amend_team(rt, team_id, changes, if_match))


@router.get("/desk-ratios")
async def get_desk_ratios(caller: Caller = READ, rt: Runtime = RT) -> JSONResponse:
    return versioned(await service.get_desk_ratios(rt))


@router.put("/desk-ratios")
async def put_desk_ratios(
    body: DeskRatiosBody, if_match: IfMatch, caller: Caller = WRITE, rt: Runtime = RT
) -> JSONResponse:
    """Desks per worker of each type (0 to 1).

    Defaults: fixed 1.0, part_flexible 0.6, flexible 0.3, field 0.1."""
    return versioned(await service.put_desk_ratios(rt, body.model_dump(), if_match))


# --- moves -----------------------------------------------------------------------------------


@router.post("/moves", status_code=201)
async def plan_move(body: NewMove, caller: Caller = WRITE, rt: Runtime = RT) -> JSONResponse:
    return versioned(
        await service.plan_move(rt, body.team_id, body.to_building_id, body.planned_for), status=201
    )


@router.get("/moves")
async def list_moves(
    page: Page = Depends(),
    status: str | None = Query(None, max_length=20),
    team_id: str | None = Query(None, max_length=64),
    directorate: str | None = Query(None, max_length=200),
    to_building_id: str | None = Query(None, max_length=64),
    caller: Caller = READ,
    rt: Runtime = RT,
) -> dict[str, Any]:
    filters = {
        "status": status,
        "team_id": team_id,
        "directorate": directorate,
        "to_building_id": to_building_id,
    }
    return await paginate(rt.db[MOVES], {k: v for k, v in filters.items() if v is not None}, page)


@router.get("/moves/{move_id}")
async def get_move(move_id: str, caller: Caller = READ, rt: Runtime = RT) -> JSONResponse:
    return versioned(await service.get_move(rt, move_id))


@router.post("/moves/{move_id}/transitions")
async def transition_move(
    move_id: str, body: MoveTransitionBody, if_match: IfMatch, caller: Caller = WRITE, rt: Runtime = RT
) -> JSONResponse:
    return versioned(await service.transition_move(rt, move_id, body.to, body.on, if_match))


# --- reports ---------------------------------------------------------------------------------


@router.get("/reports/desk-demand")
async def desk_demand(caller: Caller = READ, rt: Runtime = RT) -> dict[str, Any]:
    return await service.desk_demand_report(rt)


@router.get("/reports/move-plan")
async def move_plan(
    directorate: str | None = Query(None, max_length=200),
    include_cancelled: bool = False,
    caller: Caller = READ,
    rt: Runtime = RT,
) -> dict[str, Any]:
    return await service.move_plan_report(rt, directorate, include_cancelled)


@router.get("/reports/rationalisation")
async def rationalisation(
    from_year: str | None = Query(None, max_length=7, description='e.g. "2022/23"'),
    to_year: str | None = Query(None, max_length=7),
    caller: Caller = READ,
    rt: Runtime = RT,
) -> dict[str, Any]:
    return await service.rationalisation_report(rt, from_year, to_year)


@router.get("/summary")
async def summary(caller: Caller = READ, rt: Runtime = RT) -> dict[str, Any]:
    return await service.summary(rt)
