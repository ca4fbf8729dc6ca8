"""HTTP <-> the SAR use cases. Translation only: rules in domain.py, work in service.py.

Case summaries and personal details are confidential: every route tells the service whether the
caller holds `safeguarding:confidential`, and the service leaves them out when not.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from civic.http import Caller, IfMatch, Page, RequestModel, current_runtime, versioned
from civic.service import Runtime
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import Field, StrictBool, StrictInt

from civic_safeguarding.http import CONFIDENTIAL, READ, WRITE, Id, LongText, Text
from civic_safeguarding.sars import service
from civic_safeguarding.sars.domain import STEPS

router = APIRouter(prefix="/v1", tags=["safeguarding"])

Step = Literal[STEPS]  # type: ignore[valid-type]


class Person(RequestModel):
    name: Text
    date_of_birth: date | None = None
    address: Text | None = None
    other: LongText | None = None


class NewSar(RequestModel):
    reference: Text = Field(
        description='Non-identifying, e.g. "Adult A"; shown without the confidential scope'
    )
    case_summary: LongText = Field(description="CONFIDENTIAL")
    person: Person = Field(description="CONFIDENTIAL")
    referred_by: Text
    referred_on: date | None = None


class SarAction(RequestModel):
    action: Text
    owner: Text
    due_on: date


class SarTransition(RequestModel):
    to: Step
    on: date | None = None
    criteria_met: StrictBool | None = None
    reasons: LongText | None = None
    author: Text | None = None
    author_organisation: Text | None = None
    cost_pence: StrictInt | None = None
    actions: list[SarAction] | None = Field(None, max_length=200)


@router.post("/boards/{board_id}/sars", status_code=201)
async def refer_sar(
    board_id: Id, body: NewSar, caller: Caller = Depends(WRITE), rt: Runtime = Depends(current_runtime)
) -> JSONResponse:
    return versioned(
        await service.refer_sar(rt, board_id, body.model_dump(), caller.has(CONFIDENTIAL)), status=201
    )


@router.get("/boards/{board_id}/sars")
async def list_sars(
    board_id: Id,
    page: Page = Depends(),
    caller: Caller = Depends(READ),
    rt: Runtime = Depends(current_runtime),
) -> dict[str, Any]:
    return await service.list_sars(rt, board_id, page, caller.has(CONFIDENTIAL))


@router.get("/sars/{sar_id}")
async def get_sar(
    sar_id: Id, caller: Caller = Depends(READ), rt: Runtime = Depends(current_runtime)
) -> JSONResponse:
    return versioned(await service.get_sar(rt, sar_id, caller.has(CONFIDENTIAL)))


@router.post("/sars/{sar_id}/transitions")
async def advance_sar(
    sar_id: Id,
    body: SarTransition,
    if_match: IfMatch,
    caller: Caller = Depends(WRITE),
    rt: Runtime = Depends(current_runtime),
) -> JSONResponse:
    return versioned(
        await service.advance_sar(rt, sar_id, body.model_dump(), if_match, caller.has(CONFIDENTIAL))
    )
