"""HTTP edge of occupancy monitoring: readings, bulk imports, utilisation and its review."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from civic.errors import DomainError, Invalid
from civic.http import IfMatch, IsoDate, Number, Paging, RequestModel, Rt, versioned
from civic.problems import answer_response, problem_response
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import ConfigDict, Field

from civic_property.buildings.api import Count
from civic_property.http import Reader, Writer
from civic_property.occupancy import reports, service
from civic_property.occupancy.domain import CSV_COLUMNS, MAX_IMPORT_ROWS

router = APIRouter(prefix="/v1", tags=["property"])



#: a share of the desks in use: above 0, at most 1
Threshold = Annotated[Number, Field(gt=0, le=1, description="above 0 and at most 1")]


class OccupancyBody(RequestModel):
    date: date  # not in the future, nor after the building closed
    occupied_desks: Count = Field(description="at most the building's desks")


class ThresholdBody(RequestModel):
    threshold: Threshold


class ReviewBody(RequestModel):
    model_config = ConfigDict(populate_by_name=True)

    period_from: date = Field(alias="from")
    period_to: date = Field(alias="to", description="not before from, at most five years after it")
    threshold: Threshold | None = None


class UnsupportedMediaType(DomainError, status=415, title="Unsupported media type", type_slug="unsupported-media-type"):
    """An occupancy import in a form other than CSV or JSON."""


@router.post(
    "/buildings/{building_id}/occupancy",
    status_code=201,
    responses={200: answer_response("The day's earlier reading, corrected")},
)
async def record_occupancy(building_id: str, body: OccupancyBody, caller: Writer, rt: Rt) -> JSONResponse:
    """One day's reading: 201 when new, 200 when it corrects the day's earlier reading."""
    doc, created = await service.record_reading(rt, building_id, body.date, body.occupied_desks)
    return versioned(doc, status=201 if created else 200)


@router.get("/buildings/{building_id}/occupancy")
async def list_occupancy(
    building_id: str, page: Paging, caller: Reader, rt: Rt,
    period_from: Annotated[IsoDate | None, Query(alias="from")] = None,
    period_to: Annotated[IsoDate | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    return await service.list_readings(rt, building_id, page, period_from, period_to)


_ROW = {
    "type": "object",
    "required": list(CSV_COLUMNS),
    "properties": {
        "building_id": {"type": "string", "description": "a building on the register"},
        "date": {"type": "string", "format": "date", "description": "not in the future, nor after it closed"},
        "occupied_desks": {"type": "integer", "minimum": 0, "description": "at most the building's desks"},
    },
}
IMPORT_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}, "example": "building_id,date,occupied_desks\n..."},
            "multipart/form-data": {
                "schema": {"type": "object", "required": ["file"],
                           "properties": {"file": {"type": "string", "format": "binary"}}}
            },
            "application/json": {
                "schema": {"type": "array", "minItems": 1, "maxItems": MAX_IMPORT_ROWS, "items": _ROW}
            },
        },
    }
}


@router.post("/occupancy/import", openapi_extra=IMPORT_DOC, responses={415: problem_response(415)})
async def import_occupancy(request: Request, caller: Writer, rt: Rt) -> dict[str, Any]:
    """Readings in bulk: a CSV (``text/csv`` body or a multipart ``file``) with columns building_id,
    date, occupied_desks, or a JSON list of the same. Any bad row: 422 listing every bad row by line,
    and nothing is imported."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("text/csv", "text/plain", "application/csv"):
        return await service.import_csv(rt, _utf8(await request.body()))
    if content_type == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise Invalid.at("file", "missing", "Send the CSV as the form field 'file'.")
        return await service.import_csv(rt, _utf8(await upload.read()))
    if content_type == "application/json":
        try:
            payload = json.loads(await request.body())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DomainError("The request body is not valid JSON.") from exc
        except RecursionError as exc:  # hostile nesting: refuse it, never a 500
            raise DomainError("The request body is JSON nested too deeply.") from exc
        items = payload.get("readings") if isinstance(payload, dict) else payload
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise Invalid.at("body", "must be a list of objects", "Send a JSON list of {building_id, date, occupied_desks}.")
        return await service.import_json(rt, items)
    raise UnsupportedMediaType(
        f"Send text/csv, multipart/form-data or application/json, not {content_type or 'nothing'}."
    )


def _utf8(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Invalid.at("file", "not UTF-8", "The file must be UTF-8 text.") from exc


@router.get("/buildings/{building_id}/utilisation")
async def building_utilisation(
    building_id: str,
    caller: Reader,
    rt: Rt,
    period_from: Annotated[
        IsoDate | None, Query(alias="from", description="default: 29 days before 'to'")
    ] = None,
    period_to: Annotated[IsoDate | None, Query(alias="to", description="default: today")] = None,
    threshold: Annotated[float | None, Query(gt=0, le=1, description="default: the configured one")] = None,
) -> dict[str, Any]:
    return await reports.building_utilisation(rt, building_id, period_from, period_to, threshold)


@router.post("/utilisation-reviews")
async def review_utilisation(body: ReviewBody, caller: Writer, rt: Rt) -> dict[str, Any]:
    """Checks every building in use over an ended period; publishes
    ``property.building.low_utilisation_detected`` once per under-used building and period."""
    return await service.review_utilisation(rt, body.period_from, body.period_to, body.threshold)


@router.get("/utilisation-settings")
async def get_utilisation_settings(caller: Reader, rt: Rt) -> JSONResponse:
    return versioned(await service.get_utilisation_settings(rt))


@router.put("/utilisation-settings")
async def put_utilisation_settings(body: ThresholdBody, if_match: IfMatch, caller: Writer, rt: Rt) -> JSONResponse:
    return versioned(await service.put_utilisation_settings(rt, body.threshold, if_match))

