"""Oversight use cases: budget, sub-groups, annual reports and disputes.

Each change runs in one unit of work; each answers with the API form, including what is derived
at read time (a sub-group's terms-of-reference status, a dispute being overdue).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from civic import documents
from civic.calendar import today
from civic.documents import resource
from civic.errors import Invalid, PreconditionFailed
from civic.http import Page
from civic.service import Runtime
from civic.uow import UnitOfWork
from civic_contracts.safeguarding import AnnualReportPublished
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from civic_safeguarding.boards.service import about_board, board_of, member_of_board, members_of
from civic_safeguarding.decisions.service import DECISION_RECORDS
from civic_safeguarding.domain import financial_year_bounds, financial_year_of, given_or_today
from civic_safeguarding.meetings.domain import Meeting
from civic_safeguarding.oversight.domain import (
    AnnualReport,
    Budget,
    BudgetLine,
    Dispute,
    SubGroup,
    WorkPlanEntry,
    first_meeting_of_year,
)
from civic_safeguarding.records import Records
from civic_safeguarding.repository import (
    ANNUAL_REPORTS,
    BUDGETS,
    DISPUTES,
    MEETINGS,
    SUB_GROUPS,
    budget_id,
    end_of,
    find,
    to_model,
)

# --------------------------------------------------------------------------- budget


def _budget_totals(budget: Budget) -> dict[str, int]:
    return {
        "total_expenditure_pence": budget.total_expenditure_pence,
        "total_contributions_pence": budget.total_contributions_pence,
        "gap_pence": budget.gap_pence,
    }


def budget_view(doc: dict[str, Any]) -> dict[str, Any]:
    view = resource(doc)
    view["contributions"] = [
        {"organisation": c["name"], "amount_pence": c["amount_pence"]} for c in doc["contributions"]
    ]
    return view


BUDGET_RECORDS = Records(BUDGETS, Budget, "budget", view=budget_view)


async def set_budget(
    rt: Runtime, board_id: str, year: str, body: dict[str, Any], expected: int | None
) -> tuple[dict[str, Any], bool]:
    """Set a financial year's budget, replacing it when there is one. Returns (budget, created)."""

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
            return await BUDGET_RECORDS.insert(uow, budget, **extra), True
        documents.check_version(existing, expected)
        return await BUDGET_RECORDS.save(uow, existing, budget, **extra), False

    saved, created = await rt.transaction(work)
    return budget_view(saved), created


async def get_budget(rt: Runtime, board_id: str, year: str) -> dict[str, Any]:
    await board_of(rt.db, board_id)
    financial_year_bounds(year)
    return await BUDGET_RECORDS.one(rt, budget_id(board_id, year))


# --------------------------------------------------------------------------- sub-groups

# the API form adds the terms of reference's review (sub_group_view), which asks when the board first meets
SUB_GROUP_RECORDS = Records(SUB_GROUPS, SubGroup, "sub-group")


async def first_meetings_this_year(db: AsyncDatabase[Any], board_ids: list[str]) -> dict[str, date | None]:
    """Each board's first meeting of this financial year, where its sub-groups' reviews fall due."""
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
    view = resource(doc)
    view["terms_of_reference"] = {
        "status": group.review_status(first_meeting, today()),
        "year": financial_year_of(today()),
        "due_at_meeting_on": first_meeting.isoformat() if first_meeting else None,
    }
    return view


async def _sub_group_view(rt: Runtime, doc: dict[str, Any]) -> dict[str, Any]:
    first = await first_meetings_this_year(rt.db, [doc["board_id"]])
    return sub_group_view(doc, first[doc["board_id"]])


async def form_sub_group(rt: Runtime, board_id: str, body: dict[str, Any]) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        await board_of(uow, board_id)
        chair_id = body.get("chair_member_id")
        chair = await member_of_board(uow, board_id, chair_id) if chair_id else None
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
        return await SUB_GROUP_RECORDS.insert(uow, group)

    return await _sub_group_view(rt, await rt.transaction(work))


async def list_sub_groups(rt: Runtime, board_id: str, page: Page) -> dict[str, Any]:
    first = (await first_meetings_this_year(rt.db, [board_id]))[board_id]
    return await SUB_GROUP_RECORDS.of_board(rt, board_id, page, view=lambda d: sub_group_view(d, first))


async def get_sub_group(rt: Runtime, sub_group_id: str) -> dict[str, Any]:
    doc, _ = await SUB_GROUP_RECORDS.load(rt.db, sub_group_id)
    return await _sub_group_view(rt, doc)


async def review_terms_of_reference(
    rt: Runtime, sub_group_id: str, on: date | None, expected: int | None
) -> dict[str, Any]:
    def review(group: SubGroup) -> None:
        group.review_terms_of_reference(given_or_today(on))

    return await _sub_group_view(rt, await SUB_GROUP_RECORDS.change(rt, sub_group_id, expected, review))


# --------------------------------------------------------------------------- annual reports

ANNUAL_REPORT_RECORDS = Records(ANNUAL_REPORTS, AnnualReport, "annual report")


async def draft_annual_report(rt: Runtime, board_id: str, body: dict[str, Any]) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        await board_of(uow, board_id)
        report = AnnualReport.draft(
            documents.new_id(), board_id, body["year"], body["title"], body.get("summary") or ""
        )
        return await ANNUAL_REPORT_RECORDS.insert(uow, report)

    return resource(await rt.transaction(work))


async def advance_annual_report(
    rt: Runtime, report_id: str, body: dict[str, Any], expected: int | None
) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc, report = await ANNUAL_REPORT_RECORDS.load(uow, report_id, expected)
        if body["to"] == "approved":
            if not body.get("decision_id"):
                raise Invalid.at(
                    "decision_id", "required to approve",
                    "Approval is by a board decision: give its decision_id.",
                )
            _, decision = await DECISION_RECORDS.load(uow, body["decision_id"])
            report.approve(decision)
        else:
            board = await board_of(uow, report.board_id)
            on = given_or_today(body.get("on"))
            report.publish(on)
            uow.emit(
                AnnualReportPublished(
                    annual_report_id=report.id,
                    **about_board(board),
                    year=report.year,
                    title=report.title,
                    published_on=on,
                )
            )
        return await ANNUAL_REPORT_RECORDS.save(uow, doc, report)

    return resource(await rt.transaction(work))


# --------------------------------------------------------------------------- disputes


def dispute_view(doc: dict[str, Any]) -> dict[str, Any]:
    view = resource(doc)
    view["overdue"] = to_model(Dispute, doc).overdue(today())
    return view


#: a dispute's document keeps when its joint meeting is due, which the reminders query
DISPUTE_RECORDS = Records(
    DISPUTES, Dispute, "dispute", view=dispute_view, derived=lambda d: {"joint_meeting_due_on": d.joint_meeting_due_on}
)


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
        return await DISPUTE_RECORDS.insert(uow, dispute)

    return dispute_view(await rt.transaction(work))


async def advance_dispute(
    rt: Runtime, dispute_id: str, body: dict[str, Any], expected: int | None
) -> dict[str, Any]:
    def advance(dispute: Dispute) -> None:
        on = given_or_today(body.get("on"))
        if body["to"] == "joint_meeting_held":
            dispute.hold_joint_meeting(on)
        else:
            dispute.resolve(on, body.get("resolution") or "")

    return dispute_view(await DISPUTE_RECORDS.change(rt, dispute_id, expected, advance))
