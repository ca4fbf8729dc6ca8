"""HTTP <-> a programme's monthly highlight reports. Translation only: the rules are in domain.py, the report in
reports.py, the work in service.py.

``GET /v1/programmes/{name}/highlight-reports/{month}`` is the issued report when there is one (``issued:
true``), else the one generated now (``issued: false``); ``POST …/{month}/issue`` keeps it as generated.
"""

from __future__ import annotations

from typing import Annotated, Any

from civic.http import Paging, Pattern, Rt, versioned
from civic.problems import answer_response
from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from civic_savings.highlight_reports import service
from civic_savings.http import Reader, Writer
from civic_savings.programme.api import TargetName, TargetNameText

router = APIRouter(prefix="/v1", tags=["savings"])

#: a calendar month of the register's years, 2000-01 to 2099-12
Month = Annotated[str, Pattern(r"^20[0-9]{2}-(?:0[1-9]|1[0-2])$", "must be YYYY-MM between 2000-01 and 2099-12")]
MonthInPath = Annotated[Month, Path(description="YYYY-MM, e.g. 2024-05")]
#: a programme, named as its initiatives and its target name it (e.g. "LGR")
Programme = Annotated[TargetNameText, TargetName]
REPORTS = "/programmes/{name}/highlight-reports"


@router.post(
    REPORTS + "/{month}/issue", status_code=201, summary="Issue a programme's highlight report for a month",
    responses={201: answer_response("The report as issued, kept as generated now")},
)
async def issue(name: Programme, month: MonthInPath, caller: Writer, rt: Rt) -> JSONResponse:
    return versioned(await service.issue(rt, name, month, caller), status=201)


@router.get(REPORTS + "/{month}", summary="A programme's highlight report for a month: as issued, or generated now")
async def get_report(name: Programme, month: MonthInPath, caller: Reader, rt: Rt) -> dict[str, Any]:
    return await service.get(rt, name, month)


@router.get(REPORTS, summary="A programme's issued highlight reports, month by month")
async def list_issued(name: Programme, page: Paging, caller: Reader, rt: Rt) -> dict[str, Any]:
    return await service.list_issued(rt, name, page)
