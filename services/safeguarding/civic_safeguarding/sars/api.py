"""HTTP <-> the SAR use cases. Translation only: rules in domain.py, work in service.py.

Case summaries and personal details are confidential: every route tells the service whether the
caller holds `safeguarding:confidential`, and the service leaves them out when not.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from civic.http import Id, IfMatch, LongRequired, LongText, Pence, RequestModel, Required, Rt, Text, versioned
from civic.problems import created
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import Field, StrictBool

from civic_safeguarding.http import CONFIDENTIAL, GIVEN, SAID, AreaRouter, Reader, Writer, asked_for
from civic_safeguarding.sars import reports, service
from civic_safeguarding.sars.domain import STEPS

router = AreaRouter()

Step = Literal[STEPS]  # type: ignore[valid-type]


class Person(RequestModel):
    """The person a review is about (an adult; a child for a practice review): confidential."""

    name: Required
    date_of_birth: date | None = None
    address: Text | None = None
    other: LongText | None = None


class NewSar(RequestModel):
    reference: Required = Field(
        description='Non-identifying, e.g. "Adult A" (never the adult\'s name); shown without the confidential scope'
    )
    case_summary: LongRequired = Field(description="CONFIDENTIAL")
    person: Person = Field(description="CONFIDENTIAL")
    referred_by: Required
    referred_on: date | None = None


class SarAction(RequestModel):
    action: Required
    owner: Required
    due_on: date = Field(description="not before the plan is agreed (on)")


class SarTransition(RequestModel):
    """Each step asks for its own fields: decision criteria_met and reasons; commissioned author,
    author_organisation and cost_pence; action_plan at least one action."""

    model_config = {
        "json_schema_extra": asked_for(
            "to",
            {
                "decision": {"criteria_met": GIVEN, "reasons": SAID},
                "commissioned": {"author": SAID, "author_organisation": SAID, "cost_pence": GIVEN},
                "action_plan": {"actions": {"type": "array", "minItems": 1}},
            },
        )
    }

    to: Step
    on: date | None = None
    criteria_met: StrictBool | None = None
    reasons: LongText | None = None
    author: Text | None = None
    author_organisation: Text | None = None
    cost_pence: Pence | None = None
    actions: list[SarAction] | None = Field(None, max_length=200)


@router.post("/boards/{board_id}/sars", status_code=201, responses=created("sar_id"))
async def refer_sar(board_id: Id, body: NewSar, caller: Writer, rt: Rt) -> JSONResponse:
    return versioned(await service.refer_sar(rt, board_id, body.model_dump(), caller.has(CONFIDENTIAL)), status=201)


router.confidential_records("/boards/{board_id}/sars", "/sars/{sar_id}", service.SAR_RECORDS)


@router.post("/sars/{sar_id}/transitions")
async def advance_sar(sar_id: Id, body: SarTransition, if_match: IfMatch, caller: Writer, rt: Rt) -> JSONResponse:
    return versioned(await service.advance_sar(rt, sar_id, body.model_dump(), if_match, caller.has(CONFIDENTIAL)))


class ActionCompletion(RequestModel):
    evidence: LongRequired = Field(description="what shows the action is done (never the adult's name)")
    completed_on: date | None = Field(None, description="by default today; not before the plan was agreed")


class LearningBriefingIn(RequestModel):
    summary: LongRequired = Field(description="what partners are to learn (never the adult's name)")
    issued_on: date | None = Field(None, description="by default today; not before the report was received")


@router.post("/sars/{sar_id}/actions/{action_id}/completion")
async def complete_sar_action(
    sar_id: Id, action_id: Id, body: ActionCompletion, if_match: IfMatch, caller: Writer, rt: Rt
) -> JSONResponse:
    return versioned(await service.complete_action(
        rt, sar_id, action_id, body.model_dump(), if_match, caller.has(CONFIDENTIAL)))  # fmt: skip


@router.post("/sars/{sar_id}/learning-briefing")
async def record_sar_learning_briefing(
    sar_id: Id, body: LearningBriefingIn, if_match: IfMatch, caller: Writer, rt: Rt
) -> JSONResponse:
    return versioned(await service.record_learning_briefing(
        rt, sar_id, body.model_dump(), if_match, caller.has(CONFIDENTIAL)))  # fmt: skip


@router.get("/boards/{board_id}/reports/overdue-sar-actions")
async def overdue_sar_actions(board_id: Id, caller: Reader, rt: Rt) -> dict[str, Any]:
    report: dict[str, Any] = jsonable_encoder(await reports.overdue_actions(rt, board_id))
    return report
