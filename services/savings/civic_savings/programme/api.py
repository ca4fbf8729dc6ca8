"""HTTP <-> the programme's use cases: targets and cost avoidance. Translation only."""

from __future__ import annotations

from typing import Any

from civic.http import Caller, IfMatch, Page, RequestModel, current_runtime, require, versioned
from civic.problems import answer_response
from civic.service import Runtime
from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse
from pydantic import StrictInt

from civic_savings.initiatives.api import Year
from civic_savings.programme import service

router = APIRouter(prefix="/v1", tags=["savings"])

READ = Depends(require("savings:read"))
WRITE = Depends(require("savings:write"))

TargetName = Path(min_length=1, max_length=100, description='The programme\'s name, e.g. "LGR"')


class TargetBody(RequestModel):
    amount_pence: StrictInt
    description: str | None = None


class CostAvoidance(RequestModel):
    title: str
    directorate: str
    year: str = Year
    amount_pence: StrictInt
    programme: str | None = None
    description: str | None = None


# ---------------------------------------------------------------- targets


@router.put(
    "/targets/{name}",
    summary="Set a programme's savings target",
    responses={201: answer_response("The target was new")},
)
async def set_target(
    body: TargetBody,
    if_match: IfMatch,
    name: str = TargetName,
    caller: Caller = WRITE,
    rt: Runtime = Depends(current_runtime),
) -> JSONResponse:
    target, created = await service.set_target(rt, name, body.amount_pence, body.description, if_match)
    return versioned(target, status=201 if created else 200)


@router.get("/targets", summary="List targets")
async def list_targets(
    page: Page = Depends(), caller: Caller = READ, rt: Runtime = Depends(current_runtime)
) -> dict[str, Any]:
    return await service.list_targets(rt, page)


# ---------------------------------------------------------------- cost avoidance


@router.post("/cost-avoidance", status_code=201, summary="Record cost avoided (never counted as a saving)")
async def record_cost_avoidance(
    body: CostAvoidance, caller: Caller = WRITE, rt: Runtime = Depends(current_runtime)
) -> JSONResponse:
    return versioned(await service.record_cost_avoidance(rt, body.model_dump(), caller), status=201)


@router.get("/cost-avoidance", summary="List cost avoidance")
async def list_cost_avoidance(
    page: Page = Depends(),
    year: str | None = None,
    title: str | None = None,
    caller: Caller = READ,
    rt: Runtime = Depends(current_runtime),
) -> dict[str, Any]:
    return await service.list_cost_avoidance(rt, page, year=year, title=title)


@router.get("/cost-avoidance/{record_id}", summary="One cost avoidance record")
async def get_cost_avoidance(
    record_id: str, caller: Caller = READ, rt: Runtime = Depends(current_runtime)
) -> JSONResponse:
    return versioned(await service.get_cost_avoidance(rt, record_id))

