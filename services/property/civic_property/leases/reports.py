"""The lease report: breaks and expiries due within a horizon, every lease the estate holds, and the rent partner
occupants pay the council."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from civic.calendar import today

from civic_property.buildings.domain import DISPOSED, LEASEHOLD
from civic_property.leases.domain import dates_due, held, horizon
from civic_property.repository import BUILDINGS, LEASE_FLAGS, building_from, lease_fields

if TYPE_CHECKING:
    from civic.service import Runtime


async def lease_report(rt: Runtime, months: int) -> dict[str, Any]:
    day = today()
    last = horizon(day, months)
    buildings = sorted(
        (building_from(d) for d in await rt.db[BUILDINGS].find({"status": {"$ne": DISPOSED}}).to_list()),
        key=lambda b: (b.name, b.town),
    )
    due = dates_due(buildings, day, last)
    flags = {
        f["_id"]: f["flagged_on"]
        for f in await rt.db[LEASE_FLAGS].find({"_id": {"$in": [d.flag_id for d in due]}}).to_list()
    }
    leases = []
    for b in held(buildings):
        assert b.lease is not None
        upcoming = b.lease.next_break(day)
        leases.append({
            "building_id": b.id, "name": b.name, "town": b.town, "status": b.status,
            **(lease_fields(b.lease) or {}),
            "next_break_on": upcoming.on.isoformat() if upcoming else None,
        })
    partners = [
        {
            "building_id": b.id, "name": b.name, "town": b.town, "status": b.status,
            "partners": [
                {"name": p.name, "annual_rent_pence": p.annual_rent_pence, "since": p.since.isoformat() if p.since else None}
                for p in b.partners
            ],
            "annual_rent_pence": b.partner_rent_pence,
        }
        for b in buildings
        if b.partners
    ]
    return {
        "from": day.isoformat(),
        "to": last.isoformat(),
        "months": months,
        "due": [{**d.as_row(day), "flagged_on": flags.get(d.flag_id)} for d in due],
        "leases": leases,
        "leasehold_without_lease": [
            {"building_id": b.id, "name": b.name, "town": b.town}
            for b in buildings
            if b.tenure == LEASEHOLD and b.lease is None
        ],
        "partners": partners,
        "totals": {
            "leases": len(leases),
            "annual_rent_paid_pence": sum(row["annual_rent_pence"] for row in leases),
            "partner_rent_received_pence": sum(row["annual_rent_pence"] for row in partners),
        },
    }
