"""HTTP edge of the land and building assets register: as JSON, and as the published CSV and workbook."""

from __future__ import annotations

from typing import Any

from civic.calendar import today
from civic.http import Rt
from civic.problems import answer_response
from fastapi import APIRouter
from fastapi.responses import Response

from civic_property.asset_register.figures import as_csv, register
from civic_property.asset_register.workbook import XLSX, as_workbook
from civic_property.http import Reader
from civic_property.repository import BUILDINGS, building_from
from civic_property.settings import property_settings

router = APIRouter(prefix="/v1", tags=["property"])

CSV = "text/csv; charset=utf-8"


async def _register(rt: Rt) -> dict[str, Any]:
    buildings = [building_from(d) for d in await rt.db[BUILDINGS].find({}).to_list()]
    return {"published_on": today().isoformat(), **register(buildings, property_settings().organisation)}


def _download(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


@router.get("/reports/asset-register")
async def asset_register(caller: Reader, rt: Rt) -> dict[str, Any]:
    """The Transparency Code's land and building assets register: every building the council holds, in the
    Code's layout (``layout``, ``columns``), and the buildings whose register fields are not complete."""
    return await _register(rt)


@router.get(
    "/reports/asset-register.csv",
    response_class=Response,
    responses={200: answer_response("The register as CSV, the Code's headings first", "text/csv", {"type": "string"})},
)
async def asset_register_csv(caller: Reader, rt: Rt) -> Response:
    report = await _register(rt)
    return Response(
        as_csv(report), media_type=CSV, headers=_download(f"land-and-building-assets-{report['published_on']}.csv")
    )


@router.get(
    "/reports/asset-register.xlsx",
    response_class=Response,
    responses={200: answer_response("The register as an Excel workbook", XLSX, {"type": "string", "format": "binary"})},
)
async def asset_register_xlsx(caller: Reader, rt: Rt) -> Response:
    report = await _register(rt)
    return Response(
        as_workbook(report),
        media_type=XLSX,
        headers=_download(f"land-and-building-assets-{report['published_on']}.xlsx"),
    )
