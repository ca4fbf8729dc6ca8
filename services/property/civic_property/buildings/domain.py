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

import re
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
LEASEHOLD = "leasehold"
#: what the council has granted others in a building it holds, in the Transparency Code's tenure categories
#: (a lease granted by a leaseholder council is a sub-lease: asset_register.py words it so)
INTERESTS_GRANTED = ("ground_lease", "lease", "licence")

#: a Unique Property Reference Number: up to 12 digits, never a leading zero (GeoPlace's UPRNs are integers)
UPRN_PATTERN = r"^[1-9][0-9]{0,11}$"
#: a UK postcode as Royal Mail writes it: capitals, one space before the inward code
POSTCODE_PATTERN = r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$"
#: Ordnance Survey National Grid references in metres, within Great Britain's grid
MAX_EASTING = 700_000
MAX_NORTHING = 1_300_000
#: a break's notice period, in whole months (ten years is far beyond any office lease's)
MAX_NOTICE_MONTHS = 120
MAX_BREAKS = 20

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
class MapReference:
    """Where the asset is on the Ordnance Survey National Grid (the Transparency Code's map reference)."""

    easting: int
    northing: int


@dataclass(frozen=True)
class LeaseBreak:
    """A day the council may end the lease early, on notice served ``notice_months`` before it."""

    on: date
    notice_months: int | None = None

    @property
    def notice_by(self) -> date | None:
        """The last day notice can be served for this break (None when the notice period is not recorded)."""
        if self.notice_months is None:
            return None
        return months_before(self.on, self.notice_months)


@dataclass(frozen=True)
class Lease:
    """The lease a leasehold building is held on: who the landlord is, the rent, when it ends and when it can
    be broken. The rent is part of the building's running cost."""

    landlord: str
    annual_rent_pence: int
    expires_on: date
    starts_on: date | None = None
    breaks: tuple[LeaseBreak, ...] = ()

    def problems(self, running_cost_pence: Any) -> list[tuple[str, str]]:
        """Every broken rule of the lease, as (field under ``lease``, message)."""
        found: list[tuple[str, str]] = []
        errors = FieldErrors()
        check_text(errors, "landlord", self.landlord)
        check_non_negative(errors, "annual_rent_pence", self.annual_rent_pence)
        found += [(e["field"], e["message"]) for e in errors]
        if (
            not errors
            and isinstance(running_cost_pence, int)
            and not isinstance(running_cost_pence, bool)
            and self.annual_rent_pence > running_cost_pence
        ):
            found.append(("annual_rent_pence", "must not exceed annual_running_cost_pence (the rent is part of it)"))
        if self.starts_on is not None and self.starts_on >= self.expires_on:
            found.append(("expires_on", "must be after starts_on"))
        seen: set[date] = set()
        for i, b in enumerate(self.breaks):
            if b.on >= self.expires_on:
                found.append((f"breaks.{i}.on", "must be before the lease expires"))
            elif self.starts_on is not None and b.on <= self.starts_on:
                found.append((f"breaks.{i}.on", "must be after the lease starts"))
            elif b.on in seen:
                found.append((f"breaks.{i}.on", "names the same break twice"))
            seen.add(b.on)
            if b.notice_months is not None and not (
                isinstance(b.notice_months, int) and 0 <= b.notice_months <= MAX_NOTICE_MONTHS
            ):
                found.append((f"breaks.{i}.notice_months", f"must be a whole number from 0 to {MAX_NOTICE_MONTHS}"))
        if len(self.breaks) > MAX_BREAKS:
            found.append(("breaks", f"at most {MAX_BREAKS} breaks"))
        return found

    def dates_between(self, first: date, last: date) -> list[tuple[str, date, LeaseBreak | None]]:
        """The breaks and the expiry falling from ``first`` to ``last``: (``break`` or ``expiry``, day, break)."""
        found: list[tuple[str, date, LeaseBreak | None]] = [
            ("break", b.on, b) for b in self.breaks if first <= b.on <= last
        ]
        if first <= self.expires_on <= last:
            found.append(("expiry", self.expires_on, None))
        return sorted(found, key=lambda d: d[1])

    def next_break(self, today: date) -> LeaseBreak | None:
        ahead = [b for b in self.breaks if b.on >= today]
        return min(ahead, key=lambda b: b.on) if ahead else None


def months_before(day: date, months: int) -> date:
    """The same day of the month ``months`` earlier (the month's last day when it has no such day)."""
    return add_months(day, -months)


def add_months(day: date, months: int) -> date:
    """The same day of the month ``months`` later (or earlier), the month's last day when it has no such day:
    a lease's 18 months from 31 August end on 28 or 29 February."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for last_day in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last_day))
        except ValueError:
            continue
    raise AssertionError("every month has a 28th")


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
    # the Transparency Code's land and building assets register (the post town is ``town``)
    uprn: str | None = None
    asset_ref: str | None = None
    street_number: str | None = None
    street_name: str | None = None
    postcode: str | None = None
    map_reference: MapReference | None = None
    interests_granted: list[str] = dataclass_field(default_factory=list)
    lease: Lease | None = None
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
        self._check_register_fields(errors)
        errors.raise_if_any("The building has invalid fields.")

    def _check_register_fields(self, errors: FieldErrors) -> None:
        """The asset register's fields and the lease: each optional, each of the form the register publishes."""
        if self.uprn is not None and not (isinstance(self.uprn, str) and re.fullmatch(UPRN_PATTERN, self.uprn)):
            errors.add("uprn", "must be 1 to 12 digits, not starting with 0")
        for name, limit in (("asset_ref", 50), ("street_number", 20), ("street_name", 200)):
            value = getattr(self, name)
            if value is not None:
                check_text(errors, name, value, max_length=limit)
        if self.postcode is not None and not (
            isinstance(self.postcode, str) and re.fullmatch(POSTCODE_PATTERN, self.postcode)
        ):
            errors.add("postcode", 'must be a UK postcode in capitals with one space, e.g. "NN1 1DE"')
        if self.map_reference is not None:
            for axis, limit in (("easting", MAX_EASTING), ("northing", MAX_NORTHING)):
                value = getattr(self.map_reference, axis)
                if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
                    errors.add(f"map_reference.{axis}", f"must be whole metres from 0 to {limit}")
        granted: set[str] = set()
        for i, interest in enumerate(self.interests_granted):
            check_one_of(errors, f"interests_granted.{i}", interest, INTERESTS_GRANTED)
            if interest in granted:
                errors.add(f"interests_granted.{i}", "names the same interest twice")
            granted.add(interest)
        if self.lease is not None:
            if self.tenure != LEASEHOLD:
                errors.add("lease", "only a leasehold building is held on a lease (send lease: null with another tenure)")
            for field_name, message in self.lease.problems(self.annual_running_cost_pence):
                errors.add(f"lease.{field_name}", message)

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
