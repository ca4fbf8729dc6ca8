"""Home: the dashboard, from the gateway's composed view (``/api/dashboard``).

A part the officer may not read is not asked for and not shown; a part that did not answer is named
plainly ("property is not answering; shown without it") and the rest is shown.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from civic_web.gateway import Refused
from civic_web.pages import ask, layout_of
from civic_web.sessions import SignedInOfficer, signed_in

router = APIRouter(include_in_schema=False)


@router.get("/")
async def home(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    layout = layout_of(request)
    try:
        answer = await ask(request, officer, "/api/dashboard")
        dashboard = answer.body
        down: list[str] = list(dashboard.get("degraded", []))
        problem = None
    except Refused as refused:
        # 403: no part the officer may read; 503: nothing answered
        dashboard = {}
        down = list(refused.problem.get("degraded", []))
        problem = refused.problem.get("detail")
    return layout.render(request, "home.html", {"dashboard": dashboard, "down": down, "problem": problem})
