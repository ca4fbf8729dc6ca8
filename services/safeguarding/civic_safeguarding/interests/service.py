"""Register of interests use cases: each change in one unit of work; each answers with the API form.

An interest's confidential details are stored with it but never put in a declaration, an event or a log,
and the API form leaves them out unless the caller is cleared (`confidential`). Nothing here emits an
event: the register is the board's own record; what it changes at a meeting is the meeting's.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from civic import documents
from civic.calendar import today
from civic.documents import resource
from civic.http import Page
from civic.service import Runtime
from civic.uow import UnitOfWork

from civic_safeguarding.boards.service import MEMBER_RECORDS
from civic_safeguarding.domain import given_or_today
from civic_safeguarding.interests.domain import CONFIDENTIAL_FIELDS, Interest, Review
from civic_safeguarding.records import Records, withheld_view
from civic_safeguarding.repository import INTEREST_REVIEWS, INTERESTS, Source, find, to_model

#: the API form; without `confidential` (the caller's clearance) a sensitive interest's details are withheld
interest_view = withheld_view(CONFIDENTIAL_FIELDS)


# shown as it is to a caller not cleared: each use case that may show more passes the caller's clearance
INTEREST_RECORDS = Records(INTERESTS, Interest, "interest", view=lambda doc: interest_view(doc, False))
REVIEW_RECORDS = Records(INTEREST_REVIEWS, Review, "register review")


async def registered_interests(source: Source, board_id: str) -> list[Interest]:
    """The board's interests on the register (not withdrawn): what pre-fills its meetings' declarations."""
    docs = await find(source, INTERESTS, {"board_id": board_id, "status": "registered"})
    return [to_model(Interest, d) for d in docs]


async def register_interest(rt: Runtime, member_id: str, body: dict[str, Any], confidential: bool) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        _, member = await MEMBER_RECORDS.load(uow, member_id)
        # the request's fields are the entry's (NewInterest): kind, description, concerns, held_from, ...
        interest = Interest.register(documents.new_id(), member, on=today(), **body)
        return await INTEREST_RECORDS.insert(uow, interest)

    return interest_view(await rt.transaction(work), confidential)


async def get_interest(rt: Runtime, interest_id: str, confidential: bool) -> dict[str, Any]:
    return await INTEREST_RECORDS.one(rt, interest_id, view=lambda d: interest_view(d, confidential))


async def list_interests(
    rt: Runtime, board_id: str, page: Page, status: str | None, confidential: bool
) -> dict[str, Any]:
    where = {"status": status} if status else None
    return await INTEREST_RECORDS.of_board(
        rt, board_id, page, where=where, view=lambda d: interest_view(d, confidential)
    )


async def amend_interest(
    rt: Runtime, interest_id: str, changes: dict[str, Any], expected: int | None, confidential: bool
) -> dict[str, Any]:
    def amend(interest: Interest) -> None:
        interest.amend(changes)

    return interest_view(await INTEREST_RECORDS.change(rt, interest_id, expected, amend), confidential)


async def withdraw_interest(
    rt: Runtime, interest_id: str, body: dict[str, Any], expected: int | None, confidential: bool
) -> dict[str, Any]:
    def withdraw(interest: Interest) -> None:
        interest.withdraw(given_or_today(body.get("withdrawn_on")), body.get("reason"))

    return interest_view(await INTEREST_RECORDS.change(rt, interest_id, expected, withdraw), confidential)


async def review_register(rt: Runtime, member_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """The yearly review of the member's register, recorded as done (a record of its own: an append)."""

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        _, member = await MEMBER_RECORDS.load(uow, member_id)
        day: date = today()
        review = Review.record(documents.new_id(), member, body.get("reviewed_on") or day, body["reviewed_by"], day)
        return await REVIEW_RECORDS.insert(uow, review)

    return resource(await rt.transaction(work))
