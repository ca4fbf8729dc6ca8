"""Reading subscriptions and bulletins: each topic's subscribers counted by status (no addresses), the
subscriptions themselves with their addresses (for ``comms:approve`` only), bulletins and their deliveries
(ids and statuses, never an address)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from civic.documents import load, matching, resource
from civic.errors import Forbidden
from civic.http import Page, paginate

from civic_comms.issuing.reports import deliveries_page, delivery_counts
from civic_comms.repository import BULLETIN_DELIVERIES, BULLETINS, SUBSCRIPTIONS
from civic_comms.subscriptions.domain import SUBSCRIPTION_STATUSES

if TYPE_CHECKING:
    from civic.auth import Caller
    from civic.service import Runtime

#: what a subscription's answer shows: never its tokens (a token is the power to confirm or end it)
_SHOWN = ("id", "topic", "email", "status", "requested_at", "confirmed_at", "unsubscribed_at")


async def topic_counts(rt: Runtime, topic: str | None) -> dict[str, Any]:
    rows: dict[str, dict[str, int]] = {}
    async for row in await rt.db[SUBSCRIPTIONS].aggregate([
        {"$match": matching(topic=topic)},
        {"$group": {"_id": {"topic": "$topic", "status": "$status"}, "n": {"$sum": 1}}},
    ]):
        counts = rows.setdefault(row["_id"]["topic"], dict.fromkeys(SUBSCRIPTION_STATUSES, 0))
        counts[row["_id"]["status"]] = row["n"]
    if topic is not None:
        rows.setdefault(topic, dict.fromkeys(SUBSCRIPTION_STATUSES, 0))
    return {"items": [{"topic": t, **rows[t]} for t in sorted(rows)]}


async def list_subscriptions(rt: Runtime, caller: Caller, page: Page, topic: str | None,
                             status: str | None) -> dict[str, Any]:
    if not caller.has("comms:approve"):
        raise Forbidden("Subscribers' addresses are shown only with the comms:approve scope; "
                        "GET /v1/subscription-topics counts them.", required_scope="comms:approve")
    return await paginate(rt.db[SUBSCRIPTIONS], matching(topic=topic, status=status), page,
                          transform=lambda d: {k: v for k, v in resource(d).items() if k in _SHOWN})


async def list_bulletins(rt: Runtime, page: Page, topic: str | None) -> dict[str, Any]:
    return await paginate(rt.db[BULLETINS], matching(topic=topic), page)


async def get_bulletin(rt: Runtime, bulletin_id: str) -> dict[str, Any]:
    doc = await load(rt.db, BULLETINS, bulletin_id, kind="bulletin")
    counts = await delivery_counts(rt.db, BULLETIN_DELIVERIES, {"bulletin_id": bulletin_id})
    return {**resource(doc), "delivery_counts": counts}


async def list_deliveries(rt: Runtime, bulletin_id: str, page: Page, status: str | None) -> dict[str, Any]:
    await load(rt.db, BULLETINS, bulletin_id, kind="bulletin")  # 404 rather than an empty list
    return await deliveries_page(rt.db, BULLETIN_DELIVERIES, {"bulletin_id": bulletin_id}, page, status)
