""""We asked, you said, we did": what a consultation asked, what residents said, and what the council did.

An outcome is drafted (and amended) by the comms team, and published by someone holding ``comms:approve`` once
the consultation has closed and the decision it informed is written down ("we did"): the public page shows
only published outcomes, with the headline results as they stood when the consultation closed.

Plain Python: stdlib and ``civic.errors`` only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from civic.errors import FieldErrors, Forbidden, Refused

DRAFT, PUBLISHED = "draft", "published"
OUTCOME_STATUSES = (DRAFT, PUBLISHED)

#: what each part may hold, at most (characters)
WE_ASKED_LIMIT = 5000
YOU_SAID_LIMIT = 10_000
WE_DID_LIMIT = 10_000
REFERENCE_LIMIT = 100
#: the parts an officer writes; the rest is the record's own (status, publication, headline results)
WRITTEN = ("we_asked", "you_said", "we_did", "decided_by", "decided_on", "decision_reference", "decision_url")
_LIMITS = {"we_asked": WE_ASKED_LIMIT, "you_said": YOU_SAID_LIMIT, "we_did": WE_DID_LIMIT,
           "decided_by": 200, "decision_reference": REFERENCE_LIMIT, "decision_url": 2000}


def _text(value: Any) -> str | None:
    """Text without the spaces around it; blank is nothing written."""
    if value is None:
        return None
    stripped = str(value).strip()
    return stripped or None


@dataclass
class Outcome:
    """One consultation's "we asked, you said, we did"; one per consultation."""

    id: str
    consultation_id: str
    #: what we asked: defaults from the consultation (its description, else its title)
    we_asked: str
    recorded_by: str
    #: what you said: a summary in words (the headline results are attached by the service)
    you_said: str | None = None
    #: what we did: the decision the consultation informed
    we_did: str | None = None
    decided_by: str | None = None
    decided_on: date | None = None
    #: e.g. a committee or cabinet decision reference ("CAB-2021-045")
    decision_reference: str | None = None
    decision_url: str | None = None
    status: str = DRAFT
    published_by: str | None = None
    published_at: datetime | None = None
    #: frozen at publication: the consultation's title, closing day, responses and headline results then
    published_as: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def record(cls, *, id: str, consultation_id: str, recorded_by: str, asked_by_default: str,
               written: Mapping[str, Any]) -> Outcome:
        outcome = cls(id=id, consultation_id=consultation_id, we_asked=asked_by_default, recorded_by=recorded_by)
        outcome._write(written, asked_by_default)
        return outcome

    def amend(self, changes: Mapping[str, Any], *, asked_by_default: str) -> None:
        """Only a draft is amended: what was published is what the public page said."""
        if self.status != DRAFT:
            raise Refused(
                "This outcome is published; what the public page shows is not changed afterwards.",
                current_status=self.status,
            )
        self._write(changes, asked_by_default)

    def _write(self, written: Mapping[str, Any], asked_by_default: str) -> None:
        errors = FieldErrors()
        for name, value in written.items():
            if name not in WRITTEN:
                errors.add(name, "not a part of an outcome")
                continue
            if name == "decided_on":
                self.decided_on = value
                continue
            text = _text(value)
            if text is not None and len(text) > _LIMITS[name]:
                errors.add(name, f"at most {_LIMITS[name]} characters")
                continue
            if name == "we_asked":
                text = text or asked_by_default  # cleared: back to what the consultation says
            setattr(self, name, text)
        errors.raise_if_any("Some parts of the outcome are not well formed.")

    def publish(self, *, by: str, may_publish: bool, consultation_state: str, now: datetime,
                published_as: Mapping[str, Any]) -> None:
        """Published by an approver, once the consultation has closed and "we did" is written."""
        if not may_publish:
            raise Forbidden("Publishing a consultation's outcome needs the comms:approve scope.",
                            required_scope="comms:approve")
        if self.status == PUBLISHED:
            raise Refused("This outcome is published already.", current_status=self.status)
        if consultation_state != "closed":
            raise Refused(
                f"The consultation is {consultation_state}; its outcome is published once it has closed.",
                consultation_state=consultation_state,
            )
        if not self.we_did:
            raise Refused(
                "Nothing is written for 'we did': say what was decided before publishing the outcome.",
                missing=["we_did"],
            )
        self.status = PUBLISHED
        self.published_by = by
        self.published_at = now
        self.published_as = dict(published_as)


# --- the outcome emailed to the consultation's subscribers ------------------------------------------


def outcome_subject(consultation_title: str) -> str:
    return f"Consultation outcome: {consultation_title}"


def outcome_text(outcome: Outcome) -> str:
    """We asked, you said, we did: the three parts written, in that order, as the bulletin's text."""
    parts = [("We asked", outcome.we_asked), ("You said", outcome.you_said), ("We did", outcome.we_did)]
    text = "\n\n".join(f"{label}: {value}" for label, value in parts if value)
    if outcome.decision_url:
        text += f"\n\nThe decision: {outcome.decision_url}"
    return text
