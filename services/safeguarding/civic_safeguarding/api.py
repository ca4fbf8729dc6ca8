"""HTTP <-> the safeguarding use cases. Translation only: rules in domain.py, work in service.py.

SAR case summaries and personal details are confidential: `sar_view` strips them for callers
without `safeguarding:confidential`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from civic import documents
from civic.documents import resource
from civic.errors import Invalid
from civic.http import Caller, IfMatch, Page, RequestModel, current_runtime, paginate, require, versioned
from civic.service import Runtime
from fastapi import APIRouter, Body, Depends, Path
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, StrictBool

from civic_safeguarding import reports, service
from civic_safeguarding.domain import ROLES
from civic_safeguarding.repository import (
    BOARDS,
    DECISIONS,
    MEETINGS,
    MEMBERS,
)

router = APIRouter(prefix="/v1", tags=["safeguarding"])

READ = require("safeguarding:read")
WRITE = require("safeguarding:write")
Role = Literal[ROLES]  # type: ignore[valid-type]
Id = Annotated[str, Path(max_length=64)]


Text = Annotated[str, Field(max_length=500)]
LongText = Annotated[str, Field(max_length=100_000)]


class NewBoard(RequestModel):
    name: Text
    kind: Literal["adults", "children"] = "adults"
    area: Text | None = None
    statutory_partners: list[Text] = Field(
        default_factory=list,
        max_length=20,
        description="Statutory partner organisations, e.g. the council, the police and the ICB",
    )


class NewMember(RequestModel):
    name: Text
    organisation: Text
    role: Role
    statutory: StrictBool = False
    nominated_chair: StrictBool = Field(
        False, description="Agreed by the board to chair when the chair is absent"
    )
    deputy_name: Text | None = Field(None, description="The member's consistent, named deputy")


class MouSigning(RequestModel):
    signed_on: date | None = None


class Deputy(RequestModel):
    deputy_name: Text


class AgendaEntry(RequestModel):
    title: Text
    kind: Annotated[str, Field(max_length=60, examples=["decision", "information", "sub_group_report"])]


class NewMeeting(RequestModel):
    scheduled_for: date | datetime
    agenda: list[AgendaEntry] = Field(default_factory=list, max_length=100)
    extraordinary: StrictBool = False


class AttendanceLine(RequestModel):
    member_id: Text
    status: Literal["present", "apologies", "absent", "deputy"]
    deputy_name: Text | None = None


class AttendanceRegister(RequestModel):
    attendance: list[AttendanceLine] = Field(max_length=200)


class NewDeclaration(RequestModel):
    member_id: Text
    item_id: Text
    nature: Text


class Ballot(RequestModel):
    member_id: Text
    vote: Literal["for", "against", "abstain"]


class NewDecision(RequestModel):
    method: Literal["consensus", "vote"]
    votes: list[Ballot] | None = Field(None, max_length=200)
    casting_vote: Literal["for", "against"] | None = None


class BetweenMeetings(RequestModel):
    item_title: Text
    decided_by: Text = Field(description="member id of the chair, or the vice chair in their absence")
    consulted: list[Text] = Field(max_length=50, description="member ids of the statutory partners consulted")
    decided_on: date | None = None


def _dump(body: BaseModel) -> dict[str, Any]:
    return body.model_dump()


# --------------------------------------------------------------------------- boards and members


@router.post("/boards", status_code=201)
async def establish_board(
    body: NewBoard, caller: Caller = Depends(WRITE), rt: Runtime = Depends(current_runtime)
) -> JSONResponse:
    return versioned(resource(await service.establish_board(rt, _dump(body))), status=201)


@router.get("/boards")
async def list_boards(
    page: Page = Depends(), caller: Caller = Depends(READ), rt: Runtime = Depends(current_runtime)
) -> dict[str, Any]:
    return await paginate(rt.db[BOARDS], {}, page)


@router.get("/boards/{board_id}")
async def get_board(
    board_id: Id, caller: Caller = Depends(READ), rt: Runtime = Depends(current_runtime)
) -> JSONResponse:
    return versioned(resource(await documents.load(rt.db, BOARDS, board_id, kind="board")))


@router.post("/boards/{board_id}/members", status_code=201)
async def appoint_member(
    board_id: Id, body: NewMember, caller: Caller = Depends(WRITE), rt: Runtime = Depends(current_runtime)
) -> JSONResponse:
    return versioned(resource(await service.appoint_member(rt, board_id, _dump(body))), status=201)


@router.get("/boards/{board_id}/members")
async def list_members(
    board_id: Id,
    page: Page = Depends(),
    caller: Caller = Depends(READ),
    rt: Runtime = Depends(current_runtime),
) -> dict[str, Any]:
    await service.board_of(rt.db, board_id)
    return await paginate(rt.db[MEMBERS], {"board_id": board_id}, page)


@router.get("/members/{member_id}")
async def get_member(
    member_id: Id, caller: Caller = Depends(READ), rt: Runtime = Depends(current_runtime)
) -> JSONResponse:
    return versioned(resource(await documents.load(rt.db, MEMBERS, member_id, kind="member")))


@router.post("/members/{member_id}/mou")
async def sign_mou(
    member_id: Id,
    if_match: IfMatch,
    body: MouSigning | None = Body(None),
    caller: Caller = Depends(WRITE),
    rt: Runtime = Depends(current_runtime),
) -> JSONResponse:
    signed_on = body.signed_on if body else None
    return versioned(resource(await service.sign_mou(rt, member_id, signed_on, if_match)))


@router.put("/members/{member_id}/deputy")
async def name_deputy(
    member_id: Id,
    body: Deputy,
    if_match: IfMatch,
    caller: Caller = Depends(WRITE),
    rt: Runtime = Depends(current_runtime),
) -> JSONResponse:
    return versioned(resource(await service.name_deputy(rt, member_id, body.deputy_name, if_match)))


# --------------------------------------------------------------------------- meetings


@router.post("/boards/{board_id}/meetings", status_code=201)
async def schedule_meeting(
    board_id: Id, body: NewMeeting, caller: Caller = Depends(WRITE), rt: Runtime = Depends(current_runtime)
) -> JSONResponse:
    return versioned(resource(await service.schedule_meeting(rt, board_id, _dump(body))), status=201)


@router.get("/boards/{board_id}/meetings")
async def list_meetings(
    board_id: Id,
    page: Page = Depends(),
    caller: Caller = Depends(READ),
    rt: Runtime = Depends(current_runtime),
) -> dict[str, Any]:
    await service.board_of(rt.db, board_id)
    return await paginate(rt.db[MEETINGS], {"board_id": board_id}, page)


@router.get("/meetings/{meeting_id}")
async def get_meeting(
    meeting_id: Id, caller: Caller = Depends(READ), rt: Runtime = Depends(current_runtime)
) -> JSONResponse:
    return versioned(resource(await documents.load(rt.db, MEETINGS, meeting_id, kind="meeting")))


@router.put("/meetings/{meeting_id}/attendance")
async def record_attendance(
    meeting_id: Id,
    body: list[AttendanceLine] | AttendanceRegister,
    if_match: IfMatch,
    caller: Caller = Depends(WRITE),
    rt: Runtime = Depends(current_runtime),
) -> JSONResponse:
    """The whole register: a list of {member_id, status, deputy_name?} (or {"attendance": [...]})."""
    lines = body.attendance if isinstance(body, AttendanceRegister) else body
    if len(lines) > 200:
        raise Invalid(
            "A register lists at most 200 members.", errors=[{"field": "body", "message": "too long"}]
        )
    entries = [line.model_dump() for line in lines]
    return versioned(resource(await service.record_attendance(rt, meeting_id, entries, if_match)))


@router.get("/meetings/{meeting_id}/quorum")
async def quorum(
    meeting_id: Id, caller: Caller = Depends(READ), rt: Runtime = Depends(current_runtime)
) -> dict[str, Any]:
    return await service.quorum(rt, meeting_id)


@router.post("/meetings/{meeting_id}/declarations", status_code=201)
async def declare_interest(
    meeting_id: Id,
    body: NewDeclaration,
    caller: Caller = Depends(WRITE),
    rt: Runtime = Depends(current_runtime),
) -> JSONResponse:
    return JSONResponse(
        jsonable_encoder(await service.declare_interest(rt, meeting_id, _dump(body))), status_code=201
    )


@router.post("/meetings/{meeting_id}/items/{item_id}/decision", status_code=201)
async def decide(
    meeting_id: Id,
    item_id: Id,
    body: NewDecision,
    if_match: IfMatch,
    caller: Caller = Depends(WRITE),
    rt: Runtime = Depends(current_runtime),
) -> JSONResponse:
    return versioned(
        resource(await service.decide(rt, meeting_id, item_id, _dump(body), if_match)), status=201
    )


@router.post("/meetings/{meeting_id}/held")
async def mark_held(
    meeting_id: Id, if_match: IfMatch, caller: Caller = Depends(WRITE), rt: Runtime = Depends(current_runtime)
) -> JSONResponse:
    return versioned(resource(await service.mark_held(rt, meeting_id, if_match)))


@router.post("/meetings/{meeting_id}/cancel")
async def cancel_meeting(
    meeting_id: Id, if_match: IfMatch, caller: Caller = Depends(WRITE), rt: Runtime = Depends(current_runtime)
) -> JSONResponse:
    return versioned(resource(await service.cancel_meeting(rt, meeting_id, if_match)))


# --------------------------------------------------------------------------- decisions


@router.post("/boards/{board_id}/decisions", status_code=201)
async def decide_between_meetings(
    board_id: Id,
    body: BetweenMeetings,
    caller: Caller = Depends(WRITE),
    rt: Runtime = Depends(current_runtime),
) -> JSONResponse:
    return versioned(resource(await service.decide_between_meetings(rt, board_id, _dump(body))), status=201)


@router.get("/boards/{board_id}/decisions")
async def list_decisions(
    board_id: Id,
    page: Page = Depends(),
    caller: Caller = Depends(READ),
    rt: Runtime = Depends(current_runtime),
    ratification: Literal["pending", "ratified", "not_ratified"] | None = None,
) -> dict[str, Any]:
    await service.board_of(rt.db, board_id)
    query: dict[str, Any] = {"board_id": board_id}
    if ratification:
        query["ratification"] = ratification
    return await paginate(rt.db[DECISIONS], query, page)


@router.get("/decisions/{decision_id}")
async def get_decision(
    decision_id: Id, caller: Caller = Depends(READ), rt: Runtime = Depends(current_runtime)
) -> JSONResponse:
    return versioned(resource(await documents.load(rt.db, DECISIONS, decision_id, kind="decision")))


# --------------------------------------------------------------------------- summary


@router.get("/summary")
async def summary(caller: Caller = Depends(READ), rt: Runtime = Depends(current_runtime)) -> dict[str, Any]:
    return await reports.summary(rt)
