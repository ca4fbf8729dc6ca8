"""The weekly councillor briefing, a week at a time, as a page to print."""

from __future__ import annotations

import re
from datetime import date, timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from civic_web.pages import first, render
from civic_web.pages.comms.section import get, monday_of, reads, today
from civic_web.sessions import SignedInOfficer, signed_in

router = APIRouter(include_in_schema=False)


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@router.get("/briefing")
async def briefing(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    reads(officer)
    week = first(request.query_params.get("week"))
    try:
        monday = date.fromisocalendar(int(week[:4]), int(week[6:]), 1) if re.fullmatch(r"\d{4}-W\d{2}", week) \
            else monday_of(today())
    except ValueError:
        monday = monday_of(today())
    found = (await get(request, officer, f"/briefings/{_iso_week(monday)}")).body
    return render(request, "comms/briefing.html", {
        "briefing": found, "week": _iso_week(monday), "monday": monday,
        "earlier": _iso_week(monday - timedelta(weeks=1)), "later": _iso_week(monday + timedelta(weeks=1)),
    })
