"""The briefing issued and sent: subscribe and unsubscribe councillors, approve a week's briefing (and when
it goes), issue it (one delivery per subscriber and ``comms.briefing.issued``, in one transaction: at its
time by the scheduler, or at once by an approver), and send each pending delivery.

Sending is the one effect outside the database, so it happens between two transactions: the claim
(``sending``, a lease, one more attempt) and the outcome (``sent`` with the server's answer, or back to
``pending`` with a wait). See ``domain.py`` for why that is at least once and how the repeat is dropped.
Logs name deliveries by id (week and subscriber id), never by a person's name or address.

The sender is the one for every email the service sends (:class:`Mailing`: the briefing here, the
subscriptions' confirmations and bulletins in ``subscriptions/``): the same claim, lease, retry and mark.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from civic.documents import insert, new_id, now, resource
from civic.errors import Forbidden, NotFound, Refused
from civic.uow import UnitOfWork
from civic_contracts.comms import BriefingIssued
from pymongo import ASCENDING, ReturnDocument

from civic_comms.briefing.domain import IsoWeek
from civic_comms.briefing.reports import compiled
from civic_comms.issuing.domain import (
    APPROVED,
    PENDING,
    SENDING,
    SENT,
    WITHDRAWN,
    BriefingIssue,
    Subscriber,
    after_failure,
    deliveries_for,
    email_key,
    email_message,
    letter_for,
    refuse_unapproved,
)
from civic_comms.issuing.post import NotSent, Post
from civic_comms.issuing.reports import issue_view
from civic_comms.issuing.repository import (
    ISSUE_RECORDS,
    delivery_to_document,
    delivery_to_model,
    issue_to_document,
    issue_to_model,
    subscriber_to_document,
    subscriber_to_model,
)
from civic_comms.repository import BRIEFING_DELIVERIES, BRIEFING_ISSUES, BRIEFING_SUBSCRIBERS

if TYPE_CHECKING:
    from civic.auth import Caller
    from civic.service import Runtime

log = logging.getLogger("civic.comms")

#: who issues a briefing whose time has come
SCHEDULER = "civic-comms-scheduler"


# --- subscribers ----------------------------------------------------------------------------------


async def subscribe(rt: Runtime, body: dict[str, Any], caller: Caller) -> dict[str, Any]:
    subscriber = Subscriber.subscribe(id=new_id(), **body)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        taken = await uow.db[BRIEFING_SUBSCRIBERS].find_one(
            {"email_key": email_key(subscriber.email)}, {"_id": 1}, session=uow.session
        )
        if taken is not None:
            # the problem names the subscription, not the address: problems can reach logs
            raise Refused("That address is subscribed already.", subscriber_id=taken["_id"])
        return await insert(uow, BRIEFING_SUBSCRIBERS, subscriber_to_document(subscriber, caller.sub))

    saved = resource(await rt.transaction(work))
    log.info("briefing subscriber added", extra={"subscriber_id": saved["id"], "by": caller.sub})
    return saved


async def unsubscribe(rt: Runtime, subscriber_id: str, caller: Caller) -> None:
    """The subscription goes, and with it any delivery not yet sent to them (withdrawn, kept as a record)."""

    async def work(uow: UnitOfWork) -> int:
        removed = await uow.db[BRIEFING_SUBSCRIBERS].delete_one({"_id": subscriber_id}, session=uow.session)
        if removed.deleted_count == 0:
            raise NotFound("briefing subscriber", subscriber_id)
        withdrawn = await uow.db[BRIEFING_DELIVERIES].update_many(
            {"subscriber_id": subscriber_id, "status": PENDING},
            {"$set": {"status": WITHDRAWN, "withdrawn_at": now()}, "$unset": {"next_attempt_at": ""}},
            session=uow.session,
        )
        return int(withdrawn.modified_count)

    withdrawn = await rt.transaction(work)
    log.info("briefing subscriber removed",
             extra={"subscriber_id": subscriber_id, "withdrawn": withdrawn, "by": caller.sub})


# --- approval and issue ---------------------------------------------------------------------------


async def approve(rt: Runtime, iso_week: str, caller: Caller, send_at: datetime | None = None) -> dict[str, Any]:
    """The week's briefing as it stands now is what goes out, at ``send_at`` (default Friday 16:00)."""
    week = IsoWeek.parse(iso_week)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        existing = await uow.db[BRIEFING_ISSUES].find_one({"_id": str(week)}, {"_id": 1}, session=uow.session)
        issue = BriefingIssue.approve(
            week=week,
            content=await compiled(uow.db, week, uow.session),
            by=caller.sub,
            may_approve=caller.has("comms:approve"),
            now=now(),
            send_at=send_at,
            already_approved=existing is not None,
        )
        return await insert(uow, BRIEFING_ISSUES, issue_to_document(issue))

    saved = await rt.transaction(work)
    log.info("briefing approved", extra={"week": str(week), "by": caller.sub, "send_at": saved["send_at"].isoformat()})
    return await issue_view(rt.db, saved)


async def issue_now(rt: Runtime, iso_week: str, caller: Caller) -> dict[str, Any]:
    """An approved briefing issued at once rather than at its time: refused unless approved and not issued."""
    week = str(IsoWeek.parse(iso_week))
    if not caller.has("comms:approve"):
        raise Forbidden("Sending the councillor briefing needs the comms:approve scope.", required_scope="comms:approve")

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        try:
            doc, issue = await ISSUE_RECORDS.load(uow, week)
        except NotFound:
            raise refuse_unapproved(week) from None
        return await _issue(uow, doc, issue, by=caller.sub, at=now())

    saved = await rt.transaction(work)
    log.info("briefing issued", extra={"week": week, "by": caller.sub, "deliveries": saved["deliveries"]})
    return await issue_view(rt.db, saved)


async def _issue(uow: UnitOfWork, doc: dict[str, Any], issue: BriefingIssue, *, by: str, at: datetime) -> dict[str, Any]:
    """One delivery per subscriber, the issue marked and its event, all in the caller's transaction."""
    subscribers = [subscriber_to_model(d) for d in
                   await uow.db[BRIEFING_SUBSCRIBERS].find({}, session=uow.session).sort("_id", ASCENDING).to_list()]
    deliveries = deliveries_for(issue.week, subscribers, at)
    issue.issue(by=by, now=at, subscribers=len(deliveries))
    if deliveries:
        stamp = {"version": 1, "created_at": at, "updated_at": at}
        await uow.db[BRIEFING_DELIVERIES].insert_many(
            [{**delivery_to_document(d), **stamp} for d in deliveries], session=uow.session
        )
    saved = await ISSUE_RECORDS.save(uow, doc, issue)
    uow.emit(BriefingIssued(week=issue.week, approved_by=issue.approved_by, approved_at=issue.approved_at,
                            issued_at=at, items=issue.items, deliveries=len(deliveries)))
    return saved


async def issue_due(rt: Runtime, at: datetime | None = None) -> int:
    """Issue every approved briefing whose time has come (each once, claimed in its transaction)."""
    moment = at or now()
    issued = 0

    async def issue_next(uow: UnitOfWork) -> bool:
        doc = await uow.db[BRIEFING_ISSUES].find_one(
            {"status": APPROVED, "send_at": {"$lte": moment}}, sort=[("send_at", ASCENDING)], session=uow.session
        )
        if doc is None:
            return False
        issue = issue_to_model(doc)
        if not issue.due(moment):
            return False  # the query and the rule disagree: end the round rather than pick it again
        # two replicas issuing the same week meet on its version: the loser runs again and finds it issued
        await _issue(uow, doc, issue, by=SCHEDULER, at=moment)
        return True

    while await rt.transaction(issue_next):
        issued += 1
    return issued


# --- sending --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mailing:
    """One kind of email the sender sends: the collection its deliveries are kept in (each with ``status``,
    ``attempts``, ``next_attempt_at``, as :class:`~civic_comms.issuing.domain.Delivery`) and how a claimed
    delivery becomes its message. ``compose`` answering None says the message is no longer wanted (its
    subscription ended after it was recorded): the delivery is withdrawn rather than sent."""

    name: str  # in log lines: which kind of delivery
    collection: str
    compose: Callable[[Runtime, dict[str, Any], Post], Awaitable[EmailMessage | None]]


async def _briefing_message(rt: Runtime, doc: dict[str, Any], post: Post) -> EmailMessage:
    delivery = delivery_to_model(doc)
    issue = await rt.db[BRIEFING_ISSUES].find_one({"_id": delivery.week})
    if issue is None:  # never: a delivery is written with its issue
        raise NotFound("approved briefing", delivery.week)
    return email_message(letter_for(delivery, issue["content"], sender=post.sender,
                                    issued_at=issue["issued_at"], domain=post.domain))


#: the weekly councillor briefing's deliveries
BRIEFING = Mailing("briefing", BRIEFING_DELIVERIES, _briefing_message)


async def send_due(rt: Runtime, post: Post, *, lease_seconds: float, at: datetime | None = None,
                   mailing: Mailing = BRIEFING) -> int:
    """Send every delivery of ``mailing`` that is due (pending, or left sending past its lease); answers how
    many were sent.

    ``at`` is the moment the round runs as (a test's clock); the lease and the retry wait count from it."""
    moment = at or now()
    sent = 0
    while True:
        claim = secrets.token_hex(8)  # this attempt's: an outcome is written only while the claim is still it

        async def take(uow: UnitOfWork, claim: str = claim) -> dict[str, Any] | None:
            return await _claim(uow, mailing.collection, moment, claim, lease_seconds)

        claimed = await rt.transaction(take)
        if claimed is None:
            return sent
        sent += await _send(rt, post, mailing, claimed, claim, moment, lease_seconds)


async def _claim(uow: UnitOfWork, collection: str, moment: datetime, claim: str,
                 lease_seconds: float) -> dict[str, Any] | None:
    return await uow.db[collection].find_one_and_update(
        {"$or": [{"status": PENDING, "next_attempt_at": {"$lte": moment}},
                 {"status": SENDING, "lease_until": {"$lte": moment}}]},
        {"$set": {"status": SENDING, "claim": claim, "lease_until": moment + timedelta(seconds=lease_seconds),
                  "last_attempt_at": moment},
         "$inc": {"attempts": 1}},
        sort=[("next_attempt_at", ASCENDING)],
        return_document=ReturnDocument.AFTER,
        session=uow.session,
    )


async def _send(rt: Runtime, post: Post, mailing: Mailing, doc: dict[str, Any], claim: str, moment: datetime,
                lease_seconds: float) -> int:
    delivery_id, attempts = doc["_id"], int(doc["attempts"])
    collection = mailing.collection
    context = {"delivery_id": delivery_id, "mailing": mailing.name, "attempt": attempts}
    message = await mailing.compose(rt, doc, post)
    if message is None:

        async def withdraw(uow: UnitOfWork) -> None:
            await uow.db[collection].update_one(
                {"_id": delivery_id, "status": SENDING, "claim": claim},
                {"$set": {"status": WITHDRAWN, "withdrawn_at": now()},
                 "$unset": {"claim": "", "lease_until": "", "next_attempt_at": ""}},
                session=uow.session,
            )

        await rt.transaction(withdraw)
        log.info("delivery withdrawn: no longer wanted", extra=context)
        return 0
    try:
        # within the lease, so no other sender takes it over while this one may still be sending it
        answer = await asyncio.wait_for(post.send(message), timeout=lease_seconds / 2)
    except (NotSent, TimeoutError) as failure:
        code, reason = (failure.code, failure.reason) if isinstance(failure, NotSent) else (None, "TimeoutError")
        outcome = after_failure(attempts, code, moment)

        async def put_back(uow: UnitOfWork) -> None:
            # only while the claim is still this sender's: one taken over is the new holder's to settle
            await uow.db[collection].update_one(
                {"_id": delivery_id, "status": SENDING, "claim": claim},
                {"$set": {"status": outcome.status, "next_attempt_at": outcome.next_attempt_at,
                          "last_error": reason[:200]},
                 "$unset": {"claim": "", "lease_until": ""}},
                session=uow.session,
            )

        await rt.transaction(put_back)
        log.warning("delivery not sent", extra={**context, "error": reason[:200], "then": outcome.status})
        return 0

    async def mark_sent(uow: UnitOfWork) -> None:
        # whoever holds the claim now: the server took it, and a sent delivery is never sent again
        await uow.db[collection].update_one(
            {"_id": delivery_id, "status": {"$ne": SENT}},
            {"$set": {"status": SENT, "sent_at": now(), "smtp_answer": answer[:200]},
             "$unset": {"claim": "", "lease_until": "", "next_attempt_at": "", "last_error": ""}},
            session=uow.session,
        )

    await rt.transaction(mark_sent)
    log.info("delivery sent", extra=context)
    return 1
