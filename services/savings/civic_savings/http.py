"""What every savings area's routes share beyond the runtime's (``civic.http``: ``Rt``, ``Paging``, ...): the
caller, holding the scope to read the savings register (``Reader``) or to change it (``Writer``)."""

from __future__ import annotations

from typing import Annotated

from civic.http import Caller, service_scopes

SCOPES = service_scopes("savings")
Reader = Annotated[Caller, SCOPES.read]
Writer = Annotated[Caller, SCOPES.write]
