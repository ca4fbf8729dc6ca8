"""What every comms area's routes share beyond the runtime's (``civic.http``: ``Rt``, ``Paging``, ...): the
caller, holding the scope to read the communications team's records (``Reader``) or to change them (``Writer``)."""

from __future__ import annotations

from typing import Annotated

from civic.http import Caller, service_scopes

SCOPES = service_scopes("comms")
Reader = Annotated[Caller, SCOPES.read]
Writer = Annotated[Caller, SCOPES.write]
