"""What every area's routes share: the scopes, path ids and the limits on text in request bodies."""

from __future__ import annotations

from typing import Annotated

from civic.http import require
from fastapi import Path
from pydantic import Field

READ = require("safeguarding:read")
WRITE = require("safeguarding:write")
# SAR case summaries and personal details are shown only to callers holding this scope (Care Act s45)
CONFIDENTIAL = "safeguarding:confidential"

Id = Annotated[str, Path(max_length=64)]
Text = Annotated[str, Field(max_length=500)]
LongText = Annotated[str, Field(max_length=100_000)]
