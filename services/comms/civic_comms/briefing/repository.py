"""MongoDB adapter of the briefing's items and the media coverage logged: documents <-> the domain's models.

The collections and their indexes are the service's (``civic_comms.repository``)."""

from __future__ import annotations

from typing import Any

from civic.documents import fields_of

from civic_comms.briefing.domain import BriefingItem, IsoWeek, MediaCoverage


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
