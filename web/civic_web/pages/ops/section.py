"""What every operations page shares: who may see them, the APIs they ask, and the section's own navigation."""

from __future__ import annotations

import re

from fastapi import Request

from civic_web.pages import allowed, gateway_of
from civic_web.sessions import SignedInOfficer

#: the gateway's trace view (its own API, for the ops scope)
TRACES = "/ops/traces"
#: the components that are not services, as the trace view names them
NOT_SERVICES = ("gateway", "web")
#: a service's address in the gateway's API document: /api/<service>/v1/...
SERVICE_PATH = re.compile(r"^/api/([^/]+)/v\d+/")
#: the section's pages, for its navigation
PAGES = (("/operations/traces", "Traces"), ("/operations/dead-letters", "Dead letters"))


def operates(officer: SignedInOfficer) -> None:
    allowed(officer.permissions.may_operate)


async def services_of(request: Request) -> tuple[str, ...]:
    """The services behind the gateway (each keeps dead letters at /api/<service>/ops/...), as its merged API
    document names them, with any it could not reach when it built it. The one list is contracts'
    (``civic_contracts.SERVICES``), which the web, a back end for front end, does not import (.importlinter):
    it takes the gateway's word instead of writing the names again."""
    document = await gateway_of(request).document()
    found = dict.fromkeys(m.group(1) for path in document.get("paths", {}) if (m := SERVICE_PATH.match(path)))
    found |= dict.fromkeys(str(s) for s in document.get("x-civic-missing-services", []))
    return tuple(found)


def dead_letters_of(service: str) -> str:
    return f"/api/{service}/ops/dead-letters"
