"""Reading content and campaigns: one item, the lists, a campaign with its content by status, and the
communications forward plan across content, consultations and campaigns."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from civic.calendar import COUNCIL_TZ, date_of, start_of_day, today
from civic.documents import load, matching, resource
from civic.errors import Invalid
from civic.http import Page, paginate

from civic_comms.content.domain import PUBLISHED
from civic_comms.repository import CAMPAIGNS, CONSULTATIONS, CONTENT, utc

if TYPE_CHECKING:
    from civic.service import Runtime


async def get_content(rt: Runtime, content_id: str) -> dict[str, Any]:
    return resource(await load(rt.db, CONTENT, content_id, kind="content"))


async def list_content(
    rt: Runtime,
    page: Page,
    *,
    status: str | None = None,
    campaign_id: str | None = None,
    channel: str | None = None,
) -> dict[str, Any]:
    # an empty filter (``?campaign_id=``) filters on nothing, as a filter left out
    query = matching(status=status, campaign_id=campaign_id or None, channels=channel or None)
    return await paginate(rt.db[CONTENT], query, page)


async def get_campaign(rt: Runtime, campaign_id: str) -> dict[str, Any]:
    """The campaign, with how much of its content is in each status."""
    doc = resource(await load(rt.db, CAMPAIGNS, campaign_id, kind="campaign"))
    counts = await (
        await rt.db[CONTENT].aggregate(
            [
                {"$match": {"campaign_id": campaign_id}},
                {"$group": {"_id": "$status", "n": {"$sum": 1}}},
            ]
        )
    ).to_list()
    doc["content_by_status"] = {c["_id"]: c["n"] for c in counts}
    return doc


async def list_campaigns(rt: Runtime, page: Page) -> dict[str, Any]:
    return await paginate(rt.db[CAMPAIGNS], {}, page)


async def campaign_content(rt: Runtime, campaign_id: str, page: Page) -> dict[str, Any]:
    await load(rt.db, CAMPAIGNS, campaign_id, kind="campaign")  # 404 for an unknown campaign, not an empty list
    return await paginate(rt.db[CONTENT], {"campaign_id": campaign_id}, page)


async def forward_plan(rt: Runtime, first: date | None = None, last: date | None = None) -> dict[str, Any]:
    """What goes out when: content with a publication time, consultations opening or closing, and
    campaigns starting or ending, day by day between two dates (both included).

    From today (council time) when no first day is given; to four weeks after the first day when no
    last day is given."""
    start = first or today()
    end = last or start + timedelta(days=28)
    if end < start:
        raise Invalid.at("to", "before from", "to is before from.")
    if (end - start).days > 366:
        raise Invalid.at("to", "over 366 days", "A forward plan covers at most a year.")
    lo, hi = start_of_day(start), start_of_day(end + timedelta(days=1))
    entries: list[dict[str, Any]] = []
    time_query = {"$gte": lo, "$lt": hi}
    async for doc in rt.db[CONTENT].find({"$or": [{"publish_at": time_query}, {"published_at": time_query}]}):
        when = utc(doc.get("published_at") if doc["status"] == PUBLISHED else doc.get("publish_at"))
        if when is None or not lo <= when < hi:
            continue  # e.g. published outside the range though once planned inside it
        entries.append(
            {
                "at": when,
                "kind": "content",
                "id": doc["_id"],
                "title": doc["title"],
                "status": doc["status"],
                "channels": doc["channels"],
                "audience": doc["audience"],
                "campaign_id": doc.get("campaign_id"),
            }
        )
    for edge, kind in (("opens_at", "consultation_opens"), ("closes_at", "consultation_closes")):
        async for doc in rt.db[CONSULTATIONS].find({edge: time_query}):
            entries.append(
                {
                    "at": doc[edge],
                    "kind": kind,
                    "id": doc["_id"],
                    "title": doc["title"],
                }
            )
    span = {"$gte": start.isoformat(), "$lte": end.isoformat()}
    for edge, kind in (("starts_on", "campaign_starts"), ("ends_on", "campaign_ends")):
        async for doc in rt.db[CAMPAIGNS].find({edge: span}):
            at = datetime.combine(date.fromisoformat(doc[edge]), time.min, COUNCIL_TZ)
            entries.append({"at": at, "kind": kind, "id": doc["_id"], "title": doc["title"]})
    entries.sort(key=lambda e: (e["at"], e["kind"], e["id"]))
    days: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        days.setdefault(date_of(entry["at"]).isoformat(), []).append(entry)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "entries": len(entries),
        "days": [{"date": d, "items": items} for d, items in days.items()],
    }
