"""HTTP <-> the initiatives' use cases. Translation only: the rules are in domain.py, the work in service.py."""

from __future__ import annotations

from typing import Any, Literal

from civic.http import Caller, IfMatch, Page, RequestModel, current_runtime, require, versioned
from civic.service import Runtime
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import Field, StrictInt

from civic_savings.initiatives import service
from civic_savings.initiatives.domain import RAG_STATUSES, STATUSES
from civic_savings.programme.domain import CATEGORIES, THEMES

router = APIRouter(prefix="/v1", tags=["savings"])

# the domain's enumerations, in its order (the OpenAPI lists them so)
THEME_KEYS = tuple(THEMES)
CATEGORY_KEYS = tuple(CATEGORIES)
Theme = Literal[THEME_KEYS]  # type: ignore[valid-type]
Status = Literal[STATUSES]  # type: ignore[valid-type]
Category = Literal[CATEGORY_KEYS]  # type: ignore[valid-type]
Rag = Literal[RAG_STATUSES]  # type: ignore[valid-type]
Year = Field(description='A financial year, April to March, e.g. "2023/24"', examples=["2023/24"])

READ = Depends(require("savings:read"))
WRITE = Depends(require("savings:write"))


class ProfileYear(RequestModel):
    year: str = Year
    planned_pence: StrictInt = Field(description="Planned saving in the year, in pence")


class NewInitiative(RequestModel):
    title: str
    directorate: str
    theme: Theme
    category: Category
    profile: list[ProfileYear]
    owner: str | None = None
    programme: str | None = Field(None, description='e.g. "LGR", "Survive to Thrive"')
    rag: Rag | None = None
    rag_reason: str | None = None


class InitiativeChanges(RequestModel):
    """Only the fields sent change. Theme, category and profile only while proposed."""

    title: str | None = None
    directorate: str | None = None
    owner: str | None = None
    programme: str | None = None
    theme: Theme | None = None
    category: Category | None = None
    profile: list[ProfileYear] | None = None
    rag: Rag | None = None
    rag_reason: str | None = None


class Transition(RequestModel):
    # text, checked by the domain after the initiative is loaded: an unknown initiative stays a 404
    to: str = Field(description=f"one of {', '.join(STATUSES)}")
    reason: str | None = Field(None, description="required for undeliverable; noted for the others")
    to_year: str | None = Field(None, description="for slipped: the later year the unmet saving moves to")
    from_year: str | None = Field(
        None, description="for slipped: the year that slips (default: the earliest with an unmet saving)"
    )


class Actual(RequestModel):
    year: str = Year
    delivered_pence: StrictInt


@router.post("/initiatives", status_code=201, summary="Propose an initiative")
async def propose(
    body: NewInitiative, caller: Caller = WRITE, rt: Runtime = Depends(current_runtime)
) -> JSONResponse:
    return versioned(await service.propose(rt, body.model_dump(), caller), status=201)


@router.get("/initiatives", summary="List initiatives")
async def list_initiatives(
    page: Page = Depends(),
    status: Status | None = None,
    theme: Theme | None = None,
    category: Category | None = None,
    programme: str | None = None,
    directorate: str | None = None,
    building_id: str | None = None,
    title: str | None = None,
    caller: Caller = READ,
    rt: Runtime = Depends(current_runtime),
) -> dict[str, Any]:
    filters = {
        "status": status,
        "theme": theme,
        "category": category,
        "programme": programme,
        "directorate": directorate,
        "building_id": building_id,
        "title": title,
    }
    return await service.list_initiatives(rt, page, filters)


@router.get("/initiatives/{initiative_id}", summary="One initiative, with its history")
async def get_initiative(
    initiative_id: str, caller: Caller = READ, rt: Runtime = Depends(current_runtime)
) -> JSONResponse:
    return versioned(await service.get(rt, initiative_id))


@router.patch("/initiatives/{initiative_id}", summary="Amend an initiative (title, owner, RAG, ...)")
async def amend(
    initiative_id: str,
    body: InitiativeChanges,
    if_match: IfMatch,
    caller: Caller = WRITE,
    rt: Runtime = Depends(current_runtime),
) -> JSONResponse:
    fields = body.model_dump(exclude_unset=True)
    return versioned(await service.amend(rt, initiative_id, fields, caller, if_match))


@router.post("/initiatives/{initiative_id}/transitions", summary="Move an initiative along its lifecycle")
async def transition(
    initiative_id: str,
    body: Transition,
    if_match: IfMatch,
    caller: Caller = WRITE,
    rt: Runtime = Depends(current_runtime),
) -> JSONResponse:
    return versioned(await service.transition(rt, initiative_id, body.model_dump(), caller, if_match))


@router.post("/initiatives/{initiative_id}/actuals", summary="Record the saving delivered in a year")
async def record_actual(
    initiative_id: str,
    body: Actual,
    if_match: IfMatch,
    caller: Caller = WRITE,
    rt: Runtime = Depends(current_runtime),
) -> JSONResponse:
    return versioned(
        await service.record_actual(rt, initiative_id, body.year, body.delivered_pence, caller, if_match)
    )
