"""HTTP edge of the rationalisation target: the target by year, and its progress against closures and moves."""

from __future__ import annotations

from datetime import date
from typing import Any

from civic.http import FinancialYearText, IfMatch, Pence, RequestModel, Rt, Text, versioned
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import Field

from civic_property.http import FromYear, Reader, ToYear, Writer
from civic_property.target import service
from civic_property.target.domain import MAX_STEPS

router = APIRouter(prefix="/v1", tags=["property"])


class TargetStepBody(RequestModel):
    year: FinancialYearText = Field(description='e.g. "2023/24"; each year once, in order')
    annual_saving_pence: Pence = Field(description="the saving a year promised from this year on")
    by: date | None = Field(None, description="the day it is due by, within the year (default the year's end)")


class TargetBody(RequestModel):
    steps: list[TargetStepBody] = Field(max_length=MAX_STEPS, description="in order of year; empty clears the target")
    source: Text | None = Field(None, description="where the target comes from, e.g. the property plan")


@router.get("/rationalisation-target")
async def get_rationalisation_target(caller: Reader, rt: Rt) -> JSONResponse:
    return versioned(await service.get_target(rt))


@router.put("/rationalisation-target")
async def put_rationalisation_target(body: TargetBody, if_match: IfMatch, caller: Writer, rt: Rt) -> JSONResponse:
    """Sets the target by year (version 0 until first set); If-Match names the version it replaces."""
    steps = [s.model_dump() for s in body.steps]
    return versioned(await service.put_target(rt, steps, body.source, if_match))


@router.get("/reports/rationalisation-target")
async def rationalisation_target_report(
    caller: Reader, rt: Rt, from_year: FromYear = None, to_year: ToYear = None
) -> dict[str, Any]:
    """Year by year, the target against the saving a year delivered by closures and partners moving in, and
    anticipated with the closures planned (default: the target's first step's year to its last)."""
    return await service.target_report(rt, from_year, to_year)
