"""HTTP edge of the leases the estate holds: the report of breaks and expiries ahead, and the review that flags them."""

from __future__ import annotations

from typing import Annotated, Any

from civic.http import Rt
from fastapi import APIRouter, Query

from civic_property.http import Reader, Writer
from civic_property.leases import reports, service
from civic_property.leases.domain import LEASE_HORIZON_MONTHS, MAX_HORIZON_MONTHS

router = APIRouter(prefix="/v1", tags=["property"])

Months = Annotated[int, Query(ge=1, le=MAX_HORIZON_MONTHS, description="how far ahead to look, in months")]


@router.get("/reports/leases")
async def lease_report(caller: Reader, rt: Rt, months: Months = LEASE_HORIZON_MONTHS) -> dict[str, Any]:
    """Breaks and expiries of the leases the estate holds due within ``months`` (default 18), soonest first; every
    lease held; leasehold buildings without their lease recorded; the rent partner occupants pay."""
    return await reports.lease_report(rt, months)


@router.post("/lease-reviews")
async def review_leases(caller: Writer, rt: Rt) -> dict[str, Any]:
    """Flags each break and expiry due within 18 months not flagged before, publishing
    ``property.lease.break_flagged`` or ``property.lease.expiry_flagged`` once per lease and date (the background
    review does the same every hour)."""
    return await service.review_leases(rt)
