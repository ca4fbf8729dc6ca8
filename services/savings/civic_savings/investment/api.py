"""HTTP <-> a programme's investment and payback. Translation only: the rules are in domain.py and figures.py,
the work in service.py.

A programme's investment lines live under it (``/v1/programmes/{name}/investment``), each with its own version
(ETag), which a change takes as If-Match; its payback is ``GET /v1/reports/payback/{name}``;
``POST /v1/payback-checks`` settles every programme's stored payback year now.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from civic.http import Paging, RequestModel, Rt
from fastapi import APIRouter, Query
from pydantic import Field

from civic_savings.http import Reader, Writer, new_record_route, record_routes
from civic_savings.initiatives.api import Pence, Reason, Year
from civic_savings.investment import payback_check, service
from civic_savings.investment.domain import INVESTMENT_CATEGORIES
from civic_savings.programme.api import TargetName, TargetNameText

router = APIRouter(prefix="/v1", tags=["savings"])

INVESTMENT_CATEGORY_KEYS = tuple(INVESTMENT_CATEGORIES)
InvestmentCategory = Literal[INVESTMENT_CATEGORY_KEYS]  # type: ignore[valid-type]
#: a programme, named as its initiatives and its target name it (e.g. "LGR")
Programme = Annotated[TargetNameText, TargetName]
LINES = "/programmes/{name}/investment"
ONE = LINES + "/{line_id}"


class NewInvestmentLine(RequestModel):
    category: InvestmentCategory = Field(
        description="pilots, transformation, other (programme costs) or staff (costs), as seed 003's finance report"
    )
    year: Year
    amount_pence: Pence = Field(description="the cost in the year, in pence (a cost, never a negative saving)")
    description: Reason | None = None


class InvestmentChanges(RequestModel):
    """Only the fields sent change."""

    category: InvestmentCategory = Field(None, description="cannot be emptied")
    year: Year = Field(None, description="cannot be emptied")  # type: ignore[assignment]
    amount_pence: Pence = Field(  # type: ignore[assignment]
        None, description="cannot be emptied; 0 when it is no longer spent"
    )
    description: Reason | None = None


new_record_route(
    router,
    LINES,
    "record",
    NewInvestmentLine,
    service.record,
    id_field="line_id",
    name=Programme,
    summary="Record a line of a programme's investment (its cost of change)",
)


@router.get(LINES, summary="A programme's investment lines")
async def list_lines(
    name: Programme, page: Paging, caller: Reader, rt: Rt,
    year: Annotated[Year | None, Query(description='e.g. "2020/21"')] = None,
    category: InvestmentCategory | None = None,
) -> dict[str, Any]:  # fmt: skip
    return await service.list_lines(rt, name, page, year, category)


record_routes(
    router,
    ONE,
    service.get,
    service.change,
    InvestmentChanges,
    amend_name="change",
    name=Programme,
    summaries=(
        "One investment line (its ETag for a change)",
        "Change an investment line (category, year, amount, description)",
    ),
)


@router.get(
    "/reports/payback/{name}",
    summary="A programme's investment against the savings it buys: net benefit by year and payback year",
)
async def payback(name: Programme, caller: Reader, rt: Rt) -> dict[str, Any]:
    return await service.payback(rt, name)


@router.post("/payback-checks", summary="Settle every programme's payback year again (the payback check)")
async def check_paybacks(caller: Writer, rt: Rt) -> dict[str, Any]:
    """Works out again the payback year of each programme with investment and publishes
    ``savings.programme.payback_moved`` for each whose stored year was stale (the background check does the same
    every ``CIVIC_SAVINGS_PAYBACK_CHECK_SECONDS``, 5 minutes unless set):
    ``{checked, moved: [{programme, previous_payback_year, payback_year}]}``."""
    return await payback_check.settle_paybacks(rt)
