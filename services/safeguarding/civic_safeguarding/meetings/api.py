"""HTTP <-> the meetings use cases. Translation only: rules in domain.py, work in service.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from civic.errors import Invalid
from civic.http import NOT_BLANK, Id, IfMatch, LongText, RequestModel, Required, Rt, Text, rules, versioned, when
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import Field, StrictBool

from civic_safeguarding.decisions.api import AUTHORISES_CONTENT, ContentId
from civic_safeguarding.decisions.domain import CASTING_VOTES, METHODS, VOTES
from civic_safeguarding.http import SAID, AreaRouter, Reader, Writer, asked_for
from civic_safeguarding.meetings import service
from civic_safeguarding.quorum.domain import ATTENDANCE_STATUSES

router = AreaRouter()

AttendanceStatus = Literal[ATTENDANCE_STATUSES]  # type: ignore[valid-type]
Method = Literal[METHODS]  # type: ignore[valid-type]
VoteCast = Literal[VOTES]  # type: ignore[valid-type]
CastingVote = Literal[CASTING_VOTES]  # type: ignore[valid-type]
REGISTER_LIMIT = 200  # members in one attendance register


class AgendaEntry(RequestModel):
    title: Required
    kind: Annotated[Required, Field(max_length=60, examples=["decision", "information", "sub_group_report"])]
    matters: list[Required] = Field(
        default_factory=list, max_length=20,
        description="the organisations or matters the item concerns: a member whose registered interest concerns "
        "one of them (compared without case or spacing) has their declaration on the item pre-filled",
    )  # fmt: skip


class NewMeeting(RequestModel):
    scheduled_for: date | datetime
    agenda: list[AgendaEntry] = Field(default_factory=list, max_length=100)
    extraordinary: StrictBool = False


# a deputy who attended is named; a line of another status names none (null or "")
_DEPUTY_NAMED = {
    "anyOf": [
        {
            "required": ["status", "deputy_name"],
            "properties": {"status": {"const": "deputy"}, "deputy_name": {"type": "string", "pattern": NOT_BLANK}},
        },
        {
            "properties": {
                "status": {"not": {"const": "deputy"}},
                "deputy_name": {"anyOf": [{"type": "null"}, {"maxLength": 0}]},
            }
        },
    ]
}


class AttendanceLine(RequestModel):
    model_config = {"json_schema_extra": rules(_DEPUTY_NAMED)}

    member_id: Text = Field(description="a member of the board, each once in a register")
    status: AttendanceStatus
    deputy_name: Text | None = Field(None, description="the deputy who attended (status deputy only, required)")


class AttendanceRegister(RequestModel):
    attendance: list[AttendanceLine] = Field(max_length=REGISTER_LIMIT)


class NewDeclaration(RequestModel):
    model_config = {"json_schema_extra": asked_for("prejudicial", {False: {"reason": SAID}})}

    member_id: Text
    item_id: Text = Field(description="an item of this meeting's agenda, not the declarations item")
    nature: Required
    prejudicial: StrictBool = Field(
        True,
        description="false: the member declares the interest is not prejudicial (with a reason) and may take part "
        "in the item's decision; it takes the place of the declaration the register pre-filled, if any",
    )
    reason: LongText | None = Field(
        None, description="why the interest is not prejudicial (prejudicial false only, required)"
    )


class Ballot(RequestModel):
    member_id: Text
    vote: VoteCast


def _votes_only_by_vote(schema: dict[str, Any]) -> None:
    """A vote needs the votes cast; a consensus has none (null or an empty list) and no casting vote."""
    rules(
        when("method", "vote", {"required": ["votes"], "properties": {"votes": {"type": "array", "minItems": 1}}}),
        when(
            "method",
            "consensus",
            {"properties": {"votes": {"anyOf": [{"type": "null"}, {"maxItems": 0}]}, "casting_vote": {"type": "null"}}},
        ),
    )(schema)


class NewDecision(RequestModel):
    model_config = {"json_schema_extra": _votes_only_by_vote}

    method: Method
    votes: list[Ballot] | None = Field(None, max_length=200, description="method vote only (required)")
    casting_vote: CastingVote | None = Field(None, description="method vote only: the presiding chair's, on a tie")
    authorises_content_id: ContentId | None = Field(None, description=AUTHORISES_CONTENT)


router.kept_records(
    "/boards/{board_id}/meetings",
    "/meetings/{meeting_id}",
    ("schedule_meeting", NewMeeting, service.schedule_meeting),
    service.MEETING_RECORDS,
)


@router.put("/meetings/{meeting_id}/attendance")
async def record_attendance(
    meeting_id: Id,
    body: Annotated[list[AttendanceLine], Field(max_length=REGISTER_LIMIT)] | AttendanceRegister,
    if_match: IfMatch,
    caller: Writer,
    rt: Rt,
) -> JSONResponse:
    """The whole register: a list of {member_id, status, deputy_name?} (or {"attendance": [...]})."""
    lines = body.attendance if isinstance(body, AttendanceRegister) else body
    # a bare list has no model to carry the limit, so it is checked here
    if len(lines) > REGISTER_LIMIT:
        raise Invalid.at("body", "too long", f"A register lists at most {REGISTER_LIMIT} members.")
    entries = [line.model_dump() for line in lines]
    return versioned(await service.record_attendance(rt, meeting_id, entries, if_match))


@router.get("/meetings/{meeting_id}/quorum")
async def quorum(meeting_id: Id, caller: Reader, rt: Rt) -> dict[str, Any]:
    return await service.quorum(rt, meeting_id)


@router.post("/meetings/{meeting_id}/declarations", status_code=201)
async def declare_interest(meeting_id: Id, body: NewDeclaration, caller: Writer, rt: Rt) -> JSONResponse:
    return JSONResponse(jsonable_encoder(await service.declare_interest(rt, meeting_id, body.model_dump())), status_code=201)


@router.post("/meetings/{meeting_id}/items/{item_id}/decision", status_code=201)
async def decide(meeting_id: Id, item_id: Id, body: NewDecision, if_match: IfMatch, caller: Writer, rt: Rt) -> JSONResponse:
    return versioned(await service.decide(rt, meeting_id, item_id, body.model_dump(), if_match), status=201)


@router.post("/meetings/{meeting_id}/held")
async def mark_held(meeting_id: Id, if_match: IfMatch, caller: Writer, rt: Rt) -> JSONResponse:
    return versioned(await service.mark_held(rt, meeting_id, if_match))


@router.post("/meetings/{meeting_id}/cancel")
async def cancel_meeting(meeting_id: Id, if_match: IfMatch, caller: Writer, rt: Rt) -> JSONResponse:
    return versioned(await service.cancel_meeting(rt, meeting_id, if_match))
