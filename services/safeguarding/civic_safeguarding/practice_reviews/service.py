"""Child Safeguarding Practice Review use cases: each change in one unit of work; each answers in the API form.

The case summary and the child's details are stored with the review but never put in a log, and the API form
leaves them out unless the caller is cleared (`confidential`). Nothing is announced: no other service reacts to
a practice review yet.
"""

from __future__ import annotations

from typing import Any

import holidays
from civic import documents
from civic.service import Runtime
from civic.uow import UnitOfWork

from civic_safeguarding.boards.service import board_and_members, board_of
from civic_safeguarding.domain import given_or_today
from civic_safeguarding.practice_reviews.domain import CONFIDENTIAL_FIELDS, PracticeReview
from civic_safeguarding.records import Records, withheld_view
from civic_safeguarding.repository import PRACTICE_REVIEWS, to_model

_withheld = withheld_view(CONFIDENTIAL_FIELDS)
#: England's bank holidays, which the statutory working days leave out (offline data, substitute days included;
#: each year is worked out when first asked), handed to the rules that count them
BANK_HOLIDAYS = holidays.country_holidays("GB", subdiv="ENG")


def review_view(doc: dict[str, Any], confidential: bool) -> dict[str, Any]:
    """The API form: the stored review with its statutory days worked out; the case details only when
    `confidential` (the caller's clearance)."""
    review = to_model(PracticeReview, doc)
    return _withheld(doc, confidential) | {
        "notification_due_on": review.notification_due_on(BANK_HOLIDAYS),
        "notified_late": review.notified_late(BANK_HOLIDAYS),
        "rapid_review_due_on": review.rapid_review_due_on(BANK_HOLIDAYS),
        "rapid_review_late": review.rapid_review_late(BANK_HOLIDAYS),
    }


REVIEW_RECORDS = Records(
    PRACTICE_REVIEWS, PracticeReview, "practice review", view=lambda doc: review_view(doc, False), cleared_view=review_view
)


async def notify(rt: Runtime, board_id: str, body: dict[str, Any], confidential: bool) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        known_on = given_or_today(body.get("incident_known_on"))
        review = PracticeReview.notify(
            documents.new_id(),
            await board_of(uow, board_id),
            body["reference"],
            body["case_summary"],
            body["child"],
            known_on,
            body.get("notified_on") or known_on,
        )
        return await REVIEW_RECORDS.insert(uow, review)

    return review_view(await rt.transaction(work), confidential)


async def advance(
    rt: Runtime, review_id: str, body: dict[str, Any], expected: int | None, confidential: bool
) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc, review = await REVIEW_RECORDS.load(uow, review_id, expected)
        _, members = await board_and_members(uow, review.board_id)
        review.advance(
            body["to"],
            given_or_today(body.get("on")),
            **documents.values_of(body, "local_review", "reasons", "reviewer", "reviewer_organisation"),
            member_organisations=[m.organisation for m in members],
        )
        return await REVIEW_RECORDS.save(uow, doc, review)

    return review_view(await rt.transaction(work), confidential)
