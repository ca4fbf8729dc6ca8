"""An initiative's delivery plan in the council's terms: its milestones (seed 004: "the savings programme
should be backed up with visible delivery plans and regularly reported").

A milestone is what is to happen, who owns it and when it is due. It is ``planned`` until it is ``done``
(with the evidence that it was: a decision's minute, a contract signed, a restructure consulted on) or
``dropped`` (with the reason); both are final. A planned milestone whose due date is before the council's
today (``civic.calendar.today``, London) is overdue. An initiative that has ended (delivered, undeliverable
or rejected) has no delivery plan left to run: no milestone is added or changed, and its planned ones are
dropped with it.

Plain Python: no web framework, no database, no event schemas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from civic.calendar import date_of
from civic.errors import FieldErrors, Refused

from civic_savings.domain import MAX_REASON, checked, date_problem, set_changes, text_check, text_problem
from civic_savings.initiatives.domain import FINAL

MILESTONE_STATUSES = ("planned", "done", "dropped")
#: what a milestone's fields may say, each with whether it is required
FIELDS = {"title": True, "owner": True}
#: milestones in one initiative's plan: a delivery plan is a page, not a project schedule
MAX_MILESTONES = 100


def check_plan_open(initiative_status: str) -> None:
    """Refused when the initiative has ended: its delivery plan no longer changes."""
    if initiative_status in FINAL:
        raise Refused(
            f"The initiative is {initiative_status}: its delivery plan is closed, so its milestones no longer "
            "change.",
            initiative_status=initiative_status,
        )


#: the fields a new milestone gives and a change may send, each with its check
CHECKS = {**{name: text_check(required=required) for name, required in FIELDS.items()}, "due": date_problem}


@dataclass
class Milestone:
    id: str
    initiative_id: str
    title: str
    owner: str
    due: date
    status: str = "planned"
    evidence: str | None = None
    completed_on: date | None = None
    completed_by: str | None = None
    dropped_reason: str | None = None
    dropped_on: date | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def plan(
        cls, *, id: str, initiative_id: str, initiative_status: str, planned_so_far: int, title: Any, owner: Any,
        due: Any, by: str, now: datetime,
    ) -> Milestone:  # fmt: skip
        """A new milestone of a running initiative's plan (at most ``MAX_MILESTONES`` of them)."""
        checked({"title": title, "owner": owner, "due": due}, CHECKS).raise_if_any()
        check_plan_open(initiative_status)
        if planned_so_far >= MAX_MILESTONES:
            raise Refused(
                f"An initiative's delivery plan holds at most {MAX_MILESTONES} milestones; drop or change one "
                "instead.",
                limit=MAX_MILESTONES,
            )
        milestone = cls(id=id, initiative_id=initiative_id, title=title.strip(), owner=owner.strip(), due=due)
        milestone._note(now, by, "planned", due=due.isoformat())
        return milestone

    def is_overdue(self, today: date) -> bool:
        """Planned and due before today (done or dropped ones are never overdue)."""
        return self.status == "planned" and self.due < today

    def _check_planned(self, doing: str) -> None:
        if self.status != "planned":
            raise Refused(
                f"A milestone that is {self.status} cannot be {doing}; that is a final state.",
                current_status=self.status,
            )

    def change(self, changes: dict[str, Any], initiative_status: str, *, by: str, now: datetime) -> None:
        """Change what it is, who owns it or when it is due (a new date is noted with the old one)."""
        errors = checked(changes, CHECKS)
        errors.raise_if_any()
        check_plan_open(initiative_status)
        self._check_planned("changed")
        before, changed = set_changes(self, changes)
        if changed:
            details: dict[str, Any] = {"fields": changed}
            if "due" in changed:
                details.update(due_was=before["due"].isoformat(), due=self.due.isoformat())
            self._note(now, by, "changed", **details)

    def complete(self, evidence: Any, initiative_status: str, *, by: str, now: datetime) -> None:
        """Done, on the council's date now, with the evidence that it is."""
        problem = text_problem(evidence, required=True, limit=MAX_REASON)
        if problem:
            FieldErrors.of("evidence", problem).raise_if_any()
        check_plan_open(initiative_status)
        self._check_planned("completed")
        self.status, self.evidence = "done", evidence
        self.completed_on, self.completed_by = date_of(now), by
        self._note(now, by, "done", late_by_days=max(0, (self.completed_on - self.due).days) or None)

    def drop(self, reason: Any, initiative_status: str | None, *, by: str, now: datetime) -> None:
        """No longer part of the plan, with the reason. ``initiative_status`` None: the initiative itself has
        just ended and takes its plan with it."""
        problem = text_problem(reason, required=True, limit=MAX_REASON)
        if problem:
            FieldErrors.of("reason", problem).raise_if_any()
        if initiative_status is not None:
            check_plan_open(initiative_status)
        self._check_planned("dropped")
        self.status, self.dropped_reason, self.dropped_on = "dropped", reason, date_of(now)
        self._note(now, by, "dropped", reason=reason)

    def _note(self, now: datetime, by: str, kind: str, **details: Any) -> None:
        self.history.append({"at": now, "by": by, "kind": kind, **{k: v for k, v in details.items() if v is not None}})


def overdue_days(due: date, today: date) -> int:
    """How many days a milestone due on ``due`` is overdue on ``today`` (0 when it is not)."""
    return max(0, (today - due).days)


def is_missed(status: str, due: date, announced_for: date | None, on: date) -> bool:
    """Whether a milestone is missed on ``on`` and not yet announced for its due date: still planned after it
    (``due`` before ``on``), and its announcement, if any, was for another due date (it has been re-dated
    since). A milestone is announced once per due date."""
    return status == "planned" and due < on and announced_for != due
