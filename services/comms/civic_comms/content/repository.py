"""MongoDB adapter of content items (with their sign-offs and history) and campaigns: documents <-> the domain's models.

The collections and their indexes are the service's (``civic_comms.repository``)."""

from __future__ import annotations

from typing import Any

from civic.calendar import in_utc
from civic.documents import Stored, day_from_text, day_text, fields_of, values_of, values_or_none

from civic_comms.content.domain import Campaign, Content, Move, SignOff
from civic_comms.repository import CONTENT, utc


def content_to_model(doc: dict[str, Any]) -> Content:
    return Content(
        id=doc["_id"],
        **values_of(doc, "title", "body", "author", "status"),
        channels=list(doc["channels"]),
        audience=list(doc["audience"]),
        **values_or_none(doc, "campaign_id", "requires_approval_by", "approved_by", "rejection_reason", "source_key"),
        publish_at=utc(doc.get("publish_at")),
        sign_offs=[_sign_off(s) for s in doc.get("sign_offs", [])],
        history=[Move(h["from"], h["to"], h["by"], in_utc(h["at"]), h.get("reason")) for h in doc.get("history", [])],
        approved_at=utc(doc.get("approved_at")),
        published_at=utc(doc.get("published_at")),
    )


def _sign_off(doc: dict[str, Any]) -> SignOff:
    return SignOff(
        doc["body"],
        doc["signed_by"],
        in_utc(doc["signed_at"]),
        **values_or_none(doc, "decision_id", "board_id"),
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
            {"from": m.from_status, "to": m.to_status, "by": m.by, "at": m.at, "reason": m.reason} for m in content.history
        ],
        **fields_of(content, "approved_by", "approved_at", "published_at", "rejection_reason"),
    )
    if content.source_key:
        doc["source_key"] = content.source_key  # absent (not null) so the sparse unique index skips it
    return doc


#: a content item as the use cases load and save it
CONTENT_RECORDS = Stored(CONTENT, "content", content_to_model, content_to_document)


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
