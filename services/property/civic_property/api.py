"""HTTP edge of the property service: each area's routes, then the service-wide reports and summary.

The areas' routers are in ``buildings/api.py``, ``occupancy/api.py``, ``teams/api.py``, ``leases/api.py``,
``asset_register/api.py`` and ``target/api.py``; they are included in that order, which is the order the OpenAPI
lists them in.
"""

from __future__ import annotations

from typing import Any

from civic.http import Rt
from fastapi import APIRouter, Query

from civic_property import reports
from civic_property.asset_register import api as asset_register_api
from civic_property.buildings import api as buildings_api
from civic_property.http import FromYear, Reader, ToYear
from civic_property.leases import api as leases_api
from civic_property.occupancy import api as occupancy_api
from civic_property.target import api as target_api
from civic_property.teams import api as teams_api

service_wide = APIRouter(prefix="/v1", tags=["property"])


@service_wide.get("/reports/desk-demand")
async def desk_demand(caller: Reader, rt: Rt) -> dict[str, Any]:
    return await reports.desk_demand_report(rt)


@service_wide.get("/reports/move-plan")
async def move_plan(
    caller: Reader, rt: Rt, directorate: str | None = Query(None, max_length=200), include_cancelled: bool = False
) -> dict[str, Any]:
    return await reports.move_plan_report(rt, directorate, include_cancelled)


@service_wide.get("/reports/rationalisation")
async def rationalisation(caller: Reader, rt: Rt, from_year: FromYear = None, to_year: ToYear = None) -> dict[str, Any]:
    return await reports.rationalisation_report(rt, from_year, to_year)


@service_wide.get("/summary")
async def summary(caller: Reader, rt: Rt) -> dict[str, Any]:
    return await reports.summary(rt)


#: what main.py mounts
router = APIRouter()
for area in (
    buildings_api.router, occupancy_api.router, teams_api.router, leases_api.router, asset_register_api.router,
    target_api.router, service_wide,
):
    router.include_router(area)
