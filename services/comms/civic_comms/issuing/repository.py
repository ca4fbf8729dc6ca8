"""MongoDB adapter of the briefing's subscribers, a week's approved issue and its deliveries: documents <->
the domain's models.

The collections and their indexes are the service's (``civic_comms.repository``)."""

from __future__ import annotations

from typing import Any

from civic.calendar import in_utc
from civic.documents import Stored, fields_of, values_of

from civic_comms.issuing.domain import BriefingIssue, Delivery, Subscriber, email_key
from civic_comms.repository import BRIEFING_ISSUES, utc


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
