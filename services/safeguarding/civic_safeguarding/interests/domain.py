"""The register of members' interests, kept per member and reviewed each year.

The board's code of conduct (seed 003, "Declaration/Conflict of Interest", and the councils' codes it
follows) asks each member to register their interests: pecuniary, non-pecuniary and others, each saying
what it is and which organisations or matters it concerns. A member with a registered interest in an
agenda item takes no part in its decision unless they declare at the meeting that the interest is not
prejudicial (meetings.domain pre-fills the declarations from here). The details of a sensitive interest
(Localism Act 2011 s32: the register says an interest exists, not what it is) are CONFIDENTIAL_FIELDS,
shown only to callers cleared for them. Plain Python.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from typing import Any

from civic.errors import FieldErrors, Invalid, Refused

from civic_safeguarding.boards.domain import Member
from civic_safeguarding.domain import require_text

INTEREST_KINDS = ("pecuniary", "non_pecuniary", "other")
KIND_WORDS = {"pecuniary": "pecuniary interest", "non_pecuniary": "non-pecuniary interest", "other": "other interest"}
INTEREST_STATUSES = ("registered", "withdrawn")
#: withheld from callers without safeguarding:confidential, never copied into a declaration or an event
CONFIDENTIAL_FIELDS = ("details",)
#: a member's register is reviewed each year: overdue when more than this many months have passed
REVIEW_MONTHS = 12
#: what an amendment may change (the rest is the register's own record of the entry)
AMENDABLE = ("kind", "description", "concerns", "held_from", "held_until", "details")


def matter_key(text: str) -> str:
    """An organisation or matter as the register and the agenda compare them: case and spacing aside."""
    return " ".join(text.split()).casefold()


def _concerns(values: list[str], errors: FieldErrors) -> list[str]:
    """Each organisation or matter once (the first spelling kept); at least one."""
    kept: dict[str, str] = {}
    for value in values or []:
        text = " ".join((value or "").split())
        if text:
            kept.setdefault(matter_key(text), text)
    if not kept:
        errors.add("concerns", "name at least one organisation or matter the interest concerns")
    return list(kept.values())


@dataclass
class Interest:
    """One entry in a member's register."""

    id: str
    board_id: str
    member_id: str
    kind: str
    description: str
    concerns: list[str]
    held_from: date
    held_until: date | None = None
    details: str | None = None  # CONFIDENTIAL: the particulars of a sensitive interest
    status: str = "registered"  # registered -> withdrawn
    registered_on: date | None = None
    withdrawn_on: date | None = None
    withdrawal_reason: str | None = None

    @classmethod
    def register(
        cls,
        id: str,
        member: Member,
        kind: str,
        description: str,
        concerns: list[str],
        on: date,
        held_from: date | None = None,
        held_until: date | None = None,
        details: str | None = None,
    ) -> Interest:
        interest = cls(
            id=id, board_id=member.board_id, member_id=member.id, kind=kind, description=description,
            concerns=concerns, held_from=held_from or on, held_until=held_until, details=details, registered_on=on,
        )  # fmt: skip
        interest._check("The interest cannot be registered as given.")
        return interest

    def _check(self, refusal: str) -> None:
        errors = FieldErrors()
        if self.kind not in INTEREST_KINDS:
            errors.add("kind", "one of " + ", ".join(INTEREST_KINDS))
        self.description = require_text(self.description, "description", errors, "say what the interest is")
        self.concerns = _concerns(self.concerns, errors)
        if self.held_until is not None and self.held_until < self.held_from:
            errors.add("held_until", f"not before the interest was held from ({self.held_from.isoformat()})")
        self.details = (self.details or "").strip() or None
        errors.raise_if_any(refusal)

    def amend(self, changes: dict[str, Any]) -> None:
        """Change the fields sent (AMENDABLE); a withdrawn entry stays as it was withdrawn."""
        if self.status == "withdrawn":
            raise Refused(
                f"This interest was withdrawn from the register on {_day(self.withdrawn_on)}; register it again "
                "instead of amending it."
            )
        for name in AMENDABLE:
            if name in changes:
                setattr(self, name, changes[name])
        self._check("The interest cannot be amended as given.")

    def withdraw(self, on: date, reason: str | None) -> None:
        """The member no longer holds it (or it was registered in error): it no longer counts at any meeting."""
        if self.status == "withdrawn":
            raise Refused(f"This interest was already withdrawn from the register on {_day(self.withdrawn_on)}.")
        registered = self.registered_on or self.held_from
        if on < registered:
            raise Invalid.at(
                "withdrawn_on", "not before it was registered",
                f"The interest was registered on {registered.isoformat()}; it cannot be withdrawn before.",
            )  # fmt: skip
        self.status = "withdrawn"
        self.withdrawn_on = on
        self.withdrawal_reason = (reason or "").strip() or None

    def held_on(self, day: date) -> bool:
        """Registered (not withdrawn) and held on `day`."""
        return (
            self.status == "registered"
            and self.held_from <= day
            and (self.held_until is None or day <= self.held_until)
        )

    def concerned(self, matters: list[str]) -> list[str]:
        """Those of `matters` (an agenda item's) that this interest concerns."""
        mine = {matter_key(c) for c in self.concerns}
        return [m for m in matters if matter_key(m) in mine]

    @property
    def words(self) -> str:
        """What a declaration pre-filled from the register says of it: never its confidential details."""
        return f"{KIND_WORDS[self.kind]} (registered): {self.description}"


def _day(day: date | None) -> str:
    return day.isoformat() if day else "an earlier day"


@dataclass
class Review:
    """The yearly review of a member's register: when, and by whom."""

    id: str
    board_id: str
    member_id: str
    reviewed_on: date
    reviewed_by: str

    @classmethod
    def record(cls, id: str, member: Member, reviewed_on: date, reviewed_by: str, today: date) -> Review:
        errors = FieldErrors()
        by = require_text(reviewed_by, "reviewed_by", errors, "say who reviewed the register")
        if reviewed_on > today:
            errors.add("reviewed_on", f"a review is recorded once done: not after today ({today.isoformat()})")
        errors.raise_if_any("The review cannot be recorded as given.")
        return cls(id=id, board_id=member.board_id, member_id=member.id, reviewed_on=reviewed_on, reviewed_by=by)


def months_after(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has no such day: 29 Feb -> 28 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


@dataclass(frozen=True)
class ReviewStatus:
    last_reviewed_on: date | None
    due_on: date
    overdue: bool


def review_status(last_reviewed_on: date | None, entered_on: date, today: date) -> ReviewStatus:
    """A register is reviewed each year: due 12 months after its last review (a register never reviewed,
    12 months after the member entered it), overdue once more than 12 months have passed."""
    due_on = months_after(last_reviewed_on or entered_on, REVIEW_MONTHS)
    return ReviewStatus(last_reviewed_on=last_reviewed_on, due_on=due_on, overdue=today > due_on)

