"""MongoDB adapter of subscriptions to topics and bulletins' deliveries: documents <-> the domain's models.

The collections and their indexes are the service's (``civic_comms.repository``)."""

from __future__ import annotations

from typing import Any

from civic.calendar import in_utc
from civic.documents import Stored, fields_of, values_of

from civic_comms.repository import SUBSCRIPTIONS, utc
from civic_comms.subscriptions.domain import BulletinDelivery, ConfirmationToken, Subscription


def subscription_to_document(sub: Subscription, base: dict[str, Any] | None = None) -> dict[str, Any]:
    doc = dict(base or {})
    doc.update(
        _id=sub.id,
        **fields_of(sub, "topic", "email", "status", "requested_at", "unsubscribe_token"),
        email_key=sub.email_key,
        tokens=[{"hash": t.hash, "expires_at": t.expires_at} for t in sub.tokens],
        **fields_of(sub, "confirmed_at", "unsubscribed_at", "confirmations_asked"),
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
        # kept since the limit on confirmation emails: one stored before it has none counted
        confirmations_asked=[in_utc(at) for at in doc.get("confirmations_asked", [])],
    )


#: a subscription as the use cases load and save it
SUBSCRIPTION_RECORDS = Stored(SUBSCRIPTIONS, "subscription", subscription_to_model, subscription_to_document)


def bulletin_delivery_to_document(delivery: BulletinDelivery) -> dict[str, Any]:
    return {
        "_id": delivery.id,
        **fields_of(delivery, "bulletin_id", "subscription_id", "status", "attempts", "next_attempt_at"),
    }
