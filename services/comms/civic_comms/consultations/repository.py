"""MongoDB adapter of consultations (their questions), and of a response's monitoring answers kept apart from
it: documents <-> the domain's models.

The collections and their indexes are the service's (``civic_comms.repository``)."""

from __future__ import annotations

from typing import Any

from civic.calendar import in_utc
from civic.documents import Stored, fields_of

from civic_comms.consultations.domain import Consultation, Question
from civic_comms.repository import CONSULTATIONS
from civic_comms.respondents.domain import RespondentDetails


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
