"""What every operations page shares: who may see them, the APIs they ask, and the section's own navigation."""

from __future__ import annotations

from civic_web.pages import allowed
from civic_web.sessions import SignedInOfficer

#: the gateway's trace view (its own API, for the ops scope)
TRACES = "/ops/traces"
#: the services that keep dead letters, each behind the gateway as /api/<service>/ops/...
SERVICES = ("savings", "property", "safeguarding", "comms")
#: the section's pages, for its navigation
PAGES = (("/operations/traces", "Traces"), ("/operations/dead-letters", "Dead letters"))


def operates(officer: SignedInOfficer) -> None:
    allowed(officer.permissions.may_operate)


def dead_letters_of(service: str) -> str:
    return f"/api/{service}/ops/dead-letters"
