"""Subscription use cases: ask to subscribe (a pending subscription and its confirmation email), confirm by
the emailed link, unsubscribe by a bulletin's link; issue a bulletin to a topic's subscribers (called in the
transaction that publishes the content or the outcome); and the two kinds of email, sent by the briefing's
sender (:class:`civic_comms.issuing.service.Mailing`): claimed, leased, retried, never lost.

Each ``work`` runs in ``rt.transaction`` and may run again, so it reads afresh and has no other effect.
Logs and events name subscriptions by id; an address is only in the subscription and the email itself.
"""

from __future__ import annotations

import logging
from datetime import datetime
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from civic.documents import insert, new_id, now
from civic.errors import Invalid, NotFound
from civic.uow import UnitOfWork
from civic_contracts.comms import BulletinIssued
from pymongo import ASCENDING

from civic_comms.issuing.domain import PENDING as DELIVERY_PENDING
from civic_comms.issuing.domain import WITHDRAWN, check_email, email_key
from civic_comms.issuing.post import Post
from civic_comms.issuing.service import Mailing
from civic_comms.repository import BULLETIN_DELIVERIES, BULLETINS, CAMPAIGNS, CONFIRMATION_MAIL, CONSULTATIONS, SUBSCRIPTIONS
from civic_comms.settings import comms_settings
from civic_comms.subscriptions.domain import (
    CAMPAIGN,
    CONFIRMED,
    LinkNotValid,
    Subscription,
    Topic,
    bulletin_deliveries,
    bulletin_id,
    bulletin_message,
    confirmation_message,
    link,
    new_token,
    token_hash,
)
from civic_comms.subscriptions.repository import (
    SUBSCRIPTION_RECORDS,
    bulletin_delivery_to_document,
    subscription_to_document,
    subscription_to_model,
)

if TYPE_CHECKING:
    from civic.auth import Caller
    from civic.service import Runtime

log = logging.getLogger("civic.comms")

#: the one answer to a request to subscribe, whatever the address's standing: nothing tells a caller whether
#: an address is subscribed already
REQUESTED = ("Thank you. If this address is not subscribed to this topic yet, an email asking to confirm the "
             "subscription is on its way; the subscription starts once the link in it is opened.")


async def _topic_title(db: Any, topic: Topic, session: Any = None) -> str | None:
    """The campaign's or the consultation's title; None when the topic names nothing."""
    collection = CAMPAIGNS if topic.kind == CAMPAIGN else CONSULTATIONS
    doc = await db[collection].find_one({"_id": topic.id}, {"title": 1}, session=session)
    return None if doc is None else str(doc["title"])


async def request_subscription(
    rt: Runtime, email: str, topic_text: str, caller: Caller, at: datetime | None = None
) -> dict[str, Any]:
    """A pending subscription and a confirmation email, within the limit on those (`at`: the request's
    moment, now by default). The same answer whatever happened: sent, limited, or confirmed already."""
    topic, address = Topic.parse(topic_text), check_email(email)
    limit = comms_settings().confirmations_per_day

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        if await _topic_title(uow.db, topic, uow.session) is None:
            raise Invalid.at("topic", "no such campaign or consultation", f"No {topic.kind} with id {topic.id!r}.")
        moment = at or now()
        doc = await uow.db[SUBSCRIPTIONS].find_one({"topic": str(topic), "email_key": email_key(address)},
                                                   session=uow.session)
        if doc is None:
            subscription = Subscription.request(id=new_id(), topic=topic, email=address, now=moment)
            await insert(uow, SUBSCRIPTIONS, subscription_to_document(subscription))
            send = True
        else:
            subscription = subscription_to_model(doc)
            send = subscription.ask_again(moment, limit)
            if send:
                await SUBSCRIPTION_RECORDS.save(uow, doc, subscription)
        if send:
            await insert(uow, CONFIRMATION_MAIL, {"_id": new_id(), "subscription_id": subscription.id,
                                                  "status": DELIVERY_PENDING, "attempts": 0,
                                                  "next_attempt_at": moment})
        return {"subscription_id": subscription.id, "confirmation_sent": send}

    done = await rt.transaction(work)
    log.info("subscription requested", extra={**done, "topic": str(topic), "by": caller.sub})
    return {"topic": str(topic), "detail": REQUESTED}


async def confirm(rt: Runtime, token: str, caller: Caller) -> dict[str, Any]:
    hashed = token_hash(token)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc = await uow.db[SUBSCRIPTIONS].find_one({"tokens.hash": hashed}, session=uow.session)
        if doc is None:
            raise LinkNotValid("confirmation")
        subscription = subscription_to_model(doc)
        subscription.confirm(hashed, now())
        await SUBSCRIPTION_RECORDS.save(uow, doc, subscription)
        return {"subscription_id": subscription.id, "topic": subscription.topic}

    done = await rt.transaction(work)
    log.info("subscription confirmed", extra={**done, "by": caller.sub})
    return {"topic": done["topic"], "status": CONFIRMED}


async def unsubscribe(rt: Runtime, token: str, caller: Caller) -> dict[str, Any]:
    """Ended, and every email not yet sent to it withdrawn; a second time changes nothing and says the same."""

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc = await uow.db[SUBSCRIPTIONS].find_one({"unsubscribe_token": token}, session=uow.session)
        if doc is None:
            raise LinkNotValid("unsubscribe")
        subscription = subscription_to_model(doc)
        withdrawn = 0
        if subscription.unsubscribe(now()):
            await SUBSCRIPTION_RECORDS.save(uow, doc, subscription)
            for collection in (BULLETIN_DELIVERIES, CONFIRMATION_MAIL):
                result = await uow.db[collection].update_many(
                    {"subscription_id": subscription.id, "status": DELIVERY_PENDING},
                    {"$set": {"status": WITHDRAWN, "withdrawn_at": now()}, "$unset": {"next_attempt_at": ""}},
                    session=uow.session,
                )
                withdrawn += result.modified_count
        return {"subscription_id": subscription.id, "topic": subscription.topic, "withdrawn": withdrawn}

    done = await rt.transaction(work)
    log.info("subscription ended", extra={**done, "by": caller.sub})
    return {"topic": done["topic"], "status": "unsubscribed"}


# --- bulletins ------------------------------------------------------------------------------------


async def issue_bulletin(uow: UnitOfWork, *, topic: Topic, source: str, source_id: str, subject: str, text: str,
                         at: datetime) -> int:
    """In the caller's transaction (the one publishing the content or the outcome): the bulletin, one
    delivery per confirmed subscriber of the topic, and ``comms.bulletin.issued``. Answers the deliveries."""
    bulletin = bulletin_id(source, source_id)
    if await uow.db[BULLETINS].find_one({"_id": bulletin}, {"_id": 1}, session=uow.session) is not None:
        return 0  # issued already: something is published once, but a bulletin must never go twice
    subscribed = [subscription_to_model(d) for d in await uow.db[SUBSCRIPTIONS].find(
        {"topic": str(topic), "status": CONFIRMED}, session=uow.session).sort("_id", ASCENDING).to_list()]
    deliveries = bulletin_deliveries(bulletin, subscribed, topic, at)
    await insert(uow, BULLETINS, {"_id": bulletin, "topic": str(topic), "source": source, "source_id": source_id,
                                  "subject": subject, "text": text, "issued_at": at, "deliveries": len(deliveries)})
    if deliveries:
        stamp = {"version": 1, "created_at": at, "updated_at": at}
        await uow.db[BULLETIN_DELIVERIES].insert_many(
            [{**bulletin_delivery_to_document(d), **stamp} for d in deliveries], session=uow.session)
    uow.emit(BulletinIssued(bulletin_id=bulletin, topic=str(topic), source=source, source_id=source_id,
                            issued_at=at, deliveries=len(deliveries)))
    return len(deliveries)


# --- the emails -----------------------------------------------------------------------------------


async def _confirmation(rt: Runtime, doc: dict[str, Any], post: Post) -> EmailMessage | None:
    """A fresh token for this attempt, its hash kept before the link leaves (so the link always works)."""
    token, moment = new_token(), now()

    async def remember(uow: UnitOfWork) -> Subscription | None:
        loaded, subscription = await SUBSCRIPTION_RECORDS.load(uow, doc["subscription_id"])
        if not subscription.wants_confirmation():
            return None
        subscription.issue_token(token_hash(token), moment)
        await SUBSCRIPTION_RECORDS.save(uow, loaded, subscription)
        return subscription

    subscription = await rt.transaction(remember)
    if subscription is None:
        return None
    title = await _topic_title(rt.db, Topic.parse(subscription.topic)) or subscription.topic
    return confirmation_message(
        topic_title=title, to=subscription.email, sender=post.sender, date=moment,
        confirm_url=link(comms_settings().public_url, "/subscriptions/confirm", token),
        message_id=f"<confirm.{doc['_id']}@{post.domain}>",
    )


async def _bulletin(rt: Runtime, doc: dict[str, Any], post: Post) -> EmailMessage | None:
    bulletin = await rt.db[BULLETINS].find_one({"_id": doc["bulletin_id"]})
    if bulletin is None:  # never: a delivery is written with its bulletin
        raise NotFound("bulletin", doc["bulletin_id"])
    found = await rt.db[SUBSCRIPTIONS].find_one({"_id": doc["subscription_id"]})
    subscription = None if found is None else subscription_to_model(found)
    if subscription is None or subscription.status != CONFIRMED:
        return None  # ended after the bulletin was issued
    return bulletin_message(
        subject=bulletin["subject"], body=bulletin["text"], to=subscription.email, sender=post.sender,
        date=bulletin["issued_at"], message_id=f"<bulletin.{doc['_id']}@{post.domain}>",
        unsubscribe_url=link(comms_settings().public_url, "/subscriptions/unsubscribe", subscription.unsubscribe_token),
    )


#: the emails asking an address to confirm a subscription
CONFIRMATIONS = Mailing("subscription confirmation", CONFIRMATION_MAIL, _confirmation)
#: the bulletins' copies, one per subscriber
BULLETIN_MAIL = Mailing("bulletin", BULLETIN_DELIVERIES, _bulletin)
