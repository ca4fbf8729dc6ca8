"""Read side of the forward plan: the board's key decisions to come, in the order they will be taken."""

from __future__ import annotations

from datetime import date
from typing import Any

from civic.calendar import today
from civic.documents import resource
from civic.service import Runtime
from pymongo import ASCENDING

from civic_safeguarding.boards.service import board_of
from civic_safeguarding.notices.service import date_range
from civic_safeguarding.repository import KEY_DECISIONS, find

PLAN_LIMIT = 500  # entries in one listing: a board plans a few a month


async def forward_plan(rt: Runtime, board_id: str, start: date | None, end: date | None) -> dict[str, Any]:
    """The key decisions to be taken from `start` (by default today) to `end` (open by default)."""
    board = await board_of(rt.db, board_id)
    start = start or today()
    days = date_range(start, end) or {}
    docs = await find(
        rt.db, KEY_DECISIONS, {"board_id": board_id, "to_be_taken_on": days},
        sort=[("to_be_taken_on", ASCENDING), ("_id", ASCENDING)], limit=PLAN_LIMIT,
    )  # fmt: skip
    return {
        "board_id": board.id,
        "board_name": board.name,
        "from": start,
        "to": end,
        "key_decisions": [resource(d) for d in docs],
    }
