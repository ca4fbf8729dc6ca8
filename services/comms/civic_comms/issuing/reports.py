"""Reading the briefing's issue: subscribers, a week's approval and issue with its deliveries counted by
status, and the deliveries one by one (who, and how it went)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from civic.documents import matching, resource
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


async def delivery_counts(db: AsyncDatabase[Any], deliveries: str, sending: dict[str, Any]) -> dict[str, int]:
    """The deliveries of one sending (a week's briefing, a bulletin: the `sending` query in the collection
    `deliveries`) counted by status, every status named."""
    counts = dict.fromkeys(DELIVERY_STATUSES, 0)
    async for row in await db[deliveries].aggregate(
        [{"$match": sending}, {"$group": {"_id": "$status", "n": {"$sum": 1}}}]
    ):
        counts[row["_id"]] = row["n"]
    return counts


async def deliveries_page(
    db: AsyncDatabase[Any], deliveries: str, sending: dict[str, Any], page: Page, status: str | None
) -> dict[str, Any]:
    """The deliveries of one sending a page at a time (in one status, if given), without the sender's
    bookkeeping."""
    return await paginate(db[deliveries], {**sending, **matching(status=status)}, page,
                          transform=lambda d: {k: v for k, v in resource(d).items() if k not in _SENDER_ONLY})


async def issue_view(db: AsyncDatabase[Any], doc: dict[str, Any]) -> dict[str, Any]:
    return {**resource(doc), "delivery_counts": await delivery_counts(db, BRIEFING_DELIVERIES, {"week": doc["week"]})}


async def get_issue(rt: Runtime, iso_week: str) -> dict[str, Any]:
    doc, _ = await ISSUE_RECORDS.load(rt.db, str(IsoWeek.parse(iso_week)))
    return await issue_view(rt.db, doc)


async def list_deliveries(rt: Runtime, iso_week: str, page: Page, status: str | None = None) -> dict[str, Any]:
    week = str(IsoWeek.parse(iso_week))
    await ISSUE_RECORDS.load(rt.db, week)  # 404 for a week not approved, rather than an empty list
    return await deliveries_page(rt.db, BRIEFING_DELIVERIES, {"week": week}, page, status)
