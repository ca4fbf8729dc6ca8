"""Read side of oversight: the attendance report (an indexed query over the last meetings)."""

from __future__ import annotations

from typing import Any

from civic.calendar import today
from civic.service import Runtime
from pymongo import DESCENDING

from civic_safeguarding.boards.service import board_and_members
from civic_safeguarding.meetings.domain import Meeting
from civic_safeguarding.oversight.domain import PERSISTENT_NON_ATTENDANCE, attendance_report
from civic_safeguarding.repository import MEETINGS, end_of, to_model


async def attendance(rt: Runtime, board_id: str, last: int) -> dict[str, Any]:
    """Each organisation's attendance over the board's last `last` meetings with a register."""
    board, members = await board_and_members(rt.db, board_id)
    docs = (
        await rt.db[MEETINGS]
        .find(
            {
                "board_id": board_id,
                "status": {"$ne": "cancelled"},
                "attendance.0": {"$exists": True},
                # registers of meetings still to come (apologies sent ahead) are not attendance yet
                "scheduled_for": {"$lte": end_of(today())},
            }
        )
        .sort("scheduled_for", DESCENDING)
        .limit(last)
        .to_list()
    )
    meetings = [to_model(Meeting, d) for d in reversed(docs)]
    rows = attendance_report(members, meetings, last)
    return {
        "board_id": board.id,
        "board_name": board.name,
        "meetings": [{"meeting_id": m.id, "scheduled_for": m.scheduled_for} for m in meetings],
        "threshold": PERSISTENT_NON_ATTENDANCE,
        "organisations": [
            {
                "organisation": r.organisation,
                "meetings": r.meetings,
                "attended": r.attended,
                "in_person": r.in_person,
                "by_deputy": r.by_deputy,
                "apologies": r.apologies,
                "absent": r.absent,
                "attendance_rate": r.attendance_rate,
                "consecutive_missed": r.consecutive_missed,
                "persistent_non_attendance": r.persistent_non_attendance,
                "action": (
                    f"The chair writes to the chief executive of {r.organisation}."
                    if r.persistent_non_attendance
                    else None
                ),
            }
            for r in rows
        ],
    }
