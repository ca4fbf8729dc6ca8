"""HTTP edge of who responded: equality monitoring in aggregate (small numbers suppressed) and the contact list
(``comms:approve``). Monitoring answers and addresses are personal data: they are in these answers only, never in
a path, a log line, a trace, an event, or the responses' list and export."""

from __future__ import annotations

from typing import Any

from civic.http import Paging, Rt
from fastapi import APIRouter

from civic_comms.http import Reader
from civic_comms.respondents import reports

router = APIRouter(tags=["consultations"])


@router.get("/consultations/{consultation_id}/equality-monitoring")
async def equality_monitoring(consultation_id: str, caller: Reader, rt: Rt) -> dict[str, Any]:
    """Counts per category of each monitoring question (and not answered); any count below 5 is shown as
    "fewer than 5", and where one alone would be, the next smallest too (it could be worked out)."""
    return await reports.equality_monitoring(rt, consultation_id)


@router.get("/consultations/{consultation_id}/contacts")
async def contacts(consultation_id: str, page: Paging, caller: Reader, rt: Rt) -> dict[str, Any]:
    """Respondents who agreed to be contacted: `{response_id, contact_email}` (comms:approve, else 403)."""
    return await reports.contacts(rt, consultation_id, caller, page)
