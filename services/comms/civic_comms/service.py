"""Use cases of the communications team: load, ask the domain, save and emit, in one transaction.

Each use case's ``work`` runs in ``rt.transaction``, which runs it again when a concurrent change to
the same record won the race (everything the failed attempt wrote was rolled back): so ``work``
reads what it needs afresh and has no effect outside the database (logging comes after).

A reference in a request body that names nothing (a content's ``campaign_id``) is a validation
failure (422 naming the field); an unknown id in the path is 404.
"""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from civic.documents import check_version, insert, load, new_id, now, resource, save
from civic.errors import Invalid, Refused, Unavailable
from civic.uow import UnitOfWork
from civic_contracts.comms import (
    ContentApproved,
    ContentPublished,
)
from pymongo import ASCENDING, ReturnDocument
from pymongo.errors import PyMongoError

from civic_comms.briefing.domain import IsoWeek
from civic_comms.consultations import service as consultations_service
from civic_comms.domain import (
    APPROVED,
    COUNCIL_TZ,
    PUBLISHED,
    SCHEDULED,
    SYSTEM_AUTHOR,
    Campaign,
    Content,
)
from civic_comms.repository import (
    CAMPAIGNS,
    CONSULTATIONS,
    CONTENT,
    campaign_to_document,
    content_to_document,
    content_to_model,
    response_counts,
    utc,
)

if TYPE_CHECKING:
    from civic.auth import Caller
    from civic.service import Runtime

log = logging.getLogger("civic.comms")

#: how often the scheduler looks for content and consultations whose time has come
SCHEDULER_SECONDS = float(os.environ.get("CIVIC_COMMS_SCHEDULER_SECONDS", "5"))


# --- content ----------------------------------------------------------------------------------


async def _check_campaign(db: Any, campaign_id: str | None, session: Any = None) -> None:
    if (
        campaign_id is not None
        and await db[CAMPAIGNS].find_one({"_id": campaign_id}, session=session) is None
    ):
        raise Invalid(
            f"No campaign with id {campaign_id!r}.",
            errors=[{"field": "campaign_id", "message": "no such campaign"}],
        )


async def create_content(rt: Runtime, body: dict[str, Any], caller: Caller) -> dict[str, Any]:
    content = Content.draft(id=new_id(), author=caller.sub, **body)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        await _check_campaign(uow.db, content.campaign_id, uow.session)
        return await insert(uow, CONTENT, content_to_document(content))

    return resource(await rt.transaction(work))


async def get_content(rt: Runtime, content_id: str) -> dict[str, Any]:
    return resource(await load(rt.db, CONTENT, content_id, kind="content"))


async def edit_content(
    rt: Runtime, content_id: str, changes: dict[str, Any], caller: Caller, expected_version: int | None
) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc = await load(uow, CONTENT, content_id, kind="content")
        check_version(doc, expected_version)
        content = content_to_model(doc)
        content.edit(**changes)
        await _check_campaign(uow.db, changes.get("campaign_id"), uow.session)
        return await save(uow, CONTENT, content_to_document(content, doc), doc["version"])

    return resource(await rt.transaction(work))


async def move_content(
    rt: Runtime,
    content_id: str,
    *,
    to: str,
    caller: Caller,
    expected_version: int | None,
    reason: str | None = None,
    publish_at: datetime | None = None,
) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc = await load(uow, CONTENT, content_id, kind="content")
        check_version(doc, expected_version)
        content = content_to_model(doc)
        content.move(
            to,
            by=caller.sub,
            may_approve=caller.has("comms:approve"),
            now=now(),
            reason=reason,
            publish_at=publish_at,
        )
        saved = await save(uow, CONTENT, content_to_document(content, doc), doc["version"])
        if to == APPROVED:
            uow.emit(_approved_event(content))
        elif to == PUBLISHED:
            uow.emit(_published_event(content, scheduled=False))
        return saved

    return resource(await rt.transaction(work))


async def sign_off(
    rt: Runtime, content_id: str, *, body: str, signed_by: str, caller: Caller, expected_version: int | None
) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc = await load(uow, CONTENT, content_id, kind="content")
        check_version(doc, expected_version)
        content = content_to_model(doc)
        content.record_sign_off(body, signed_by, now())
        return await save(uow, CONTENT, content_to_document(content, doc), doc["version"])

    saved = await rt.transaction(work)
    log.info("sign-off recorded", extra={"content_id": content_id, "body": body, "by": caller.sub})
    return resource(saved)


def _approved_event(content: Content) -> ContentApproved:
    assert content.approved_by is not None and content.approved_at is not None
    return ContentApproved(
        content_id=content.id,
        title=content.title,
        channels=content.channels,
        audience=content.audience,
        campaign_id=content.campaign_id,
        author=content.author,
        approved_by=content.approved_by,
        approved_at=content.approved_at,
        signed_off_by=content.requires_approval_by if content.sign_offs else None,
    )


def _published_event(content: Content, *, scheduled: bool) -> ContentPublished:
    assert content.published_at is not None
    return ContentPublished(
        content_id=content.id,
        title=content.title,
        channels=content.channels,
        audience=content.audience,
        campaign_id=content.campaign_id,
        published_at=content.published_at,
        scheduled=scheduled,
    )


async def publish_due(rt: Runtime, at: datetime | None = None) -> int:
    """Publish every scheduled item whose time has come; safe with several replicas.

    Each item is claimed with one atomic find_one_and_update on (status, publish_at) inside the
    transaction that also writes its event: two replicas can never both match the same item.
    """
    moment = at or now()
    published = 0

    async def claim_one(uow: UnitOfWork) -> bool:
        claimed = await uow.db[CONTENT].find_one_and_update(
            {"status": SCHEDULED, "publish_at": {"$lte": moment}},
            {
                "$set": {"status": PUBLISHED, "published_at": moment, "updated_at": moment},
                "$inc": {"version": 1},
                "$push": {
                    "history": {"from": SCHEDULED, "to": PUBLISHED, "by": SYSTEM_AUTHOR, "at": moment, "reason": None}
                },
            },
            sort=[("publish_at", ASCENDING)],
            return_document=ReturnDocument.AFTER,
            session=uow.session,
        )
        if claimed is None:
            return False
        uow.emit(_published_event(content_to_model(claimed), scheduled=True))
        return True

    while await rt.transaction(claim_one):
        published += 1
    return published


# --- campaigns and the forward plan -----------------------------------------------------------


async def create_campaign(rt: Runtime, body: dict[str, Any], caller: Caller) -> dict[str, Any]:
    campaign = Campaign.plan(id=new_id(), owner=body.pop("owner", None) or caller.sub, **body)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        return await insert(uow, CAMPAIGNS, campaign_to_document(campaign))

    return resource(await rt.transaction(work))


async def get_campaign(rt: Runtime, campaign_id: str) -> dict[str, Any]:
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


def _day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(start, time.min, COUNCIL_TZ).astimezone(UTC),
        datetime.combine(end + timedelta(days=1), time.min, COUNCIL_TZ).astimezone(UTC),
    )


async def forward_plan(rt: Runtime, start: date, end: date) -> dict[str, Any]:
    """What goes out when: content with a publication time, consultations opening or closing, and
    campaigns starting or ending, day by day between two dates (both included)."""
    if end < start:
        raise Invalid("to is before from.", errors=[{"field": "to", "message": "before from"}])
    if (end - start).days > 366:
        raise Invalid(
            "A forward plan covers at most a year.", errors=[{"field": "to", "message": "over 366 days"}]
        )
    lo, hi = _day_bounds(start, end)
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
    for edge in ("opens_at", "closes_at"):
        async for doc in rt.db[CONSULTATIONS].find({edge: time_query}):
            entries.append(
                {
                    "at": doc[edge],
                    "kind": f"consultation_{edge[:-3]}s",
                    "id": doc["_id"],
                    "title": doc["title"],
                }
            )
    span = {"$gte": start.isoformat(), "$lte": end.isoformat()}
    for edge in ("starts_on", "ends_on"):
        async for doc in rt.db[CAMPAIGNS].find({edge: span}):
            at = datetime.combine(date.fromisoformat(doc[edge]), time.min, COUNCIL_TZ)
            entries.append(
                {"at": at, "kind": f"campaign_{edge[:-3]}s", "id": doc["_id"], "title": doc["title"]}
            )
    entries.sort(key=lambda e: (e["at"], e["kind"], e["id"]))
    days: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        days.setdefault(entry["at"].astimezone(COUNCIL_TZ).date().isoformat(), []).append(entry)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "entries": len(entries),
        "days": [{"date": d, "items": items} for d, items in days.items()],
    }


async def scheduler(rt: Runtime) -> None:
    """Background job: publish due content and announce consultations, every few seconds."""
    await rt.prepared.wait()
    while True:
        try:
            await publish_due(rt)
            await consultations_service.announce_due(rt)
        except (PyMongoError, Refused, Unavailable) as exc:
            # another replica claimed the same item first, or the database blinked: try next round
            log.warning("scheduler round skipped", extra={"error": repr(exc)[:200]})
        await asyncio.sleep(SCHEDULER_SECONDS)


# --- dashboard summary ------------------------------------------------------------------------


async def summary(rt: Runtime) -> dict[str, Any]:
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
