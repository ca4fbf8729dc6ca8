"""Property: the pages of the property service (issue 18). Each asks the gateway as the signed-in officer and renders."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
