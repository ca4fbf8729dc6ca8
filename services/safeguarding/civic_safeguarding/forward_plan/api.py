"""HTTP <-> the forward plan of key decisions. Translation only: rules in domain.py, work in service.py and
reports.py."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from civic.http import NOT_BLANK_TEXT, Id, IsoDate, LongText, RequestModel, Required, Rt, Text, rules
from fastapi import Query
from pydantic import Field, StrictBool

from civic_safeguarding.forward_plan import reports, service
from civic_safeguarding.http import AreaRouter, Reader

router = AreaRouter()

# when it will be taken: at one of the board's meetings (its day), or on a day; one of the two, not both
_MEETING_OR_DAY = {"anyOf": [
    {"required": ["meeting_id"], "properties": {"meeting_id": {"type": "string"}, "to_be_taken_on": {"type": "null"}}},
    {"required": ["to_be_taken_on"],
     "properties": {"to_be_taken_on": {"type": "string"}, "meeting_id": {"type": "null"}}},
]}  # fmt: skip


class NewKeyDecision(RequestModel):
    """At least 28 clear days before it is taken, or urgent with the reason (the general exception) and 5."""

    model_config = {"json_schema_extra": rules(
        _MEETING_OR_DAY,
        {"anyOf": [{"not": {"required": ["urgent"], "properties": {"urgent": {"const": True}}}},
                   {"required": ["urgency_reason"], "properties": {"urgency_reason": NOT_BLANK_TEXT}}]},
    )}  # fmt: skip

    title: Required = Field(description="what will be decided")
    decision_maker: Required = Field(
        description="who decides, e.g. the board at its meeting, or the independent chair with the statutory partners"
    )
    meeting_id: Text | None = Field(None, description="the board's meeting that will take it (or to_be_taken_on)")
    to_be_taken_on: date | None = Field(None, description="the day it will be taken (or meeting_id)")
    documents: list[Required] = Field(
        default_factory=list, max_length=50, description="the documents to be considered, each once"
    )
    urgent: StrictBool = Field(
        False, description="the general exception: taken on less than 28 clear days' notice (at least 5)"
    )
    urgency_reason: LongText | None = Field(None, description="why it cannot wait (urgent only, required)")


router.new_record(
    "/boards/{board_id}/forward-plan",
    "add_key_decision",
    NewKeyDecision,
    service.add_key_decision,
    "key_decision_id",
)


@router.get("/boards/{board_id}/forward-plan")
async def forward_plan(
    board_id: Id,
    caller: Reader,
    rt: Rt,
    start: Annotated[IsoDate | None, Query(alias="from", description="first day; default today")] = None,
    end: Annotated[IsoDate | None, Query(alias="to", description="last day, not before from; default open")] = None,
) -> dict[str, Any]:
    return await reports.forward_plan(rt, board_id, start, end)


router.record("/key-decisions/{key_decision_id}", "get_key_decision", service.KEY_DECISION_RECORDS.one)
