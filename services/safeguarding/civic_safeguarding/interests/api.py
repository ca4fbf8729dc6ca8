"""HTTP <-> the register of interests. Translation only: rules in domain.py, work in service.py and reports.py.

A sensitive interest's details are confidential: every route that answers with an entry tells the service
whether the caller holds `safeguarding:confidential`, and the service leaves them out when not.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from civic.http import Id, IfMatch, LongText, Paging, RequestModel, Required, Rt, versioned
from civic.problems import created
from fastapi.responses import JSONResponse
from pydantic import Field

from civic_safeguarding.http import CONFIDENTIAL, AreaRouter, Reader, Writer
from civic_safeguarding.interests import reports, service
from civic_safeguarding.interests.domain import INTEREST_KINDS, INTEREST_STATUSES

router = AreaRouter()

InterestKind = Literal[INTEREST_KINDS]  # type: ignore[valid-type]
InterestStatus = Literal[INTEREST_STATUSES]  # type: ignore[valid-type]

CONCERNS = (
    "the organisations or matters the interest concerns, each once (compared without case or spacing): an agenda "
    "item naming one of them among its matters pre-fills the member's declaration on it"
)
DETAILS = (
    "CONFIDENTIAL: the particulars of a sensitive interest, shown only with safeguarding:confidential and never "
    "copied into a declaration, a decision notice or an event"
)
Concerns = Annotated[list[Required], Field(min_length=1, max_length=50, description=CONCERNS)]


class NewInterest(RequestModel):
    kind: InterestKind = Field(description="as the board's code of conduct has it")
    description: Required = Field(description="what the interest is, as the register publishes it")
    concerns: Concerns
    held_from: date | None = Field(None, description="by default the day it is registered")
    held_until: date | None = Field(None, description="not before held_from; none while it is held")
    details: LongText | None = Field(None, description=DETAILS)


class InterestChanges(RequestModel):
    """Only the fields sent change; only ``held_until`` and ``details`` may be null (to empty them)."""

    kind: InterestKind = None
    description: Required = None  # type: ignore[assignment]
    concerns: Concerns = None  # type: ignore[assignment]
    held_from: date = None  # type: ignore[assignment]
    held_until: date | None = Field(None, description="not before held_from")
    details: LongText | None = Field(None, description=DETAILS)


class Withdrawal(RequestModel):
    withdrawn_on: date | None = Field(None, description="by default today; not before it was registered")
    reason: LongText | None = None


class RegisterReview(RequestModel):
    reviewed_on: date | None = Field(None, description="by default today; not after today")
    reviewed_by: Required = Field(description="who reviewed the register with the member")


@router.post("/members/{member_id}/interests", status_code=201, responses=created("interest_id"))
async def register_interest(member_id: Id, body: NewInterest, caller: Writer, rt: Rt) -> JSONResponse:
    return versioned(await service.register_interest(rt, member_id, body.model_dump(), caller.has(CONFIDENTIAL)), status=201)


@router.get("/members/{member_id}/interests")
async def member_register(member_id: Id, caller: Reader, rt: Rt) -> dict[str, Any]:
    return await reports.member_register(rt, member_id, caller.has(CONFIDENTIAL))


@router.post("/members/{member_id}/interest-reviews", status_code=201)
async def review_register(member_id: Id, body: RegisterReview, caller: Writer, rt: Rt) -> JSONResponse:
    return versioned(await service.review_register(rt, member_id, body.model_dump()), status=201)


@router.get("/interests/{interest_id}")
async def get_interest(interest_id: Id, caller: Reader, rt: Rt) -> JSONResponse:
    return versioned(await service.get_interest(rt, interest_id, caller.has(CONFIDENTIAL)))


@router.patch("/interests/{interest_id}")
async def amend_interest(interest_id: Id, body: InterestChanges, if_match: IfMatch, caller: Writer, rt: Rt) -> JSONResponse:
    changes = body.model_dump(exclude_unset=True)
    return versioned(await service.amend_interest(rt, interest_id, changes, if_match, caller.has(CONFIDENTIAL)))


@router.post("/interests/{interest_id}/withdrawal")
async def withdraw_interest(interest_id: Id, body: Withdrawal, if_match: IfMatch, caller: Writer, rt: Rt) -> JSONResponse:
    return versioned(await service.withdraw_interest(rt, interest_id, body.model_dump(), if_match, caller.has(CONFIDENTIAL)))


@router.get("/boards/{board_id}/interests")
async def list_interests(
    board_id: Id, page: Paging, caller: Reader, rt: Rt, status: InterestStatus | None = None
) -> dict[str, Any]:
    return await service.list_interests(rt, board_id, page, status, caller.has(CONFIDENTIAL))


@router.get("/boards/{board_id}/reports/interests")
async def board_register(board_id: Id, caller: Reader, rt: Rt) -> dict[str, Any]:
    return await reports.board_register(rt, board_id, caller.has(CONFIDENTIAL))
