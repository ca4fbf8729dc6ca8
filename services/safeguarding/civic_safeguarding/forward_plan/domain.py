"""The forward plan of key decisions, with 28 clear days' notice.

The board follows the practice the Local Authorities (Executive Arrangements) (Meetings and Access to
Information) (England) Regulations 2012 set for a council's executive: a key decision is published in the
forward plan at least 28 clear days before it is made (reg 9). Where that is impracticable, the general
exception (reg 10) lets it be made on shorter notice when the plan says why (the urgency and its reason,
published) and at least 5 clear days have passed since; less than that is special urgency (reg 11), which
needs the agreement of the chair of the overview and scrutiny committee, which this plan does not record,
so it is refused here. Clear days count neither the day the notice is published nor the day of the
decision. Plain Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from civic.errors import FieldErrors, Refused

from civic_safeguarding.domain import require_text

NOTICE_CLEAR_DAYS = 28  # reg 9: the forward plan's notice of a key decision
URGENT_CLEAR_DAYS = 5  # reg 10, the general exception: notice of the urgency before the decision


def clear_days(published_on: date, decided_on: date) -> int:
    """The whole days between the notice and the decision, neither counted."""
    return (decided_on - published_on).days - 1


def earliest_on(published_on: date, urgent: bool = False) -> date:
    """The first day a key decision published on `published_on` may be made."""
    return published_on + timedelta(days=(URGENT_CLEAR_DAYS if urgent else NOTICE_CLEAR_DAYS) + 1)


@dataclass
class KeyDecision:
    """An entry in the board's forward plan: a key decision to be made on a day (or at a meeting)."""

    id: str
    board_id: str
    title: str
    decision_maker: str  # who decides: the board at its meeting, the chair with the statutory partners, ...
    to_be_taken_on: date
    added_on: date  # the day the entry is published in the plan
    notice_clear_days: int
    documents: list[str] = field(default_factory=list)
    meeting_id: str | None = None
    urgent: bool = False
    urgency_reason: str | None = None

    @classmethod
    def plan(
        cls,
        id: str,
        board_id: str,
        title: str,
        decision_maker: str,
        to_be_taken_on: date,
        added_on: date,
        documents: list[str] | None = None,
        meeting_id: str | None = None,
        urgent: bool = False,
        urgency_reason: str | None = None,
    ) -> KeyDecision:
        """Refused (409) with less notice than the regulations give: 28 clear days, or under the general
        exception (urgent, with its reason) 5."""
        errors = FieldErrors()
        title = require_text(title, "title", errors, "say what will be decided")
        decision_maker = require_text(decision_maker, "decision_maker", errors, "say who will decide")
        reason = (urgency_reason or "").strip() or None
        if urgent and reason is None:
            errors.add("urgency_reason", "say why the decision cannot wait for 28 clear days' notice")
        kept: dict[str, str] = {}
        for document in documents or []:
            text = " ".join((document or "").split())
            if text:
                kept.setdefault(text.casefold(), text)
        errors.raise_if_any("The key decision cannot be added to the forward plan as given.")
        notice = clear_days(added_on, to_be_taken_on)
        if to_be_taken_on < added_on:
            raise Refused(
                f"{to_be_taken_on.isoformat()} has passed: the forward plan gives notice of decisions to come.",
                to_be_taken_on=to_be_taken_on.isoformat(),
            )
        if not urgent and notice < NOTICE_CLEAR_DAYS:
            raise Refused(
                f"A key decision is published in the forward plan at least {NOTICE_CLEAR_DAYS} clear days before "
                f"it is made: '{title}' on {to_be_taken_on.isoformat()} gives {max(notice, 0)}. Plan it for "
                f"{earliest_on(added_on).isoformat()} or later, or mark it urgent with the reason (the general "
                "exception).",
                notice_clear_days=max(notice, 0), earliest_on=earliest_on(added_on).isoformat(),
            )  # fmt: skip
        if urgent and notice < URGENT_CLEAR_DAYS:
            raise Refused(
                f"Under the general exception a key decision still waits {URGENT_CLEAR_DAYS} clear days after its "
                f"notice: '{title}' on {to_be_taken_on.isoformat()} gives {max(notice, 0)}. Plan it for "
                f"{earliest_on(added_on, urgent=True).isoformat()} or later; sooner is special urgency, which needs "
                "the agreement of the chair of the overview and scrutiny committee.",
                notice_clear_days=max(notice, 0), earliest_on=earliest_on(added_on, urgent=True).isoformat(),
            )  # fmt: skip
        return cls(
            id=id, board_id=board_id, title=title, decision_maker=decision_maker, to_be_taken_on=to_be_taken_on,
            added_on=added_on, notice_clear_days=notice, documents=list(kept.values()), meeting_id=meeting_id,
            urgent=bool(urgent), urgency_reason=reason if urgent else None,
        )  # fmt: skip
