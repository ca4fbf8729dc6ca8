"""Events published by the safeguarding service to `safeguarding.events.v1`.

None of these carries confidential data: a Safeguarding Adults Review is named only by its
non-identifying reference (e.g. "Adult A"); the case summary and personal details never leave
the service in an event (Care Act 2014 s45: need-to-know only).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from civic_contracts.envelope import EventData

__all__ = [
    "AnnualReportPublished",
    "DecisionNoticePublished",
    "DecisionRatified",
    "DecisionRecorded",
    "MeetingHeld",
    "MemberLeaving",
    "MinutesApproved",
    "NonAttendanceFlagged",
    "SarCommissioned",
    "SarPublished",
]


class DecisionRecorded(EventData, event_type="safeguarding.decision.recorded", aggregate_id_field="decision_id"):
    """The board decided an item: at a meeting (consensus or vote) or between meetings by the chair
    with the statutory partners (then requires_ratification is true). A decision that names
    authorises_content_id authorises that comms content item for publication (when carried or agreed)."""

    decision_id: str
    board_id: str
    board_name: str
    meeting_id: str | None
    item_title: str
    method: Literal["consensus", "vote", "between_meetings"]
    outcome: Literal["carried", "not_carried", "agreed"]
    decided_on: date
    requires_ratification: bool
    authorises_content_id: str | None = Field(
        None,
        description=(
            "The comms content item (its content_id) this decision authorises for publication: the board's "
            "sign-off on its own media communications, which comms records from this event when the outcome "
            "is carried or agreed. Null for a decision that authorises no content."
        ),
    )


class DecisionNoticePublished(
    EventData, event_type="safeguarding.decision_notice.published", aggregate_id_field="decision_notice_id"
):
    """The board published the notice of a decision (what was decided, who decided, the vote, the interests
    declared, the date). Ids only: the notice itself is GET /v1/decision-notices/{decision_notice_id}."""

    decision_notice_id: str
    decision_id: str
    board_id: str
    meeting_id: str | None = Field(description="The meeting that decided; null for a decision between meetings.")


class DecisionRatified(EventData, event_type="safeguarding.decision.ratified", aggregate_id_field="decision_id"):
    """A between-meetings decision was ratified (or not) at the board's next meeting."""

    decision_id: str
    board_id: str
    board_name: str
    item_title: str
    ratified: bool
    meeting_id: str
    ratified_on: date


class AnnualReportPublished(
    EventData, event_type="safeguarding.annual_report.published", aggregate_id_field="annual_report_id"
):
    """The board published its annual report (approved by a board decision)."""

    annual_report_id: str
    board_id: str
    board_name: str
    year: str
    title: str
    published_on: date


class MeetingHeld(EventData, event_type="safeguarding.meeting.held", aggregate_id_field="meeting_id"):
    """A board meeting took place; quorate or not, with what was missing."""

    meeting_id: str
    board_id: str
    board_name: str
    scheduled_for: date
    extraordinary: bool
    quorate: bool
    missing: list[str]


class MemberLeaving(EventData, event_type="safeguarding.member.leaving", aggregate_id_field="member_id"):
    """A member of the board gave notice of leaving (seed 003, "Notice of Leaving"): a member until leaves_on,
    not after; a statutory member's partner is to name a replacement. Ids and the organisation only."""

    member_id: str
    board_id: str
    board_name: str
    organisation: str
    role: str
    statutory: bool
    safeguarding_partner: Literal["local_authority", "police", "health"] | None = Field(
        None, description="A children's partnership's statutory member: the safeguarding partner it represents."
    )
    notice_given_on: date
    leaves_on: date


class MinutesApproved(EventData, event_type="safeguarding.minutes.approved", aggregate_id_field="minutes_id"):
    """Minutes were approved by the members at a later meeting: now the permanent record."""

    minutes_id: str
    meeting_id: str
    board_id: str
    board_name: str
    approved_on: date
    approved_at_meeting_id: str


class NonAttendanceFlagged(EventData, event_type="safeguarding.non_attendance.flagged", aggregate_id_field="board_id"):
    """An organisation missed several board meetings in a row: the chair writes to its chief executive."""

    board_id: str
    board_name: str
    organisation: str
    consecutive_meetings_missed: int
    last_meeting_id: str
    last_meeting_on: date


class SarCommissioned(EventData, event_type="safeguarding.sar.commissioned", aggregate_id_field="sar_id"):
    """A Safeguarding Adults Review (Care Act 2014 s44) was commissioned from an independent author."""

    sar_id: str
    board_id: str
    board_name: str
    reference: str
    author: str
    cost_pence: int
    commissioned_on: date


class SarPublished(EventData, event_type="safeguarding.sar.published", aggregate_id_field="sar_id"):
    """A Safeguarding Adults Review was published with its action plan."""

    sar_id: str
    board_id: str
    board_name: str
    reference: str
    published_on: date
    actions: int
