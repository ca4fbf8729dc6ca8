"""Decisions use cases: between meetings, and reading the board's decisions; answers in API form.

A decision at a meeting is taken through the meeting (meetings.service.decide), which records it
here in the same shape and announces it with the same event. A decision that authorises a comms
content item carries its id in the event (``authorises_content_id``): comms records the board's
sign-off from it.

A decision between meetings is proposed by the chair and takes effect only once every statutory partner has
confirmed it (seed 003): until then nothing announces it, so no decision notice, no
``safeguarding.decision.recorded`` and no content sign-off in comms; the last confirmation publishes both.
"""

from __future__ import annotations

from typing import Any

from civic import documents
from civic.documents import resource
from civic.http import Page
from civic.service import Runtime
from civic.uow import UnitOfWork
from civic_contracts.safeguarding import DecisionRecorded
from pymongo import ASCENDING

from civic_safeguarding.boards.domain import Board
from civic_safeguarding.boards.service import about_board, board_and_members
from civic_safeguarding.decisions.domain import Decision
from civic_safeguarding.domain import given_or_today
from civic_safeguarding.meetings.domain import Meeting
from civic_safeguarding.notices.service import publish_notice
from civic_safeguarding.records import Records
from civic_safeguarding.repository import DECISIONS, MEETINGS, find, to_model

DECISION_RECORDS = Records(DECISIONS, Decision, "decision")
# kept here, where a decision between meetings reaches a meeting's agenda; the meetings' use cases import it
MEETING_RECORDS = Records(MEETINGS, Meeting, "meeting")


def decision_recorded(decision: Decision, board: Board) -> DecisionRecorded:
    return DecisionRecorded(
        decision_id=decision.id,
        **about_board(board),
        **documents.fields_of(decision, "meeting_id", "item_title", "method", "outcome", "decided_on"),
        **documents.fields_of(decision, "requires_ratification", "authorises_content_id"),
    )


async def decide_between_meetings(rt: Runtime, board_id: str, body: dict[str, Any]) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        board, members = await board_and_members(uow, board_id)
        decision = Decision.between_meetings(
            documents.new_id(),
            board,
            members,
            body["item_title"],
            body["decided_by"],
            body["consulted"],
            given_or_today(body.get("decided_on")),
            authorises_content_id=body.get("authorises_content_id"),
        )
        # not on an agenda yet: the next meeting scheduled once it is in effect takes it for ratification
        return await DECISION_RECORDS.insert(uow, decision, ratification_meeting_id=None, decision_notice_id=None)

    return resource(await rt.transaction(work))


async def confirm(rt: Runtime, decision_id: str, body: dict[str, Any], expected: int | None) -> dict[str, Any]:
    """A statutory partner confirms a decision between meetings; the last confirmation puts it in effect,
    publishing its notice and ``safeguarding.decision.recorded``."""

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc, decision = await DECISION_RECORDS.load(uow, decision_id, expected)
        board, members = await board_and_members(uow, decision.board_id)
        in_effect = decision.confirm(
            members,
            body["organisation"],
            body["member_id"],
            body.get("deputy_name"),
            given_or_today(body.get("confirmed_on")),
        )
        notice_id, meeting_id = doc.get("decision_notice_id"), doc.get("ratification_meeting_id")
        if in_effect:
            notice_id = documents.new_id()
            uow.emit(decision_recorded(decision, board))
            await publish_notice(uow, notice_id, decision, board, members, [])
            meeting_id = await to_next_meeting(uow, decision)
        return await DECISION_RECORDS.save(
            uow, doc, decision, ratification_meeting_id=meeting_id, decision_notice_id=notice_id
        )

    return resource(await rt.transaction(work))


async def to_next_meeting(uow: UnitOfWork, decision: Decision) -> str | None:
    """A decision between meetings that has just taken effect goes on the agenda of the board's next meeting
    already scheduled and not yet held, for ratification (ModernGov adds it as an item); the meeting's id, or
    None when none is scheduled yet: the next one scheduled takes it then (meetings.service.schedule_meeting)."""
    since = (decision.in_effect_on or decision.decided_on).isoformat()
    upcoming = await find(
        uow,
        MEETINGS,
        {"board_id": decision.board_id, "status": "scheduled", "scheduled_for": {"$gte": since}},
        sort=[("scheduled_for", ASCENDING), ("_id", ASCENDING)],
        limit=1,
    )
    if not upcoming:
        return None
    doc, meeting = upcoming[0], to_model(Meeting, upcoming[0])
    meeting.take_for_ratification(decision.id, decision.item_title, documents.new_id)
    await MEETING_RECORDS.save(uow, doc, meeting, quorum=doc.get("quorum"))
    return meeting.id


async def list_decisions(
    rt: Runtime, board_id: str, page: Page, ratification: str | None, status: str | None = None
) -> dict[str, Any]:
    where: dict[str, Any] = {"ratification": ratification} if ratification else {}
    if status == "in_effect":
        # stored before confirmations existed: in effect, without the key
        where["status"] = {"$ne": "awaiting_confirmation"}
    elif status:
        where["status"] = status
    return await DECISION_RECORDS.of_board(rt, board_id, page, where=where or None)
