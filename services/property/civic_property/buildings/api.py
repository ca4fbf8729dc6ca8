"""HTTP edge of the estate register: request models and routes, translating to the buildings' use cases."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from civic.http import MAX_WHOLE, WHOLE, IfMatch, Name, Paging, RequestModel, Rt, versioned
from civic.problems import created
from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import Field

from civic_property.buildings import service
from civic_property.buildings.domain import (
    BUILDING_KINDS,
    BUILDING_STATUSES,
    CLOSURE_PLANNED,
    DISPOSAL_METHODS,
    DISPOSED,
    ENERGY_MEASURE_KINDS,
    TENURES,
)
from civic_property.http import Reader, Writer, record_routes

router = APIRouter(prefix="/v1", tags=["property"])


# The enumerations are the domain's own tuples, so the schema states them and refuses anything else at the
# edge (422 naming the field, with every other field that does not fit); the domain keeps its own checks for
# callers other than HTTP, and the rules no schema can state (dates, the building's state).
Kind = Literal[BUILDING_KINDS]  # type: ignore[valid-type]
Tenure = Literal[TENURES]  # type: ignore[valid-type]
MeasureKind = Literal[ENERGY_MEASURE_KINDS]  # type: ignore[valid-type]
DisposalMethod = Literal[DISPOSAL_METHODS]  # type: ignore[valid-type]
BuildingStatus = Literal[BUILDING_STATUSES]  # type: ignore[valid-type]
Count = Annotated[int, Field(ge=0, le=MAX_WHOLE), WHOLE]
Notes = Annotated[str, Field(max_length=2000, description="e.g. which figures are illustrative")]


class Partner(RequestModel):
    name: Name = Field(description="each partner once in a building (names compared without case)")
    annual_rent_pence: Count
    since: date | None = Field(None, description="the day it moved in, when it came with the rationalisation")


class Measure(RequestModel):
    kind: MeasureKind
    expected_annual_saving_pence: Count
    expected_carbon_saving_kg: Count
    installed_on: date | None = None


class NewBuilding(RequestModel):
    name: Name
    town: Name
    kind: Kind
    desks: Count
    tenure: Tenure
    annual_running_cost_pence: Count = Field(description="total cost of running the building, utilities included")
    annual_carbon_kg: Count
    annual_utility_cost_pence: Count = Field(
        0, description="the utilities part of the running cost (not more than annual_running_cost_pence)"
    )
    floor_area_m2: Count | None = None
    partners: list[Partner] = Field(default_factory=list, max_length=100)
    energy_measures: list[Measure] = Field(default_factory=list, max_length=100)
    notes: Notes | None = None


class BuildingChanges(RequestModel):
    """Only the fields sent change; only ``notes`` and ``floor_area_m2`` may be null (to empty them)."""

    name: Name = None  # type: ignore[assignment]
    town: Name = None  # type: ignore[assignment]
    kind: Kind = None
    desks: Count = None  # type: ignore[assignment]
    tenure: Tenure = None
    annual_running_cost_pence: Count = None  # type: ignore[assignment]
    annual_carbon_kg: Count = None  # type: ignore[assignment]
    annual_utility_cost_pence: Count = None  # type: ignore[assignment]
    floor_area_m2: Count | None = None
    partners: list[Partner] = Field(None, max_length=100)  # type: ignore[arg-type]
    energy_measures: list[Measure] = Field(None, max_length=100)  # type: ignore[arg-type]
    notes: Notes | None = None


def _only_for(statuses: tuple[str, ...], *fields: str) -> dict[str, Any]:
    """``fields`` may be given (not null) only when ``to`` is one of ``statuses``."""
    given = [{"required": [f], "properties": {f: {"not": {"type": "null"}}}} for f in fields]
    return {"anyOf": [{"properties": {"to": {"enum": list(statuses)}}}, {"not": {"anyOf": given}}]}


def _required_for(status: str, *fields: str) -> dict[str, Any]:
    """``fields`` are required (not null) when ``to`` is ``status``."""
    return {"anyOf": [
        {"properties": {"to": {"not": {"const": status}}}},
        {"required": list(fields), "properties": {f: {"not": {"type": "null"}} for f in fields}},
    ]}


def _transition_schema(schema: dict[str, Any]) -> None:
    schema["allOf"] = [
        _only_for((DISPOSED,), "method", "receipt_pence"),
        _required_for(DISPOSED, "method", "receipt_pence"),
        _required_for(CLOSURE_PLANNED, "on"),
    ]


class BuildingTransitionBody(RequestModel):
    model_config = {"json_schema_extra": _transition_schema}

    to: BuildingStatus = Field(description=", ".join(BUILDING_STATUSES))
    on: date | None = Field(
        None, description="closure date (required for closure_planned); default today; not in the future for "
        "closed, for_disposal and disposed"
    )
    method: DisposalMethod | None = Field(None, description="how it was disposed of (disposed only, required)")
    receipt_pence: Count | None = Field(None, description="what the disposal raised (disposed only, required)")


@router.post("/buildings", status_code=201, responses=created("building_id"))
async def register_building(body: NewBuilding, caller: Writer, rt: Rt) -> JSONResponse:
    return versioned(await service.register_building(rt, body.model_dump()), status=201)


@router.get("/buildings")
async def list_buildings(
    page: Paging, caller: Reader, rt: Rt, status: BuildingStatus | None = None,
    town: Annotated[str | None, Query(max_length=200)] = None, kind: Kind | None = None,
) -> dict[str, Any]:
    return await service.list_buildings(rt, page, status=status, town=town, kind=kind)


record_routes(router, "/buildings/{building_id}", service.get_building, service.amend_building, BuildingChanges)


@router.post("/buildings/{building_id}/transitions")
async def transition_building(
    building_id: str, body: BuildingTransitionBody, if_match: IfMatch, caller: Writer, rt: Rt
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
