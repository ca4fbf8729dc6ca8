"""Use cases: load, ask the domain, save and emit events, each inside one unit of work.

A refusal raised by the domain aborts the transaction, so a refused request changes nothing and
publishes nothing. Confidential SAR fields are stored here but never put in an event or a log.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from civic import documents
from civic.errors import Invalid, NotFound, PreconditionFailed, Refused
from civic.service import Runtime
from civic.uow import UnitOfWork
from civic_contracts.safeguarding import (
    AnnualReportPublished,
    DecisionRatified,
    DecisionRecorded,
    MeetingHeld,
    NonAttendanceFlagged,
)
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from civic_safeguarding.domain import (
    AttendanceEntry,
    Board,
    Decision,
    Meeting,
    Member,
    Vote,
    financial_year_bounds,
    financial_year_of,
    given_or_today,
    today,
)
from civic_safeguarding.oversight import (
    AnnualReport,
    Budget,
    BudgetLine,
    Dispute,
    SubGroup,
    WorkPlanEntry,
    first_meeting_of_year,
    newly_persistent,
)
from civic_safeguarding.repository import (
    ANNUAL_REPORTS,
    BOARDS,
    BUDGETS,
    DECISIONS,
    DISPUTES,
    MEETINGS,
    MEMBERS,
    SUB_GROUPS,
    Source,
    budget_id,
    end_of,
    find,
    insert_model,
    loaded,
    save_model,
    to_document,
    to_model,
)


async def board_of(source: Source, board_id: str) -> Board:
    return to_model(Board, await documents.load(source, BOARDS, board_id, kind="board"))


async def members_of(source: Source, board_id: str) -> list[Member]:
    docs = await find(source, MEMBERS, {"board_id": board_id}, sort=[("_id", ASCENDING)])
    return [to_model(Member, d) for d in docs]


# --------------------------------------------------------------------------- boards and members


async def establish_board(rt: Runtime, body: dict[str, Any]) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        board = Board.establish(
            documents.new_id(),
            body["name"],
            body["kind"],
            body.get("area") or "",
            body.get("statutory_partners") or [],
        )
        return await insert_model(uow, BOARDS, board)

    return await rt.transaction(work)


async def appoint_member(rt: Runtime, board_id: str, body: dict[str, Any]) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        board = await board_of(uow, board_id)
        others = await members_of(uow, board_id)
        member = Member.appoint(
            documents.new_id(),
            board,
            others,
            body["name"],
            body["organisation"],
            body["role"],
            body["statutory"],
            body.get("nominated_chair", False),
            body.get("deputy_name"),
        )
        return await insert_model(uow, MEMBERS, member)

    return await rt.transaction(work)


async def sign_mou(
    rt: Runtime, member_id: str, signed_on: date | None, expected: int | None
) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc = await loaded(uow, MEMBERS, member_id, "member", expected)
        member = to_model(Member, doc)
        member.sign_mou(given_or_today(signed_on))
        return await save_model(uow, MEMBERS, doc, member)

    return await rt.transaction(work)


async def name_deputy(rt: Runtime, member_id: str, deputy_name: str, expected: int | None) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc = await loaded(uow, MEMBERS, member_id, "member", expected)
        member = to_model(Member, doc)
        member.name_deputy(deputy_name)
        return await save_model(uow, MEMBERS, doc, member)

    return await rt.transaction(work)


# --------------------------------------------------------------------------- meetings


async def schedule_meeting(rt: Runtime, board_id: str, body: dict[str, Any]) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        board = await board_of(uow, board_id)
        # between-meetings decisions go to the next meeting for ratification, unless already on an agenda
        pending = await find(
            uow, DECISIONS, {"board_id": board_id, "ratification": "pending", "ratification_meeting_id": None}
        )
        meeting = Meeting.schedule(
            documents.new_id(),
            board,
            body["scheduled_for"],
            [(i["title"], i["kind"]) for i in body.get("agenda") or []],
            new_id=documents.new_id,
            extraordinary=body.get("extraordinary", False),
            to_ratify=[(d["_id"], d["item_title"]) for d in pending],
        )
        for d in pending:
            await uow.db[DECISIONS].update_one(
                {"_id": d["_id"]}, {"$set": {"ratification_meeting_id": meeting.id}}, session=uow.session
            )
        return await insert_model(uow, MEETINGS, meeting, quorum=None)

    return await rt.transaction(work)


async def record_attendance(
    rt: Runtime, meeting_id: str, entries: list[dict[str, Any]], expected: int | None
) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc = await loaded(uow, MEETINGS, meeting_id, "meeting", expected)
        meeting = to_model(Meeting, doc)
        board = await board_of(uow, meeting.board_id)
        members = await members_of(uow, meeting.board_id)
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
                    board_id=board.id,
                    board_name=board.name,
                    organisation=organisation,
                    consecutive_meetings_missed=missed,
                    last_meeting_id=meeting.id,
                    last_meeting_on=meeting.on,
                )
            )
        quorum = meeting.quorum(board, members)
        return await save_model(
            uow, MEETINGS, doc, meeting, quorum={"quorate": quorum.quorate, "missing": quorum.missing}
        )

    return await rt.transaction(work)


async def quorum(rt: Runtime, meeting_id: str) -> dict[str, Any]:
    meeting = to_model(Meeting, await documents.load(rt.db, MEETINGS, meeting_id, kind="meeting"))
    board = await board_of(rt.db, meeting.board_id)
    members = await members_of(rt.db, meeting.board_id)
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
        doc = await loaded(uow, MEETINGS, meeting_id, "meeting")
        meeting = to_model(Meeting, doc)
        member = await _member_of(uow, meeting.board_id, body["member_id"])
        declaration = meeting.declare(documents.new_id(), member, body["item_id"], body["nature"], today())
        await save_model(uow, MEETINGS, doc, meeting, quorum=doc.get("quorum"))
        return {**to_document(declaration), "meeting_id": meeting.id}

    result = await rt.transaction(work)
    result["id"] = result.pop("_id")
    return result


async def _member_of(uow: UnitOfWork, board_id: str, member_id: str) -> Member:
    try:
        member = to_model(Member, await documents.load(uow, MEMBERS, member_id, kind="member"))
    except NotFound:
        member = None
    if member is None or member.board_id != board_id:
        raise Refused(f"{member_id!r} is not a member of this board.", member_id=member_id)
    return member


async def decide(
    rt: Runtime, meeting_id: str, item_id: str, body: dict[str, Any], expected: int | None
) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc = await loaded(uow, MEETINGS, meeting_id, "meeting", expected)
        meeting = to_model(Meeting, doc)
        board = await board_of(uow, meeting.board_id)
        members = await members_of(uow, meeting.board_id)
        votes = [Vote(v["member_id"], v["vote"]) for v in body.get("votes") or []]
        decision_id = documents.new_id()
        outcome = meeting.decide(
            board, members, item_id, body["method"], votes, body.get("casting_vote"), decision_id
        )
        decision = Decision.at_meeting(decision_id, meeting, item_id, outcome, meeting.on)
        item = meeting.item(item_id)
        if item.ratifies_decision_id:
            ratified_doc = await loaded(uow, DECISIONS, item.ratifies_decision_id, "decision")
            earlier = to_model(Decision, ratified_doc)
            ratified = earlier.ratify(meeting.id, outcome, meeting.on)
            await save_model(
                uow,
                DECISIONS,
                ratified_doc,
                earlier,
                ratification_meeting_id=ratified_doc.get("ratification_meeting_id"),
            )
            uow.emit(
                DecisionRatified(
                    decision_id=earlier.id,
                    board_id=board.id,
                    board_name=board.name,
                    item_title=earlier.item_title,
                    ratified=ratified,
                    meeting_id=meeting.id,
                    ratified_on=meeting.on,
                )
            )
        saved = await insert_model(uow, DECISIONS, decision)
        await save_model(uow, MEETINGS, doc, meeting, quorum=doc.get("quorum"))
        uow.emit(_recorded(decision, board))
        return saved

    return await rt.transaction(work)


def _recorded(decision: Decision, board: Board) -> DecisionRecorded:
    return DecisionRecorded(
        decision_id=decision.id,
        board_id=board.id,
        board_name=board.name,
        meeting_id=decision.meeting_id,
        item_title=decision.item_title,
        method=decision.method,
        outcome=decision.outcome,
        decided_on=decision.decided_on,
        requires_ratification=decision.requires_ratification,
    )


async def decide_between_meetings(rt: Runtime, board_id: str, body: dict[str, Any]) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        board = await board_of(uow, board_id)
        members = await members_of(uow, board_id)
        decision = Decision.between_meetings(
            documents.new_id(),
            board,
            members,
            body["item_title"],
            body["decided_by"],
            body["consulted"],
            given_or_today(body.get("decided_on")),
        )
        saved = await insert_model(uow, DECISIONS, decision, ratification_meeting_id=None)
        uow.emit(_recorded(decision, board))
        return saved

    return await rt.transaction(work)


async def mark_held(rt: Runtime, meeting_id: str, expected: int | None) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc = await loaded(uow, MEETINGS, meeting_id, "meeting", expected)
        meeting = to_model(Meeting, doc)
        board = await board_of(uow, meeting.board_id)
        members = await members_of(uow, meeting.board_id)
        result = meeting.mark_held(board, members)
        uow.emit(
            MeetingHeld(
                meeting_id=meeting.id,
                board_id=board.id,
                board_name=board.name,
                scheduled_for=meeting.on,
                extraordinary=meeting.extraordinary,
                quorate=result.quorate,
                missing=result.missing,
            )
        )
        return await save_model(
            uow, MEETINGS, doc, meeting, quorum={"quorate": result.quorate, "missing": result.missing}
        )

    return await rt.transaction(work)


async def cancel_meeting(rt: Runtime, meeting_id: str, expected: int | None) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc = await loaded(uow, MEETINGS, meeting_id, "meeting", expected)
        meeting = to_model(Meeting, doc)
        meeting.cancel()
        # ratifications it carried wait for the next meeting instead
        await uow.db[DECISIONS].update_many(
            {"ratification_meeting_id": meeting.id, "ratification": "pending"},
            {"$set": {"ratification_meeting_id": None}},
            session=uow.session,
        )
        return await save_model(uow, MEETINGS, doc, meeting, quorum=doc.get("quorum"))

    return await rt.transaction(work)


# --------------------------------------------------------------------------- budget


def _budget_totals(budget: Budget) -> dict[str, int]:
    return {
        "total_expenditure_pence": budget.total_expenditure_pence,
        "total_contributions_pence": budget.total_contributions_pence,
        "gap_pence": budget.gap_pence,
    }


async def set_budget(
    rt: Runtime, board_id: str, year: str, body: dict[str, Any], expected: int | None
) -> tuple[dict[str, Any], bool]:
    async def work(uow: UnitOfWork) -> tuple[dict[str, Any], bool]:
        await board_of(uow, board_id)
        budget = Budget.set(
            board_id,
            year,
            [BudgetLine(x["name"], x["amount_pence"]) for x in body["expenditure"]],
            [BudgetLine(x["organisation"], x["amount_pence"]) for x in body["contributions"]],
        )
        key = budget_id(board_id, year)
        existing = await uow.db[BUDGETS].find_one({"_id": key}, session=uow.session)
        extra = {"_id": key, **_budget_totals(budget)}
        if existing is None:
            if expected is not None:
                raise PreconditionFailed("There is no budget for this year yet; send no If-Match.")
            return await insert_model(uow, BUDGETS, budget, **extra), True
        documents.check_version(existing, expected)
        return await save_model(uow, BUDGETS, existing, budget, **extra), False

    return await rt.transaction(work)


def budget_view(doc: dict[str, Any]) -> dict[str, Any]:
    view = documents.resource(doc)
    view["contributions"] = [
        {"organisation": c["name"], "amount_pence": c["amount_pence"]} for c in doc["contributions"]
    ]
    return view


async def budget_of(rt: Runtime, board_id: str, year: str) -> dict[str, Any]:
    await board_of(rt.db, board_id)
    financial_year_bounds(year)
    return await documents.load(rt.db, BUDGETS, budget_id(board_id, year), kind="budget")


# --------------------------------------------------------------------------- sub-groups


async def form_sub_group(rt: Runtime, board_id: str, body: dict[str, Any]) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        await board_of(uow, board_id)
        chair = (
            await _member_of(uow, board_id, body["chair_member_id"]) if body.get("chair_member_id") else None
        )
        group = SubGroup.form(
            documents.new_id(),
            board_id,
            body["name"],
            chair,
            [
                WorkPlanEntry(w["objective"], w["business_plan_priority"], w.get("due_on"))
                for w in body.get("work_plan") or []
            ],
        )
        return await insert_model(uow, SUB_GROUPS, group)

    return await rt.transaction(work)


async def review_terms_of_reference(
    rt: Runtime, sub_group_id: str, on: date | None, expected: int | None
) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc = await loaded(uow, SUB_GROUPS, sub_group_id, "sub-group", expected)
        group = to_model(SubGroup, doc)
        group.review_terms_of_reference(given_or_today(on))
        return await save_model(uow, SUB_GROUPS, doc, group)

    return await rt.transaction(work)


async def first_meetings_this_year(db: AsyncDatabase[Any], board_ids: list[str]) -> dict[str, date | None]:
    start, end = financial_year_bounds(financial_year_of(today()))
    docs = await find(
        db,
        MEETINGS,
        {
            "board_id": {"$in": board_ids},
            "status": {"$ne": "cancelled"},
            "scheduled_for": {"$gte": start.isoformat(), "$lte": end_of(end)},
        },
        sort=[("scheduled_for", ASCENDING)],
    )
    meetings: dict[str, list[Meeting]] = {}
    for d in docs:
        meetings.setdefault(d["board_id"], []).append(to_model(Meeting, d))
    return {b: first_meeting_of_year(meetings.get(b, []), today()) for b in board_ids}


def sub_group_view(doc: dict[str, Any], first_meeting: date | None) -> dict[str, Any]:
    group = to_model(SubGroup, doc)
    view = documents.resource(doc)
    view["terms_of_reference"] = {
        "status": group.review_status(first_meeting, today()),
        "year": financial_year_of(today()),
        "due_at_meeting_on": first_meeting.isoformat() if first_meeting else None,
    }
    return view


# --------------------------------------------------------------------------- annual reports


async def draft_annual_report(rt: Runtime, board_id: str, body: dict[str, Any]) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        await board_of(uow, board_id)
        report = AnnualReport.draft(
            documents.new_id(), board_id, body["year"], body["title"], body.get("summary") or ""
        )
        return await insert_model(uow, ANNUAL_REPORTS, report)

    return await rt.transaction(work)


async def advance_annual_report(
    rt: Runtime, report_id: str, body: dict[str, Any], expected: int | None
) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc = await loaded(uow, ANNUAL_REPORTS, report_id, "annual report", expected)
        report = to_model(AnnualReport, doc)
        if body["to"] == "approved":
            if not body.get("decision_id"):
                raise Invalid(
                    "Approval is by a board decision: give its decision_id.",
                    errors=[{"field": "decision_id", "message": "required to approve"}],
                )
            decision_doc = await documents.load(uow, DECISIONS, body["decision_id"], kind="decision")
            report.approve(to_model(Decision, decision_doc))
        else:
            board = await board_of(uow, report.board_id)
            on = given_or_today(body.get("on"))
            report.publish(on)
            uow.emit(
                AnnualReportPublished(
                    annual_report_id=report.id,
                    board_id=board.id,
                    board_name=board.name,
                    year=report.year,
                    title=report.title,
                    published_on=on,
                )
            )
        return await save_model(uow, ANNUAL_REPORTS, doc, report)

    return await rt.transaction(work)


# --------------------------------------------------------------------------- disputes


async def raise_dispute(rt: Runtime, board_id: str, body: dict[str, Any]) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        await board_of(uow, board_id)
        members = await members_of(uow, board_id)
        dispute = Dispute.raise_(
            documents.new_id(),
            board_id,
            body["parties"],
            body["subject"],
            given_or_today(body.get("determined_on")),
            [m.organisation for m in members],
        )
        return await insert_model(uow, DISPUTES, dispute, joint_meeting_due_on=dispute.joint_meeting_due_on)

    return await rt.transaction(work)


async def advance_dispute(
    rt: Runtime, dispute_id: str, body: dict[str, Any], expected: int | None
) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc = await loaded(uow, DISPUTES, dispute_id, "dispute", expected)
        dispute = to_model(Dispute, doc)
        on = given_or_today(body.get("on"))
        if body["to"] == "joint_meeting_held":
            dispute.hold_joint_meeting(on)
        else:
            dispute.resolve(on, body.get("resolution") or "")
        return await save_model(uow, DISPUTES, doc, dispute, joint_meeting_due_on=dispute.joint_meeting_due_on)

    return await rt.transaction(work)


def dispute_view(doc: dict[str, Any]) -> dict[str, Any]:
    view = documents.resource(doc)
    view["overdue"] = to_model(Dispute, doc).overdue(today())
    return view
