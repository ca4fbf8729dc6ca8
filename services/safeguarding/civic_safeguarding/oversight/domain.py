"""The board's oversight of itself: budget, attendance, sub-groups, annual report, disputes.

Plain Python, like every domain module. Rules from the constitution (seed 003): "Monitoring of
Attendance", "Sub Groups", "Finances and Resources", "Disputes and Complaints".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from civic.errors import FieldErrors, Invalid, Refused

from civic_safeguarding.boards.domain import Member
from civic_safeguarding.decisions.domain import Decision
from civic_safeguarding.domain import financial_year_bounds, financial_year_of
from civic_safeguarding.meetings.domain import Meeting

# in order; a transition asks for one of the statuses after the first (the STEPS)
ANNUAL_REPORT_STATUSES = ("draft", "approved", "published")
ANNUAL_REPORT_STEPS = ANNUAL_REPORT_STATUSES[1:]
DISPUTE_STATUSES = ("open", "joint_meeting_held", "resolved")
DISPUTE_STEPS = DISPUTE_STATUSES[1:]
PERSISTENT_NON_ATTENDANCE = 3  # meetings missed in a row before the chair writes to the chief executive
JOINT_MEETING_WITHIN = timedelta(days=28)


# --------------------------------------------------------------------------- budget


@dataclass
class BudgetLine:
    name: str
    amount_pence: int


@dataclass
class Budget:
    """Expenditure for a financial year against the partners' contributions; the gap is what is unfunded."""

    board_id: str
    year: str
    expenditure: list[BudgetLine]
    contributions: list[BudgetLine]

    @classmethod
    def set(
        cls, board_id: str, year: str, expenditure: list[BudgetLine], contributions: list[BudgetLine]
    ) -> Budget:
        financial_year_bounds(year)
        errors = FieldErrors()
        for name, lines in (("expenditure", expenditure), ("contributions", contributions)):
            seen: set[str] = set()
            for i, line in enumerate(lines):
                if not line.name.strip():
                    errors.add(f"{name}.{i}.name", "name the line")
                elif line.name.strip().casefold() in seen:
                    errors.add(f"{name}.{i}.name", "listed twice")
                seen.add(line.name.strip().casefold())
                if (
                    isinstance(line.amount_pence, bool)
                    or not isinstance(line.amount_pence, int)
                    or line.amount_pence < 0
                ):
                    errors.add(f"{name}.{i}.amount_pence", "whole pence, zero or more")
        errors.raise_if_any("The budget cannot be accepted as given.")
        return cls(
            board_id=board_id,
            year=year,
            expenditure=[BudgetLine(x.name.strip(), x.amount_pence) for x in expenditure],
            contributions=[BudgetLine(x.name.strip(), x.amount_pence) for x in contributions],
        )

    @property
    def total_expenditure_pence(self) -> int:
        return sum(line.amount_pence for line in self.expenditure)

    @property
    def total_contributions_pence(self) -> int:
        return sum(line.amount_pence for line in self.contributions)

    @property
    def gap_pence(self) -> int:
        """Positive: expenditure not yet funded by the partners' contributions."""
        return self.total_expenditure_pence - self.total_contributions_pence


# --------------------------------------------------------------------------- attendance


@dataclass
class OrganisationAttendance:
    organisation: str
    meetings: int
    attended: int
    in_person: int
    by_deputy: int
    apologies: int
    absent: int
    consecutive_missed: int
    persistent_non_attendance: bool

    @property
    def attendance_rate(self) -> float | None:
        return round(self.attended / self.meetings, 3) if self.meetings else None


def attendance_report(
    members: list[Member], meetings: list[Meeting], last: int, threshold: int = PERSISTENT_NON_ATTENDANCE
) -> list[OrganisationAttendance]:
    """Per organisation over the last `last` meetings with a register (oldest first in `meetings`).

    An organisation attends a meeting when any of its members is present or sends their deputy;
    apologies are still non-attendance (they count towards persistent non-attendance).
    """
    if last < 1:
        raise Invalid.at("last", "1 or more", "Report over at least one meeting.")
    recorded = sorted(
        (m for m in meetings if m.attendance and m.status != "cancelled"), key=lambda m: (m.on, m.id)
    )[-last:]
    orgs: dict[str, list[Member]] = {}
    for member in members:
        orgs.setdefault(member.organisation, []).append(member)
    report = []
    for org, reps in sorted(orgs.items()):
        ids = {m.id for m in reps}
        row = OrganisationAttendance(org, len(recorded), 0, 0, 0, 0, 0, 0, False)
        for meeting in recorded:
            statuses = {e.status for e in meeting.attendance if e.member_id in ids}
            if "present" in statuses:
                row.attended += 1
                row.in_person += 1
                row.consecutive_missed = 0
            elif "deputy" in statuses:
                row.attended += 1
                row.by_deputy += 1
                row.consecutive_missed = 0
            else:
                if "apologies" in statuses:
                    row.apologies += 1
                else:
                    row.absent += 1
                row.consecutive_missed += 1
        row.persistent_non_attendance = row.consecutive_missed >= threshold
        report.append(row)
    return report


def newly_persistent(
    members: list[Member],
    meetings: list[Meeting],
    meeting: Meeting,
    threshold: int = PERSISTENT_NON_ATTENDANCE,
) -> list[tuple[str, int]]:
    """Organisations whose run of missed meetings reaches `threshold` exactly at `meeting`.

    Exactly, so the chair is told once per run, not again at every further meeting missed.
    """
    history = [
        m
        for m in meetings
        if m.id != meeting.id
        and m.attendance
        and m.status != "cancelled"
        and (m.on, m.id) < (meeting.on, meeting.id)
    ]
    rows = attendance_report(members, [*history, meeting], last=threshold + 1000, threshold=threshold)
    return [
        (r.organisation, r.consecutive_missed)
        for r in rows
        if r.consecutive_missed == threshold and r.organisation not in meeting.non_attendance_flagged
    ]


# --------------------------------------------------------------------------- sub-groups


@dataclass
class WorkPlanEntry:
    objective: str
    business_plan_priority: str
    due_on: date | None = None


@dataclass
class SubGroup:
    """Operational work of the board; its terms of reference are reviewed at the first meeting of
    each financial year, and the board oversees them."""

    id: str
    board_id: str
    name: str
    chair_member_id: str | None
    work_plan: list[WorkPlanEntry] = field(default_factory=list)
    tor_reviewed_on: list[date] = field(default_factory=list)

    @classmethod
    def form(
        cls, id: str, board_id: str, name: str, chair: Member | None, work_plan: list[WorkPlanEntry]
    ) -> SubGroup:
        if not (name or "").strip():
            raise Invalid.at("name", "required", "A sub-group needs a name.")
        if chair is not None and chair.board_id != board_id:
            raise Refused(f"{chair.name} is not a member of this board; sub-group chairs are board members.")
        for i, entry in enumerate(work_plan):
            if not entry.objective.strip() or not entry.business_plan_priority.strip():
                raise Invalid.at(
                    f"work_plan.{i}", "objective and priority required",
                    "Each work plan entry has an objective and the business plan priority it serves.",
                )
        return cls(
            id=id,
            board_id=board_id,
            name=name.strip(),
            chair_member_id=chair.id if chair else None,
            work_plan=list(work_plan),
        )

    def review_terms_of_reference(self, on: date) -> None:
        if any(financial_year_of(d) == financial_year_of(on) for d in self.tor_reviewed_on):
            raise Refused(f"{self.name} already reviewed its terms of reference in {financial_year_of(on)}.")
        self.tor_reviewed_on.append(on)

    def review_status(self, first_board_meeting_of_year: date | None, today: date) -> str:
        """ "reviewed" this financial year; "due" until the board's first meeting of the year has
        taken place; "overdue" once it has and the review is still missing."""
        year = financial_year_of(today)
        if any(financial_year_of(d) == year for d in self.tor_reviewed_on):
            return "reviewed"
        if first_board_meeting_of_year is not None and first_board_meeting_of_year < today:
            return "overdue"
        return "due"


def first_meeting_of_year(meetings: list[Meeting], today: date) -> date | None:
    start, end = financial_year_bounds(financial_year_of(today))
    days = sorted(m.on for m in meetings if m.status != "cancelled" and start <= m.on <= end)
    return days[0] if days else None


# --------------------------------------------------------------------------- annual report


@dataclass
class AnnualReport:
    id: str
    board_id: str
    year: str
    title: str
    summary: str = ""
    status: str = "draft"  # draft -> approved -> published
    approved_by_decision_id: str | None = None
    published_on: date | None = None

    @classmethod
    def draft(cls, id: str, board_id: str, year: str, title: str, summary: str = "") -> AnnualReport:
        financial_year_bounds(year)
        if not (title or "").strip():
            raise Invalid.at("title", "required", "The annual report needs a title.")
        return cls(id=id, board_id=board_id, year=year, title=title.strip(), summary=(summary or "").strip())

    def revise(self, title: str | None, summary: str | None) -> None:
        if self.status != "draft":
            raise Refused(f"The annual report is {self.status}; only a draft can be revised.")
        if title is not None:
            if not title.strip():
                raise Invalid.at("title", "required", "The annual report needs a title.")
            self.title = title.strip()
        if summary is not None:
            self.summary = summary.strip()

    def approve(self, decision: Decision) -> None:
        """The board produces, authorises and agrees its annual report: by one of its decisions."""
        if self.status != "draft":
            raise Refused(f"The annual report is already {self.status}.")
        if decision.board_id != self.board_id:
            raise Refused("That decision was taken by another board.")
        decision.check_in_effect()
        if not decision.approves:
            raise Refused(
                f"The decision '{decision.item_title}' was {decision.outcome.replace('_', ' ')}"
                f"{' and not ratified' if decision.ratification == 'not_ratified' else ''}; "
                "the report needs a decision in favour."
            )
        self.status, self.approved_by_decision_id = "approved", decision.id

    def publish(self, on: date) -> None:
        if self.status == "published":
            raise Refused(f"The annual report was already published on {self.published_on}.")
        if self.status != "approved":
            raise Refused(
                "The annual report must be approved by a board decision before it is published "
                "(transition to approved with the decision_id)."
            )
        self.status, self.published_on = "published", on


# --------------------------------------------------------------------------- disputes


@dataclass
class Dispute:
    """Between members: the independent chair convenes a joint meeting within 28 days."""

    id: str
    board_id: str
    parties: list[str]
    subject: str
    determined_on: date
    status: str = "open"  # open -> joint_meeting_held -> resolved
    joint_meeting_on: date | None = None
    resolved_on: date | None = None
    resolution: str | None = None

    @classmethod
    def raise_(
        cls,
        id: str,
        board_id: str,
        parties: list[str],
        subject: str,
        determined_on: date,
        board_organisations: list[str],
    ) -> Dispute:
        parties = [p.strip() for p in parties if p and p.strip()]
        errors = FieldErrors()
        if len({p.casefold() for p in parties}) < 2:
            errors.add("parties", "at least two different member organisations")
        if not (subject or "").strip():
            errors.add("subject", "what the dispute is about")
        errors.raise_if_any("The dispute cannot be recorded as given.")
        known = {o.casefold() for o in board_organisations}
        strangers = [p for p in parties if p.casefold() not in known]
        if strangers:
            raise Refused(
                "Disputes are between members of the board; not on the board: "
                + ", ".join(strangers)
                + ". Complaints from others go to the organisation's own complaints process.",
                parties=strangers,
            )
        return cls(
            id=id, board_id=board_id, parties=parties, subject=subject.strip(), determined_on=determined_on
        )

    @property
    def joint_meeting_due_on(self) -> date:
        return self.determined_on + JOINT_MEETING_WITHIN

    def overdue(self, today: date) -> bool:
        return self.status == "open" and today > self.joint_meeting_due_on

    def hold_joint_meeting(self, on: date) -> None:
        if self.status != "open":
            raise Refused(
                f"The dispute is {self.status.replace('_', ' ')}; its joint meeting was on "
                f"{self.joint_meeting_on}."
            )
        if on < self.determined_on:
            raise Invalid.at(
                "on", "on or after determined_on",
                "The joint meeting cannot be before the dispute was determined.",
            )
        self.status, self.joint_meeting_on = "joint_meeting_held", on

    def resolve(self, on: date, resolution: str) -> None:
        if self.status == "resolved":
            raise Refused("The dispute is already resolved.")
        if self.status != "joint_meeting_held":
            raise Refused(
                "The chair convenes a joint meeting with the parties first; record it, then the resolution."
            )
        if not (resolution or "").strip():
            raise Invalid.at("resolution", "required", "Say how it was resolved.")
        self.status, self.resolved_on, self.resolution = "resolved", on, resolution.strip()
