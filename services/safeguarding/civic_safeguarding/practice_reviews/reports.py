"""Read side of the practice reviews: the rapid reviews past their fifteenth working day, undecided."""

from __future__ import annotations

from typing import Any

from civic.calendar import today
from civic.service import Runtime

from civic_safeguarding.boards.service import board_of
from civic_safeguarding.practice_reviews.domain import PracticeReview
from civic_safeguarding.practice_reviews.service import BANK_HOLIDAYS
from civic_safeguarding.repository import PRACTICE_REVIEWS, find, to_model


async def overdue_rapid_reviews(rt: Runtime, board_id: str) -> dict[str, Any]:
    """The partnership's notified incidents whose rapid review's decision is overdue today, most overdue first;
    the reference only, never the case details."""
    board = await board_of(rt.db, board_id)
    now = today()
    reviews = [
        to_model(PracticeReview, d)
        for d in await find(rt.db, PRACTICE_REVIEWS, {"board_id": board_id, "status": "notified"})
    ]
    overdue = sorted(
        (r for r in reviews if r.rapid_review_overdue(now, BANK_HOLIDAYS)),
        key=lambda r: (r.rapid_review_due_on(BANK_HOLIDAYS), r.reference),
    )
    return {
        "board_id": board.id,
        "board_name": board.name,
        "as_of": now,
        "rapid_reviews": [
            {"practice_review_id": r.id, "reference": r.reference, "notified_on": r.notified_on,
             "rapid_review_due_on": r.rapid_review_due_on(BANK_HOLIDAYS)}
            for r in overdue
        ],
    }  # fmt: skip
