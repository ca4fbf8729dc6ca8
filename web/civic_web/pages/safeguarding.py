"""Safeguarding: its service's pages (issue 18), each asking the gateway as the signed-in officer."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
