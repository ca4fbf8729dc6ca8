"""HTTP edge of the change champions: request models and routes, translating to the service layer and back."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from civic.http import IfMatch, Name, Paging, Pattern, RequestModel, Rt, versioned
from fastapi import APIRouter, Query, Response
from pydantic import Field

from civic_comms.champions import reports, service
from civic_comms.champions.domain import REPRESENTATIONS
from civic_comms.http import Reader, Writer, records_routes

router = APIRouter(tags=["champions"])


Representation = Literal[REPRESENTATIONS]  # type: ignore[valid-type]
#: a calendar month, e.g. 2020-09
Month = Annotated[str, Pattern(r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$", "a month as YYYY-MM, e.g. 2020-09")]
Council = Annotated[str, Field(max_length=200, description="the organisation (council) whose service it is")]


class NewService(RequestModel):
    name: Name
    directorate: Name
    representation: Representation | None = Field(
        None, description="required (the default): it needs a champion; to_explore: whether it does is still to be agreed"
    )
    council: Council | None = None


class NewChampion(RequestModel):
    name: Name
    service: Name = Field(description="registered on first use if not yet known (in the champion's council)")
    directorate: Name
    council: Council | None = None
    email: str | None = Field(None, max_length=320)
    appointed_on: date | None = Field(None, description="default today; not in the future")


class StandDown(RequestModel):
    stood_down_on: date | None = Field(None, description="default today; not in the future, nor before the appointment")
    reason: str | None = Field(None, max_length=2000)


@router.post("/services", status_code=201)
async def register_service(body: NewService, caller: Writer, rt: Rt) -> Response:
    """A council service that should have a change champion (409 if already registered)."""
    return versioned(
        await service.register_service(rt, body.name, body.directorate, body.representation, body.council),
        status=201,
    )


@router.get("/services")
async def list_services(page: Paging, caller: Reader, rt: Rt) -> dict[str, Any]:
    return await reports.list_services(rt, page)


def champion_filters(
    service_name: Annotated[str | None, Query(alias="service")] = None,
    stood_down: Annotated[bool, Query(description="true: those who have stood down instead")] = False,
) -> dict[str, Any]:
    return {"service_name": service_name, "stood_down": stood_down}


records_routes(
    router, "/champions", ("appoint_champion", NewChampion, service.appoint_champion),
    ("list_champions", reports.list_champions), id_field="champion_id", filters=champion_filters,
    list_notes="The champions serving (or, with stood_down=true, those who have stood down).",
)  # fmt: skip


@router.delete("/champions/{champion_id}", status_code=204)
async def stand_down_champion(champion_id: str, if_match: IfMatch, caller: Writer, rt: Rt) -> Response:
    """A champion stands down today, no reason given (kept for the joiners and leavers); 409 stood down already."""
    await service.stand_down_champion(rt, champion_id, if_match)
    return Response(status_code=204)


@router.post("/champions/{champion_id}/stand-down")
async def stand_down_with_reason(champion_id: str, body: StandDown, if_match: IfMatch, caller: Writer, rt: Rt
                                 ) -> Response:
    """A champion stands down on a day, with a reason; 409 stood down already."""
    return versioned(await service.stand_down_champion(rt, champion_id, if_match, body.stood_down_on, body.reason))


@router.get("/reports/champion-coverage")
async def champion_coverage(caller: Reader, rt: Rt) -> dict[str, Any]:
    """Services with no change champion: the coverage gap (at least one champion per service)."""
    return await reports.champion_coverage_report(rt)


@router.get("/reports/champion-coverage/by-council")
async def champion_coverage_by_council(caller: Reader, rt: Rt) -> dict[str, Any]:
    """Per council (organisation): its services with a champion and without one, and its champions."""
    return await reports.coverage_by_council_report(rt)


@router.get("/reports/champion-joiners-and-leavers")
async def champion_joiners_and_leavers(
    caller: Reader, rt: Rt,
    to: Annotated[Month | None, Query(description="the last month, YYYY-MM (default this month)")] = None,
    months: Annotated[int, Query(ge=1, le=60, description="how many months up to it")] = 12,
    council: Annotated[str | None, Query(max_length=200, description="one council's champions only")] = None,
) -> dict[str, Any]:
    """Champions appointed (joined) and stood down (left) per month, and the net change."""
    return await reports.joiners_and_leavers_report(rt, to, months, council)
