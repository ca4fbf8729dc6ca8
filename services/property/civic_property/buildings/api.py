"""HTTP edge of the estate register: request models and routes, translating to the buildings' use cases."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from civic.http import (
    MAX_WHOLE,
    WHOLE,
    IfMatch,
    Name,
    NonBlank,
    Paging,
    Pattern,
    RequestModel,
    Rt,
    only_when,
    rules,
    versioned,
)
from civic.problems import created
from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import Field

from civic_property.buildings import service
from civic_property.buildings.domain import (
    BUILDING_KINDS,
    BUILDING_STATUSES,
    CLOSURE_PLANNED,
    DISPOSAL_METHODS,
    DISPOSED,
    ENERGY_MEASURE_KINDS,
    INTERESTS_GRANTED,
    LEASEHOLD,
    MAX_BREAKS,
    MAX_EASTING,
    MAX_NORTHING,
    MAX_NOTICE_MONTHS,
    POSTCODE_PATTERN,
    TENURES,
    UPRN_PATTERN,
)
from civic_property.http import Reader, Writer, record_routes

router = APIRouter(prefix="/v1", tags=["property"])


# The enumerations are the domain's own tuples, so the schema states them and refuses anything else at the
# edge (422 naming the field, with every other field that does not fit); the domain keeps its own checks for
# callers other than HTTP, and the rules no schema can state (dates, the building's state).
Kind = Literal[BUILDING_KINDS]  # type: ignore[valid-type]
Tenure = Literal[TENURES]  # type: ignore[valid-type]
MeasureKind = Literal[ENERGY_MEASURE_KINDS]  # type: ignore[valid-type]
DisposalMethod = Literal[DISPOSAL_METHODS]  # type: ignore[valid-type]
BuildingStatus = Literal[BUILDING_STATUSES]  # type: ignore[valid-type]
Count = Annotated[int, Field(ge=0, le=MAX_WHOLE), WHOLE]
Notes = Annotated[str, Field(max_length=2000, description="e.g. which figures are illustrative")]
Interest = Literal[INTERESTS_GRANTED]  # type: ignore[valid-type]
Uprn = Annotated[
    str, Pattern(UPRN_PATTERN, "must be 1 to 12 digits, not starting with 0"),
    Field(description="Unique Property Reference Number, as text (up to 12 digits)"),
]
Postcode = Annotated[
    str, Pattern(POSTCODE_PATTERN, 'must be a UK postcode in capitals with one space, e.g. "NN1 1DE"'),
    Field(max_length=8),
]
AssetRef = Annotated[NonBlank, Field(max_length=50, description="the council's own id of the asset")]
StreetNumber = Annotated[NonBlank, Field(max_length=20)]


class MapReferenceBody(RequestModel):
    """Ordnance Survey National Grid, in metres."""

    easting: Annotated[int, Field(ge=0, le=MAX_EASTING), WHOLE]
    northing: Annotated[int, Field(ge=0, le=MAX_NORTHING), WHOLE]


class LeaseBreakBody(RequestModel):
    on: date = Field(description="after the lease starts and before it expires; each break once")
    notice_months: Annotated[int, Field(ge=0, le=MAX_NOTICE_MONTHS), WHOLE] | None = Field(
        None, description="months of notice the break needs (gives the break's notice_by)"
    )


class LeaseBody(RequestModel):
    """The lease a leasehold building is held on (only with tenure leasehold)."""

    landlord: Name
    annual_rent_pence: Count = Field(description="part of the building's annual_running_cost_pence, not more")
    starts_on: date | None = None
    expires_on: date = Field(description="after starts_on")
    breaks: list[LeaseBreakBody] = Field(default_factory=list, max_length=MAX_BREAKS)


class Partner(RequestModel):
    name: Name = Field(description="each partner once in a building (names compared without case)")
    annual_rent_pence: Count
    since: date | None = Field(None, description="the day it moved in, when it came with the rationalisation")


class Measure(RequestModel):
    kind: MeasureKind
    expected_annual_saving_pence: Count
    expected_carbon_saving_kg: Count
    installed_on: date | None = None


#: a PATCH that sends a tenure other than leasehold sends no lease (the stored tenure is the domain's to check)
_LEASE_ONLY_WHEN_LEASEHOLD = {"anyOf": [
    {"not": {"required": ["tenure"]}},
    {"properties": {"tenure": {"enum": [LEASEHOLD]}}},
    {"not": {"required": ["lease"], "properties": {"lease": {"not": {"type": "null"}}}}},
]}


class NewBuilding(RequestModel):
    model_config = {"json_schema_extra": rules(only_when("tenure", (LEASEHOLD,), "lease"))}

    name: Name
    town: Name
    kind: Kind
    desks: Count
    tenure: Tenure
    annual_running_cost_pence: Count = Field(description="total cost of running the building, utilities included")
    annual_carbon_kg: Count
    annual_utility_cost_pence: Count = Field(
        0, description="the utilities part of the running cost (not more than annual_running_cost_pence)"
    )
    floor_area_m2: Count | None = None
    partners: list[Partner] = Field(default_factory=list, max_length=100)
    energy_measures: list[Measure] = Field(default_factory=list, max_length=100)
    notes: Notes | None = None
    uprn: Uprn | None = Field(None, description="each UPRN on one building of the register")
    asset_ref: AssetRef | None = Field(None, description="the council's own id of the asset; each on one building")
    street_number: StreetNumber | None = None
    street_name: Name | None = None
    postcode: Postcode | None = None
    map_reference: MapReferenceBody | None = None
    interests_granted: list[Interest] = Field(
        default_factory=list, max_length=len(INTERESTS_GRANTED), json_schema_extra={"uniqueItems": True},
        description="what the council has granted others in it (the Transparency Code's tenure categories)",
    )
    lease: LeaseBody | None = Field(None, description="only with tenure leasehold")


class BuildingChanges(RequestModel):
    """Only the fields sent change; only ``notes``, ``floor_area_m2``, the register's fields and ``lease`` may be
    null (to empty them)."""

    model_config = {"json_schema_extra": rules(_LEASE_ONLY_WHEN_LEASEHOLD)}

    name: Name = None  # type: ignore[assignment]
    town: Name = None  # type: ignore[assignment]
    kind: Kind = None
    desks: Count = None  # type: ignore[assignment]
    tenure: Tenure = None
    annual_running_cost_pence: Count = None  # type: ignore[assignment]
    annual_carbon_kg: Count = None  # type: ignore[assignment]
    annual_utility_cost_pence: Count = None  # type: ignore[assignment]
    floor_area_m2: Count | None = None
    partners: list[Partner] = Field(None, max_length=100)  # type: ignore[arg-type]
    energy_measures: list[Measure] = Field(None, max_length=100)  # type: ignore[arg-type]
    notes: Notes | None = None
    uprn: Uprn | None = None
    asset_ref: AssetRef | None = None
    street_number: StreetNumber | None = None
    street_name: Name | None = None
    postcode: Postcode | None = None
    map_reference: MapReferenceBody | None = None
    interests_granted: list[Interest] = Field(
        None,  # type: ignore[arg-type]
        max_length=len(INTERESTS_GRANTED), json_schema_extra={"uniqueItems": True}
    )
    lease: LeaseBody | None = None


def _only_for(statuses: tuple[str, ...], *fields: str) -> dict[str, Any]:
    """``fields`` may be given (not null) only when ``to`` is one of ``statuses``."""
    given = [{"required": [f], "properties": {f: {"not": {"type": "null"}}}} for f in fields]
    return {"anyOf": [{"properties": {"to": {"enum": list(statuses)}}}, {"not": {"anyOf": given}}]}


def _required_for(status: str, *fields: str) -> dict[str, Any]:
    """``fields`` are required (not null) when ``to`` is ``status``."""
    return {"anyOf": [
        {"properties": {"to": {"not": {"const": status}}}},
        {"required": list(fields), "properties": {f: {"not": {"type": "null"}} for f in fields}},
    ]}


def _transition_schema(schema: dict[str, Any]) -> None:
    schema["allOf"] = [
        _only_for((DISPOSED,), "method", "receipt_pence"),
        _required_for(DISPOSED, "method", "receipt_pence"),
        _required_for(CLOSURE_PLANNED, "on"),
    ]


class BuildingTransitionBody(RequestModel):
    model_config = {"json_schema_extra": _transition_schema}

    to: BuildingStatus = Field(description=", ".join(BUILDING_STATUSES))
    on: date | None = Field(
        None, description="closure date (required for closure_planned); default today; not in the future for "
        "closed, for_disposal and disposed"
    )
    method: DisposalMethod | None = Field(None, description="how it was disposed of (disposed only, required)")
    receipt_pence: Count | None = Field(None, description="what the disposal raised (disposed only, required)")


@router.post("/buildings", status_code=201, responses=created("building_id"))
async def register_building(body: NewBuilding, caller: Writer, rt: Rt) -> JSONResponse:
    return versioned(await service.register_building(rt, body.model_dump()), status=201)


@router.get("/buildings")
async def list_buildings(
    page: Paging, caller: Reader, rt: Rt, status: BuildingStatus | None = None,
    town: Annotated[str | None, Query(max_length=200)] = None, kind: Kind | None = None,
) -> dict[str, Any]:
    return await service.list_buildings(rt, page, status=status, town=town, kind=kind)


record_routes(router, "/buildings/{building_id}", service.get_building, service.amend_building, BuildingChanges)


@router.post("/buildings/{building_id}/transitions")
async def transition_building(
    building_id: str, body: BuildingTransitionBody, if_match: IfMatch, caller: Writer, rt: Rt
) -> JSONResponse:
    return versioned(
        await service.transition_building(
            rt,
            building_id,
            to=body.to,
            on=body.on,
            method=body.method,
            receipt_pence=body.receipt_pence,
            expected_version=if_match,
        )
    )
