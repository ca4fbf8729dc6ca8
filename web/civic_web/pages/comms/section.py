"""What every comms page shares: the API's address, who may see comms and draft, how a page asks, and the
council's today and its weeks."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from fastapi import Request

from civic_web.gateway import Answer
from civic_web.pages import allowed, ask
from civic_web.sessions import SignedInOfficer
from civic_web.vocabulary import LONDON

API = "/api/comms/v1"


def reads(officer: SignedInOfficer) -> None:
    allowed(officer.permissions.reads("comms"))


def may_draft(officer: SignedInOfficer) -> None:
    reads(officer)
    allowed(officer.permissions.may("comms:write"))


async def get(request: Request, officer: SignedInOfficer, path: str, params: dict[str, str] | None = None) -> Answer:
    return await ask(request, officer, f"{API}{path}", params)


def today() -> date:
    """The council's today (Europe/London)."""
    return datetime.now(LONDON).date()


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())
