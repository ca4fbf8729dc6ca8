"""MongoDB adapter of a consultation's outcome ("we asked, you said, we did"): documents <-> the domain's models.

The collections and their indexes are the service's (``civic_comms.repository``)."""

from __future__ import annotations

from typing import Any

from civic.documents import Stored, day_from_text, day_text, fields_of, values_of, values_or_none

from civic_comms.outcomes.domain import Outcome
from civic_comms.repository import OUTCOMES, utc


def outcome_to_model(doc: dict[str, Any]) -> Outcome:
    return Outcome(
        id=doc["_id"],
        **values_of(doc, "consultation_id", "we_asked", "recorded_by", "status"),
        **values_or_none(doc, "you_said", "we_did", "decided_by", "decision_reference", "decision_url", "published_by"),
        decided_on=day_from_text(doc.get("decided_on")),
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
