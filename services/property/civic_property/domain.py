"""The office estate: buildings and their lifecycle, teams and their desk needs, moves.

Plain Python on purpose (stdlib and ``civic.errors`` only). The service layer loads and saves
these objects and turns what they report into the published events.

Rules in the council's words (DOMAIN.md section 2):
- a building goes operational → closure_planned (on a date) → closed → for_disposal → disposed
  (by sale, lease or transfer, with a receipt); a site like County Hall goes to market_engagement
  first and from there to disposal, or back into use;
- a building cannot close (or be put up for disposal) while teams are still based there;
- desks a team needs follow from its workforce by worker type and the estate's desk ratios;
- a team can move only into an operational building with enough free desks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from civic.errors import Invalid, Refused

BUILDING_KINDS = ("office", "locality_hub", "depot", "other")
TENURES = ("freehold", "leasehold", "other")
ENERGY_MEASURE_KINDS = ("led", "solar", "other")
DISPOSAL_METHODS = ("sale", "lease", "transfer")
WORKER_TYPES = ("fixed", "part_flexible", "flexible", "field")

OPERATIONAL = "operational"
MARKET_ENGAGEMENT = "market_engagement"
CLOSURE_PLANNED = "closure_planned"
CLOSED = "closed"
FOR_DISPOSAL = "for_disposal"
DISPOSED = "disposed"
BUILDING_STATUSES = (OPERATIONAL, MARKET_ENGAGEMENT, CLOSURE_PLANNED, CLOSED, FOR_DISPOSAL, DISPOSED)

#: which lifecycle moves are allowed; anything else is refused (409)
BUILDING_TRANSITIONS: dict[str, tuple[str, ...]] = {
    OPERATIONAL: (CLOSURE_PLANNED, MARKET_ENGAGEMENT),
    MARKET_ENGAGEMENT: (OPERATIONAL, CLOSURE_PLANNED, FOR_DISPOSAL),
    CLOSURE_PLANNED: (CLOSED, OPERATIONAL),
    CLOSED: (FOR_DISPOSAL,),
    FOR_DISPOSAL: (DISPOSED,),
    DISPOSED: (),
}

#: statuses in which staff still work in the building (it has desks, costs and teams)
IN_USE = (OPERATIONAL, MARKET_ENGAGEMENT, CLOSURE_PLANNED)
#: statuses after the building was vacated (its running cost is saved from then on)
VACATED = (CLOSED, FOR_DISPOSAL, DISPOSED)

PLANNED = "planned"
COMPLETED = "completed"
CANCELLED = "cancelled"
MOVE_TRANSITIONS: dict[str, tuple[str, ...]] = {PLANNED: (COMPLETED, CANCELLED), COMPLETED: (), CANCELLED: ()}

#: default desks per worker of each type (DOMAIN.md: with flexible working the council needs only a
#: third of today's desk space). Fixed workers keep a desk each; part-flexible workers are in about
#: three days a week; flexible workers about one and a half; field workers drop in.
DEFAULT_DESK_RATIOS = {"fixed": 1.0, "part_flexible": 0.6, "flexible": 0.3, "field": 0.1}
DEFAULT_UNDER_USED_THRESHOLD = 0.4


def _error(field_name: str, message: str) -> dict[str, Any]:
    return {"field": field_name, "message": message}


def _non_negative_int(errors: list[dict[str, Any]], field_name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        errors.append(_error(field_name, "must be a whole number"))
    elif value < 0:
        errors.append(_error(field_name, "must not be negative"))


def _text(errors: list[dict[str, Any]], field_name: str, value: Any, max_length: int = 200) -> None:
    if not isinstance(value, str) or not value.strip():
        errors.append(_error(field_name, "must not be blank"))
    elif len(value) > max_length:
        errors.append(_error(field_name, f"must be at most {max_length} characters"))


def _one_of(errors: list[dict[str, Any]], field_name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        errors.append(_error(field_name, f"must be one of {', '.join(allowed)}"))


# --- financial years -------------------------------------------------------------------------


def financial_year_of(day: date) -> str:
    """The UK financial year (1 April to 31 March) a date falls in, e.g. 2023-03-31 → "2022/23"."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def financial_year_start(year: str) -> int:
    """The calendar year a financial year starts in; refuses anything but "YYYY/YY" with YY = YYYY+1."""
    parts = year.split("/") if isinstance(year, str) else []
    if (
        len(parts) != 2
        or len(parts[0]) != 4
        or len(parts[1]) != 2
        or not (parts[0].isdigit() and parts[1].isdigit())
        or (int(parts[0]) + 1) % 100 != int(parts[1])
    ):
        raise Invalid(
            f"{year!r} is not a financial year.",
            errors=[_error("year", 'must look like "2023/24" (April to March)')],
        )
    return int(parts[0])


def financial_year_bounds(year: str) -> tuple[date, date]:
    start = financial_year_start(year)
    return date(start, 4, 1), date(start + 1, 3, 31)


def financial_years(first: str, last: str) -> list[str]:
    a, b = financial_year_start(first), financial_year_start(last)
    if b < a:
        raise Invalid("The years run backwards.", errors=[_error("to_year", "must not be before from_year")])
    if b - a > 25:
        raise Invalid("Too many years.", errors=[_error("to_year", "at most 25 years after from_year")])
    return [f"{y}/{(y + 1) % 100:02d}" for y in range(a, b + 1)]


# --- buildings -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerOccupant:
    """A partner organisation sharing the building (co-location earns the council rent)."""

    name: str
    annual_rent_pence: int


@dataclass(frozen=True)
class EnergyMeasure:
    """LED lighting, solar panels and the like, with what they are expected to save each year."""

    kind: str
    expected_annual_saving_pence: int
    expected_carbon_saving_kg: int
    installed_on: date | None = None


@dataclass(frozen=True)
class BuildingTransition:
    """What a lifecycle step did; the service publishes the matching event."""

    building_id: str
    from_status: str
    to_status: str
    on: date


@dataclass
class Building:
    id: str
    name: str
    town: str
    kind: str
    desks: int
    tenure: str
    annual_running_cost_pence: int
    annual_carbon_kg: int
    annual_utility_cost_pence: int = 0
    floor_area_m2: int | None = None
    partners: list[PartnerOccupant] = dataclass_field(default_factory=list)
    energy_measures: list[EnergyMeasure] = dataclass_field(default_factory=list)
    notes: str | None = None
    status: str = OPERATIONAL
    closure_date: date | None = None
    market_engagement_from: date | None = None
    closed_on: date | None = None
    disposed_on: date | None = None
    disposal_method: str | None = None
    receipt_pence: int | None = None

    @classmethod
    def register(cls, id: str, **fields: Any) -> Building:
        """A new, operational building on the register; every broken rule is reported at once."""
        building = cls(id=id, **fields)
        building.validate()
        return building

    def validate(self) -> None:
        errors: list[dict[str, Any]] = []
        _text(errors, "name", self.name)
        _text(errors, "town", self.town)
        _one_of(errors, "kind", self.kind, BUILDING_KINDS)
        _one_of(errors, "tenure", self.tenure, TENURES)
        _non_negative_int(errors, "desks", self.desks)
        _non_negative_int(errors, "annual_running_cost_pence", self.annual_running_cost_pence)
        _non_negative_int(errors, "annual_utility_cost_pence", self.annual_utility_cost_pence)
        _non_negative_int(errors, "annual_carbon_kg", self.annual_carbon_kg)
        if self.floor_area_m2 is not None:
            _non_negative_int(errors, "floor_area_m2", self.floor_area_m2)
        if not errors and self.annual_utility_cost_pence > self.annual_running_cost_pence:
            # utilities are part of the running cost, so they cannot exceed it
            errors.append(_error("annual_utility_cost_pence", "must not exceed annual_running_cost_pence"))
        seen: set[str] = set()
        for i, partner in enumerate(self.partners):
            _text(errors, f"partners.{i}.name", partner.name)
            _non_negative_int(errors, f"partners.{i}.annual_rent_pence", partner.annual_rent_pence)
            key = partner.name.strip().casefold() if isinstance(partner.name, str) else ""
            if key and key in seen:
                errors.append(_error(f"partners.{i}.name", "names the same partner twice"))
            seen.add(key)
        for i, measure in enumerate(self.energy_measures):
            _one_of(errors, f"energy_measures.{i}.kind", measure.kind, ENERGY_MEASURE_KINDS)
            _non_negative_int(
                errors,
                f"energy_measures.{i}.expected_annual_saving_pence",
                measure.expected_annual_saving_pence,
            )
            _non_negative_int(
                errors, f"energy_measures.{i}.expected_carbon_saving_kg", measure.expected_carbon_saving_kg
            )
        if self.notes is not None and len(self.notes) > 2000:
            errors.append(_error("notes", "must be at most 2000 characters"))
        if errors:
            raise Invalid("The building has invalid fields.", errors=errors)

    def amend(self, **changes: Any) -> Building:
        """A copy with new descriptive fields (never the lifecycle: that goes through transitions)."""
        lifecycle = {
            "id",
            "status",
            "closure_date",
            "market_engagement_from",
            "closed_on",
            "disposed_on",
            "disposal_method",
            "receipt_pence",
        }
        touched = lifecycle & set(changes)
        if touched:
            raise Invalid(
                "The lifecycle changes only through transitions.",
                errors=[
                    _error(name, "change it with POST /v1/buildings/{id}/transitions")
                    for name in sorted(touched)
                ],
            )
        if self.status in VACATED and "desks" in changes and changes["desks"] != self.desks:
            raise Refused(f"{self.name} is {self.status.replace('_', ' ')}: its desks no longer change.")
        amended = replace(self, **changes)
        amended.validate()
        return amended

    @property
    def in_use(self) -> bool:
        return self.status in IN_USE

    def vacated_by(self, day: date) -> bool:
        """Whether the building had closed on or before ``day`` (its costs stop the day after)."""
        return self.closed_on is not None and self.closed_on <= day

    @property
    def partner_rent_pence(self) -> int:
        return sum(p.annual_rent_pence for p in self.partners)

    def transition(
        self,
        to: str,
        *,
        today: date,
        on: date | None = None,
        method: str | None = None,
        receipt_pence: int | None = None,
        teams_based_here: list[str] | None = None,
    ) -> BuildingTransition:
        """Move the building along its lifecycle. Refused (409) out of order or with teams still in it;
        invalid (422) with a missing or impossible date, method or receipt."""
        if to not in BUILDING_STATUSES:
            raise Invalid(
                f"{to!r} is not a building status.",
                errors=[_error("to", f"must be one of {', '.join(BUILDING_STATUSES)}")],
            )
        allowed = BUILDING_TRANSITIONS[self.status]
        if to not in allowed:
            options = ", ".join(allowed) if allowed else "nothing: it has left the estate"
            raise Refused(
                f"{self.name} is {self.status}; it can go to {options}, not to {to}.",
                current_status=self.status,
                allowed=list(allowed),
            )
        errors: list[dict[str, Any]] = []
        if to != DISPOSED:
            if method is not None:
                errors.append(_error("method", "only for the transition to disposed"))
            if receipt_pence is not None:
                errors.append(_error("receipt_pence", "only for the transition to disposed"))
        if to == CLOSURE_PLANNED and on is None:
            errors.append(_error("on", "the planned closure date is required"))
        # closing and disposing record what has happened: they cannot be dated in the future
        if to in (CLOSED, DISPOSED, FOR_DISPOSAL) and on is not None and on > today:
            errors.append(_error("on", "must not be in the future (plan a closure with closure_planned)"))
        if to == DISPOSED:
            if method not in DISPOSAL_METHODS:
                errors.append(_error("method", f"must be one of {', '.join(DISPOSAL_METHODS)}"))
            if receipt_pence is None:
                errors.append(
                    _error("receipt_pence", "the receipt is required (0 for a transfer at nil value)")
                )
            else:
                _non_negative_int(errors, "receipt_pence", receipt_pence)
            if on is not None and self.closed_on is not None and on < self.closed_on:
                errors.append(
                    _error("on", f"must not be before the building closed ({self.closed_on.isoformat()})")
                )
        if (
            to == CLOSED
            and on is not None
            and self.market_engagement_from
            and on < self.market_engagement_from
        ):
            errors.append(_error("on", "must not be before the market engagement began"))
        if errors:
            raise Invalid(f"The transition of {self.name} to {to} has invalid fields.", errors=errors)

        vacating = to == CLOSED or (to == FOR_DISPOSAL and self.status == MARKET_ENGAGEMENT)
        if vacating and teams_based_here:
            raise Refused(
                f"{self.name} still has {len(teams_based_here)} team(s) based there; "
                f"move them out first: {', '.join(teams_based_here)}.",
                teams=list(teams_based_here),
            )

        day = on or today
        previous = self.status
        self.status = to
        if to == CLOSURE_PLANNED:
            self.closure_date = day
        elif to == MARKET_ENGAGEMENT:
            self.market_engagement_from = day
        elif to == OPERATIONAL:
            # a withdrawn closure plan or an ended market engagement: back in normal use
            self.closure_date = None
            self.market_engagement_from = None
        elif vacating:
            self.closed_on = day
        elif to == DISPOSED:
            self.disposed_on = day
            self.disposal_method = method
            self.receipt_pence = receipt_pence
        return BuildingTransition(self.id, previous, to, day)


# --- teams and desk demand -------------------------------------------------------------------


@dataclass(frozen=True)
class Workforce:
    """Headcount of a team by worker type (DOMAIN.md: fixed, part flexible, flexible, field)."""

    fixed: int = 0
    part_flexible: int = 0
    flexible: int = 0
    field: int = 0

    def validate(self, prefix: str = "workforce") -> list[dict[str, Any]]:
        errors: list[dict[str, Any]] = []
        for worker_type in WORKER_TYPES:
            _non_negative_int(errors, f"{prefix}.{worker_type}", getattr(self, worker_type))
        if not errors and self.headcount == 0:
            errors.append(_error(prefix, "a team needs at least one worker"))
        return errors

    @property
    def headcount(self) -> int:
        return self.fixed + self.part_flexible + self.flexible + self.field


@dataclass(frozen=True)
class DeskRatios:
    """Desks needed per worker of each type. Kept as given; arithmetic is exact (fractions)."""

    fixed: float = DEFAULT_DESK_RATIOS["fixed"]
    part_flexible: float = DEFAULT_DESK_RATIOS["part_flexible"]
    flexible: float = DEFAULT_DESK_RATIOS["flexible"]
    field: float = DEFAULT_DESK_RATIOS["field"]

    @classmethod
    def checked(cls, **ratios: Any) -> DeskRatios:
        errors: list[dict[str, Any]] = []
        for worker_type in WORKER_TYPES:
            value = ratios.get(worker_type)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                errors.append(_error(worker_type, "must be a number"))
            elif not 0 <= value <= 1:
                errors.append(_error(worker_type, "must be between 0 and 1 desks per worker"))
        unknown = sorted(set(ratios) - set(WORKER_TYPES))
        errors += [_error(name, "is not a worker type") for name in unknown]
        if errors:
            raise Invalid("The desk ratios are invalid.", errors=errors)
        return cls(**{k: float(ratios[k]) for k in WORKER_TYPES})

    def as_dict(self) -> dict[str, float]:
        return {k: getattr(self, k) for k in WORKER_TYPES}

    def desks_for(self, workforce: Workforce) -> int:
        """Desks a team needs: its weighted headcount rounded up (a team zone has whole desks)."""
        # Fraction(str(x)) keeps 0.1 as exactly one tenth, so 10 field workers need 1 desk, not 2
        exact = sum(
            (Fraction(str(getattr(self, t))) * getattr(workforce, t) for t in WORKER_TYPES), Fraction(0)
        )
        return math.ceil(exact)


@dataclass
class Team:
    id: str
    name: str
    directorate: str
    building_id: str
    workforce: Workforce

    @classmethod
    def register(cls, id: str, name: str, directorate: str, building: Building, workforce: Workforce) -> Team:
        errors: list[dict[str, Any]] = []
        _text(errors, "name", name)
        _text(errors, "directorate", directorate)
        errors += workforce.validate()
        if errors:
            raise Invalid("The team has invalid fields.", errors=errors)
        if not building.in_use:
            raise Refused(f"{building.name} is {building.status}: no team can be based there.")
        return cls(
            id=id,
            name=name.strip(),
            directorate=directorate.strip(),
            building_id=building.id,
            workforce=workforce,
        )

    def change_workforce(self, workforce: Workforce) -> None:
        errors = workforce.validate()
        if errors:
            raise Invalid("The workforce is invalid.", errors=errors)
        self.workforce = workforce


# --- moves -----------------------------------------------------------------------------------


@dataclass
class Move:
    id: str
    team_id: str
    from_building_id: str
    to_building_id: str
    planned_for: date
    status: str = PLANNED
    completed_on: date | None = None

    @classmethod
    def plan(
        cls,
        id: str,
        *,
        team: Team,
        destination: Building,
        planned_for: date,
        desks_committed_at_destination: int,
        team_desks: int,
        team_has_planned_move: bool,
    ) -> Move:
        """Plan a team's move. ``desks_committed_at_destination`` counts the desk demand of the teams
        already there plus every move already planned into it; the destination must have room for
        this team on top of that, or the plan is refused with the numbers."""
        if destination.id == team.building_id:
            raise Refused(f"{team.name} is already based at {destination.name}.")
        if destination.status != OPERATIONAL:
            raise Refused(
                f"{destination.name} is {destination.status}: "
                "teams can only move into an operational building."
            )
        if team_has_planned_move:
            raise Refused(f"{team.name} already has a planned move; complete or cancel it first.")
        needed = desks_committed_at_destination + team_desks
        if needed > destination.desks:
            raise Refused(
                f"{destination.name} has {destination.desks} desks; with {team.name} it would need {needed} "
                f"({desks_committed_at_destination} already committed, {team_desks} for this team).",
                needed=needed,
                available=destination.desks,
                committed=desks_committed_at_destination,
                team_desks=team_desks,
                shortfall=needed - destination.desks,
            )
        return cls(
            id=id,
            team_id=team.id,
            from_building_id=team.building_id,
            to_building_id=destination.id,
            planned_for=planned_for,
        )

    def transition(self, to: str, *, today: date, on: date | None, team: Team, destination: Building) -> date:
        """Complete (the team's home becomes the destination) or cancel a planned move."""
        if to not in MOVE_TRANSITIONS:
            raise Invalid(
                f"{to!r} is not a move status.", errors=[_error("to", "must be completed or cancelled")]
            )
        if to not in MOVE_TRANSITIONS[self.status]:
            raise Refused(
                f"The move is {self.status}; it can no longer become {to}.", current_status=self.status
            )
        if on is not None and on > today:
            raise Invalid(
                "A move is recorded once it has happened.", errors=[_error("on", "must not be in the future")]
            )
        day = on or today
        if to == COMPLETED:
            if destination.status != OPERATIONAL:
                raise Refused(f"{destination.name} is {destination.status}: the team cannot move in.")
            if team.building_id != self.from_building_id:
                raise Refused(
                    f"{team.name} is no longer based where this move starts; cancel it and plan again."
                )
            team.building_id = self.to_building_id
            self.completed_on = day
        self.status = to
        return day


def days_between(first: date, last: date) -> int:
    """Inclusive count of days from ``first`` to ``last`` (0 when last is before first)."""
    return max(0, (last - first).days + 1)


def day_after(day: date) -> date:
    return day + timedelta(days=1)
