"""Read side of the reviews: their action plans' overdue actions, across the board's open reviews."""

from __future__ import annotations

from typing import Any

from civic.calendar import today
from civic.service import Runtime

from civic_safeguarding.boards.service import board_of
from civic_safeguarding.repository import SARS, find, to_model
from civic_safeguarding.sars.domain import Sar


async def overdue_actions(rt: Runtime, board_id: str) -> dict[str, Any]:
    """The board's open SAR actions past their due date, most overdue first; reference and action only, never
    the case details."""
    board = await board_of(rt.db, board_id)
    now = today()
    found: list[dict[str, Any]] = []
    for doc in await find(rt.db, SARS, {"board_id": board_id, "status": {"$ne": "closed"}}):
        sar = to_model(Sar, doc)
        for action in sar.overdue_actions(now):
            found.append({
                "sar_id": sar.id, "reference": sar.reference, "action_id": action.id, "action": action.action,
                "owner": action.owner, "due_on": action.due_on, "days_overdue": (now - action.due_on).days,
            })  # fmt: skip
    found.sort(key=lambda a: (-a["days_overdue"], a["reference"], a["action_id"]))
    return {"board_id": board.id, "board_name": board.name, "as_of": now, "actions": found}
