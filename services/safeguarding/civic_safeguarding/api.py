"""The service's HTTP edge: every area's routes, and the routes that belong to the whole service.

Each area's api.py translates HTTP to its own use cases (rules in its domain.py, work in its
service.py); this module gathers them, in the order the OpenAPI document lists them.
"""

from __future__ import annotations

from typing import Any

from civic.http import Rt
from fastapi import APIRouter

from civic_safeguarding import reports
from civic_safeguarding.boards import api as boards
from civic_safeguarding.decisions import api as decisions
from civic_safeguarding.forward_plan import api as forward_plan
from civic_safeguarding.http import Reader
from civic_safeguarding.interests import api as interests
from civic_safeguarding.meetings import api as meetings
from civic_safeguarding.minutes import api as minutes
from civic_safeguarding.notices import api as notices
from civic_safeguarding.oversight import api as oversight
from civic_safeguarding.practice_reviews import api as practice_reviews
from civic_safeguarding.sars import api as sars

router = APIRouter()
for area in (boards, interests, meetings, decisions, notices, forward_plan, minutes, sars, practice_reviews, oversight):
    router.include_router(area.router)


@router.get("/v1/summary", tags=["safeguarding"])
async def summary(caller: Reader, rt: Rt) -> dict[str, Any]:
    return await reports.summary(rt)
