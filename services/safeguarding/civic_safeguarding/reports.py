"""Service-wide read side: the dashboard summary (indexed queries, small results)."""

from __future__ import annotations

from typing import Any

from civic.calendar import today
from civic.service import Runtime
from pymongo import ASCENDING

from civic_safeguarding.oversight import service as oversight
from civic_safeguarding.repository import BOARDS, DISPUTES, MEETINGS, SUB_GROUPS

NEXT_MEETINGS = 5


async def summary(rt: Runtime) -> dict[str, Any]:
    day = today().isoformat()
    boards = {b["_id"]: b["name"] for b in await rt.db[BOARDS].find({}, {"name": 1}).to_list()}
    upcoming = (
        await rt.db[MEETINGS]
        .find(
            {"status": "scheduled", "scheduled_for": {"$gte": day}},
            {"board_id": 1, "scheduled_for": 1, "quorum": 1},
        )
        .sort("scheduled_for", ASCENDING)
        .limit(50)
        .to_list()
    )
    next_meetings = [
        {
            "meeting_id": m["_id"],
            "board_id": m["board_id"],
            "board_name": boards.get(m["board_id"], ""),
            "scheduled_for": m["scheduled_for"],
        }
        for m in upcoming[:NEXT_MEETINGS]
    ]
    # a meeting is at risk when the register so far (apologies sent in advance) leaves it inquorate
    quorum_risks = [
        {
            "meeting_id": m["_id"],
            "board_name": boards.get(m["board_id"], ""),
            "missing": m["quorum"]["missing"],
        }
        for m in upcoming
        if m.get("quorum") and not m["quorum"]["quorate"]
    ]
    groups = await rt.db[SUB_GROUPS].find({}).to_list()
    first = await oversight.first_meetings_this_year(rt.db, list(boards))
    overdue_reviews = []
    for doc in groups:
        view = oversight.sub_group_view(doc, first.get(doc["board_id"]))
        if view["terms_of_reference"]["status"] == "overdue":
            overdue_reviews.append(
                {
                    "sub_group_id": doc["_id"],
                    "name": doc["name"],
                    "board_name": boards.get(doc["board_id"], ""),
                }
            )
    overdue_disputes = await rt.db[DISPUTES].count_documents(
        {"status": "open", "joint_meeting_due_on": {"$lt": day}}
    )
    return {
        "next_meetings": next_meetings,
        "quorum_risks": quorum_risks,
        "overdue_reviews": overdue_reviews,
        "overdue_disputes": overdue_disputes,
    }
