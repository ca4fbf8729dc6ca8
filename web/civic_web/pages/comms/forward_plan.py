"""The forward plan: four weeks as a calendar, a week to a row, from the week the officer asks for."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from civic_web.pages import first, render
from civic_web.pages.comms.section import get, monday_of, reads, today
from civic_web.sessions import SignedInOfficer, signed_in

router = APIRouter(include_in_schema=False)

#: weeks the forward plan shows at a time
PLAN_WEEKS = 4


@router.get("/forward-plan")
async def forward_plan(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    reads(officer)
    try:
        start = monday_of(date.fromisoformat(first(request.query_params.get("from")) or today().isoformat()))
    except ValueError:
        start = monday_of(today())
    end = start + timedelta(weeks=PLAN_WEEKS) - timedelta(days=1)
    plan = (await get(request, officer, "/forward-plan", {"from": start.isoformat(), "to": end.isoformat()})).body
    by_day = {d["date"]: d.get("items", []) for d in plan.get("days", [])}
    weeks = []
    for week in range(PLAN_WEEKS):
        monday = start + timedelta(weeks=week)
        days = [monday + timedelta(days=n) for n in range(7)]
        weeks.append((monday, [(d, by_day.get(d.isoformat(), [])) for d in days]))
    return render(request, "comms/forward_plan.html", {
        "weeks": weeks, "start": start, "end": end, "today": today(), "entries": plan.get("entries", 0),
        "earlier": (start - timedelta(weeks=PLAN_WEEKS)).isoformat(), "later": (end + timedelta(days=1)).isoformat(),
    })
