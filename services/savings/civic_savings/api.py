"""HTTP <-> the savings use cases. Translation only: the rules are in domain.py, the work in service.py."""

from __future__ import annotations

from typing import Any, Literal

from civic.documents import resource
from civic.http import Caller, IfMatch, Page, RequestModel, current_runtime, paginate, require, versioned
from civic.problems import answer_response
from civic.service import Runtime
from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse
from pydantic import Field, StrictInt

from civic_savings import reports, service
from civic_savings.domain import CATEGORIES, STATUSES
from civic_savings.repository import COST_AVOIDANCE, INITIATIVES, TARGETS, api_form

router = APIRouter(prefix="/v1", tags=["savings"])

Theme = Literal[
    "redesign_reorganisation",
    "demand_prevention",
    "buying_commissioning",
    "charging_income",
    "technology_innovation",
    "process_policy",
]
Status = Literal["proposed", "approved", "in_delivery", "slipped", "delivered", "undeliverable"]
Category = Literal["transformation", "centrally_controlled", "technical_adjustment"]
Rag = Literal["green", "amber", "red"]
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
    to: str = Field(description=f"one of {', '.join(STATUSES)}")
    reason: str | None = Field(None, description="required for undeliverable; noted for the others")
    to_year: str | None = Field(None, description="for slipped: the later year the unmet saving moves to")
    from_year: str | None = Field(
        None, description="for slipped: the year that slips (default: the earliest with an unmet saving)"
    )


class Actual(RequestModel):
    year: str = Year
    delivered_pence: StrictInt


class TargetBody(RequestModel):
    amount_pence: StrictInt
    description: str | None = None


class CostAvoidance(RequestModel):
    title: str
    directorate: str
    year: str = Year
    amount_pence: StrictInt
    programme: str | None = None
    description: str | None = None


# ---------------------------------------------------------------- initiatives


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
    query = {
        k: v
        for k, v in {
            "status": status,
            "theme": theme,
            "category": category,
            "programme": programme,
            "directorate": directorate,
            "building_id": building_id,
            "title": title,
        }.items()
        if v is not None
    }
    return await paginate(rt.db[INITIATIVES], query, page, transform=api_form)


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


# ---------------------------------------------------------------- targets

TargetName = Path(min_length=1, max_length=100, description='The programme\'s name, e.g. "LGR"')


@router.put(
    "/targets/{name}",
    summary="Set a programme's savings target",
    responses={201: answer_response("The target was new")},
)
async def set_target(
    body: TargetBody,
    if_match: IfMatch,
    name: str = TargetName,
    caller: Caller = WRITE,
    rt: Runtime = Depends(current_runtime),
) -> JSONResponse:
    target, created = await service.set_target(rt, name, body.amount_pence, body.description, if_match)
    return versioned(target, status=201 if created else 200)


@router.get("/targets", summary="List targets")
async def list_targets(
    page: Page = Depends(), caller: Caller = READ, rt: Runtime = Depends(current_runtime)
) -> dict[str, Any]:
    return await paginate(rt.db[TARGETS], {}, page, transform=resource)


# ---------------------------------------------------------------- cost avoidance


@router.post("/cost-avoidance", status_code=201, summary="Record cost avoided (never counted as a saving)")
async def record_cost_avoidance(
    body: CostAvoidance, caller: Caller = WRITE, rt: Runtime = Depends(current_runtime)
) -> JSONResponse:
    return versioned(await service.record_cost_avoidance(rt, body.model_dump(), caller), status=201)


@router.get("/cost-avoidance", summary="List cost avoidance")
async def list_cost_avoidance(
    page: Page = Depends(),
    year: str | None = None,
    title: str | None = None,
    caller: Caller = READ,
    rt: Runtime = Depends(current_runtime),
) -> dict[str, Any]:
    query = {k: v for k, v in {"year": year, "title": title}.items() if v is not None}
    return await paginate(rt.db[COST_AVOIDANCE], query, page, transform=resource)


@router.get("/cost-avoidance/{record_id}", summary="One cost avoidance record")
async def get_cost_avoidance(
    record_id: str, caller: Caller = READ, rt: Runtime = Depends(current_runtime)
) -> JSONResponse:
    return versioned(await service.get_cost_avoidance(rt, record_id))


# ---------------------------------------------------------------- reports

Years = Query(None, description="Financial years separated by commas, e.g. 2021/22,2022/23,2023/24")
CategoryFilter = Query(None, description=f"one of {', '.join(CATEGORIES)} or 'all' (default transformation)")


@router.get("/reports/themes", summary="Theme x year planned and delivered, with totals")
async def theme_report(
    years: str | None = Years,
    directorate: str | None = None,
    programme: str | None = None,
    category: str | None = CategoryFilter,
    caller: Caller = READ,
    rt: Runtime = Depends(current_runtime),
) -> dict[str, Any]:
    return await reports.theme_report(
        rt.db, years=years, directorate=directorate, programme=programme, category=category
    )


@router.get("/reports/target/{name}", summary="A programme against its target")
async def target_report(
    name: str = TargetName, caller: Caller = READ, rt: Runtime = Depends(current_runtime)
) -> dict[str, Any]:
    return await reports.target_report(rt.db, name)


@router.get(
    "/reports/reconciliation", summary="Budget report less centrally controlled and technical adjustments"
)
async def reconciliation(
    year: str = Query(description='e.g. "2023/24"'),
    budget_report_pence: int | None = Query(
        None,
        description="the savings figure in the budget report, positive pence (default: the register's total)",
    ),
    directorate: str | None = None,
    caller: Caller = READ,
    rt: Runtime = Depends(current_runtime),
) -> dict[str, Any]:
    return await reports.reconciliation(
        rt.db, year=year, budget_report_pence=budget_report_pence, directorate=directorate
    )


@router.get("/reports/variance", summary="Planned, slipped, delivered and variance by year")
async def variance(
    years: str | None = Years,
    directorate: str | None = None,
    programme: str | None = None,
    category: str | None = CategoryFilter,
    caller: Caller = READ,
    rt: Runtime = Depends(current_runtime),
) -> dict[str, Any]:
    return await reports.variance(
        rt.db, years=years, directorate=directorate, programme=programme, category=category
    )


@router.get("/reports/highlights/{month}", summary="What moved, slipped and was delivered in a month")
async def highlights(
    month: str = Path(description="YYYY-MM, e.g. 2024-05"),
    caller: Caller = READ,
    rt: Runtime = Depends(current_runtime),
) -> dict[str, Any]:
    return await reports.highlights(rt.db, month)


@router.get("/summary", summary="The dashboard's savings panel")
async def summary(caller: Caller = READ, rt: Runtime = Depends(current_runtime)) -> dict[str, Any]:
    return await reports.summary(rt.db)
