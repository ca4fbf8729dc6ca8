"""Read side of the register of interests: a member's register, and the board's with the reviews overdue."""

from __future__ import annotations

from datetime import date
from typing import Any

from civic import documents
from civic.calendar import date_of, in_utc, today
from civic.service import Runtime
from pymongo import ASCENDING, DESCENDING

from civic_safeguarding.boards.service import board_of
from civic_safeguarding.interests.domain import ReviewStatus, review_status
from civic_safeguarding.interests.service import interest_view
from civic_safeguarding.repository import INTEREST_REVIEWS, INTERESTS, MEMBERS, find


def _entered_on(member: dict[str, Any], interests: list[dict[str, Any]]) -> date:
    """When the member's register began: their first entry, or their appointment when it has none."""
    registered = [date.fromisoformat(i["registered_on"]) for i in interests if i.get("registered_on")]
    return min(registered) if registered else date_of(in_utc(member["created_at"]))


def _register(
    member: dict[str, Any], interests: list[dict[str, Any]], reviews: list[dict[str, Any]], confidential: bool
) -> dict[str, Any]:
    last = date.fromisoformat(reviews[0]["reviewed_on"]) if reviews else None
    status: ReviewStatus = review_status(last, _entered_on(member, interests), today())
    return {
        "member_id": member["_id"],
        "board_id": member["board_id"],
        "name": member["name"],
        "organisation": member["organisation"],
        "interests": [interest_view(i, confidential) for i in interests],
        "last_reviewed_on": status.last_reviewed_on,
        "review_due_on": status.due_on,
        "review_overdue": status.overdue,
        "reviews": [documents.resource(r) for r in reviews],
    }


async def member_register(rt: Runtime, member_id: str, confidential: bool) -> dict[str, Any]:
    """The member's register: every entry (withdrawn ones too, as withdrawn), and its yearly reviews, latest first."""
    member = await documents.load(rt.db, MEMBERS, member_id, kind="member")
    interests = await find(rt.db, INTERESTS, {"member_id": member_id}, sort=[("_id", ASCENDING)])
    reviews = await find(rt.db, INTEREST_REVIEWS, {"member_id": member_id}, sort=[("reviewed_on", DESCENDING)])
    return _register(member, interests, reviews, confidential)


async def board_register(rt: Runtime, board_id: str, confidential: bool) -> dict[str, Any]:
    """Each member's entries on the register (withdrawn ones left out) and the state of their yearly review;
    `overdue_reviews` names the members whose review is more than 12 months old."""
    board = await board_of(rt.db, board_id)
    members = await find(rt.db, MEMBERS, {"board_id": board_id}, sort=[("_id", ASCENDING)])
    interests = await find(rt.db, INTERESTS, {"board_id": board_id}, sort=[("_id", ASCENDING)])
    ids = [m["_id"] for m in members]
    reviews = await find(rt.db, INTEREST_REVIEWS, {"member_id": {"$in": ids}}, sort=[("reviewed_on", DESCENDING)])
    registers = []
    for member in members:
        own = [i for i in interests if i["member_id"] == member["_id"]]
        register = _register(member, own, [r for r in reviews if r["member_id"] == member["_id"]], confidential)
        register["interests"] = [i for i in register["interests"] if i["status"] == "registered"]
        del register["reviews"]
        registers.append(register)
    return {
        "board_id": board.id,
        "board_name": board.name,
        "members": registers,
        "overdue_reviews": [
            {key: r[key] for key in ("member_id", "name", "organisation", "review_due_on")}
            for r in registers
            if r["review_overdue"]
        ],
    }
