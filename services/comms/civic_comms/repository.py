"""MongoDB adapter of the comms service: the collections and their indexes, the response tallies several areas
read, and how a stored time is read back. Each area's documents <-> domain models are in its own
``repository.py`` (``content/repository.py``, ``consultations/repository.py``, ...)."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from civic.calendar import in_utc
from civic.uow import UnitOfWork
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

CONTENT = "content"
CAMPAIGNS = "campaigns"
CONSULTATIONS = "consultations"
RESPONSES = "responses"
RESPONSE_TALLIES = "response_tallies"
BRIEFING_ITEMS = "briefing_items"
MEDIA_COVERAGE = "media_coverage"
CHAMPIONS = "champions"
SERVICES = "council_services"
BRIEFING_SUBSCRIBERS = "briefing_subscribers"
BRIEFING_ISSUES = "briefing_issues"
BRIEFING_DELIVERIES = "briefing_deliveries"
#: "we asked, you said, we did": one per consultation, under the consultation's id
OUTCOMES = "consultation_outcomes"
#: a response's equality monitoring answers and contact consent, under the response's id: kept apart from
#: the answers so that nothing reading responses (the list, the CSV export) can carry them
RESPONDENT_DETAILS = "respondent_details"
#: subscriptions to topics (a campaign, a consultation's outcome) by email
SUBSCRIPTIONS = "topic_subscriptions"
#: the confirmation emails asked for, sent by the briefing's sender (ids only: the address is the subscription's)
CONFIRMATION_MAIL = "subscription_confirmations"
#: published content and outcomes emailed to their topic's subscribers, and each subscriber's copy
BULLETINS = "bulletins"
BULLETIN_DELIVERIES = "bulletin_deliveries"


async def ensure_indexes(db: AsyncDatabase[Any]) -> None:
    # the scheduler's claim and the forward plan both look content up by status and time
    await db[CONTENT].create_index([("status", ASCENDING), ("publish_at", ASCENDING)])
    await db[CONTENT].create_index([("publish_at", ASCENDING)])
    await db[CONTENT].create_index([("campaign_id", ASCENDING), ("_id", ASCENDING)])
    # one reaction draft per source (a closure, a move, an annual report), whatever the redelivery
    await db[CONTENT].create_index("source_key", unique=True, sparse=True)
    await db[CAMPAIGNS].create_index([("starts_on", ASCENDING)])
    await db[CONSULTATIONS].create_index([("opened_announced", ASCENDING), ("opens_at", ASCENDING)])
    await db[CONSULTATIONS].create_index([("closed_announced", ASCENDING), ("closes_at", ASCENDING)])
    await db[RESPONSES].create_index([("consultation_id", ASCENDING), ("_id", ASCENDING)])
    await db[RESPONSE_TALLIES].create_index([("consultation_id", ASCENDING)])
    await _tally_responses_stored_before_tallies(db)
    await db[BRIEFING_ITEMS].create_index([("week", ASCENDING), ("occurred_at", ASCENDING)])
    await db[BRIEFING_ITEMS].create_index("source_event_id", unique=True, sparse=True)
    await db[MEDIA_COVERAGE].create_index([("published_on", DESCENDING)])
    await db[CHAMPIONS].create_index([("service_key", ASCENDING)])
    await db[CHAMPIONS].create_index([("stood_down_on", ASCENDING), ("_id", ASCENDING)])
    await db[SERVICES].create_index("key", unique=True)
    # one subscription per address, whatever its case
    await db[BRIEFING_SUBSCRIBERS].create_index("email_key", unique=True)
    # the scheduler's question: approved briefings whose time has come
    await db[BRIEFING_ISSUES].create_index([("status", ASCENDING), ("send_at", ASCENDING)])
    await db[BRIEFING_DELIVERIES].create_index([("week", ASCENDING), ("_id", ASCENDING)])
    await db[BRIEFING_DELIVERIES].create_index([("subscriber_id", ASCENDING), ("status", ASCENDING)])
    # the public page: published outcomes, newest first
    await db[OUTCOMES].create_index([("status", ASCENDING), ("published_at", DESCENDING), ("_id", DESCENDING)])
    await db[RESPONDENT_DETAILS].create_index([("consultation_id", ASCENDING), ("_id", ASCENDING)])
    # one subscription per address and topic, whatever the address's case; links find theirs by token
    await db[SUBSCRIPTIONS].create_index([("topic", ASCENDING), ("email_key", ASCENDING)], unique=True)
    await db[SUBSCRIPTIONS].create_index([("topic", ASCENDING), ("status", ASCENDING), ("_id", ASCENDING)])
    await db[SUBSCRIPTIONS].create_index("tokens.hash", sparse=True)
    await db[SUBSCRIPTIONS].create_index("unsubscribe_token", unique=True)
    # the sender's claim, for every kind of email: pending ones due, and sending ones whose lease has passed
    for deliveries in (BRIEFING_DELIVERIES, CONFIRMATION_MAIL, BULLETIN_DELIVERIES):
        await db[deliveries].create_index([("status", ASCENDING), ("next_attempt_at", ASCENDING)])
        await db[deliveries].create_index([("status", ASCENDING), ("lease_until", ASCENDING)])
    for deliveries in (CONFIRMATION_MAIL, BULLETIN_DELIVERIES):
        await db[deliveries].create_index([("subscription_id", ASCENDING), ("status", ASCENDING)])
    await db[BULLETIN_DELIVERIES].create_index([("bulletin_id", ASCENDING), ("_id", ASCENDING)])
    await db[BULLETINS].create_index([("topic", ASCENDING), ("_id", ASCENDING)])


# --- response tallies ---------------------------------------------------------------------------
# How many responses a consultation has is shown on every consultation and on the dashboard. Counting
# the responses each time grows with the consultation (the embedded database reads every one); a
# tally kept in the same transaction as each response does not. The tally is split over shards so
# residents answering at the same moment do not all write the same document.
TALLY_SHARDS = 16


async def add_to_tally(uow: UnitOfWork, consultation_id: str, responses: int) -> None:
    shard = random.randrange(TALLY_SHARDS)
    await uow.db[RESPONSE_TALLIES].update_one(
        {"_id": f"{consultation_id}:{shard}"},
        {"$inc": {"responses": responses}, "$setOnInsert": {"consultation_id": consultation_id}},
        upsert=True,
        session=uow.session,
    )


async def response_counts(db: AsyncDatabase[Any], consultation_ids: Iterable[str]) -> dict[str, int]:
    counts = dict.fromkeys(consultation_ids, 0)
    if counts:
        cursor = db[RESPONSE_TALLIES].find(
            {"consultation_id": {"$in": list(counts)}}, {"consultation_id": 1, "responses": 1}
        )
        async for shard in cursor:
            counts[shard["consultation_id"]] += shard["responses"]
    return counts


async def _tally_responses_stored_before_tallies(db: AsyncDatabase[Any]) -> None:
    """Once, on the first start with tallies: count the responses already stored."""
    if await db[RESPONSE_TALLIES].find_one({}, {"_id": 1}) is not None:
        return
    async for row in await db[RESPONSES].aggregate([{"$group": {"_id": "$consultation_id", "n": {"$sum": 1}}}]):
        await db[RESPONSE_TALLIES].update_one(
            {"_id": f"{row['_id']}:0"},
            {"$setOnInsert": {"consultation_id": row["_id"], "responses": row["n"]}},
            upsert=True,
        )


def utc(value: datetime | None) -> datetime | None:
    """A stored time that may be absent, in UTC (:func:`civic.calendar.in_utc`)."""
    return None if value is None else in_utc(value)
