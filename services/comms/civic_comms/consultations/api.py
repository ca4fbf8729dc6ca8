"""HTTP edge of consultations: request models and routes, translating to the service layer and back.

A response outside the window is 409 (the consultation's state must change first); an answer that does
not fit its question is 422 naming the answer.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from civic.http import NOT_BLANK, WHITE_SPACE, IfMatch, NonBlank, Paging, Pattern, RequestModel, Rt, rules, versioned
from civic.problems import answer_response, created
from fastapi import APIRouter, Response
from fastapi.responses import StreamingResponse
from pydantic import Field

from civic_comms.consultations import reports, service
from civic_comms.consultations.domain import BULK_LIMIT, CONSULTATION_KINDS, QUESTION_KINDS, RESPONSE_CHANNELS
from civic_comms.http import Reader, Title, Writer

router = APIRouter(tags=["consultations"])


QuestionKind = Literal[QUESTION_KINDS]  # type: ignore[valid-type]
ConsultationKind = Literal[CONSULTATION_KINDS]  # type: ignore[valid-type]
ResponseChannel = Literal[RESPONSE_CHANNELS]  # type: ignore[valid-type]


#: a question's id as the domain reads it: letters, digits, _ . - (at most 40), spaces around it ignored;
#: empty for the default (q1, q2, … in order)
QuestionId = Annotated[
    str,
    Pattern(f"^(?:[{WHITE_SPACE}]*[A-Za-z0-9_.-]{{1,40}}[{WHITE_SPACE}]*)?$", "letters, digits, _ . - only (at most 40)"),
]
CHOICES = ("single_choice", "multiple_choice")
#: single and multiple choice list at least two options, not blank; the other kinds have fixed answers (none)
_OPTIONS = {"anyOf": [
    {"required": ["kind", "options"], "properties": {"kind": {"enum": list(CHOICES)}, "options": {
        "type": "array", "minItems": 2, "uniqueItems": True, "items": {"pattern": NOT_BLANK}}}},
    {"properties": {"kind": {"not": {"enum": list(CHOICES)}}, "options": {"anyOf": [{"type": "null"}, {"maxItems": 0}]}}},
]}


class QuestionBody(RequestModel):
    model_config = {"json_schema_extra": rules(_OPTIONS)}

    id: QuestionId | None = Field(None, description="default q1, q2, … in order; each id once")
    text: Annotated[NonBlank, Field(max_length=2000)]
    kind: QuestionKind = Field(description=" | ".join(QUESTION_KINDS))
    options: list[str] | None = Field(
        None, max_length=50, description="single and multiple choice only: at least two, each once, not blank"
    )
    required: bool = False


def _one_of(first: str, second: str) -> dict[str, Any]:
    """Exactly one of two fields is given (not null)."""
    given = {name: {"required": [name], "properties": {name: {"not": {"type": "null"}}}} for name in (first, second)}
    return {"anyOf": [{"allOf": [given[first], {"not": given[second]}]},
                      {"allOf": [given[second], {"not": given[first]}]}]}


class NewConsultation(RequestModel):
    model_config = {"json_schema_extra": rules(_one_of("opens_on", "opens_at"), _one_of("closes_on", "closes_at"))}

    title: Title
    description: str | None = Field(None, max_length=20_000)
    kind: ConsultationKind = Field("consultation", description=" | ".join(CONSULTATION_KINDS))
    opens_on: date | None = Field(None, description="opens at the start of this day (UK time); or opens_at")
    opens_at: datetime | None = Field(None, description="with a time zone; or opens_on")
    closes_on: date | None = Field(
        None, description="last day responses are taken (UK time); or closes_at; after the opening"
    )
    closes_at: datetime | None = Field(None, description="with a time zone; or closes_on")
    questions: list[QuestionBody] = Field(min_length=1, max_length=100)


class ResponseBody(RequestModel):
    answers: dict[str, Any] = Field(
        min_length=1,
        description="question id → answer: a Likert level, an option, a list of "
        "options, a whole number 1-7, or text; every required question answered",
    )


class BulkRow(RequestModel):
    answers: dict[str, Any] = Field(min_length=1)
    channel: ResponseChannel = "paper"


class BulkResponses(RequestModel):
    responses: list[BulkRow] = Field(min_length=1, max_length=BULK_LIMIT)


@router.post("/consultations", status_code=201, responses=created("consultation_id"))
async def create_consultation(body: NewConsultation, caller: Writer, rt: Rt) -> Response:
    return versioned(await service.create_consultation(rt, body.model_dump(), caller), status=201)


@router.get("/consultations")
async def list_consultations(page: Paging, caller: Reader, rt: Rt) -> dict[str, Any]:
    return await reports.list_consultations(rt, page)


@router.get("/consultations/{consultation_id}")
async def get_consultation(consultation_id: str, caller: Reader, rt: Rt) -> Response:
    return versioned(await reports.get_consultation(rt, consultation_id))


@router.post("/consultations/{consultation_id}/responses", status_code=201)
async def respond(consultation_id: str, body: ResponseBody, caller: Writer, rt: Rt) -> Response:
    """One response; refused (409) before opening and after closing, 422 when an answer does not fit."""
    return versioned(await service.respond(rt, consultation_id, body.answers, caller), status=201)


@router.post("/consultations/{consultation_id}/responses/bulk", status_code=201)
async def respond_in_bulk(consultation_id: str, body: BulkResponses, caller: Writer, rt: Rt) -> dict[str, Any]:
    """Paper responses typed in, up to 1,000 a request: all stored or none."""
    return await service.respond_in_bulk(
        rt, consultation_id, [r.model_dump() for r in body.responses], caller
    )


@router.get("/consultations/{consultation_id}/responses")
async def list_responses(consultation_id: str, page: Paging, caller: Reader, rt: Rt) -> dict[str, Any]:
    return await reports.list_responses(rt, consultation_id, page)


@router.get("/consultations/{consultation_id}/results")
async def results(consultation_id: str, caller: Reader, rt: Rt) -> dict[str, Any]:
    """Counts and percentages per question (of those who answered it); Likert agreement
    (agree + strongly agree); mean and median of 1-7 scales."""
    return await reports.consultation_results(rt, consultation_id)


CSV = "text/csv; charset=utf-8"


def attachment(filename: str) -> dict[str, str]:
    """The header that makes a download of the answer, saved as ``filename``."""
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


@router.get(
    "/consultations/{consultation_id}/results.csv",
    response_class=Response,
    responses={200: answer_response("The results as CSV", "text/csv", {"type": "string"})},
)
async def results_csv(consultation_id: str, caller: Reader, rt: Rt) -> Response:
    text = await reports.results_csv(rt, consultation_id)
    return Response(text, media_type=CSV, headers=attachment(f"consultation-{consultation_id}-results.csv"))


@router.get(
    "/consultations/{consultation_id}/responses.csv",
    response_class=StreamingResponse,
    responses={200: answer_response("Every response as CSV", "text/csv", {"type": "string"})},
)
async def responses_csv(consultation_id: str, caller: Reader, rt: Rt) -> Response:
    rows = await reports.responses_csv(rt, consultation_id)
    return StreamingResponse(
        rows, media_type=CSV, headers=attachment(f"consultation-{consultation_id}-responses.csv")
    )


@router.post("/consultations/{consultation_id}/close")
async def close_consultation(consultation_id: str, if_match: IfMatch, caller: Writer, rt: Rt) -> Response:
    """Close an open consultation now (it otherwise closes by itself at closes_at)."""
    return versioned(await service.close_consultation(rt, consultation_id, caller, if_match))
