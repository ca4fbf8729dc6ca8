"""Minutes of a board meeting: the permanent record once the members approve them.

Drafted after the meeting, submitted to the chair, approved by the members at a later, quorate
meeting of the same board; after that a change is a correction, its own record linked to them.
Plain Python, like every domain module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from civic.errors import FieldErrors, Invalid, Refused

from civic_safeguarding.boards.domain import Board, Member
from civic_safeguarding.domain import require_text
from civic_safeguarding.meetings.domain import Meeting


@dataclass
class Correction:
    """A correction to approved minutes: its own record, linked to them; the minutes stay as approved."""

    id: str
    minutes_id: str
    meeting_id: str
    text: str
    reason: str
    recorded_on: date


@dataclass
class Minutes:
    """Drafted after the meeting, submitted to the chair, approved by the members at a later
    meeting; once approved they are the permanent record and never change."""

    id: str
    meeting_id: str
    board_id: str
    text: str
    status: str = "draft"  # draft -> submitted -> approved
    submitted_on: date | None = None
    approved_on: date | None = None
    approved_at_meeting_id: str | None = None

    @classmethod
    def draft(cls, id: str, meeting: Meeting, text: str) -> Minutes:
        if meeting.status == "cancelled":
            raise Refused("The meeting was cancelled; there is nothing to minute.")
        return cls(id=id, meeting_id=meeting.id, board_id=meeting.board_id, text=_minutes_text(text))

    def redraft(self, text: str) -> None:
        if self.status == "approved":
            raise Refused(
                "These minutes were approved and are the permanent record; they cannot change. Record a "
                f"correction instead (POST /v1/meetings/{self.meeting_id}/minutes/corrections).",
            )
        self.text = _minutes_text(text)
        # a changed text goes back to the chair
        self.status, self.submitted_on = "draft", None

    def submit(self, on: date) -> None:
        if self.status != "draft":
            raise Refused(f"The minutes are {self.status}; only draft minutes are submitted to the chair.")
        self.status, self.submitted_on = "submitted", on

    def approve(self, meeting: Meeting, at: Meeting, board: Board, members: list[Member], on: date) -> None:
        self.check_submitted()
        if at.board_id != meeting.board_id:
            raise Refused("Minutes are approved by the same board's members.")
        if at.id == meeting.id or at.on <= meeting.on:
            raise Refused("Minutes are approved by the members at a later meeting than the one they record.")
        if at.status == "cancelled":
            raise Refused("That meeting was cancelled; approve the minutes at a meeting that takes place.")
        quorum = at.quorum(board, members)
        if not quorum.quorate:
            raise Refused(
                f"The meeting of {at.on.isoformat()} is not quorate, so it cannot approve minutes. Missing: "
                + "; ".join(quorum.missing)
                + ".",
                missing=quorum.missing,
            )
        self.status, self.approved_on, self.approved_at_meeting_id = "approved", on, at.id

    def check_submitted(self) -> None:
        """Only minutes submitted to the chair go to the members for approval."""
        if self.status == "approved":
            raise Refused("These minutes were already approved; they are the permanent record.")
        if self.status != "submitted":
            raise Refused(
                "The minutes are still a draft: submit them to the chair first "
                f"(POST /v1/meetings/{self.meeting_id}/minutes/submit)."
            )

    def correct(self, id: str, text: str, reason: str, on: date) -> Correction:
        """Corrections never touch approved text: each is a new record linked to the minutes."""
        if self.status != "approved":
            raise Refused(
                "The minutes are not approved yet: change the draft instead of recording a correction."
            )
        errors = FieldErrors()
        text = require_text(text, "text", errors, "write the correction")
        reason = require_text(reason, "reason", errors, "say why the record is corrected")
        errors.raise_if_any("The correction cannot be recorded as given.")
        return Correction(
            id=id, minutes_id=self.id, meeting_id=self.meeting_id, text=text, reason=reason, recorded_on=on
        )


def _minutes_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise Invalid.at("text", "required", "The minutes need their text.")
    return text
