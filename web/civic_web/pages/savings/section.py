"""What every savings page shares: the API's addresses and who may see savings."""

from __future__ import annotations

from civic_web.pages import allowed
from civic_web.sessions import SignedInOfficer

API = "/api/savings/v1/initiatives"
REPORTS = "/api/savings/v1/reports"
#: the programme's own records: targets and cost avoidance
PROGRAMME = "/api/savings/v1"


def reads(officer: SignedInOfficer) -> None:
    allowed(officer.permissions.reads("savings"))
