"""What every comms area's routes share beyond the runtime's (``civic.http``: ``Rt``, ``Paging``, ...): the
caller, holding the scope to read the communications team's records (``Reader``) or to change them (``Writer``),
and the length of a title (content, campaigns, consultations)."""

from __future__ import annotations

from typing import Annotated

from civic.http import Caller, NonBlank, service_scopes
from pydantic import Field

SCOPES = service_scopes("comms")
Reader = Annotated[Caller, SCOPES.read]
Writer = Annotated[Caller, SCOPES.write]
#: the title of a content item, a campaign or a consultation
Title = Annotated[NonBlank, Field(max_length=300)]
