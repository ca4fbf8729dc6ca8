"""The comms service's read side across its areas: the dashboard summary."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from civic.documents import now
from pymongo import ASCENDING

from civic_comms.briefing.domain import IsoWeek
from civic_comms.content.domain import SCHEDULED
from civic_comms.repository import CONSULTATIONS, CONTENT, response_counts

if TYPE_CHECKING:
    from civic.service import Runtime


async def summary(rt: Runtime) -> dict[str, Any]:
    """Content scheduled this week (council time) and the consultations open now, with their response counts."""
    moment = now()
    week = IsoWeek.of(moment)
    scheduled = (
        await rt.db[CONTENT]
        .find(
            {"status": SCHEDULED, "publish_at": {"$gte": week.starts_at, "$lt": week.ends_at}},
            {"title": 1, "publish_at": 1, "channels": 1},
        )
        .sort("publish_at", ASCENDING)
        .limit(100)
        .to_list()
    )
    open_docs = (
        await rt.db[CONSULTATIONS]
        .find(
            {"opens_at": {"$lte": moment}, "closes_at": {"$gt": moment}},
            {"title": 1, "closes_on": 1},
        )
        .sort("closes_at", ASCENDING)
        .limit(50)
        .to_list()
    )
    counts = await response_counts(rt.db, [d["_id"] for d in open_docs])
    open_consultations = [
        {
            "consultation_id": d["_id"],
            "title": d["title"],
            "closes_on": d["closes_on"],
            "responses": counts[d["_id"]],
        }
        for d in open_docs
    ]
    return {
        "scheduled_this_week": [
            {
                "content_id": d["_id"],
                "title": d["title"],
                "publish_at": d["publish_at"],
                "channels": d["channels"],
            }
            for d in scheduled
        ],
        "open_consultations": open_consultations,
    }
