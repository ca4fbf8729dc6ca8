"""What every area's routes share: the scopes, path ids and the limits on text in request bodies."""

from __future__ import annotations

from typing import Annotated

from civic.http import MAX_WHOLE, WHOLE, NonBlank, require
from fastapi import Path
from pydantic import Field

READ = require("safeguarding:read")
WRITE = require("safeguarding:write")
# SAR case summaries and personal details are shown only to callers holding this scope (Care Act s45)
CONFIDENTIAL = "safeguarding:confidential"

Id = Annotated[str, Path(max_length=64)]
Text = Annotated[str, Field(max_length=500)]
LongText = Annotated[str, Field(max_length=100_000)]
#: text the rules need (blank is refused: the domain strips it first)
Required = Annotated[NonBlank, Field(max_length=500)]
LongRequired = Annotated[NonBlank, Field(max_length=100_000)]
Pence = Annotated[int, Field(ge=0, le=MAX_WHOLE, description="whole pence, zero or more"), WHOLE]
