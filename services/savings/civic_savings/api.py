"""HTTP <-> the savings use cases: each area's routes, then the service-wide reports and summary.

Translation only: the areas' routers are in ``initiatives/api.py``, ``milestones/api.py``,
``programme/api.py``, ``investment/api.py``, ``risks/api.py`` and ``highlight_reports/api.py`` (included
in that order, the order the OpenAPI lists them in); the reports read the read model (``reports.py``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from civic.http import Rt, financial_year_list
from fastapi import APIRouter, Depends, Path, Query

from civic_savings import reports
from civic_savings.disaggregation import api as disaggregation_api
from civic_savings.domain import FIRST_YEAR_START, LAST_YEAR_START, MAX_AMOUNT_PENCE
from civic_savings.highlight_reports import api as highlight_reports_api
from civic_savings.highlight_reports.api import Month
from civic_savings.http import Reader
from civic_savings.initiatives import api as initiatives_api
from civic_savings.initiatives.api import Year
from civic_savings.investment import api as investment_api
from civic_savings.milestones import api as milestones_api
from civic_savings.programme import api as programme_api
from civic_savings.programme.api import TargetName, TargetNameText
from civic_savings.programme.domain import CATEGORIES
from civic_savings.risks import api as risks_api

service_wide = APIRouter(prefix="/v1", tags=["savings"])

# ---------------------------------------------------------------- reports

# parameters are Annotated with their Query/Path: a Query(...) given as the default drops the type's own rules
Years = Annotated[str, financial_year_list(FIRST_YEAR_START, LAST_YEAR_START),
                  Query(description="Financial years separated by commas, e.g. 2021/22,2022/23,2023/24")]
CATEGORY_NAMES = (*CATEGORIES, "all")
CategoryName = Literal[CATEGORY_NAMES]  # type: ignore[valid-type]
CategoryFilter = Annotated[
    CategoryName, Query(description=f"one of {', '.join(CATEGORIES)} or 'all' (default transformation)")
]


def register_filter(
    years: Years | None = None,
    directorate: str | None = None,
    programme: str | None = None,
    category: CategoryFilter | None = None,
) -> reports.RegisterFilter:
    """The query parameters the theme and variance reports share."""
    return reports.RegisterFilter(years=years, directorate=directorate, programme=programme, category=category)


Register = Annotated[reports.RegisterFilter, Depends(register_filter)]


@service_wide.get("/reports/themes", summary="Theme x year planned and delivered, with totals")
async def theme_report(register: Register, caller: Reader, rt: Rt) -> dict[str, Any]:
    return await reports.theme_report(rt.db, register)


@service_wide.get("/reports/target/{name}", summary="A programme against its target")
async def target_report(name: Annotated[TargetNameText, TargetName], caller: Reader, rt: Rt) -> dict[str, Any]:
    return await reports.target_report(rt.db, name)


@service_wide.get(
    "/reports/reconciliation", summary="Budget report less centrally controlled and technical adjustments"
)
async def reconciliation(
    year: Annotated[Year, Query(description='e.g. "2023/24"')],
    caller: Reader,
    rt: Rt,
    budget_report_pence: int | None = Query(
        None,
        ge=0,
        le=MAX_AMOUNT_PENCE,
        description="the savings figure in the budget report, positive pence (default: the register's total)",
    ),
    directorate: str | None = None,
) -> dict[str, Any]:
    return await reports.reconciliation(
        rt.db, year=year, budget_report_pence=budget_report_pence, directorate=directorate
    )


@service_wide.get("/reports/variance", summary="Planned, slipped, delivered and variance by year")
async def variance(register: Register, caller: Reader, rt: Rt) -> dict[str, Any]:
    return await reports.variance(rt.db, register)


@service_wide.get("/reports/highlights/{month}", summary="What moved, slipped and was delivered in a month")
async def highlights(
    month: Annotated[Month, Path(description="YYYY-MM, e.g. 2024-05")], caller: Reader, rt: Rt
) -> dict[str, Any]:
    return await reports.highlights(rt.db, month)


@service_wide.get("/summary", summary="The dashboard's savings panel")
async def summary(caller: Reader, rt: Rt) -> dict[str, Any]:
    return await reports.summary(rt.db)


#: what main.py mounts
router = APIRouter()
for area in (initiatives_api.router, milestones_api.router, programme_api.router, investment_api.router, risks_api.router,
             highlight_reports_api.router, disaggregation_api.router, service_wide):
    router.include_router(area)
