"""HTTP edge of the change champions: request models and routes, translating to the service layer and back."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from civic.http import IfMatch, Name, Paging, RequestModel, Rt, versioned
from civic.problems import created
from fastapi import APIRouter, Query, Response
from pydantic import Field

from civic_comms.champions import reports, service
from civic_comms.champions.domain import REPRESENTATIONS
from civic_comms.http import Reader, Writer

router = APIRouter(tags=["champions"])



Representation = Literal[REPRESENTATIONS]  # type: ignore[valid-type]


class NewService(RequestModel):
    name: Name
    directorate: Name
    representation: Representation | None = Field(
        None, description="required (the default): it needs a champion; to_explore: whether it does is still to be agreed"
    )


class NewChampion(RequestModel):
    name: Name
    service: Name = Field(description="registered on first use if not yet known")
    directorate: Name
    council: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=320)


@router.post("/services", status_code=201)
async def register_service(body: NewService, caller: Writer, rt: Rt) -> Response:
    """A council service that should have a change champion (409 if already registered)."""
    return versioned(
        await service.register_service(rt, body.name, body.directorate, body.representation), status=201
    )


@router.get("/services")
async def list_services(page: Paging, caller: Reader, rt: Rt) -> dict[str, Any]:
    return await reports.list_services(rt, page)


@router.post("/champions", status_code=201, responses=created("champion_id"))
async def appoint_champion(body: NewChampion, caller: Writer, rt: Rt) -> Response:
    return versioned(await service.appoint_champion(rt, body.model_dump(), caller), status=201)


@router.get("/champions")
async def list_champions(
    page: Paging, caller: Reader, rt: Rt, service_name: Annotated[str | None, Query(alias="service")] = None
) -> dict[str, Any]:
    return await reports.list_champions(rt, page, service_name)


@router.delete("/champions/{champion_id}", status_code=204)
async def stand_down_champion(champion_id: str, if_match: IfMatch, caller: Writer, rt: Rt) -> Response:
    await service.stand_down_champion(rt, champion_id, if_match)
    return Response(status_code=204)


@router.get("/reports/champion-coverage")
async def champion_coverage(caller: Reader, rt: Rt) -> dict[str, Any]:
    """Services with no change champion: the coverage gap (at least one champion per service)."""
    return await reports.champion_coverage_report(rt)
