"""The disaggregation of shared services in the council's terms (seed 001, "Disaggregation of services from
North Northants"): services that could not be split between the two new councils on vesting day were shared,
one council *hosting* a service for both until it could be split safely (staff, systems, contracts), or
*leading* it on a longer-term basis (a county-wide contract, a small team, a system others share).

A shared service names the council that hosts or leads it and the other council, and is ``planned`` to be
split on a date (seed 001: "Mar-23", "Mar-24"), ``in_progress``, ``disaggregated`` on its actual date,
``deferred`` with the reason ("Deferred until safe & legal", "£90k additional cost to WNC to split -
requested deferred") or ``cancelled``. Its first planned date is kept: a date moved later, or a deferral,
is a slip ("moved to align to new contract procurement"), and so is a planned date that passes before the
split. The split of its cost between the two councils is in percentages or in pence, and must add up.

Plain Python: no web framework, no database, no event schemas.
"""

from __future__ import annotations

import calendar as months_calendar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from civic.errors import FieldErrors, Refused

from civic_savings.domain import MAX_REASON, amount_problem, cleaned, set_changes, text_problem

#: hosted: one council runs it for both until it can be split; lead: one council delivers it for the long term
SERVICE_KINDS = ("hosted", "lead")
STATUSES = ("planned", "in_progress", "disaggregated", "deferred", "cancelled")
TRANSITIONS: dict[str, frozenset[str]] = {
    "planned": frozenset({"in_progress", "disaggregated", "deferred", "cancelled"}),
    "in_progress": frozenset({"disaggregated", "deferred", "cancelled"}),
    # a deferred split is planned again with its new date
    "deferred": frozenset({"planned", "cancelled"}),
    "disaggregated": frozenset(),
    "cancelled": frozenset(),
}
FINAL = frozenset(status for status, moves in TRANSITIONS.items() if not moves)
#: the statuses with a planned date (a deferred one has none until it is planned again)
DATED = frozenset({"planned", "in_progress"})
#: the moves that need a reason, and what it is asked to say
REASONS_NEEDED = {"deferred": "say why the split waits", "cancelled": "say why the service will not be split"}
#: the moves dated by ``on`` that cannot be in the future: they are recorded once they happened
HAPPENED = frozenset({"in_progress", "disaggregated"})
SPLIT_BASES = ("percent", "pence")
#: text fields: whether required, and their limit
TEXTS = {"service": (True, 200), "host_council": (True, 200), "other_council": (True, 200),
         "directorate": (False, 200), "notes": (False, MAX_REASON)}  # fmt: skip
#: what an amendment may send (status moves by transition)
AMENDABLE = (*TEXTS, "kind", "planned_on", "deferred_reason", "cost_split")
#: what may still change once the service is disaggregated or cancelled: the record, not the plan
AMENDABLE_WHEN_FINAL = ("notes",)
#: the report looks this many months ahead by default, and at most so many
DUE_MONTHS, MAX_MONTHS = 6, 60


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has no such day (31 Aug + 6: 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, months_calendar.monthrange(year, month)[1]))


# ---------------------------------------------------------------- the split of costs


def _percent_problem(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return "must be a whole number from 0 to 100"
    if not 0 <= value <= 100:
        return "must be from 0 to 100"
    return None


@dataclass(frozen=True)
class CostSplit:
    """How a shared service's cost falls between the two councils: percentages adding up to 100 (with the
    annual cost when known), or pence adding up to the annual cost."""

    basis: str
    host_percent: int | None = None
    other_percent: int | None = None
    annual_cost_pence: int | None = None
    host_pence: int | None = None
    other_pence: int | None = None

    @classmethod
    def of(cls, given: Any, errors: FieldErrors, at: str = "cost_split") -> CostSplit | None:
        """The split a request gave (a mapping), every broken part added to ``errors`` under ``at``."""
        if not isinstance(given, dict):
            errors.add(at, "must be an object with its basis: percent or pence")
            return None
        basis = given.get("basis")
        if basis not in SPLIT_BASES:
            errors.add(f"{at}.basis", f"must be one of {', '.join(SPLIT_BASES)}")
            return None
        if basis == "percent":
            return cls._in_percent(given, errors, at)
        return cls._in_pence(given, errors, at)

    @classmethod
    def _in_percent(cls, given: dict[str, Any], errors: FieldErrors, at: str) -> CostSplit | None:
        before = len(errors)
        for name in ("host_percent", "other_percent"):
            errors.add_if(f"{at}.{name}", _percent_problem(given.get(name)))
        cost = given.get("annual_cost_pence")
        if cost is not None:
            errors.add_if(f"{at}.annual_cost_pence", amount_problem(cost))
        for name in set(given) - {"basis", "host_percent", "other_percent", "annual_cost_pence"}:
            errors.add(f"{at}.{name}", "is not part of a split in percent")
        if len(errors) > before:
            return None
        if given["host_percent"] + given["other_percent"] != 100:
            errors.add(at, f"the two councils' shares must add up to 100%: {given['host_percent']}% and "
                           f"{given['other_percent']}% make {given['host_percent'] + given['other_percent']}%")  # fmt: skip
            return None
        return cls("percent", host_percent=given["host_percent"], other_percent=given["other_percent"],
                   annual_cost_pence=cost)  # fmt: skip

    @classmethod
    def _in_pence(cls, given: dict[str, Any], errors: FieldErrors, at: str) -> CostSplit | None:
        before = len(errors)
        for name in ("annual_cost_pence", "host_pence", "other_pence"):
            value = given.get(name)
            errors.add_if(f"{at}.{name}", "is required" if value is None else amount_problem(value))
        for name in set(given) - {"basis", "annual_cost_pence", "host_pence", "other_pence"}:
            errors.add(f"{at}.{name}", "is not part of a split in pence")
        if len(errors) > before:
            return None
        cost, host, other = given["annual_cost_pence"], given["host_pence"], given["other_pence"]
        if host + other != cost:
            errors.add(at, f"the two councils' shares must add up to the annual cost: {host} + {other} pence "
                           f"make {host + other}, not {cost}")  # fmt: skip
            return None
        return cls("pence", annual_cost_pence=cost, host_pence=host, other_pence=other)

    def shares_pence(self) -> tuple[int, int] | None:
        """(host's, other's) share of the annual cost in pence; None when the cost is not known. A share in
        percent is rounded to the penny for the host, the other council's is the rest, so they add up."""
        if self.basis == "pence":
            assert self.host_pence is not None and self.other_pence is not None
            return self.host_pence, self.other_pence
        if self.annual_cost_pence is None or self.host_percent is None:
            return None
        host = (self.annual_cost_pence * self.host_percent + 50) // 100
        return host, self.annual_cost_pence - host

    def as_dict(self) -> dict[str, Any]:
        if self.basis == "percent":
            return {"basis": "percent", "host_percent": self.host_percent, "other_percent": self.other_percent,
                    "annual_cost_pence": self.annual_cost_pence}  # fmt: skip
        return {"basis": "pence", "annual_cost_pence": self.annual_cost_pence, "host_pence": self.host_pence,
                "other_pence": self.other_pence}  # fmt: skip


# ---------------------------------------------------------------- the shared service


def _same_council(one: Any, other: Any) -> bool:
    return isinstance(one, str) and isinstance(other, str) and one.strip().casefold() == other.strip().casefold()


def _field_errors(fields: dict[str, Any]) -> FieldErrors:
    errors = FieldErrors()
    for name, value in fields.items():
        if name in TEXTS:
            required, limit = TEXTS[name]
            errors.add_if(name, text_problem(value, required=required, limit=limit))
        elif name == "kind":
            if value not in SERVICE_KINDS:
                errors.add("kind", f"must be one of {', '.join(SERVICE_KINDS)}")
        elif name == "planned_on":
            if value is not None and not isinstance(value, date):
                errors.add("planned_on", "must be a date, e.g. 2023-03-31")
        elif name == "deferred_reason":
            errors.add_if(name, text_problem(value, required=False, limit=MAX_REASON))
        elif name == "cost_split":
            if value is not None:
                CostSplit.of(value, errors)
        else:
            errors.add(name, "cannot be changed here")
    return errors


@dataclass
class SharedService:
    id: str
    service: str
    kind: str
    #: the council that hosts or leads the service for both
    host_council: str
    other_council: str
    status: str
    directorate: str | None = None
    #: the date the split is planned for now; None while deferred
    planned_on: date | None = None
    #: the date first planned: a later one, or a deferral, is a slip
    first_planned_on: date | None = None
    deferred_reason: str | None = None
    started_on: date | None = None
    #: the day it was disaggregated
    actual_on: date | None = None
    cancelled_reason: str | None = None
    cost_split: CostSplit | None = None
    notes: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def register(cls, *, id: str, fields: dict[str, Any], by: str, now: datetime) -> SharedService:
        """A shared service planned for a date, or deferred with the reason. Every broken field is named."""
        wanted = {name: fields.get(name) for name in ("service", "kind", "host_council", "other_council")}
        given = {**wanted, **{k: v for k, v in fields.items() if k not in wanted}}
        errors = _field_errors(given)
        planned_on, reason = given.get("planned_on"), given.get("deferred_reason")
        if planned_on is None and reason is None:
            errors.add("planned_on", "is required, or deferred_reason when the split is deferred")
        elif planned_on is not None and reason is not None:
            errors.add("deferred_reason", "is given only for a deferred split, which has no planned date")
        if _same_council(given["host_council"], given["other_council"]):
            errors.add("other_council", "must be another council than the host")
        errors.raise_if_any("The shared service has invalid fields.")
        split = CostSplit.of(given["cost_split"], FieldErrors()) if given.get("cost_split") is not None else None
        shared = cls(
            id=id, status="planned" if planned_on is not None else "deferred", first_planned_on=planned_on,
            **{k: cleaned(v) for k, v in given.items() if k != "cost_split"}, cost_split=split,
        )  # fmt: skip
        shared._note(now, by, shared.status, planned_on=_text(planned_on), reason=shared.deferred_reason)
        return shared

    @property
    def next_statuses(self) -> list[str]:
        return [status for status in STATUSES if status in TRANSITIONS[self.status]]

    def amend(self, changes: dict[str, Any], *, by: str, now: datetime) -> tuple[bool, bool]:
        """Change the fields sent; (whether anything changed, whether the planned date moved later: a slip).
        The planned date changes while the split is planned or in progress (a deferred one is planned again
        by its transition), the deferral's reason while deferred; once disaggregated or cancelled only the
        notes."""
        errors = _field_errors(changes)
        if "planned_on" in changes and changes["planned_on"] is None:
            errors.add("planned_on", "cannot be emptied: defer the split instead (a transition to deferred)")
        if "deferred_reason" in changes and changes["deferred_reason"] is None:
            errors.add("deferred_reason", "cannot be emptied: plan the split again instead (a transition)")
        host, other = changes.get("host_council", self.host_council), changes.get("other_council", self.other_council)
        if ("host_council" in changes or "other_council" in changes) and _same_council(host, other):
            errors.add("other_council" if "other_council" in changes else "host_council",
                       "must be another council than the host")  # fmt: skip
        errors.raise_if_any("The shared service has invalid fields.")
        self._check_amendable(changes)
        if changes.get("cost_split") is not None:
            changes = {**changes, "cost_split": CostSplit.of(changes["cost_split"], FieldErrors())}
        before, changed = set_changes(self, changes)
        if not changed:
            return False, False
        details: dict[str, Any] = {"fields": changed}
        slipped = False
        if "planned_on" in changed:
            details.update(planned_on_was=_text(before["planned_on"]), planned_on=_text(self.planned_on))
            slipped = None not in (before["planned_on"], self.planned_on) and self.planned_on > before["planned_on"]
        self._note(now, by, "amended", slipped=slipped or None, **details)
        return True, slipped

    def _check_amendable(self, changes: dict[str, Any]) -> None:
        if self.status in FINAL:
            fixed = sorted(set(changes) - set(AMENDABLE_WHEN_FINAL))
            if fixed:
                raise Refused(
                    f"A shared service that is {self.status} keeps its record: only its notes change "
                    f"({', '.join(fixed)} cannot).", current_status=self.status,
                )  # fmt: skip
        if "planned_on" in changes and self.status not in DATED:
            raise Refused(
                f"A shared service that is {self.status} has no planned date to move"
                + ("; plan it again with a transition to planned." if self.status == "deferred" else "."),
                current_status=self.status,
            )
        if "deferred_reason" in changes and self.status != "deferred":
            raise Refused(f"Only a deferred split has a deferral's reason; this one is {self.status}.",
                          current_status=self.status)  # fmt: skip

    def transition(
        self, to: str, *, on: date | None, today: date, reason: str | None = None, planned_on: date | None = None,
        by: str, now: datetime,
    ) -> str | None:  # fmt: skip
        """One step of its lifecycle, dated ``on`` (default ``today``). Returns what to announce:
        ``"disaggregated"``, ``"slipped"`` (deferred from a planned date) or None."""
        errors = FieldErrors()
        if to not in STATUSES:
            errors.add("to", f"must be one of {', '.join(STATUSES)}")
        if to in REASONS_NEEDED and text_problem(reason, required=True, limit=MAX_REASON):
            errors.add("reason", f"is required: {REASONS_NEEDED[to]}")
        if to == "planned" and not isinstance(planned_on, date):
            errors.add("planned_on", "is required: the date the split is planned for now")
        elif to != "planned" and planned_on is not None:
            errors.add("planned_on", "is given only when the split is planned again (to planned)")
        day = on or today
        if to in HAPPENED and day > today:
            errors.add("on", f"cannot be after today ({today.isoformat()}): it is recorded once it has happened")
        if to == "disaggregated" and self.started_on is not None and day < self.started_on:
            errors.add("on", f"cannot be before the split started ({self.started_on.isoformat()})")
        errors.raise_if_any("The transition has invalid fields.")
        if to not in TRANSITIONS[self.status]:
            allowed = self.next_statuses
            raise Refused(
                f"A shared service that is {self.status} cannot become {to}"
                + (f"; it can become {', '.join(allowed)}." if allowed else "; that is a final state."),
                current_status=self.status, allowed=allowed,
            )  # fmt: skip
        was, announce = self.planned_on, None
        note = reason.strip() if isinstance(reason, str) and reason.strip() else None
        if to == "in_progress":
            self.started_on = day
        elif to == "disaggregated":
            self.actual_on, announce = day, "disaggregated"
        elif to == "deferred":
            self.planned_on, self.deferred_reason = None, note
            announce = "slipped" if was is not None else None
        elif to == "planned":
            self.planned_on, self.deferred_reason = planned_on, None
            if self.first_planned_on is None:
                self.first_planned_on = planned_on
        elif to == "cancelled":
            self.cancelled_reason = note
        self.status = to
        self._note(now, by, to, on=day.isoformat(), reason=note, planned_on_was=_text(was) if to == "deferred" else None,
                   planned_on=_text(planned_on))  # fmt: skip
        return announce

    def _note(self, now: datetime, by: str, kind: str, **details: Any) -> None:
        self.history.append({"at": now, "by": by, "kind": kind, **{k: v for k, v in details.items() if v is not None}})


def _text(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


# ---------------------------------------------------------------- due, slipped, done


def slip_of(shared: SharedService, as_of: date) -> dict[str, Any] | None:
    """How the split has slipped on ``as_of``, or None: its planned date passed before it was disaggregated
    (``passed``, with the days since), its date moved later than first planned (``moved_later``, by so many
    days) or a planned split deferred (``deferred``). Cancelled ones and ones disaggregated by then never."""
    if shared.status == "cancelled" or _done_by(shared, as_of):
        return None
    if shared.planned_on is None:
        return {"why": "deferred"} if shared.first_planned_on is not None else None
    if shared.planned_on < as_of:
        return {"why": "passed", "days_late": (as_of - shared.planned_on).days}
    if shared.first_planned_on is not None and shared.planned_on > shared.first_planned_on:
        return {"why": "moved_later", "days_late": (shared.planned_on - shared.first_planned_on).days}
    return None


def _done_by(shared: SharedService, as_of: date) -> bool:
    return shared.status == "disaggregated" and shared.actual_on is not None and shared.actual_on <= as_of


def standing(shared: SharedService, as_of: date, months: int = DUE_MONTHS) -> set[str]:
    """Where the split stands on ``as_of`` in the report: ``done`` (disaggregated by then), ``due`` (planned
    from ``as_of`` to ``months`` later), ``slipped`` (see :func:`slip_of`; a slipped split may be due too),
    ``deferred`` (deferred without ever having had a date). Nothing for a cancelled one or one planned later."""
    if shared.status == "cancelled":
        return set()
    if _done_by(shared, as_of):
        return {"done"}
    found = set()
    if slip_of(shared, as_of) is not None:
        found.add("slipped")
    elif shared.planned_on is None:
        found.add("deferred")
    if shared.planned_on is not None and as_of <= shared.planned_on <= add_months(as_of, months):
        found.add("due")
    return found

