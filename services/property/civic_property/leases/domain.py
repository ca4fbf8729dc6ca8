"""The leases the estate holds: which breaks and expiries fall due within a horizon.

Plain Python on purpose (stdlib and the buildings' domain only). A lease belongs to its building
(``Building.lease``, only for a leasehold one); a building that has left the estate (disposed) holds none
that matters. Rules in the council's words: a closure decision depends on the breaks and expiries ahead, so
the estates team sees those due in the next 18 months and each is flagged once, for comms to brief on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from civic.errors import Invalid

from civic_property.buildings.domain import DISPOSED, Building, LeaseBreak, add_months

#: how far ahead the review flags a break or an expiry, and the report's default
LEASE_HORIZON_MONTHS = 18
MAX_HORIZON_MONTHS = 120
BREAK = "break"
EXPIRY = "expiry"


def horizon(today: date, months: int = LEASE_HORIZON_MONTHS) -> date:
    """The last day within ``months`` of ``today``."""
    if not 1 <= months <= MAX_HORIZON_MONTHS:
        raise Invalid.at("months", f"must be from 1 to {MAX_HORIZON_MONTHS}", "Look between 1 and 120 months ahead.")
    return add_months(today, months)


@dataclass(frozen=True)
class LeaseDate:
    """A break or the expiry of the lease a building is held on, falling due on ``on``."""

    building: Building
    kind: str  # BREAK or EXPIRY
    on: date
    lease_break: LeaseBreak | None = None

    @property
    def flag_id(self) -> str:
        """One flag per lease and date: a renewed lease's new dates are flagged in their turn."""
        return f"{self.building.id}:{self.kind}:{self.on.isoformat()}"

    def days_until(self, today: date) -> int:
        return (self.on - today).days

    def as_row(self, today: date) -> dict[str, Any]:
        b, lease = self.building, self.building.lease
        assert lease is not None
        return {
            "building_id": b.id,
            "name": b.name,
            "town": b.town,
            "status": b.status,
            "landlord": lease.landlord,
            "annual_rent_pence": lease.annual_rent_pence,
            "kind": self.kind,
            "on": self.on.isoformat(),
            "notice_months": self.lease_break.notice_months if self.lease_break else None,
            "notice_by": (
                self.lease_break.notice_by.isoformat()
                if self.lease_break and self.lease_break.notice_by is not None
                else None
            ),
            "expires_on": lease.expires_on.isoformat(),
            "days_until": self.days_until(today),
        }


def held(buildings: list[Building]) -> list[Building]:
    """The buildings still on the estate that are held on a lease."""
    return [b for b in buildings if b.lease is not None and b.status != DISPOSED]


def dates_due(buildings: list[Building], first: date, last: date) -> list[LeaseDate]:
    """Every break and expiry from ``first`` to ``last`` of the leases the estate holds, soonest first."""
    due = [
        LeaseDate(b, kind, on, lease_break)
        for b in held(buildings)
        if b.lease is not None
        for kind, on, lease_break in b.lease.dates_between(first, last)
    ]
    return sorted(due, key=lambda d: (d.on, d.building.name, d.kind))
