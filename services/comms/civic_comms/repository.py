"""MongoDB adapter of the comms service: collections, indexes, documents <-> domain models."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from civic.calendar import date_of, in_utc
from civic.documents import Stored, day_from_text, day_text, fields_of, values_of
from civic.uow import UnitOfWork
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from civic_comms.briefing.domain import BriefingItem, IsoWeek, MediaCoverage
from civic_comms.champions.domain import Champion, CouncilService, service_key
from civic_comms.consultations.domain import Consultation, Question
from civic_comms.content.domain import Campaign, Content, Move, SignOff
from civic_comms.issuing.domain import BriefingIssue, Delivery, Subscriber, email_key
from civic_comms.outcomes.domain import Outcome
from civic_comms.respondents.domain import RespondentDetails
from civic_comms.subscriptions.domain import BulletinDelivery, ConfirmationToken, Subscription

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
    # the sender's claim: pending ones due, and sending ones whose lease has passed
    await db[BRIEFING_DELIVERIES].create_index([("status", ASCENDING), ("next_attempt_at", ASCENDING)])
    await db[BRIEFING_DELIVERIES].create_index([("status", ASCENDING), ("lease_until", ASCENDING)])
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
    for deliveries in (CONFIRMATION_MAIL, BULLETIN_DELIVERIES):  # the sender's claim, as the briefing's
        await db[deliveries].create_index([("status", ASCENDING), ("next_attempt_at", ASCENDING)])
        await db[deliveries].create_index([("status", ASCENDING), ("lease_until", ASCENDING)])
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


# --- content ----------------------------------------------------------------------------------


def content_to_model(doc: dict[str, Any]) -> Content:
    return Content(
        id=doc["_id"],
        **values_of(doc, "title", "body", "author", "status"),
        channels=list(doc["channels"]),
        audience=list(doc["audience"]),
        campaign_id=doc.get("campaign_id"),
        publish_at=utc(doc.get("publish_at")),
        requires_approval_by=doc.get("requires_approval_by"),
        sign_offs=[_sign_off(s) for s in doc.get("sign_offs", [])],
        history=[
            Move(h["from"], h["to"], h["by"], in_utc(h["at"]), h.get("reason"))
            for h in doc.get("history", [])
        ],
        approved_by=doc.get("approved_by"),
        approved_at=utc(doc.get("approved_at")),
        published_at=utc(doc.get("published_at")),
        rejection_reason=doc.get("rejection_reason"),
        source_key=doc.get("source_key"),
    )


def _sign_off(doc: dict[str, Any]) -> SignOff:
    return SignOff(
        doc["body"],
        doc["signed_by"],
        in_utc(doc["signed_at"]),
        decision_id=doc.get("decision_id"),
        board_id=doc.get("board_id"),
        decided_on=day_from_text(doc.get("decided_on")),
    )


def _sign_off_document(sign_off: SignOff) -> dict[str, Any]:
    """A board's sign-off names the decision that gave it (null for one the comms team recorded)."""
    return {
        **fields_of(sign_off, "body", "signed_by", "signed_at", "decision_id", "board_id"),
        # BSON has no date type: days are stored as ISO strings, which sort as dates
        "decided_on": day_text(sign_off.decided_on),
    }


def content_to_document(content: Content, base: dict[str, Any] | None = None) -> dict[str, Any]:
    doc = dict(base or {})
    doc.update(
        _id=content.id,
        **fields_of(content, "title", "body", "channels", "audience", "author", "status", "campaign_id"),
        **fields_of(content, "publish_at", "requires_approval_by"),
        sign_offs=[_sign_off_document(s) for s in content.sign_offs],
        history=[
            {"from": m.from_status, "to": m.to_status, "by": m.by, "at": m.at, "reason": m.reason}
            for m in content.history
        ],
        **fields_of(content, "approved_by", "approved_at", "published_at", "rejection_reason"),
    )
    if content.source_key:
        doc["source_key"] = content.source_key  # absent (not null) so the sparse unique index skips it
    return doc


#: a content item as the use cases load and save it
CONTENT_RECORDS = Stored(CONTENT, "content", content_to_model, content_to_document)


# --- campaigns --------------------------------------------------------------------------------


def campaign_to_document(campaign: Campaign) -> dict[str, Any]:
    return {
        "_id": campaign.id,
        **fields_of(campaign, "title", "objectives"),
        # BSON has no date type: days are stored as ISO strings, which sort as dates
        "starts_on": campaign.starts_on.isoformat(),
        "ends_on": campaign.ends_on.isoformat(),
        "owner": campaign.owner,
        "description": campaign.description,
    }


# --- consultations ----------------------------------------------------------------------------


def consultation_to_model(doc: dict[str, Any]) -> Consultation:
    return Consultation(
        id=doc["_id"],
        title=doc["title"],
        questions=[
            Question(q["id"], q["text"], q["kind"], tuple(q.get("options") or ()), q.get("required", False))
            for q in doc["questions"]
        ],
        opens_at=in_utc(doc["opens_at"]),
        closes_at=in_utc(doc["closes_at"]),
        owner=doc["owner"],
        description=doc.get("description"),
        kind=doc.get("kind", "consultation"),
        opened_announced=doc.get("opened_announced", False),
        closed_announced=doc.get("closed_announced", False),
    )


def consultation_to_document(k: Consultation, base: dict[str, Any] | None = None) -> dict[str, Any]:
    doc = dict(base or {})
    doc.update(
        _id=k.id,
        **fields_of(k, "title", "kind", "description", "owner", "opens_at", "closes_at"),
        opens_on=k.opens_on.isoformat(),
        closes_on=k.closes_on.isoformat(),
        questions=[
            {"id": q.id, "text": q.text, "kind": q.kind, "options": list(q.options), "required": q.required}
            for q in k.questions
        ],
        **fields_of(k, "opened_announced", "closed_announced"),
    )
    return doc


#: a consultation as the use cases load and save it
CONSULTATION_RECORDS = Stored(CONSULTATIONS, "consultation", consultation_to_model, consultation_to_document)


def respondent_details_document(response_id: str, consultation_id: str, details: RespondentDetails) -> dict[str, Any]:
    """A response's monitoring answers and contact consent, under the response's id (never with its answers)."""
    return {
        "_id": response_id,
        "consultation_id": consultation_id,
        **fields_of(details, "monitoring", "consent_to_contact", "contact_email"),
    }


# --- "we asked, you said, we did" ------------------------------------------------------------


def outcome_to_model(doc: dict[str, Any]) -> Outcome:
    return Outcome(
        id=doc["_id"],
        **values_of(doc, "consultation_id", "we_asked", "recorded_by", "status"),
        you_said=doc.get("you_said"),
        we_did=doc.get("we_did"),
        decided_by=doc.get("decided_by"),
        decided_on=day_from_text(doc.get("decided_on")),
        decision_reference=doc.get("decision_reference"),
        decision_url=doc.get("decision_url"),
        published_by=doc.get("published_by"),
        published_at=utc(doc.get("published_at")),
        published_as=dict(doc.get("published_as") or {}),
    )


def outcome_to_document(outcome: Outcome, base: dict[str, Any] | None = None) -> dict[str, Any]:
    doc = dict(base or {})
    doc.update(
        _id=outcome.id,
        **fields_of(outcome, "consultation_id", "we_asked", "you_said", "we_did", "decided_by"),
        decided_on=day_text(outcome.decided_on),
        **fields_of(outcome, "decision_reference", "decision_url", "status", "recorded_by"),
        **fields_of(outcome, "published_by", "published_at", "published_as"),
    )
    return doc


#: a consultation's outcome as the use cases load and save it (its id is the consultation's)
OUTCOME_RECORDS = Stored(OUTCOMES, "consultation outcome", outcome_to_model, outcome_to_document)


# --- the briefing and media coverage ---------------------------------------------------------


def briefing_item_to_document(
    item: BriefingItem, *, source_event_id: str | None = None, media_coverage_id: str | None = None
) -> dict[str, Any]:
    """Stored under the week it happened in (council time), which is how a briefing finds its items."""
    doc = {
        "week": str(IsoWeek.of(item.occurred_at)),
        **fields_of(item, "section", "kind", "headline", "detail", "occurred_at", "source"),
    }
    # an event's item keeps its id (unique, sparse): a redelivered event finds it and adds nothing
    if source_event_id:
        doc["source_event_id"] = source_event_id
    if media_coverage_id:
        doc["media_coverage_id"] = media_coverage_id
    return doc


def media_coverage_to_document(coverage: MediaCoverage) -> dict[str, Any]:
    return {
        "_id": coverage.id,
        **fields_of(coverage, "outlet", "headline"),
        "published_on": coverage.published_on.isoformat(),
        **fields_of(coverage, "sentiment", "url", "summary", "logged_by"),
        "week": str(IsoWeek.of(coverage.published_on)),
    }


# --- change champions -------------------------------------------------------------------------


def council_service_to_document(service: CouncilService) -> dict[str, Any]:
    # the key is how a name is looked up (unique index): case and extra spaces do not make a second service
    return {
        **fields_of(service, "name", "directorate", "representation", "council"),
        "key": service_key(service.name),
    }


def council_service_to_model(doc: dict[str, Any]) -> CouncilService:
    return CouncilService(doc["name"], doc["directorate"], doc.get("representation", "required"), doc.get("council"))


def champion_to_document(champion: Champion, base: dict[str, Any] | None = None,
                         appointed_by: str | None = None) -> dict[str, Any]:
    doc = dict(base or {})
    doc.update(
        **fields_of(champion, "name", "service"),
        service_key=service_key(champion.service),
        **fields_of(champion, "directorate", "council", "email"),
        appointed_on=day_text(champion.appointed_on),
        stood_down_on=day_text(champion.stood_down_on),
        stand_down_reason=champion.stand_down_reason,
    )
    if appointed_by is not None:
        doc["appointed_by"] = appointed_by
    return doc


def champion_to_model(doc: dict[str, Any]) -> Champion:
    return Champion(
        **values_of(doc, "name", "service", "directorate"),
        council=doc.get("council"),
        email=doc.get("email"),
        # a champion appointed before the day was kept joined on the day they were recorded
        appointed_on=day_from_text(doc.get("appointed_on")) or date_of(in_utc(doc["created_at"])),
        stood_down_on=day_from_text(doc.get("stood_down_on")),
        stand_down_reason=doc.get("stand_down_reason"),
    )


#: a champion as the use cases load and save them
CHAMPION_RECORDS = Stored(CHAMPIONS, "champion", champion_to_model, champion_to_document)


# --- the briefing issued and sent ---------------------------------------------------------------


def subscriber_to_document(subscriber: Subscriber, subscribed_by: str) -> dict[str, Any]:
    return {
        "_id": subscriber.id,
        **fields_of(subscriber, "name", "email"),
        "email_key": email_key(subscriber.email),
        "subscribed_by": subscribed_by,
    }


def subscriber_to_model(doc: dict[str, Any]) -> Subscriber:
    return Subscriber(id=doc["_id"], name=doc["name"], email=doc["email"])


def issue_to_document(issue: BriefingIssue, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """Kept under its week: a second approval of the week finds it."""
    doc = dict(base or {})
    doc.update(
        _id=issue.week,
        **fields_of(issue, "week", "status", "content", "approved_by", "approved_at", "send_at"),
        **fields_of(issue, "issued_at", "issued_by", "deliveries"),
    )
    return doc


def issue_to_model(doc: dict[str, Any]) -> BriefingIssue:
    return BriefingIssue(
        **values_of(doc, "week", "content", "approved_by", "status"),
        approved_at=in_utc(doc["approved_at"]),
        send_at=in_utc(doc["send_at"]),
        issued_at=utc(doc.get("issued_at")),
        issued_by=doc.get("issued_by"),
        deliveries=doc.get("deliveries", 0),
    )


#: a week's approved briefing as the use cases load and save it
ISSUE_RECORDS = Stored(BRIEFING_ISSUES, "approved briefing", issue_to_model, issue_to_document)


def delivery_to_document(delivery: Delivery) -> dict[str, Any]:
    return {
        "_id": delivery.id,
        **fields_of(delivery, "week", "subscriber_id", "name", "email", "status", "attempts", "next_attempt_at"),
    }


def delivery_to_model(doc: dict[str, Any]) -> Delivery:
    return Delivery(
        id=doc["_id"],
        **values_of(doc, "week", "subscriber_id", "name", "email", "status", "attempts"),
        next_attempt_at=utc(doc.get("next_attempt_at")),
    )


# --- subscriptions and bulletins ----------------------------------------------------------------


def subscription_to_document(sub: Subscription, base: dict[str, Any] | None = None) -> dict[str, Any]:
    doc = dict(base or {})
    doc.update(
        _id=sub.id,
        **fields_of(sub, "topic", "email", "status", "requested_at", "unsubscribe_token"),
        email_key=sub.email_key,
        tokens=[{"hash": t.hash, "expires_at": t.expires_at} for t in sub.tokens],
        **fields_of(sub, "confirmed_at", "unsubscribed_at"),
    )
    return doc


def subscription_to_model(doc: dict[str, Any]) -> Subscription:
    return Subscription(
        id=doc["_id"],
        **values_of(doc, "topic", "email", "status", "unsubscribe_token"),
        requested_at=in_utc(doc["requested_at"]),
        tokens=[ConfirmationToken(t["hash"], in_utc(t["expires_at"])) for t in doc.get("tokens", [])],
        confirmed_at=utc(doc.get("confirmed_at")),
        unsubscribed_at=utc(doc.get("unsubscribed_at")),
    )


#: a subscription as the use cases load and save it
SUBSCRIPTION_RECORDS = Stored(SUBSCRIPTIONS, "subscription", subscription_to_model, subscription_to_document)


def bulletin_delivery_to_document(delivery: BulletinDelivery) -> dict[str, Any]:
    return {
        "_id": delivery.id,
        **fields_of(delivery, "bulletin_id", "subscription_id", "status", "attempts", "next_attempt_at"),
    }
