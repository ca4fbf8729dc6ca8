"""HTTP <-> the Child Safeguarding Practice Review use cases. Translation only: rules in domain.py, work in
service.py, the overdue rapid reviews in reports.py.

Case summaries and the child's details are confidential: every route tells the service whether the caller holds
`safeguarding:confidential`, and the service leaves them out when not.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from civic.http import Id, IfMatch, LongRequired, LongText, RequestModel, Required, Rt, Text, versioned
from civic.problems import created
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import Field, StrictBool

from civic_safeguarding.http import CONFIDENTIAL, GIVEN, SAID, AreaRouter, Reader, Writer, asked_for
from civic_safeguarding.practice_reviews import reports, service
from civic_safeguarding.practice_reviews.domain import STEPS
from civic_safeguarding.sars.api import Person

router = AreaRouter()

Step = Literal[STEPS]  # type: ignore[valid-type]


class Notification(RequestModel):
    reference: Required = Field(
        description='Non-identifying, e.g. "Child B" (never the child\'s name); shown without the confidential scope'
    )
    case_summary: LongRequired = Field(description="CONFIDENTIAL")
    child: Person = Field(description="CONFIDENTIAL")
    incident_known_on: date | None = Field(None, description="when the local authority learnt of it; by default today")
    notified_on: date | None = Field(
        None, description="the notification to the national Panel (due within 5 working days); by default incident_known_on"
    )


class ReviewTransition(RequestModel):
    """Each step asks for its own fields: rapid_review local_review and reasons (within 15 working days of the
    notification); commissioned reviewer and reviewer_organisation (independent of the partnership)."""

    model_config = {"json_schema_extra": asked_for("to", {
        "rapid_review": {"local_review": GIVEN, "reasons": SAID},
        "commissioned": {"reviewer": SAID, "reviewer_organisation": SAID},
    })}  # fmt: skip

    to: Step
    on: date | None = None
    local_review: StrictBool | None = None
    reasons: LongText | None = None
    reviewer: Text | None = None
    reviewer_organisation: Text | None = None


@router.post("/boards/{board_id}/practice-reviews", status_code=201, responses=created("practice_review_id"))
async def notify_serious_incident(board_id: Id, body: Notification, caller: Writer, rt: Rt) -> JSONResponse:
    return versioned(await service.notify(rt, board_id, body.model_dump(), caller.has(CONFIDENTIAL)), status=201)


router.confidential_records(
    "/boards/{board_id}/practice-reviews", "/practice-reviews/{practice_review_id}", service.REVIEW_RECORDS
)


@router.post("/practice-reviews/{practice_review_id}/transitions")
async def advance_practice_review(
    practice_review_id: Id, body: ReviewTransition, if_match: IfMatch, caller: Writer, rt: Rt
) -> JSONResponse:
    return versioned(await service.advance(rt, practice_review_id, body.model_dump(), if_match, caller.has(CONFIDENTIAL)))


@router.get("/boards/{board_id}/reports/overdue-rapid-reviews")
async def overdue_rapid_reviews(board_id: Id, caller: Reader, rt: Rt) -> dict[str, Any]:
    report: dict[str, Any] = jsonable_encoder(await reports.overdue_rapid_reviews(rt, board_id))
    return report
