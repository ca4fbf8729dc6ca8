"""What every property page shares: the API's address, who may see and change the estate, how a page asks."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from civic_web.pages import allowed, ask
from civic_web.sessions import SignedInOfficer

API = "/api/property/v1"
#: as many as one page of the API gives: the estate is a handful of buildings and some dozens of teams
ALL = "500"


def reads(officer: SignedInOfficer) -> None:
    allowed(officer.permissions.reads("property"))


def changes(officer: SignedInOfficer) -> None:
    reads(officer)
    allowed(officer.permissions.may_change_estate)


async def get(request: Request, officer: SignedInOfficer, path: str, params: dict[str, str] | None = None) -> Any:
    """What the API answers at one of its addresses (the body)."""
    return (await ask(request, officer, f"{API}{path}", params)).body
