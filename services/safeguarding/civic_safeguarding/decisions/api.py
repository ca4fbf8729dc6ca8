"""HTTP <-> the decisions use cases. Translation only: rules in domain.py, work in service.py.

A decision at a meeting is the meeting's route (meetings/api.py); these are the board's.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from civic.http import Id, IfMatch, Name, Paging, Pattern, RequestModel, Required, Rt, Text, versioned
from fastapi.responses import JSONResponse
from pydantic import Field

from civic_safeguarding.decisions import service
from civic_safeguarding.decisions.domain import CONTENT_ID_PATTERN, RATIFICATIONS, STATUSES
from civic_safeguarding.http import AreaRouter, Reader, Writer

router = AreaRouter()

Ratification = Literal[RATIFICATIONS]  # type: ignore[valid-type]
Status = Literal[STATUSES]  # type: ignore[valid-type]

#: a comms content item's id, as a decision names the item it authorises for publication
ContentId = Annotated[str, Pattern(CONTENT_ID_PATTERN, "a comms content item's id: letters, digits, _ and -, at most 64")]
#: what both routes that record a decision (this one and the meeting's) say of ``authorises_content_id``
AUTHORISES_CONTENT = (
    "the comms content item (its id) this decision authorises for publication: the board's sign-off on its "
    "own media communications. Published in safeguarding.decision.recorded; comms records the board's "
    "sign-off on that item when the decision is carried or agreed."
)


class BetweenMeetings(RequestModel):
    item_title: Required
    decided_by: Text = Field(description="member id of the chair, or the vice chair in their absence")
    consulted: list[Text] = Field(max_length=50, description="member ids of the statutory partners consulted")
    decided_on: date | None = None
    authorises_content_id: ContentId | None = Field(None, description=AUTHORISES_CONTENT)


router.new_record(
    "/boards/{board_id}/decisions",
    "decide_between_meetings",
    BetweenMeetings,
    service.decide_between_meetings,
    "decision_id",
)


@router.get("/boards/{board_id}/decisions")
async def list_decisions(
    board_id: Id,
    page: Paging,
    caller: Reader,
    rt: Rt,
    ratification: Ratification | None = None,
    status: Status | None = None,
) -> dict[str, Any]:
    return await service.list_decisions(rt, board_id, page, ratification, status)


class PartnerConfirmation(RequestModel):
    organisation: Required = Field(description="the statutory partner organisation confirming")
    member_id: Text = Field(description="its member on the board (who confirms, or whose named deputy does)")
    deputy_name: Name | None = Field(None, description="when the member's named deputy confirms for them")
    confirmed_on: date | None = None


@router.post("/decisions/{decision_id}/confirmations")
async def confirm_decision(
    decision_id: Id, body: PartnerConfirmation, if_match: IfMatch, caller: Writer, rt: Rt
) -> JSONResponse:
    return versioned(await service.confirm(rt, decision_id, body.model_dump(), if_match))


router.record("/decisions/{decision_id}", "get_decision", service.DECISION_RECORDS.one)
