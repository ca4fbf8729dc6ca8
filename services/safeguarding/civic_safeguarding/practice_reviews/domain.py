"""Child Safeguarding Practice Reviews (CSPRs): what a children's safeguarding partnership reviews instead of SARs.

Children Act 2004 s16F (as the Children and Social Work Act 2017 amended it) and Working Together to Safeguard
Children 2023, chapter 5: the local authority notifies the national Child Safeguarding Practice Review Panel of
a serious child safeguarding incident within 5 working days of learning of it; the safeguarding partners hold a
rapid review and decide, within 15 working days of the notification, whether a local review is to be done; a
local review is commissioned from reviewers independent of the case and its report published.

The child's details and the case summary are confidential (shown only with `safeguarding:confidential`); the
reference ("Child B") is what leaves the service. Plain Python.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass
from datetime import date

from civic.calendar import working_days_after
from civic.errors import FieldErrors, Refused

from civic_safeguarding.boards.domain import Board
from civic_safeguarding.domain import CaseReview, case_opened, last_step_on, next_step_in_order, stage_after

BankHolidays = Container[date]
#: the local authority's notification to the national Panel: within 5 working days of learning of the incident
NOTIFICATION_WORKING_DAYS = 5
#: the rapid review's decision on a local review: within 15 working days of the notification
RAPID_REVIEW_WORKING_DAYS = 15
CONFIDENTIAL_FIELDS = ("case_summary", "child")
STAGES = ("notified", "rapid_review", "commissioned", "published")
STEPS = STAGES[1:]  # the stages a review moves to, one at a time, after its notification
NEXT_STEP_WORDS = {
    "rapid_review": "record the rapid review's decision (local_review and reasons)",
    "commissioned": "commission the local review from independent reviewers (reviewer, reviewer_organisation)",
    "published": "publish the review's report",
}


def for_a_partnership(board: Board) -> None:
    """Only a children's safeguarding partnership holds CSPRs; an adults' board holds SARs (Care Act 2014 s44)."""
    if not board.partnership:
        raise Refused(
            f"{board.name} is a Safeguarding Adults Board: its reviews are Safeguarding Adults Reviews (Care Act 2014 "
            "s44, POST /v1/boards/{board_id}/sars). Child Safeguarding Practice Reviews are a children's safeguarding "
            "partnership's (Children Act 2004 s16F).",
            kind=board.kind,
        )


@dataclass
class RapidReview:
    """The safeguarding partners' rapid review of the incident: whether a local review is to be done, and why."""

    on: date
    local_review: bool
    reasons: str


@dataclass
class Commission:
    """The local review commissioned from a reviewer independent of the case."""

    on: date
    reviewer: str
    reviewer_organisation: str


@dataclass
class PracticeReview(CaseReview):
    child: dict[str, str]
    incident_known_on: date
    notified_on: date
    status: str = "notified"
    rapid_review: RapidReview | None = None
    commission: Commission | None = None
    published_on: date | None = None

    @classmethod
    def notify(
        cls,
        id: str,
        board: Board,
        reference: str,
        case_summary: str,
        child: Mapping[str, object],
        incident_known_on: date,
        notified_on: date,
    ) -> PracticeReview:
        """A serious child safeguarding incident notified to the national Panel: the review starts."""
        for_a_partnership(board)
        errors = FieldErrors()
        shown = "it is shown without the confidential scope"
        reference, case_summary, child = case_opened(errors, reference, case_summary, child, "child", shown)
        if notified_on < incident_known_on:
            # the Panel is told of an incident once it is known
            errors.add("notified_on", f"not before the incident became known ({incident_known_on})")
        errors.raise_if_any("The notification cannot be recorded as given.")
        return cls(id, board.id, reference, case_summary, child, incident_known_on, notified_on)

    # the statutory days are counted in working days: not weekends, nor the `bank_holidays` the service hands in

    def notification_due_on(self, bank_holidays: BankHolidays) -> date:
        return working_days_after(self.incident_known_on, NOTIFICATION_WORKING_DAYS, bank_holidays)

    def notified_late(self, bank_holidays: BankHolidays) -> bool:
        return self.notified_on > self.notification_due_on(bank_holidays)

    def rapid_review_due_on(self, bank_holidays: BankHolidays) -> date:
        return working_days_after(self.notified_on, RAPID_REVIEW_WORKING_DAYS, bank_holidays)

    def rapid_review_overdue(self, today: date, bank_holidays: BankHolidays) -> bool:
        """Still awaiting the rapid review's decision, past its fifteenth working day."""
        return self.status == "notified" and self.rapid_review_due_on(bank_holidays) < today

    def rapid_review_late(self, bank_holidays: BankHolidays) -> bool:
        """The rapid review decided after its fifteenth working day (recorded as it was: lateness is reported)."""
        return self.rapid_review is not None and self.rapid_review.on > self.rapid_review_due_on(bank_holidays)

    @property
    def next_stage(self) -> str | None:
        if self.rapid_review is not None and not self.rapid_review.local_review:
            return None
        return stage_after(STAGES, self.status)

    def _last_date(self) -> date:
        steps = [self.rapid_review, self.commission]
        return last_step_on(self.notified_on, self.published_on, *(step.on for step in steps if step is not None))

    def advance(
        self,
        to: str,
        on: date,
        *,
        local_review: bool | None = None,
        reasons: str | None = None,
        reviewer: str | None = None,
        reviewer_organisation: str | None = None,
        member_organisations: list[str] | None = None,
    ) -> None:
        """One step along the statutory path; anything out of order is refused, naming the next step."""
        ended = f"Review {self.reference} was published on {self.published_on}; it is complete."
        if self.rapid_review is not None and not self.rapid_review.local_review:
            decided = self.rapid_review
            ended = (
                f"On {decided.on} the rapid review decided no local review of {self.reference} was to be done "
                f"({decided.reasons}); it goes no further."
            )
        # a date the request gives, judged against the stored review: a conflict (409), as the other refusals here
        next_step_in_order(
            self.reference, self.status, to, STEPS, self.next_stage, NEXT_STEP_WORDS, ended, on, self._last_date()
        )
        if to == "rapid_review":
            self._decide(on, local_review, reasons)
        elif to == "commissioned":
            self._commission(on, reviewer, reviewer_organisation, member_organisations or [])
        else:
            self.published_on = on
        self.status = to

    def _decide(self, on: date, local_review: bool | None, reasons: str | None) -> None:
        asked = "say whether a local child safeguarding practice review is to be done"
        summary = "A rapid review's decision needs local_review and reasons."
        reasons = self._decided_with_reasons("local_review", local_review, asked, reasons, summary)
        self.rapid_review = RapidReview(on, bool(local_review), reasons)

    def _commission(self, on: date, reviewer: str | None, organisation: str | None, members: list[str]) -> None:
        errors = FieldErrors()
        reviewer, org = self._commissioned_from(errors, "reviewer", reviewer, organisation)
        errors.raise_if_any("Commissioning a local review needs the reviewer and their organisation.")
        self._independent_of_the_board(
            org,
            members,
            f"A local child safeguarding practice review is led by reviewers independent of the case: {org} sits "
            "on the partnership. Commission an independent reviewer.",
        )
        self.commission = Commission(on, reviewer, org)
