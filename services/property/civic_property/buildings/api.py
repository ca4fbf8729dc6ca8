"""HTTP edge of the estate register: request models and routes, translating to the buildings' use cases."""

from __future__ import annotations

from datetime import date
from typing import Any

from civic.http import Caller, IfMatch, Page, RequestModel, current_runtime, require, versioned
from civic.service import Runtime
from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import Field

from civic_property.buildings import service
from civic_property.buildings.domain import (
    BUILDING_KINDS,
    BUILDING_STATUSES,
    DISPOSAL_METHODS,
    ENERGY_MEASURE_KINDS,
    TENURES,
)

router = APIRouter(prefix="/v1", tags=["property"])

READ = Depends(require("property:read"))
WRITE = Depends(require("property:write"))
RT = Depends(current_runtime)

# The enumerated fields are plain text checked by the domain, not Literal types: the domain reports
# a bad kind or method together with every other broken rule of the body (a Literal would refuse it
# alone, before the rules run), and an unknown building in the path stays a 404. Their descriptions
# are written from the domain's tuples.


def _either(values: tuple[str, ...]) -> str:
    return f"{', '.join(values[:-1])} or {values[-1]}"


class Partner(RequestModel):
    name: str = Field(max_length=200)
    annual_rent_pence: int


class Measure(RequestModel):
    kind: str = Field(description=_either(ENERGY_MEASURE_KINDS))
    expected_annual_saving_pence: int
    expected_carbon_saving_kg: int
    installed_on: date | None = None


class NewBuilding(RequestModel):
    name: str = Field(max_length=200)
    town: str = Field(max_length=200)
    kind: str = Field(description=_either(BUILDING_KINDS))
    desks: int
    tenure: str = Field(description=_either(TENURES))
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
    to: str = Field(description=", ".join(BUILDING_STATUSES))
    on: date | None = Field(None, description="closure date (required for closure_planned); default today")
    method: str | None = Field(None, description=f"{_either(DISPOSAL_METHODS)} (disposed only)")
    receipt_pence: int | None = Field(None, description="what the disposal raised (disposed only)")


@router.post("/buildings", status_code=201)
async def register_building(body: NewBuilding, caller: Caller = WRITE, rt: Runtime = RT) -> JSONResponse:
    return versioned(await service.register_building(rt, body.model_dump()), status=201)


@router.get("/buildings")
async def list_buildings(
    page: Page = Depends(),
    status: str | None = Query(None, max_length=40),
    town: str | None = Query(None, max_length=200),
    kind: str | None = Query(None, max_length=40),
    caller: Caller = READ,
    rt: Runtime = RT,
) -> dict[str, Any]:
    return await service.list_buildings(rt, page, status=status, town=town, kind=kind)


@router.get("/buildings/{building_id}")
async def get_building(building_id: str, caller: Caller = READ, rt: Runtime = RT) -> JSONResponse:
    return versioned(await service.get_building(rt, building_id))


@router.patch("/buildings/{building_id}")
async def amend_building(
    building_id: str, body: BuildingChanges, if_match: IfMatch, caller: Caller = WRITE, rt: Runtime = RT
) -> JSONResponse:
    changes = body.model_dump(exclude_unset=True)
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
