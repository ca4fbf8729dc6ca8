"""Teams and their desk needs, and the moves that take them from one building to another.

Plain Python on purpose (stdlib and ``civic.errors`` only). Rules in the council's words (DOMAIN.md
section 2):
- desks a team needs follow from its workforce by worker type and the estate's desk ratios;
- a team can move only into an operational building with enough free desks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from civic.errors import FieldErrors, Invalid, Refused

from civic_property.buildings.domain import OPERATIONAL, Building
from civic_property.domain import check_non_negative, check_text, field_error

WORKER_TYPES = ("fixed", "part_flexible", "flexible", "field")

PLANNED = "planned"
COMPLETED = "completed"
CANCELLED = "cancelled"
MOVE_TRANSITIONS: dict[str, tuple[str, ...]] = {PLANNED: (COMPLETED, CANCELLED), COMPLETED: (), CANCELLED: ()}

#: default desks per worker of each type (DOMAIN.md: with flexible working the council needs only a
#: third of today's desk space). Fixed workers keep a desk each; part-flexible workers are in about
#: three days a week; flexible workers about one and a half; field workers drop in.
DEFAULT_DESK_RATIOS = {"fixed": 1.0, "part_flexible": 0.6, "flexible": 0.3, "field": 0.1}


# --- teams and desk demand -------------------------------------------------------------------


@dataclass(frozen=True)
class Workforce:
    """Headcount of a team by worker type (DOMAIN.md: fixed, part flexible, flexible, field)."""

    fixed: int = 0
    part_flexible: int = 0
    flexible: int = 0
    field: int = 0

    def validate(self, prefix: str = "workforce") -> FieldErrors:
        errors = FieldErrors()
        for worker_type in WORKER_TYPES:
            check_non_negative(errors, f"{prefix}.{worker_type}", getattr(self, worker_type))
        if not errors and self.headcount == 0:
            errors.add(prefix, "a team needs at least one worker")
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
        errors = FieldErrors()
        for worker_type in WORKER_TYPES:
            value = ratios.get(worker_type)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                errors.add(worker_type, "must be a number")
            elif not 0 <= value <= 1:
                errors.add(worker_type, "must be between 0 and 1 desks per worker")
        unknown = sorted(set(ratios) - set(WORKER_TYPES))
        for name in unknown:
            errors.add(name, "is not a worker type")
        errors.raise_if_any("The desk ratios are invalid.")
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
        errors = FieldErrors()
        check_text(errors, "name", name)
        check_text(errors, "directorate", directorate)
        errors += workforce.validate()
        errors.raise_if_any("The team has invalid fields.")
        if not building.in_use:
            raise Refused(f"{building.name} is {building.status}: no team can be based there.")
        return cls(
            id=id,
            name=name.strip(),
            directorate=directorate.strip(),
            building_id=building.id,
            workforce=workforce,
        )

    def amend(self, changes: dict[str, Any]) -> None:
        """The name and directorate ``changes`` holds (trimmed), then its workforce, if it holds one."""
        errors = FieldErrors()
        for field_name in ("name", "directorate"):
            if field_name in changes:
                check_text(errors, field_name, changes[field_name])
        errors.raise_if_any("The team has invalid fields.")
        for field_name in ("name", "directorate"):
            if field_name in changes:
                setattr(self, field_name, changes[field_name].strip())
        if "workforce" in changes:
            self.change_workforce(Workforce(**changes["workforce"]))

    def change_workforce(self, workforce: Workforce) -> None:
        errors = workforce.validate()
        errors.raise_if_any("The workforce is invalid.")
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
                f"{to!r} is not a move status.", errors=[field_error("to", "must be completed or cancelled")]
            )
        if to not in MOVE_TRANSITIONS[self.status]:
            raise Refused(
                f"The move is {self.status}; it can no longer become {to}.", current_status=self.status
            )
        if on is not None and on > today:
            raise Invalid(
                "A move is recorded once it has happened.", errors=[field_error("on", "must not be in the future")]
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
