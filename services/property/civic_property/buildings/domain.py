"""Buildings on the estate register and their lifecycle.

Plain Python on purpose (stdlib and ``civic.errors`` only). The service layer loads and saves
these objects and turns what they report into the published events.

Rules in the council's words (DOMAIN.md section 2):
- a building goes operational → closure_planned (on a date) → closed → for_disposal → disposed
  (by sale, lease or transfer, with a receipt); a site like County Hall goes to market_engagement
  first and from there to disposal, or back into use;
- a building cannot close (or be put up for disposal) while teams are still based there.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from datetime import date
from typing import Any

from civic.errors import FieldErrors, Invalid, Refused

from civic_property.domain import check_non_negative, check_one_of, check_text, field_error

BUILDING_KINDS = ("office", "locality_hub", "depot", "other")
TENURES = ("freehold", "leasehold", "other")
ENERGY_MEASURE_KINDS = ("led", "solar", "other")
DISPOSAL_METHODS = ("sale", "lease", "transfer")

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


@dataclass(frozen=True)
class PartnerOccupant:
    """A partner organisation sharing the building (co-location earns the council rent).

    ``since`` is the day it moved in, when it came as part of the rationalisation (one of the property
    plan's savings); a partner without one was there before.
    """

    name: str
    annual_rent_pence: int
    since: date | None = None

    def there_by(self, day: date) -> bool:
        return self.since is None or self.since <= day


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
        errors = FieldErrors()
        check_text(errors, "name", self.name)
        check_text(errors, "town", self.town)
        check_one_of(errors, "kind", self.kind, BUILDING_KINDS)
        check_one_of(errors, "tenure", self.tenure, TENURES)
        check_non_negative(errors, "desks", self.desks)
        check_non_negative(errors, "annual_running_cost_pence", self.annual_running_cost_pence)
        check_non_negative(errors, "annual_utility_cost_pence", self.annual_utility_cost_pence)
        check_non_negative(errors, "annual_carbon_kg", self.annual_carbon_kg)
        if self.floor_area_m2 is not None:
            check_non_negative(errors, "floor_area_m2", self.floor_area_m2)
        if not errors and self.annual_utility_cost_pence > self.annual_running_cost_pence:
            # utilities are part of the running cost, so they cannot exceed it
            errors.add("annual_utility_cost_pence", "must not exceed annual_running_cost_pence")
        seen: set[str] = set()
        for i, partner in enumerate(self.partners):
            check_text(errors, f"partners.{i}.name", partner.name)
            check_non_negative(errors, f"partners.{i}.annual_rent_pence", partner.annual_rent_pence)
            if partner.since is not None and not isinstance(partner.since, date):
                errors.add(f"partners.{i}.since", "must be a date")
            key = partner.name.strip().casefold() if isinstance(partner.name, str) else ""
            if key and key in seen:
                errors.add(f"partners.{i}.name", "names the same partner twice")
            seen.add(key)
        for i, measure in enumerate(self.energy_measures):
            check_one_of(errors, f"energy_measures.{i}.kind", measure.kind, ENERGY_MEASURE_KINDS)
            check_non_negative(
                errors,
                f"energy_measures.{i}.expected_annual_saving_pence",
                measure.expected_annual_saving_pence,
            )
            check_non_negative(
                errors, f"energy_measures.{i}.expected_carbon_saving_kg", measure.expected_carbon_saving_kg
            )
        if self.notes is not None and len(self.notes) > 2000:
            errors.add("notes", "must be at most 2000 characters")
        errors.raise_if_any("The building has invalid fields.")

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
                    field_error(name, "change it with POST /v1/buildings/{id}/transitions")
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
                errors=[field_error("to", f"must be one of {', '.join(BUILDING_STATUSES)}")],
            )
        allowed = BUILDING_TRANSITIONS[self.status]
        if to not in allowed:
            options = ", ".join(allowed) if allowed else "nothing: it has left the estate"
            raise Refused(
                f"{self.name} is {self.status}; it can go to {options}, not to {to}.",
                current_status=self.status,
                allowed=list(allowed),
            )
        errors = FieldErrors()
        if to != DISPOSED:
            if method is not None:
                errors.add("method", "only for the transition to disposed")
            if receipt_pence is not None:
                errors.add("receipt_pence", "only for the transition to disposed")
        if to == CLOSURE_PLANNED and on is None:
            errors.add("on", "the planned closure date is required")
        # closing and disposing record what has happened: they cannot be dated in the future
        if to in (CLOSED, DISPOSED, FOR_DISPOSAL) and on is not None and on > today:
            errors.add("on", "must not be in the future (plan a closure with closure_planned)")
        if to == DISPOSED:
            if method not in DISPOSAL_METHODS:
                errors.add("method", f"must be one of {', '.join(DISPOSAL_METHODS)}")
            if receipt_pence is None:
                errors.add("receipt_pence", "the receipt is required (0 for a transfer at nil value)")
            else:
                check_non_negative(errors, "receipt_pence", receipt_pence)
            if on is not None and self.closed_on is not None and on < self.closed_on:
                errors.add("on", f"must not be before the building closed ({self.closed_on.isoformat()})")
        if (
            to == CLOSED
            and on is not None
            and self.market_engagement_from
            and on < self.market_engagement_from
        ):
            errors.add("on", "must not be before the market engagement began")
        errors.raise_if_any(f"The transition of {self.name} to {to} has invalid fields.")

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
