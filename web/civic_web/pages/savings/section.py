"""What every savings page shares: the API's addresses and who may see savings."""

from __future__ import annotations

from civic_web.pages import allowed
from civic_web.sessions import SignedInOfficer

API = "/api/savings/v1/initiatives"
REPORTS = "/api/savings/v1/reports"


def reads(officer: SignedInOfficer) -> None:
    allowed(officer.permissions.reads("savings"))
