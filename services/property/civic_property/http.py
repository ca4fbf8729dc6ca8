"""What every property area's routes share beyond the runtime's (``civic.http``: ``Rt``, ``Paging``, ...): the
caller, holding the scope to read the estate's records (``Reader``) or to change them (``Writer``)."""

from __future__ import annotations

from typing import Annotated

from civic.http import Caller, service_scopes

SCOPES = service_scopes("property")
Reader = Annotated[Caller, SCOPES.read]
Writer = Annotated[Caller, SCOPES.write]
