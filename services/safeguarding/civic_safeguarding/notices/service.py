"""Decision notices: published with every decision the board records, in the same unit of work.

A notice is generated from the decision, the board's members and the declarations made on its item; its
event carries ids only (no names, no words of the decision): a consumer reads the notice from the API.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from civic.calendar import today
from civic.errors import Invalid
from civic.http import Page
from civic.service import Runtime
from civic.uow import UnitOfWork
from civic_contracts.safeguarding import DecisionNoticePublished

from civic_safeguarding.boards.domain import Board, Member
from civic_safeguarding.decisions.domain import Decision
from civic_safeguarding.meetings.domain import Declaration
from civic_safeguarding.notices.domain import DecisionNotice
from civic_safeguarding.records import Records
from civic_safeguarding.repository import DECISION_NOTICES

NOTICE_RECORDS = Records(DECISION_NOTICES, DecisionNotice, "decision notice")


async def publish_notice(
    uow: UnitOfWork,
    notice_id: str,
    decision: Decision,
    board: Board,
    members: list[Member],
    declarations: list[Declaration],
) -> None:
    """The notice of `decision` stored and announced (`declarations`: the meeting's, none between meetings)."""
    notice = DecisionNotice.of(notice_id, decision, board, members, declarations, today())
    await NOTICE_RECORDS.insert(uow, notice)
    uow.emit(
        DecisionNoticePublished(
            decision_notice_id=notice.id, decision_id=decision.id, board_id=board.id, meeting_id=decision.meeting_id
        )
    )


def date_range(start: date | None, end: date | None) -> dict[str, str] | None:
    """A query on the days from `start` to `end` (either may be open); Invalid when they run backwards."""
    if start and end and end < start:
        raise Invalid.at(
            "to", "not before from", f"The range ends ({end.isoformat()}) before it starts ({start.isoformat()})."
        )
    bounds = {"$gte": start.isoformat()} if start else {}
    if end:
        bounds["$lte"] = end.isoformat()
    return bounds or None


async def list_notices(rt: Runtime, board_id: str, page: Page, start: date | None, end: date | None) -> dict[str, Any]:
    """The board's decision notices, of decisions made from `start` to `end`, a page at a time."""
    days = date_range(start, end)
    return await NOTICE_RECORDS.of_board(rt, board_id, page, where={"decided_on": days} if days else None)
