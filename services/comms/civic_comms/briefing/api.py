"""HTTP edge of the councillor briefing and media coverage: request models and routes, translating to
the service layer and back. The briefing's items from other services come in as events (handlers.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from civic.http import WHITE_SPACE, IsoWeekText, Name, Pattern, RequestModel, Required, Rt
from fastapi import APIRouter
from pydantic import Field

from civic_comms.briefing import reports, service
from civic_comms.briefing.domain import SENTIMENTS
from civic_comms.http import Reader, records_routes

router = APIRouter(tags=["briefing"])


Sentiment = Literal[SENTIMENTS]  # type: ignore[valid-type]


#: an http(s) address, as the domain checks it (no white space in it)
Url = Annotated[str, Pattern(f"^https?://[^{WHITE_SPACE}]+$", "an http(s) address")]


class NewMediaCoverage(RequestModel):
    outlet: Name
    headline: Required
    published_on: date
    sentiment: Sentiment = Field(description=" | ".join(SENTIMENTS))
    url: Annotated[Url, Field(max_length=2000)] | None = None
    summary: str | None = Field(None, max_length=5000)


@router.get("/briefings/{iso_week}")
async def get_briefing(iso_week: IsoWeekText, caller: Reader, rt: Rt) -> dict[str, Any]:
    """The weekly councillor briefing (e.g. 2026-W48): other services' news and media coverage."""
    return await reports.get_briefing(rt, iso_week)


records_routes(
    router, "/media-coverage", ("log_media_coverage", NewMediaCoverage, service.log_media_coverage),
    ("list_media_coverage", reports.list_media_coverage),
)  # fmt: skip
