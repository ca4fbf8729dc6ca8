"""Reading the briefing's issue: subscribers, a week's approval and issue with its deliveries counted by
status, and the deliveries one by one (who, and how it went)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from civic.documents import resource
from civic.http import Page, paginate
from pymongo.asynchronous.database import AsyncDatabase

from civic_comms.briefing.domain import IsoWeek
from civic_comms.issuing.domain import DELIVERY_STATUSES
from civic_comms.issuing.repository import ISSUE_RECORDS
from civic_comms.repository import BRIEFING_DELIVERIES, BRIEFING_SUBSCRIBERS

if TYPE_CHECKING:
    from civic.service import Runtime

#: a delivery's bookkeeping that is the sender's, not the officer's
_SENDER_ONLY = ("claim", "version", "created_at", "updated_at")


async def list_subscribers(rt: Runtime, page: Page) -> dict[str, Any]:
    return await paginate(rt.db[BRIEFING_SUBSCRIBERS], {}, page,
                          transform=lambda d: {k: v for k, v in resource(d).items() if k != "email_key"})


async def delivery_counts(db: AsyncDatabase[Any], week: str) -> dict[str, int]:
    counts = dict.fromkeys(DELIVERY_STATUSES, 0)
    async for row in await db[BRIEFING_DELIVERIES].aggregate(
        [{"$match": {"week": week}}, {"$group": {"_id": "$status", "n": {"$sum": 1}}}]
    ):
        counts[row["_id"]] = row["n"]
    return counts


async def issue_view(db: AsyncDatabase[Any], doc: dict[str, Any]) -> dict[str, Any]:
    return {**resource(doc), "delivery_counts": await delivery_counts(db, doc["week"])}


async def get_issue(rt: Runtime, iso_week: str) -> dict[str, Any]:
    doc, _ = await ISSUE_RECORDS.load(rt.db, str(IsoWeek.parse(iso_week)))
    return await issue_view(rt.db, doc)


async def list_deliveries(rt: Runtime, iso_week: str, page: Page, status: str | None = None) -> dict[str, Any]:
    week = str(IsoWeek.parse(iso_week))
    await ISSUE_RECORDS.load(rt.db, week)  # 404 for a week not approved, rather than an empty list
    query: dict[str, Any] = {"week": week, **({"status": status} if status else {})}
    return await paginate(rt.db[BRIEFING_DELIVERIES], query, page,
                          transform=lambda d: {k: v for k, v in resource(d).items() if k not in _SENDER_ONLY})
