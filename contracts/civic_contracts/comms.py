"""Events published by the comms service to `comms.events.v1`.

Content is keyed by ``content_id`` and consultations by ``consultation_id``. Times of publication
are timezone-aware datetimes (content goes out at a moment, not on a day); consultation windows
are given both as dates (the council's days) and as the exact instants.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from civic_contracts.envelope import EventData

__all__ = [
    "BriefingIssued",
    "ConsultationClosed",
    "ConsultationOpened",
    "ConsultationOutcomePublished",
    "ContentApproved",
    "ContentPublished",
    "HeadlineResult",
]


class _ContentEvent(EventData, aggregate_id_field="content_id"):
    """Fields shared by every content event (not itself an event type)."""

    content_id: str
    title: str
    channels: list[str]
    audience: list[str]
    campaign_id: str | None


class ContentApproved(_ContentEvent, event_type="comms.content.approved"):
    """Content was approved for publication by someone other than its author."""

    author: str
    approved_by: str
    approved_at: datetime
    #: the body whose sign-off was recorded before approval (e.g. ``safeguarding_board``), if any
    signed_off_by: str | None


class ContentPublished(_ContentEvent, event_type="comms.content.published"):
    """Content went out on its channels (at its scheduled time or on demand)."""

    published_at: datetime
    #: True when the scheduler published it at its publish_at
    scheduled: bool


class ConsultationOpened(EventData, event_type="comms.consultation.opened", aggregate_id_field="consultation_id"):
    """A consultation or survey opened to responses."""

    consultation_id: str
    title: str
    kind: str
    opens_at: datetime
    closes_at: datetime
    opens_on: date
    closes_on: date
    questions: int


class HeadlineResult(BaseModel):
    """One figure per question: agreement for Likert, mean for 1-7 scales, top option for choices."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    question_id: str
    text: str
    kind: str
    answered: int
    agreement_percentage: float | None
    top_option: str | None
    mean: float | None


class ConsultationClosed(EventData, event_type="comms.consultation.closed", aggregate_id_field="consultation_id"):
    """A consultation closed; the headline results go with it."""

    consultation_id: str
    title: str
    kind: str
    closed_at: datetime
    closes_on: date
    responses: int
    headline: list[HeadlineResult]


class ConsultationOutcomePublished(
    EventData, event_type="comms.consultation.outcome_published", aggregate_id_field="consultation_id"
):
    """A closed consultation's outcome ("we asked, you said, we did") was published with the decision it
    informed. Ids and the decision's reference only: the words are on the public page."""

    consultation_id: str
    #: the outcome's id (one outcome per consultation)
    outcome_id: str
    #: the decision the consultation informed, as the council refers to it (e.g. a committee decision reference)
    decision_reference: str | None


class BriefingIssued(EventData, event_type="comms.briefing.issued", aggregate_id_field="week"):
    """The weekly councillor briefing, approved by comms, was issued: one delivery recorded per subscriber,
    sent by email from then on. Counts only: who the subscribers are is never in an event."""

    #: the ISO week the briefing covers, e.g. ``2026-W48``
    week: str
    approved_by: str
    approved_at: datetime
    issued_at: datetime
    #: the items of the briefing as approved
    items: int
    #: one per subscriber at the moment it was issued
    deliveries: int


class BulletinIssued(EventData, event_type="comms.bulletin.issued", aggregate_id_field="bulletin_id"):
    """Published content on the email bulletin channel, or a consultation's published outcome, was issued to
    its topic's confirmed subscribers: one delivery recorded per subscriber, sent by email from then on.
    Ids and counts only: who the subscribers are is never in an event."""

    #: ``content-<content_id>`` or ``outcome-<consultation_id>``
    bulletin_id: str
    #: ``campaign:<campaign_id>`` or ``consultation:<consultation_id>``
    topic: str
    #: what was published: ``content`` or ``outcome``
    source: str
    #: the content's id, or the consultation's
    source_id: str
    issued_at: datetime
    #: one per confirmed subscriber at the moment it was issued
    deliveries: int
