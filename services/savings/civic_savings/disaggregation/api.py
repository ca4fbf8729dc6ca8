"""HTTP <-> disaggregation's use cases. Translation only: the rules are in domain.py, the work in service.py.

A shared service (one council hosts or leads it for the other) is ``/v1/shared-services/{shared_service_id}``,
with its own version (ETag), which an amendment and a transition take as If-Match. What is due, what has
slipped and what is done is ``GET /v1/reports/disaggregation``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from civic.http import WHOLE, IsoDate, Paging, RequestModel, Rt, only_when, required_when, rules
from fastapi import APIRouter, Query
from pydantic import Field

from civic_savings.disaggregation import service
from civic_savings.disaggregation.domain import DUE_MONTHS, MAX_MONTHS, REASONS_NEEDED, SERVICE_KINDS, STATUSES
from civic_savings.http import Reader, new_record_route, record_routes, step_route
from civic_savings.initiatives.api import Pence, Reason, Text

router = APIRouter(prefix="/v1", tags=["savings"])

Kind = Literal[SERVICE_KINDS]  # type: ignore[valid-type]
Status = Literal[STATUSES]  # type: ignore[valid-type]
Percent = Annotated[int, Field(ge=0, le=100, description="a whole percentage, 0 to 100"), WHOLE]
SHARED_SERVICES = "/shared-services"
ONE = SHARED_SERVICES + "/{shared_service_id}"


class SplitInPercent(RequestModel):
    """The two councils' shares in percent, adding up to 100; with the annual cost when it is known."""

    basis: Literal["percent"]
    host_percent: Percent = Field(description="the host (or lead) council's share")
    other_percent: Percent = Field(description="the other council's share; the two add up to 100")
    annual_cost_pence: Pence | None = Field(None, description="the service's annual cost, when known")


class SplitInPence(RequestModel):
    """The two councils' shares in pence, adding up to the service's annual cost."""

    basis: Literal["pence"]
    annual_cost_pence: Pence = Field(description="the service's annual cost")
    host_pence: Pence = Field(description="the host (or lead) council's share")
    other_pence: Pence = Field(description="the other council's share; the two add up to annual_cost_pence")


CostSplit = SplitInPercent | SplitInPence

#: a new one is planned for a date or deferred with the reason: one of the two, never both
_PLANNED_OR_DEFERRED = {"oneOf": [
    {"required": ["planned_on"], "properties": {"planned_on": {"type": "string"}},
     "not": {"required": ["deferred_reason"], "properties": {"deferred_reason": {"type": "string"}}}},
    {"required": ["deferred_reason"], "properties": {"deferred_reason": {"type": "string"}},
     "not": {"required": ["planned_on"], "properties": {"planned_on": {"type": "string"}}}},
]}  # fmt: skip


class NewSharedService(RequestModel):
    model_config = {"json_schema_extra": rules(_PLANNED_OR_DEFERRED)}

    service: Text = Field(description='the service as the councils name it, e.g. "Shared Lives"')
    directorate: Text | None = Field(None, description='e.g. "People - Adults"')
    kind: Kind = Field(description="hosted: until it can be split; lead: delivered by one council for the long term")
    host_council: Text = Field(description="the council that hosts or leads it for both")
    other_council: Text = Field(description="the other council (not the host)")
    planned_on: date | None = Field(None, description="the date the split is planned for (ISO 8601); or "
                                    "deferred_reason")
    deferred_reason: Reason | None = Field(None, description="why the split is deferred, when it has no date")
    cost_split: CostSplit | None = Field(None, description="how its cost falls between the two councils")
    notes: Reason | None = None


class SharedServiceChanges(RequestModel):
    """Only the fields sent change. The planned date while planned or in progress (later: a slip), the deferral's
    reason while deferred; once disaggregated or cancelled only the notes."""

    service: Text = Field(None, description="cannot be emptied")  # type: ignore[assignment]
    directorate: Text | None = None
    kind: Kind = Field(None, description="cannot be emptied")
    host_council: Text = Field(None, description="cannot be emptied")  # type: ignore[assignment]
    other_council: Text = Field(None, description="cannot be emptied")  # type: ignore[assignment]
    planned_on: date = Field(None, description="a new planned date (ISO 8601); cannot be emptied")  # type: ignore[assignment]
    deferred_reason: Reason = Field(None, description="cannot be emptied")  # type: ignore[assignment]
    cost_split: CostSplit | None = Field(None, description="replaces the split; null when none is agreed")
    notes: Reason | None = None


class Transition(RequestModel):
    model_config = {"json_schema_extra": rules(
        required_when("to", tuple(REASONS_NEEDED), "reason"),
        required_when("to", ("planned",), "planned_on"),
        only_when("to", ("planned",), "planned_on"),
    )}  # fmt: skip

    to: Status = Field(description=f"one of {', '.join(STATUSES)}")
    on: date | None = Field(None, description="the day it happened (default today); not in the future for "
                            "in_progress and disaggregated (the actual date)")
    reason: Reason | None = Field(None, description="required for deferred and cancelled; noted for the others")
    planned_on: date | None = Field(None, description="for planned (required): the date a deferred split is "
                                    "planned for now")


new_record_route(router, SHARED_SERVICES, "register", NewSharedService, service.register, id_field="shared_service_id",
                 summary="Register a service one council hosts or leads for the other")


@router.get(SHARED_SERVICES, summary="The shared services, or those of a status, a host council or due before a day")
async def list_shared_services(
    page: Paging, caller: Reader, rt: Rt, status: Status | None = None,
    host_council: Annotated[str | None, Query(max_length=200, description="exactly as registered")] = None,
    kind: Kind | None = None,
    due_before: Annotated[IsoDate | None, Query(description="planned for a day before this one")] = None,
) -> dict[str, Any]:  # fmt: skip
    return await service.list_shared_services(rt, page, status=status, host_council=host_council, kind=kind,
                                              due_before=due_before)  # fmt: skip


record_routes(router, ONE, service.get, service.amend, SharedServiceChanges,
              summaries=("One shared service (its ETag for a change)",
                         "Amend a shared service (planned date, councils, cost split, notes, ...)"))


step_route(router, ONE + "/transitions", "transition", Transition, service.transition,
           summary="Move a shared service's disaggregation along its lifecycle")


@router.get("/reports/disaggregation", summary="What is due, what has slipped and what is done, by host council")
async def report(
    caller: Reader, rt: Rt,
    as_of: Annotated[IsoDate | None, Query(description="the day of the report; default today")] = None,
    months: Annotated[int, Query(ge=1, le=MAX_MONTHS, description="due: planned within so many months")] = DUE_MONTHS,
) -> dict[str, Any]:  # fmt: skip
    return await service.report(rt, as_of, months)
