"""HTTP <-> the minutes use cases. Translation only: rules in domain.py, work in service.py."""

from __future__ import annotations

from civic.http import Id, IfMatch, LongRequired, RequestModel, Required, Rt, Text, versioned
from civic.problems import answer_response
from fastapi.responses import JSONResponse
from pydantic import Field

from civic_safeguarding.http import AreaRouter, Reader, Writer
from civic_safeguarding.minutes import service

router = AreaRouter()


class MinutesText(RequestModel):
    text: LongRequired


class MinutesApproval(RequestModel):
    at_meeting_id: Text | None = Field(None, description="the later meeting; by default the board's next one")


class NewCorrection(RequestModel):
    text: LongRequired
    reason: Required


@router.post(
    "/meetings/{meeting_id}/minutes",
    status_code=201,
    responses={200: answer_response("The draft, rewritten")},
)
async def write_minutes(meeting_id: Id, body: MinutesText, if_match: IfMatch, caller: Writer, rt: Rt) -> JSONResponse:
    minutes, created = await service.write_minutes(rt, meeting_id, body.text, if_match)
    return versioned(minutes, status=201 if created else 200)


@router.get("/meetings/{meeting_id}/minutes")
async def get_minutes(meeting_id: Id, caller: Reader, rt: Rt) -> JSONResponse:
    return versioned(await service.minutes_of(rt, meeting_id))


@router.post("/meetings/{meeting_id}/minutes/submit")
async def submit_minutes(meeting_id: Id, if_match: IfMatch, caller: Writer, rt: Rt) -> JSONResponse:
    return versioned(await service.submit_minutes(rt, meeting_id, if_match))


router.recorded(
    "/meetings/{meeting_id}/minutes/approve",
    "approve_minutes",
    MinutesApproval,
    "at_meeting_id",
    service.approve_minutes,
)


@router.post("/meetings/{meeting_id}/minutes/corrections", status_code=201)
async def correct_minutes(meeting_id: Id, body: NewCorrection, caller: Writer, rt: Rt) -> JSONResponse:
    return versioned(await service.correct_minutes(rt, meeting_id, body.text, body.reason), status=201)
