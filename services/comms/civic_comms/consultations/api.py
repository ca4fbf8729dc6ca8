"""HTTP edge of consultations: request models and routes, translating to the service layer and back.

A response outside the window is 409 (the consultation's state must change first); an answer that does
not fit its question is 422 naming the answer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeVar

from civic.http import NOT_BLANK, WHITE_SPACE, IfMatch, NonBlank, Paging, Pattern, RequestModel, Rt, rules, versioned
from civic.problems import answer_response
from fastapi import APIRouter, Response
from fastapi.responses import StreamingResponse
from pydantic import Field

from civic_comms.consultations import reports, service
from civic_comms.consultations.domain import BULK_LIMIT, CONSULTATION_KINDS, QUESTION_KINDS, RESPONSE_CHANNELS
from civic_comms.http import Reader, Title, Writer, records_routes
from civic_comms.respondents.domain import (
    AGE_BANDS,
    DISABILITY,
    EMAIL_LENGTH,
    EMAIL_PATTERN,
    ETHNIC_GROUPS,
    RESPONDENT_TYPES,
    SEXES,
)

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


RespondentType = Literal[RESPONDENT_TYPES]  # type: ignore[valid-type]
AgeBand = Literal[AGE_BANDS]  # type: ignore[valid-type]
Sex = Literal[SEXES]  # type: ignore[valid-type]
Disability = Literal[DISABILITY]  # type: ignore[valid-type]
EthnicGroup = Literal[ETHNIC_GROUPS]  # type: ignore[valid-type]
ContactEmail = Annotated[str, Pattern(EMAIL_PATTERN, "an email address such as name@example.com"),
                         Field(max_length=EMAIL_LENGTH)]
#: an address only from someone who agreed to be contacted, and then one is needed
_CONSENT = {"anyOf": [
    {"required": ["consent_to_contact", "contact_email"],
     "properties": {"consent_to_contact": {"const": True}, "contact_email": {"type": "string"}}},
    {"properties": {"consent_to_contact": {"const": False}, "contact_email": {"type": "null"}}},
]}


class Monitoring(RequestModel):
    """Equality monitoring (ONS / GSS harmonised standards' broad categories), every question optional. Kept apart
    from the answers, never exported with them, reported only in aggregate with small numbers suppressed."""

    age_band: AgeBand | None = Field(None, description=" | ".join(AGE_BANDS))
    sex: Sex | None = Field(None, description=" | ".join(SEXES))
    disability: Disability | None = Field(
        None, description="a condition lasting 12 months or more that limits day-to-day activities: "
        + " | ".join(DISABILITY))
    ethnicity: EthnicGroup | None = Field(None, description=" | ".join(ETHNIC_GROUPS))


class Respondent(RequestModel):
    """Who responded: the type (kept with the answers), monitoring and consent (kept apart from them)."""

    model_config = {"json_schema_extra": rules(_CONSENT)}

    respondent_type: RespondentType | None = Field(None, description=" | ".join(RESPONDENT_TYPES))
    monitoring: Monitoring | None = None
    consent_to_contact: bool = Field(False, description="whether the council may contact them about this")
    contact_email: ContactEmail | None = Field(None, description="only with consent_to_contact, and then needed")

    def respondent(self) -> dict[str, Any]:
        return self.model_dump(include={"respondent_type", "monitoring", "consent_to_contact", "contact_email"})


class ResponseBody(Respondent):
    answers: dict[str, Any] = Field(
        min_length=1,
        description="question id → answer: a Likert level, an option, a list of "
        "options, a whole number 1-7, or text; every required question answered",
    )


class BulkRow(Respondent):
    answers: dict[str, Any] = Field(min_length=1)
    channel: ResponseChannel = "paper"


class BulkResponses(RequestModel):
    responses: list[BulkRow] = Field(min_length=1, max_length=BULK_LIMIT)


records_routes(
    router, "/consultations", ("create_consultation", NewConsultation, service.create_consultation),
    ("list_consultations", reports.list_consultations), id_field="consultation_id",
)  # fmt: skip


@router.get("/consultations/{consultation_id}")
async def get_consultation(consultation_id: str, caller: Reader, rt: Rt) -> Response:
    return versioned(await reports.get_consultation(rt, consultation_id))


@router.post("/consultations/{consultation_id}/responses", status_code=201)
async def respond(consultation_id: str, body: ResponseBody, caller: Writer, rt: Rt) -> Response:
    """One response; refused (409) before opening and after closing, 422 when an answer does not fit."""
    return versioned(
        await service.respond(rt, consultation_id, body.answers, caller, respondent=body.respondent()), status=201
    )


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
Route = TypeVar("Route", bound=Callable[..., Any])


def attachment(filename: str) -> dict[str, str]:
    """The header that makes a download of the answer, saved as ``filename``."""
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def csv_route(path: str, what: str, response_class: type[Response]) -> Callable[[Route], Route]:
    """``GET path`` answering `what` as CSV text (a `response_class`: whole, or streamed)."""
    return router.get(
        path, response_class=response_class, responses={200: answer_response(what, "text/csv", {"type": "string"})}
    )


@csv_route("/consultations/{consultation_id}/results.csv", "The results as CSV", Response)
async def results_csv(consultation_id: str, caller: Reader, rt: Rt) -> Response:
    text = await reports.results_csv(rt, consultation_id)
    return Response(text, media_type=CSV, headers=attachment(f"consultation-{consultation_id}-results.csv"))


@csv_route("/consultations/{consultation_id}/responses.csv", "Every response as CSV", StreamingResponse)
async def responses_csv(consultation_id: str, caller: Reader, rt: Rt) -> Response:
    rows = await reports.responses_csv(rt, consultation_id)
    return StreamingResponse(
        rows, media_type=CSV, headers=attachment(f"consultation-{consultation_id}-responses.csv")
    )


@router.post("/consultations/{consultation_id}/close")
async def close_consultation(consultation_id: str, if_match: IfMatch, caller: Writer, rt: Rt) -> Response:
    """Close an open consultation now (it otherwise closes by itself at closes_at)."""
    return versioned(await service.close_consultation(rt, consultation_id, caller, if_match))
