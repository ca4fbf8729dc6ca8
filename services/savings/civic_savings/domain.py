"""The savings register in the council's own terms: initiatives, their profiles and lifecycle, targets.

Plain Python: no web framework, no database, no event schemas. Methods change the model and append
to its history; the service layer turns that into documents and events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from civic.errors import Invalid, Refused

# The six savings themes of the council's efficiency plan, in the order its reports use.
THEMES: dict[str, str] = {
    "redesign_reorganisation": "Redesign & Reorganisation",
    "demand_prevention": "Demand & Prevention",
    "buying_commissioning": "Buying & Commissioning",
    "charging_income": "Charging & Income",
    "technology_innovation": "Technology & Innovation",
    "process_policy": "Process & Policy",
}

# Budget proposals fall in three categories; only transformation counts as transformation savings.
CATEGORIES: dict[str, str] = {
    "transformation": "Transformation",
    "centrally_controlled": "Centrally controlled",
    "technical_adjustment": "Technical adjustment",
}

STATUSES = ("proposed", "approved", "in_delivery", "slipped", "delivered", "undeliverable")
RAG_STATUSES = ("green", "amber", "red")

# Which lifecycle moves are allowed. Delivered and undeliverable are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    "proposed": frozenset({"approved"}),
    "approved": frozenset({"in_delivery", "slipped", "undeliverable"}),
    "in_delivery": frozenset({"delivered", "slipped", "undeliverable"}),
    "slipped": frozenset({"in_delivery", "delivered", "slipped", "undeliverable"}),
    "delivered": frozenset(),
    "undeliverable": frozenset(),
}

# Actuals can be recorded once an initiative is approved, and corrected after delivery.
RECORDS_ACTUALS = frozenset({"approved", "in_delivery", "slipped", "delivered"})

# Financial years accepted: 2000/01 to 2099/00. Anything outside is a typing error, not a plan.
FIRST_YEAR_START = 2000
LAST_YEAR_START = 2099
# £10bn: no single saving or target of a council comes near; a larger figure is a keying error.
MAX_AMOUNT_PENCE = 1_000_000_000_000
MAX_TEXT = 200
MAX_REASON = 2000

_YEAR = re.compile(r"(\d{4})/(\d{2})")

# Savings from closing or disposing of a building are recorded under this programme.
BUILDING_PROGRAMME = "Property rationalisation"
BUILDING_DIRECTORATE = "Corporate Services"


# ---------------------------------------------------------------- financial years and amounts


def year_problem(value: Any) -> str | None:
    """Why ``value`` is not an acceptable financial year, or None when it is (e.g. "2023/24")."""
    if not isinstance(value, str) or not _YEAR.fullmatch(value):
        return f"{value!r} is not a financial year; write it like '2023/24'"
    start, end = int(value[:4]), int(value[5:])
    if end != (start + 1) % 100:
        return f"{value!r} is not a financial year: after {start} comes {(start + 1) % 100:02d}"
    if not FIRST_YEAR_START <= start <= LAST_YEAR_START:
        return f"{value!r} is out of range: years from 2000/01 to 2099/00 are accepted"
    return None


def financial_year(value: Any, field_name: str = "year") -> str:
    problem = year_problem(value)
    if problem:
        raise Invalid(problem, errors=[{"field": field_name, "message": problem}])
    return str(value)


def year_of(day: date) -> str:
    """The financial year (April to March) that contains ``day``."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def amount_problem(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return "must be a whole number of pence"
    if value < 0:
        return "must not be negative"
    if value > MAX_AMOUNT_PENCE:
        return "is larger than any plausible council figure (over £10bn)"
    return None


def _text_problem(value: Any, *, required: bool, limit: int = MAX_TEXT) -> str | None:
    if value is None:
        return "is required" if required else None
    if not isinstance(value, str) or not value.strip():
        return "must be non-empty text"
    if len(value) > limit:
        return f"must be at most {limit} characters"
    return None


def _raise_if(errors: list[dict[str, str]]) -> None:
    if errors:
        detail = "; ".join(f"{e['field']} {e['message']}" for e in errors)
        raise Invalid(f"The request has invalid fields: {detail}.", errors=errors)


def check_profile(profile: Any, field_name: str = "profile") -> dict[str, int]:
    """A profile is a non-empty list of {year, planned_pence} with each year at most once."""
    errors: list[dict[str, str]] = []
    planned: dict[str, int] = {}
    if not isinstance(profile, list) or not profile:
        _raise_if([{"field": field_name, "message": "must list at least one year"}])
    for i, entry in enumerate(profile):
        where = f"{field_name}.{i}"
        if not isinstance(entry, dict):
            errors.append({"field": where, "message": "must be an object with year and planned_pence"})
            continue
        # anything a caller sent: checked below before it is kept
        year: Any = entry.get("year")
        amount: Any = entry.get("planned_pence")
        problem = year_problem(year)
        if problem:
            errors.append({"field": f"{where}.year", "message": problem})
        elif year in planned:
            errors.append({"field": f"{where}.year", "message": f"{year} appears more than once"})
        amount_issue = amount_problem(amount)
        if amount_issue:
            errors.append({"field": f"{where}.planned_pence", "message": amount_issue})
        if not problem and not amount_issue and year not in planned:
            planned[year] = amount
    _raise_if(errors)
    return dict(sorted(planned.items()))


# ---------------------------------------------------------------- the initiative


@dataclass
class Initiative:
    id: str
    title: str
    directorate: str
    theme: str
    category: str
    profile: dict[str, int]  # year -> planned pence, in year order
    owner: str | None = None
    programme: str | None = None
    status: str = "proposed"
    actuals: dict[str, int] = field(default_factory=dict)  # year -> delivered pence
    rag: str | None = None
    rag_reason: str | None = None
    approved_by: str | None = None
    approved_on: date | None = None
    undeliverable_reason: str | None = None
    building_id: str | None = None
    slippages: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)

    # ---- creation

    @classmethod
    def propose(
        cls,
        *,
        id: str,
        title: Any,
        directorate: Any,
        theme: Any,
        category: Any,
        profile: Any,
        owner: Any = None,
        programme: Any = None,
        rag: Any = None,
        rag_reason: Any = None,
        by: str,
        now: datetime,
    ) -> Initiative:
        errors: list[dict[str, str]] = []
        for name, value, required in (
            ("title", title, True),
            ("directorate", directorate, True),
            ("owner", owner, False),
            ("programme", programme, False),
        ):
            problem = _text_problem(value, required=required)
            if problem:
                errors.append({"field": name, "message": problem})
        if theme not in THEMES:
            errors.append({"field": "theme", "message": f"must be one of {', '.join(THEMES)}"})
        if category not in CATEGORIES:
            errors.append({"field": "category", "message": f"must be one of {', '.join(CATEGORIES)}"})
        errors += _rag_errors(rag, rag_reason)
        try:
            planned = check_profile(profile)
        except Invalid as exc:
            errors += exc.errors
            planned = {}
        _raise_if(errors)
        initiative = cls(
            id=id,
            title=title.strip(),
            directorate=directorate.strip(),
            theme=theme,
            category=category,
            profile=planned,
            owner=owner.strip() if owner else None,
            programme=programme.strip() if programme else None,
            rag=rag,
            rag_reason=rag_reason,
        )
        initiative._note(now, by, "status", to="proposed")
        return initiative

    @classmethod
    def building_saving(
        cls,
        *,
        id: str,
        building_id: str,
        building_name: str,
        town: str | None,
        on: date,
        annual_running_cost_pence: int,
        by: str,
        now: datetime,
    ) -> Initiative:
        """A realised saving: the closed or disposed building's annual running cost, in the year it went."""
        problem = amount_problem(annual_running_cost_pence)
        if problem:
            raise Invalid(f"annual_running_cost_pence {problem}")
        year = year_of(on)
        where = f" ({town})" if town else ""
        initiative = cls(
            id=id,
            title=f"Rationalisation of buildings: {building_name}{where}",
            directorate=BUILDING_DIRECTORATE,
            theme="redesign_reorganisation",
            category="transformation",
            profile={year: annual_running_cost_pence},
            owner="Estates",
            programme=BUILDING_PROGRAMME,
            status="delivered",
            actuals={year: annual_running_cost_pence},
            building_id=building_id,
        )
        initiative._note(
            now, by, "status", to="delivered", reason=f"building {building_name} left the estate"
        )
        return initiative

    # ---- reading

    @property
    def planned_pence(self) -> int:
        return sum(self.profile.values())

    @property
    def delivered_pence(self) -> int:
        return sum(self.actuals.values())

    def unmet(self, year: str) -> int:
        return max(self.profile.get(year, 0) - self.actuals.get(year, 0), 0)

    # ---- lifecycle

    def transition(
        self,
        to: str,
        *,
        by: str,
        now: datetime,
        reason: str | None = None,
        to_year: str | None = None,
        from_year: str | None = None,
    ) -> dict[str, Any] | None:
        """Move along the lifecycle. Returns the slippage for a slip, else None."""
        if to not in STATUSES:
            raise Invalid(
                f"{to!r} is not a status; use one of {', '.join(STATUSES)}",
                errors=[{"field": "to", "message": f"must be one of {', '.join(STATUSES)}"}],
            )
        if reason is not None:
            problem = _text_problem(reason, required=False, limit=MAX_REASON)
            if problem:
                _raise_if([{"field": "reason", "message": problem}])
        if to not in TRANSITIONS[self.status]:
            allowed = sorted(TRANSITIONS[self.status])
            raise Refused(
                f"An initiative that is {self.status} cannot become {to}"
                + (f"; it can become {', '.join(allowed)}." if allowed else "; that is a final state."),
                current_status=self.status,
                allowed=allowed,
            )
        if to == "slipped":
            return self._slip(to_year, from_year, by=by, now=now, reason=reason)
        if to == "undeliverable":
            if not reason:
                _raise_if([{"field": "reason", "message": "is required: say why it cannot be delivered"}])
            self.undeliverable_reason = reason
        if to == "approved":
            self.approved_by = by
            self.approved_on = now.date()
        self._note(now, by, "status", frm=self.status, to=to, reason=reason)
        self.status = to
        return None

    def _slip(
        self, to_year: str | None, from_year: str | None, *, by: str, now: datetime, reason: str | None
    ) -> dict[str, Any]:
        errors = []
        if to_year is None:
            errors.append({"field": "to_year", "message": "is required: the year the unmet saving moves to"})
        elif year_problem(to_year):
            errors.append({"field": "to_year", "message": str(year_problem(to_year))})
        if from_year is not None and year_problem(from_year):
            errors.append({"field": "from_year", "message": str(year_problem(from_year))})
        _raise_if(errors)
        assert to_year is not None
        if from_year is None:
            # the earliest year before to_year that still has an unmet saving
            candidates = [y for y in self.profile if y < to_year and self.unmet(y) > 0]
            if not candidates:
                raise Refused(f"Nothing to slip: no year before {to_year} has an unmet saving.")
            from_year = candidates[0]
        elif from_year not in self.profile:
            raise Refused(
                f"{from_year} is not in this initiative's profile ({', '.join(self.profile)}).",
                profile_years=list(self.profile),
            )
        if to_year <= from_year:
            raise Refused(f"A saving can only slip to a later year: {to_year} is not after {from_year}.")
        amount = self.unmet(from_year)
        if amount == 0:
            raise Refused(f"Nothing to slip: {from_year} is delivered in full.")
        # a profile issue, not a failure: the year keeps what was delivered, the rest moves on
        self.profile[from_year] -= amount
        self.profile[to_year] = self.profile.get(to_year, 0) + amount
        self.profile = dict(sorted(self.profile.items()))
        slippage = {"from_year": from_year, "to_year": to_year, "amount_pence": amount, "on": now.date()}
        self.slippages.append(dict(slippage, reason=reason))
        self._note(
            now, by, "status", frm=self.status, to="slipped", reason=reason,
            from_year=from_year, to_year=to_year, amount_pence=amount,
        )  # fmt: skip
        self.status = "slipped"
        return slippage

    def record_actual(self, year: Any, delivered_pence: Any, *, by: str, now: datetime) -> None:
        errors = []
        problem = year_problem(year)
        if problem:
            errors.append({"field": "year", "message": problem})
        amount_issue = amount_problem(delivered_pence)
        if amount_issue:
            errors.append({"field": "delivered_pence", "message": amount_issue})
        _raise_if(errors)
        if year not in self.profile:
            raise Invalid(
                f"{year} is outside this initiative's profile ({', '.join(self.profile)}).",
                errors=[{"field": "year", "message": "is not a year of the profile"}],
            )
        if self.status not in RECORDS_ACTUALS:
            raise Refused(
                f"Actuals cannot be recorded for an initiative that is {self.status}.",
                current_status=self.status,
            )
        previous = self.actuals.get(year)
        if previous == delivered_pence:
            return  # the same figure again is no change
        self.actuals[year] = delivered_pence
        self.actuals = dict(sorted(self.actuals.items()))
        self._note(now, by, "actual", year=year, delivered_pence=delivered_pence, previous_pence=previous)

    def set_rag(self, rag: Any, reason: Any, *, by: str, now: datetime) -> None:
        _raise_if(_rag_errors(rag, reason))
        if (rag, reason) == (self.rag, self.rag_reason):
            return
        self._note(now, by, "rag", frm=self.rag, to=rag, reason=reason)
        self.rag, self.rag_reason = rag, reason

    def amend(self, changes: dict[str, Any], *, by: str, now: datetime) -> None:
        """Edit descriptive fields; theme, category and profile only while still proposed."""
        errors: list[dict[str, str]] = []
        descriptive = {"title": True, "directorate": True, "owner": False, "programme": False}
        planning = ("theme", "category", "profile")
        for name, value in changes.items():
            if name in descriptive:
                problem = _text_problem(value, required=descriptive[name])
                if problem:
                    errors.append({"field": name, "message": problem})
            elif name == "theme" and value not in THEMES:
                errors.append({"field": "theme", "message": f"must be one of {', '.join(THEMES)}"})
            elif name == "category" and value not in CATEGORIES:
                errors.append({"field": "category", "message": f"must be one of {', '.join(CATEGORIES)}"})
            elif name not in planning:
                errors.append({"field": name, "message": "cannot be changed here"})
        profile = None
        if "profile" in changes:
            try:
                profile = check_profile(changes["profile"])
            except Invalid as exc:
                errors += exc.errors
        _raise_if(errors)
        replanned = [name for name in planning if name in changes]
        if replanned and self.status != "proposed":
            raise Refused(
                f"{', '.join(replanned)} can only change while the initiative is proposed; it is "
                f"{self.status}. Record actuals or slip the saving instead.",
                current_status=self.status,
            )
        if self.building_id and "programme" in changes:
            raise Refused("A building's saving stays in the property rationalisation programme.")
        before = {name: getattr(self, name) for name in changes}
        for name, value in changes.items():
            if name == "profile":
                self.profile = profile or {}
            elif name in descriptive:
                setattr(self, name, value.strip() if isinstance(value, str) else value)
            else:
                setattr(self, name, value)
        after = {name: getattr(self, name) for name in changes}
        if before != after:
            self._note(
                now, by, "amended", fields=sorted(name for name in changes if before[name] != after[name])
            )

    def _note(self, now: datetime, by: str, kind: str, *, frm: str | None = None, to: str | None = None,
              **details: Any) -> None:  # fmt: skip
        entry: dict[str, Any] = {"at": now, "by": by, "kind": kind}
        if frm is not None:
            entry["from"] = frm
        if to is not None:
            entry["to"] = to
        entry.update({k: v for k, v in details.items() if v is not None})
        self.history.append(entry)


def _rag_errors(rag: Any, reason: Any) -> list[dict[str, str]]:
    errors = []
    if rag is not None and rag not in RAG_STATUSES:
        errors.append({"field": "rag", "message": f"must be one of {', '.join(RAG_STATUSES)}"})
    if reason is not None:
        problem = _text_problem(reason, required=False, limit=MAX_REASON)
        if problem:
            errors.append({"field": "rag_reason", "message": problem})
    if rag in ("amber", "red") and not reason:
        errors.append({"field": "rag_reason", "message": f"is required when the status is {rag}"})
    return errors


# ---------------------------------------------------------------- targets


def target_name_problem(name: Any) -> str | None:
    problem = _text_problem(name, required=True, limit=100)
    if problem:
        return problem
    if name != name.strip():
        return "must not start or end with spaces"
    return None


@dataclass
class Target:
    """A savings target for a programme (named as the programme, e.g. "LGR")."""

    name: str
    amount_pence: int
    description: str | None = None
    #: the target amount at which it was passed; it passes once per amount
    passed_amount_pence: int | None = None
    passed_on: date | None = None

    @classmethod
    def set(cls, existing: Target | None, name: Any, amount_pence: Any, description: Any) -> Target:
        errors = []
        problem = target_name_problem(name)
        if problem:
            errors.append({"field": "name", "message": problem})
        problem = amount_problem(amount_pence)
        if problem:
            errors.append({"field": "amount_pence", "message": problem})
        problem = _text_problem(description, required=False, limit=MAX_REASON)
        if problem:
            errors.append({"field": "description", "message": problem})
        _raise_if(errors)
        if existing is None:
            return cls(name=name, amount_pence=amount_pence, description=description)
        existing.amount_pence = amount_pence
        existing.description = description
        return existing

    def is_passed(self) -> bool:
        return self.passed_amount_pence == self.amount_pence

    def check(self, delivered_pence: int, anticipated_pence: int, today: date) -> bool:
        """True exactly when delivered plus anticipated first reaches this target amount."""
        if self.is_passed() or delivered_pence + anticipated_pence < self.amount_pence:
            return False
        self.passed_amount_pence = self.amount_pence
        self.passed_on = today
        return True


# ---------------------------------------------------------------- cost avoidance


def check_cost_avoidance(fields: dict[str, Any]) -> dict[str, Any]:
    """Cost avoided (e.g. by a spending review panel) is recorded apart and never counted as a saving."""
    errors: list[dict[str, str]] = []
    for name, required, limit in (
        ("title", True, MAX_TEXT),
        ("directorate", True, MAX_TEXT),
        ("programme", False, MAX_TEXT),
        ("description", False, MAX_REASON),
    ):
        problem = _text_problem(fields.get(name), required=required, limit=limit)
        if problem:
            errors.append({"field": name, "message": problem})
    problem = year_problem(fields.get("year"))
    if problem:
        errors.append({"field": "year", "message": problem})
    problem = amount_problem(fields.get("amount_pence"))
    if problem:
        errors.append({"field": "amount_pence", "message": problem})
    _raise_if(errors)
    return {
        "title": fields["title"].strip(),
        "directorate": fields["directorate"].strip(),
        "programme": (fields.get("programme") or "").strip() or None,
        "description": fields.get("description"),
        "year": fields["year"],
        "amount_pence": fields["amount_pence"],
    }
