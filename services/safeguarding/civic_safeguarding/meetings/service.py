"""Meetings use cases: each change in one unit of work, events emitted with it; answers in API form.

A refusal raised by the domain aborts the transaction, so a refused request changes nothing and
publishes nothing.
"""

from __future__ import annotations

from typing import Any

from civic import documents
from civic.calendar import today
from civic.documents import resource
from civic.service import Runtime
from civic.uow import UnitOfWork
from civic_contracts.safeguarding import DecisionRatified, MeetingHeld, NonAttendanceFlagged
from pymongo import DESCENDING

from civic_safeguarding.boards.service import about_board, board_and_members, board_of, member_of_board
from civic_safeguarding.decisions.domain import Decision, Vote
from civic_safeguarding.decisions.service import DECISION_RECORDS, decision_recorded
from civic_safeguarding.decisions.service import MEETING_RECORDS as MEETING_RECORDS  # the meetings' records
from civic_safeguarding.interests.service import registered_interests
from civic_safeguarding.meetings.domain import Meeting
from civic_safeguarding.notices.service import publish_notice
from civic_safeguarding.oversight.domain import newly_persistent
from civic_safeguarding.quorum.domain import AttendanceEntry
from civic_safeguarding.repository import DECISIONS, MEETINGS, end_of, find, to_document, to_model


async def schedule_meeting(rt: Runtime, board_id: str, body: dict[str, Any]) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        board = await board_of(uow, board_id)
        # between-meetings decisions in effect go to the next meeting for ratification, unless already on an
        # agenda (one still awaiting its partners' confirmations has not been taken yet)
        pending = await find(
            uow, DECISIONS, {"board_id": board_id, "ratification": "pending", "ratification_meeting_id": None,
                             "status": {"$ne": "awaiting_confirmation"}},
        )
        agenda = body.get("agenda") or []
        meeting = Meeting.schedule(
            documents.new_id(),
            board,
            body["scheduled_for"],
            [(i["title"], i["kind"]) for i in agenda],
            new_id=documents.new_id,
            extraordinary=body.get("extraordinary", False),
            to_ratify=[(d["_id"], d["item_title"]) for d in pending],
            matters=[i.get("matters") or [] for i in agenda],
        )
        # the register pre-fills the declarations of members with an interest in an item's matters
        meeting.declarations_from_register(await registered_interests(uow, board_id), documents.new_id, today())
        for d in pending:
            await uow.db[DECISIONS].update_one(
                {"_id": d["_id"]}, {"$set": {"ratification_meeting_id": meeting.id}}, session=uow.session
            )
        return await MEETING_RECORDS.insert(uow, meeting, quorum=None)

    return resource(await rt.transaction(work))


async def record_attendance(
    rt: Runtime, meeting_id: str, entries: list[dict[str, Any]], expected: int | None
) -> dict[str, Any]:
    """Replace the register; flag organisations whose run of missed meetings reaches the threshold."""

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc, meeting = await MEETING_RECORDS.load(uow, meeting_id, expected)
        board, members = await board_and_members(uow, meeting.board_id)
        meeting.record_attendance(
            members, [AttendanceEntry(e["member_id"], e["status"], e.get("deputy_name")) for e in entries]
        )
        # apologies sent ahead for a future meeting are not yet a missed meeting
        held_by_now = meeting.on <= today()
        history = (
            [
                to_model(Meeting, d)
                for d in await find(
                    uow,
                    MEETINGS,
                    {
                        "board_id": meeting.board_id,
                        "status": {"$ne": "cancelled"},
                        "_id": {"$ne": meeting.id},
                        "scheduled_for": {"$lte": end_of(today())},
                    },
                    sort=[("scheduled_for", DESCENDING)],
                    limit=60,
                )
            ]
            if held_by_now
            else []
        )
        flags = newly_persistent(members, history, meeting) if held_by_now else []
        for organisation, missed in flags:
            meeting.non_attendance_flagged.append(organisation)
            uow.emit(
                NonAttendanceFlagged(
                    **about_board(board),
                    organisation=organisation,
                    consecutive_meetings_missed=missed,
                    last_meeting_id=meeting.id,
                    last_meeting_on=meeting.on,
                )
            )
        quorum = meeting.quorum(board, members)
        return await MEETING_RECORDS.save(
            uow, doc, meeting, quorum={"quorate": quorum.quorate, "missing": quorum.missing}
        )

    return resource(await rt.transaction(work))


async def quorum(rt: Runtime, meeting_id: str) -> dict[str, Any]:
    _, meeting = await MEETING_RECORDS.load(rt.db, meeting_id)
    board, members = await board_and_members(rt.db, meeting.board_id)
    result = meeting.quorum(board, members)
    presiding = result.presiding
    return {
        "meeting_id": meeting.id,
        "quorate": result.quorate,
        "missing": result.missing,
        "presiding": {"member_id": presiding.id, "name": presiding.name} if presiding else None,
    }


async def declare_interest(rt: Runtime, meeting_id: str, body: dict[str, Any]) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc, meeting = await MEETING_RECORDS.load(uow, meeting_id)
        member = await member_of_board(uow, meeting.board_id, body["member_id"])
        # up to date with the register first: a declaration that the interest is not prejudicial answers its pre-fill
        interests = await registered_interests(uow, meeting.board_id)
        meeting.declarations_from_register(interests, documents.new_id, today())
        declaration = meeting.declare(
            documents.new_id(), member, body["item_id"], body["nature"], today(),
            prejudicial=body.get("prejudicial", True), reason=body.get("reason"),
        )  # fmt: skip
        await MEETING_RECORDS.save(uow, doc, meeting, quorum=doc.get("quorum"))
        return {**to_document(declaration), "meeting_id": meeting.id}

    result = await rt.transaction(work)
    result["id"] = result.pop("_id")
    return result


async def decide(
    rt: Runtime, meeting_id: str, item_id: str, body: dict[str, Any], expected: int | None
) -> dict[str, Any]:
    """Decide an agenda item; a ratification item ratifies (or not) the between-meetings decision."""

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc, meeting = await MEETING_RECORDS.load(uow, meeting_id, expected)
        board, members = await board_and_members(uow, meeting.board_id)
        votes = [Vote(v["member_id"], v["vote"]) for v in body.get("votes") or []]
        # the register as it stands now decides who has an interest in the item (refused: nothing is saved)
        meeting.declarations_from_register(
            await registered_interests(uow, meeting.board_id), documents.new_id, today()
        )
        decision_id = documents.new_id()
        outcome = meeting.decide(
            board, members, item_id, body["method"], votes, body.get("casting_vote"), decision_id
        )
        decision = Decision.at_meeting(
            decision_id, meeting, item_id, outcome, meeting.on, body.get("authorises_content_id")
        )
        item = meeting.item(item_id)
        if item.ratifies_decision_id:
            ratified_doc, earlier = await DECISION_RECORDS.load(uow, item.ratifies_decision_id)
            ratified = earlier.ratify(meeting.id, outcome, meeting.on)
            await DECISION_RECORDS.save(
                uow, ratified_doc, earlier, ratification_meeting_id=ratified_doc.get("ratification_meeting_id")
            )
            uow.emit(
                DecisionRatified(
                    decision_id=earlier.id,
                    **about_board(board),
                    item_title=earlier.item_title,
                    ratified=ratified,
                    meeting_id=meeting.id,
                    ratified_on=meeting.on,
                )
            )
        notice_id = documents.new_id()
        saved = await DECISION_RECORDS.insert(uow, decision, decision_notice_id=notice_id)
        await MEETING_RECORDS.save(uow, doc, meeting, quorum=doc.get("quorum"))
        uow.emit(decision_recorded(decision, board))
        # its notice: what was decided, by whom, the vote and the interests declared on the item
        await publish_notice(uow, notice_id, decision, board, members, meeting.declarations)
        return saved

    return resource(await rt.transaction(work))


async def mark_held(rt: Runtime, meeting_id: str, expected: int | None) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc, meeting = await MEETING_RECORDS.load(uow, meeting_id, expected)
        board, members = await board_and_members(uow, meeting.board_id)
        # whether it was quorate and what was missing: in the event, and kept with the meeting
        quorum = documents.fields_of(meeting.mark_held(board, members), "quorate", "missing")
        uow.emit(
            MeetingHeld(
                meeting_id=meeting.id, **about_board(board), scheduled_for=meeting.on,
                extraordinary=meeting.extraordinary, **quorum,
            )
        )  # fmt: skip
        return await MEETING_RECORDS.save(uow, doc, meeting, quorum=quorum)

    return resource(await rt.transaction(work))


async def cancel_meeting(rt: Runtime, meeting_id: str, expected: int | None) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc, meeting = await MEETING_RECORDS.load(uow, meeting_id, expected)
        meeting.cancel()
        # ratifications it carried wait for the next meeting instead
        await uow.db[DECISIONS].update_many(
            {"ratification_meeting_id": meeting.id, "ratification": "pending"},
            {"$set": {"ratification_meeting_id": None}},
            session=uow.session,
        )
        return await MEETING_RECORDS.save(uow, doc, meeting, quorum=doc.get("quorum"))

    return resource(await rt.transaction(work))
