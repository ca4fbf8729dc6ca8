"""HTTP edge of "we asked, you said, we did": a consultation's outcome recorded, amended while a draft, and
published (``comms:approve``); and the published outcomes, newest first, as the public page's data.

Publishing before the consultation has closed, or with nothing written for "we did", is 409: the outcome (or
the consultation) must change first.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from civic.http import IfMatch, Paging, RequestModel, Rt, versioned
from civic.problems import created
from fastapi import APIRouter, Response
from pydantic import Field

from civic_comms.briefing.api import Url
from civic_comms.http import Reader, Writer
from civic_comms.outcomes import reports, service
from civic_comms.outcomes.domain import REFERENCE_LIMIT, WE_ASKED_LIMIT, WE_DID_LIMIT, YOU_SAID_LIMIT

router = APIRouter(tags=["consultations"])

WeAsked = Annotated[str, Field(max_length=WE_ASKED_LIMIT, description="what we asked; default (or blank): the "
                                                                       "consultation's description, else its title")]
YouSaid = Annotated[str, Field(max_length=YOU_SAID_LIMIT, description="what you said, in words; the headline "
                                                                       "results are attached")]
WeDid = Annotated[str, Field(max_length=WE_DID_LIMIT, description="what we did: the decision the consultation "
                                                                   "informed; needed to publish")]
DecidedBy = Annotated[str, Field(max_length=200, description="who took the decision (e.g. Cabinet)")]
Reference = Annotated[str, Field(max_length=REFERENCE_LIMIT, description="the decision's reference, e.g. a "
                                                                          "committee decision reference")]
DecisionUrl = Annotated[Url, Field(max_length=2000, description="where the decision is published")]


class NewOutcome(RequestModel):
    we_asked: WeAsked | None = None
    you_said: YouSaid | None = None
    we_did: WeDid | None = None
    decided_by: DecidedBy | None = None
    decided_on: date | None = Field(None, description="when the decision was taken")
    decision_reference: Reference | None = None
    decision_url: DecisionUrl | None = None


class OutcomeChanges(NewOutcome):
    """The parts given are changed (null clears one; we_asked cleared is the consultation's again)."""


@router.post("/consultations/{consultation_id}/outcome", status_code=201, responses=created("outcome_id"))
async def record_outcome(consultation_id: str, body: NewOutcome, caller: Writer, rt: Rt) -> Response:
    """Record the consultation's outcome as a draft (409 when it has one already); its id is the consultation's."""
    written = body.model_dump(exclude_unset=True)
    return versioned(await service.record_outcome(rt, consultation_id, written, caller), status=201)


@router.get("/consultation-outcomes/{outcome_id}")
async def get_outcome(outcome_id: str, caller: Reader, rt: Rt) -> Response:
    """The outcome, with the consultation's headline results (as published, or as they stand for a draft)."""
    return versioned(await reports.get_outcome(rt, outcome_id))


@router.patch("/consultation-outcomes/{outcome_id}")
async def amend_outcome(outcome_id: str, body: OutcomeChanges, if_match: IfMatch, caller: Writer, rt: Rt) -> Response:
    """Amend a draft outcome (409 once published)."""
    changes = body.model_dump(exclude_unset=True)
    return versioned(await service.amend_outcome(rt, outcome_id, changes, if_match))


@router.post("/consultation-outcomes/{outcome_id}/publication")
async def publish_outcome(outcome_id: str, if_match: IfMatch, caller: Writer, rt: Rt) -> Response:
    """Publish the outcome (comms:approve, else 403); 409 while the consultation is not closed, with nothing
    written for "we did", or published already."""
    return versioned(await service.publish_outcome(rt, outcome_id, caller, if_match))


@router.get("/consultation-outcomes")
async def published_outcomes(page: Paging, caller: Reader, rt: Rt) -> dict[str, Any]:
    """"We asked, you said, we did": every published outcome, newest first."""
    return await reports.published_outcomes(rt, page)
