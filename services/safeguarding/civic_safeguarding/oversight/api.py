"""HTTP <-> the oversight use cases: budget, attendance report, sub-groups, annual reports, disputes.

Translation only: rules in domain.py, work in service.py, the attendance report in reports.py.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from civic.calendar import financial_year_pattern
from civic.http import FinancialYearText, Id, IfMatch, LongText, Pattern, Pence, RequestModel, Required, Rt, Text, versioned
from civic.problems import answer_response, links_from
from fastapi import Path, Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import Field

from civic_safeguarding.http import SAID, AreaRouter, Reader, Writer, asked_for
from civic_safeguarding.oversight import reports, service
from civic_safeguarding.oversight.domain import ANNUAL_REPORT_STEPS, DISPUTE_STEPS

router = AreaRouter()

AnnualReportStep = Literal[ANNUAL_REPORT_STEPS]  # type: ignore[valid-type]
DisputeStep = Literal[DISPUTE_STEPS]  # type: ignore[valid-type]
#: a year in a path may be written "2020-21": the slash of "2020/21" is awkward in a URL
YEAR_IN_PATH = financial_year_pattern().replace("/", "[/-]")
Year = Annotated[
    str,
    Pattern(YEAR_IN_PATH, 'a financial year written "2020/21" or "2020-21" (the next year\'s last two digits)'),
    Path(description='Financial year, "2020/21" (or "2020-21")'),
]


class ExpenditureLine(RequestModel):
    name: Required = Field(description="each line once (compared without case)")
    amount_pence: Pence


class Contribution(RequestModel):
    organisation: Required = Field(description="each organisation once (compared without case)")
    amount_pence: Pence


class BudgetBody(RequestModel):
    expenditure: list[ExpenditureLine] = Field(max_length=200)
    contributions: list[Contribution] = Field(max_length=50)


class WorkPlanLine(RequestModel):
    objective: Required
    business_plan_priority: Required
    due_on: date | None = None


class NewSubGroup(RequestModel):
    name: Required
    chair_member_id: Text | None = Field(None, description="a member of the board")
    work_plan: list[WorkPlanLine] = Field(default_factory=list, max_length=100)


class ToRReview(RequestModel):
    reviewed_on: date | None = None


class NewAnnualReport(RequestModel):
    year: FinancialYearText
    title: Required
    summary: LongText | None = None


class AnnualReportTransition(RequestModel):
    model_config = {"json_schema_extra": asked_for("to", {"approved": {"decision_id": {"minLength": 1}}})}

    to: AnnualReportStep
    decision_id: Text | None = Field(None, description="to approve (required): the board's decision in favour")
    on: date | None = None


class NewDispute(RequestModel):
    parties: list[Required] = Field(
        min_length=2,
        max_length=20,
        description="member organisations in dispute: at least two different ones (compared without case)",
    )
    subject: Required
    determined_on: date | None = None


class DisputeTransition(RequestModel):
    model_config = {"json_schema_extra": asked_for("to", {"resolved": {"resolution": SAID}})}

    to: DisputeStep
    on: date | None = Field(None, description="not before the dispute was determined")
    resolution: LongText | None = Field(None, description="how it was resolved (resolved only, required)")


def _year(year: str) -> str:
    """A year in a path may be written "2020-21": the slash of "2020/21" is awkward in a URL."""
    return year.replace("-", "/")


# --------------------------------------------------------------------------- budget


@router.put(
    "/boards/{board_id}/budget/{year:path}",
    responses={201: answer_response("The year's budget was new"), **links_from("year", "$request.path.year")},
)
async def set_budget(board_id: Id, year: Year, body: BudgetBody, if_match: IfMatch, caller: Writer, rt: Rt) -> JSONResponse:
    budget, created = await service.set_budget(rt, board_id, _year(year), body.model_dump(), if_match)
    return versioned(budget, status=201 if created else 200)


@router.get("/boards/{board_id}/budget/{year:path}")
async def get_budget(board_id: Id, year: Year, caller: Reader, rt: Rt) -> JSONResponse:
    return versioned(await service.get_budget(rt, board_id, _year(year)))


router.board_records("/boards/{board_id}/budgets", "list_budgets", service.BUDGET_RECORDS.of_board)


# --------------------------------------------------------------------------- attendance


@router.get("/boards/{board_id}/reports/attendance")
async def attendance_report(
    board_id: Id,
    caller: Reader,
    rt: Rt,
    last: int = Query(6, ge=1, le=60, description="last N meetings"),
) -> dict[str, Any]:
    report: dict[str, Any] = jsonable_encoder(await reports.attendance(rt, board_id, last))
    return report


# --------------------------------------------------------------------------- sub-groups


router.new_record("/boards/{board_id}/sub-groups", "form_sub_group", NewSubGroup, service.form_sub_group, "sub_group_id")
router.board_records("/boards/{board_id}/sub-groups", "list_sub_groups", service.list_sub_groups)
router.record("/sub-groups/{sub_group_id}", "get_sub_group", service.get_sub_group)


router.recorded(
    "/sub-groups/{sub_group_id}/tor-reviews",
    "review_terms_of_reference",
    ToRReview,
    "reviewed_on",
    service.review_terms_of_reference,
)


# --------------------------------------------------------------------------- annual reports


router.kept_records(
    "/boards/{board_id}/annual-reports",
    "/annual-reports/{report_id}",
    ("draft_annual_report", NewAnnualReport, service.draft_annual_report),
    service.ANNUAL_REPORT_RECORDS,
)
router.step(
    "/annual-reports/{report_id}/transitions",
    "advance_annual_report",
    AnnualReportTransition,
    service.advance_annual_report,
)


# --------------------------------------------------------------------------- disputes


router.kept_records(
    "/boards/{board_id}/disputes",
    "/disputes/{dispute_id}",
    ("raise_dispute", NewDispute, service.raise_dispute),
    service.DISPUTE_RECORDS,
)
router.step("/disputes/{dispute_id}/transitions", "advance_dispute", DisputeTransition, service.advance_dispute)
