"""The lease review: each break and expiry of a lease the estate holds is flagged once when it comes within 18
months, publishing ``property.lease.break_flagged`` or ``property.lease.expiry_flagged``.

Run by the background job every ``CIVIC_PROPERTY_LEASE_REVIEW_SECONDS`` on the one replica holding its lease,
and by ``POST /v1/lease-reviews``: each date is claimed in its own transaction by inserting its flag (an id of the
lease and date), so two reviews at once (the route beside the job, or two replicas while the lease moves) flag it
once (the second's write conflicts, is tried again and finds the flag).
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Any

from civic.calendar import today
from civic.documents import insert
from civic.errors import Refused, Unavailable
from civic.leases import LeasedJob
from civic_contracts.property import LeaseBreakFlagged, LeaseExpiryFlagged
from pymongo.errors import DuplicateKeyError, PyMongoError

from civic_property.buildings.domain import LEASEHOLD
from civic_property.leases.domain import BREAK, LeaseDate, dates_due, horizon
from civic_property.repository import BUILDINGS, LEASE_FLAGS, building_from
from civic_property.settings import property_settings

if TYPE_CHECKING:
    from civic.service import Runtime
    from civic.uow import UnitOfWork

log = logging.getLogger("civic.property")

#: the lease naming the replica that runs the background review
REVIEW_JOB = "lease_review"


def _event(due: LeaseDate, on: date) -> LeaseBreakFlagged | LeaseExpiryFlagged:
    b, lease = due.building, due.building.lease
    assert lease is not None
    common: dict[str, Any] = {
        "building_id": b.id,
        "name": b.name,
        "town": b.town,
        "building_status": b.status,
        "landlord": lease.landlord,
        "annual_rent_pence": lease.annual_rent_pence,
        "expires_on": lease.expires_on,
        "flagged_on": on,
        "days_until": due.days_until(on),
    }
    if due.kind == BREAK:
        assert due.lease_break is not None
        return LeaseBreakFlagged(
            **common,
            break_on=due.on,
            notice_months=due.lease_break.notice_months,
            notice_by=due.lease_break.notice_by,
        )
    return LeaseExpiryFlagged(**common)


async def review_leases(rt: Runtime, on: date | None = None) -> dict[str, Any]:
    """Flag every break and expiry from ``on`` (default today) to 18 months after it not flagged before."""
    day = on or today()
    last = horizon(day)
    buildings = [building_from(d) for d in await rt.db[BUILDINGS].find({"tenure": LEASEHOLD}).to_list()]
    rows, newly = [], 0
    for due in dates_due(buildings, day, last):

        async def work(uow: UnitOfWork, due: LeaseDate = due) -> bool:
            if await uow.db[LEASE_FLAGS].find_one({"_id": due.flag_id}, session=uow.session) is not None:
                return False
            try:
                await insert(
                    uow,
                    LEASE_FLAGS,
                    {"_id": due.flag_id, "building_id": due.building.id, "kind": due.kind,
                     "on": due.on.isoformat(), "flagged_on": day.isoformat()},
                )
            except DuplicateKeyError as exc:  # flagged by another replica at the same moment
                raise Refused(f"{due.flag_id} was flagged meanwhile.") from exc
            uow.emit(_event(due, day))
            return True

        try:
            flagged_now = await rt.transaction(work)
        except Refused:
            flagged_now = False
        newly += flagged_now
        rows.append({**due.as_row(day), "flagged_now": flagged_now})
    return {"on": day.isoformat(), "until": last.isoformat(), "due": rows, "newly_flagged": newly}


def reviewer(rt: Runtime) -> LeasedJob:
    """A replica's lease review: a round every ``CIVIC_PROPERTY_LEASE_REVIEW_SECONDS`` (0: never), when it holds the
    lease ``REVIEW_JOB``; a round the database interrupted is finished by the next."""
    every = property_settings().lease_review_seconds
    return LeasedJob(rt, REVIEW_JOB, every, lambda: review_leases(rt), what="lease review", log=log,
                     passing=(PyMongoError, Unavailable))


async def reviewing(rt: Runtime) -> None:
    """Background job: the lease review, on the one replica holding its lease (the claim keeps a flag once even
    if two ran)."""
    await reviewer(rt).run()
