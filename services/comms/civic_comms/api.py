"""HTTP edge of the comms service: each area's routes under /v1, then the service-wide summary.

The areas' routers are in ``content/api.py``, ``consultations/api.py``, ``respondents/api.py``,
``outcomes/api.py``, ``subscriptions/api.py``,
``briefing/api.py``, ``issuing/api.py`` and ``champions/api.py``; they are included in that
order, which is the order the OpenAPI lists them in.
"""

from __future__ import annotations

from typing import Any

from civic.http import Rt
from fastapi import APIRouter

from civic_comms import reports
from civic_comms.briefing import api as briefing
from civic_comms.champions import api as champions
from civic_comms.consultations import api as consultations
from civic_comms.content import api as content
from civic_comms.http import Reader
from civic_comms.issuing import api as issuing
from civic_comms.outcomes import api as outcomes
from civic_comms.respondents import api as respondents
from civic_comms.subscriptions import api as subscriptions

router = APIRouter(prefix="/v1", tags=["comms"])
for area in (content, consultations, respondents, outcomes, subscriptions, briefing, issuing, champions):
    router.include_router(area.router)


@router.get("/summary", tags=["dashboard"])
async def summary(caller: Reader, rt: Rt) -> dict[str, Any]:
    """Content scheduled this week and the open consultations with their response counts."""
    return await reports.summary(rt)
