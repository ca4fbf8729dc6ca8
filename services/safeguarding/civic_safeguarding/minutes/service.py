"""Minutes use cases: each change in one unit of work; each answers with the minutes' API form."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from civic import documents
from civic.calendar import today
from civic.documents import resource
from civic.errors import NotFound, Refused
from civic.service import Runtime
from civic.uow import UnitOfWork
from civic_contracts.safeguarding import MinutesApproved
from pymongo import ASCENDING

from civic_safeguarding.boards.service import about_board, board_and_members
from civic_safeguarding.decisions.service import MEETING_RECORDS
from civic_safeguarding.meetings.domain import Meeting
from civic_safeguarding.minutes.domain import Minutes
from civic_safeguarding.repository import (
    CORRECTIONS,
    MEETINGS,
    MINUTES,
    Source,
    find,
    find_one,
    insert_model,
    save_model,
    to_model,
)


async def _minutes_doc(source: Source, meeting_id: str) -> dict[str, Any] | None:
    return await find_one(source, MINUTES, {"meeting_id": meeting_id})


async def minutes_of(rt: Runtime, meeting_id: str) -> dict[str, Any]:
    """The minutes with their corrections, oldest first."""
    await documents.load(rt.db, MEETINGS, meeting_id, kind="meeting")
    doc = await _minutes_doc(rt.db, meeting_id)
    if doc is None:
        raise NotFound("minutes of meeting", meeting_id)
    corrections = await find(rt.db, CORRECTIONS, {"minutes_id": doc["_id"]}, sort=[("_id", ASCENDING)])
    return resource({**doc, "corrections": [resource(c) for c in corrections]})


async def write_minutes(
    rt: Runtime, meeting_id: str, text: str, expected: int | None
) -> tuple[dict[str, Any], bool]:
    """Draft the minutes, or redraft them while not approved. Returns (minutes, created)."""

    async def work(uow: UnitOfWork) -> tuple[dict[str, Any], bool]:
        _, meeting = await MEETING_RECORDS.load(uow, meeting_id)
        doc = await _minutes_doc(uow, meeting_id)
        if doc is None:
            return await insert_model(uow, MINUTES, Minutes.draft(documents.new_id(), meeting, text)), True
        documents.check_version(doc, expected)
        minutes = to_model(Minutes, doc)
        minutes.redraft(text)
        return await save_model(uow, MINUTES, doc, minutes), False

    saved, created = await rt.transaction(work)
    return resource(saved), created


async def _existing_minutes(
    uow: UnitOfWork, meeting_id: str, expected: int | None
) -> tuple[dict[str, Any], Minutes]:
    await documents.load(uow, MEETINGS, meeting_id, kind="meeting")
    doc = await _minutes_doc(uow, meeting_id)
    if doc is None:
        raise Refused(
            f"No minutes have been drafted for this meeting yet (POST /v1/meetings/{meeting_id}/minutes)."
        )
    documents.check_version(doc, expected)
    return doc, to_model(Minutes, doc)


async def submit_minutes(rt: Runtime, meeting_id: str, expected: int | None) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc, minutes = await _existing_minutes(uow, meeting_id, expected)
        minutes.submit(today())
        return await save_model(uow, MINUTES, doc, minutes)

    return resource(await rt.transaction(work))


async def approve_minutes(
    rt: Runtime, meeting_id: str, at_meeting_id: str | None, expected: int | None
) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc, minutes = await _existing_minutes(uow, meeting_id, expected)
        minutes.check_submitted()
        _, meeting = await MEETING_RECORDS.load(uow, meeting_id)
        if at_meeting_id is None:
            # by default the members approve them at the board's next meeting
            later = await find(
                uow,
                MEETINGS,
                {
                    "board_id": meeting.board_id,
                    "status": {"$ne": "cancelled"},
                    "scheduled_for": {"$gte": (meeting.on + timedelta(days=1)).isoformat()},
                },
                sort=[("scheduled_for", ASCENDING)],
                limit=1,
            )
            if not later:
                raise Refused(
                    "Minutes are approved by the members at a later meeting: schedule the board's next "
                    "meeting and record its attendance first."
                )
            at = to_model(Meeting, later[0])
        else:
            _, at = await MEETING_RECORDS.load(uow, at_meeting_id)
        board, members = await board_and_members(uow, meeting.board_id)
        minutes.approve(meeting, at, board, members, at.on)
        uow.emit(
            MinutesApproved(
                minutes_id=minutes.id,
                meeting_id=meeting.id,
                **about_board(board),
                approved_on=at.on,
                approved_at_meeting_id=at.id,
            )
        )
        return await save_model(uow, MINUTES, doc, minutes)

    return resource(await rt.transaction(work))


async def correct_minutes(rt: Runtime, meeting_id: str, text: str, reason: str) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        _, minutes = await _existing_minutes(uow, meeting_id, None)
        correction = minutes.correct(documents.new_id(), text, reason, today())
        return await insert_model(uow, CORRECTIONS, correction)

    return resource(await rt.transaction(work))
