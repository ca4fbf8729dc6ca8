"""HTTP <-> the programme's use cases: targets and cost avoidance. Translation only."""

from __future__ import annotations

from typing import Annotated, Any

from civic.http import TRIMMED, CreateOnly, IfMatch, Paging, Pattern, RequestModel, Rt, versioned
from civic.problems import answer_response, links_from
from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse
from pydantic import Field

from civic_savings.domain import MAX_REASON
from civic_savings.http import Reader, Writer, new_record_route
from civic_savings.initiatives.api import Pence, Reason, Text, Year
from civic_savings.programme import service

router = APIRouter(prefix="/v1", tags=["savings"])


#: a target is named as its programme: the name is its key, so it neither starts nor ends with spaces
TargetNameText = Annotated[str, Pattern(TRIMMED, "must not be blank, nor start or end with spaces")]
TargetName = Path(min_length=1, max_length=100, description='The programme\'s name, e.g. "LGR"')


class TargetBody(RequestModel):
    amount_pence: Pence
    description: Annotated[Reason, Field(max_length=MAX_REASON)] | None = None


class CostAvoidance(RequestModel):
    title: Text
    directorate: Text
    year: Year
    amount_pence: Pence
    programme: Text | None = None
    description: Reason | None = None


# ---------------------------------------------------------------- targets


@router.put(
    "/targets/{name}",
    summary="Set a programme's savings target",
    responses={201: answer_response("The target was new"), **links_from("name", "$request.path.name")},
)
async def set_target(
    body: TargetBody, if_match: IfMatch, create_only: CreateOnly, name: Annotated[TargetNameText, TargetName],
    caller: Writer, rt: Rt,
) -> JSONResponse:
    target, created = await service.set_target(rt, name, body.amount_pence, body.description, if_match,
                                               create_only=create_only)
    return versioned(target, status=201 if created else 200)


@router.get("/targets", summary="List targets")
async def list_targets(page: Paging, caller: Reader, rt: Rt) -> dict[str, Any]:
    return await service.list_targets(rt, page)


@router.get("/targets/{name}", summary="A programme's savings target (its ETag for a change)")
async def get_target(name: Annotated[TargetNameText, TargetName], caller: Reader, rt: Rt) -> JSONResponse:
    return versioned(await service.get_target(rt, name))


# ---------------------------------------------------------------- cost avoidance


new_record_route(router, "/cost-avoidance", "record_cost_avoidance", CostAvoidance, service.record_cost_avoidance,
                 summary="Record cost avoided (never counted as a saving)", id_field="record_id")


@router.get("/cost-avoidance", summary="List cost avoidance")
async def list_cost_avoidance(
    page: Paging, caller: Reader, rt: Rt, year: str | None = None, title: str | None = None
) -> dict[str, Any]:
    return await service.list_cost_avoidance(rt, page, year=year, title=title)


@router.get("/cost-avoidance/{record_id}", summary="One cost avoidance record")
async def get_cost_avoidance(record_id: str, caller: Reader, rt: Rt) -> JSONResponse:
    return versioned(await service.get_cost_avoidance(rt, record_id))

