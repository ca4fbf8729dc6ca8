"""HTTP <-> the delivery plans' use cases. Translation only: the rules are in domain.py, the work in service.py.

An initiative's milestones live under it (``/v1/initiatives/{initiative_id}/milestones``); each has its own
version (ETag), which its changes take as If-Match. The overdue ones of a programme or of the register are
``GET /v1/reports/milestones/overdue``; ``POST /v1/milestone-checks`` announces the missed ones now.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from civic.http import Paging, RequestModel, Rt
from fastapi import APIRouter, Query
from pydantic import Field

from civic_savings.http import Reader, Writer, new_record_route, record_routes, step_route
from civic_savings.initiatives.api import Reason, Text
from civic_savings.milestones import missed, service
from civic_savings.milestones.domain import MILESTONE_STATUSES

router = APIRouter(prefix="/v1", tags=["savings"])

MilestoneStatus = Literal[MILESTONE_STATUSES]  # type: ignore[valid-type]
MILESTONES = "/initiatives/{initiative_id}/milestones"
ONE = MILESTONES + "/{milestone_id}"


class NewMilestone(RequestModel):
    title: Text = Field(description='what is to happen, e.g. "Consultation with staff closes"')
    owner: Text = Field(description="who answers for it")
    due: date = Field(description="the day it is due (ISO 8601); overdue once the council's today is later")


class MilestoneChanges(RequestModel):
    """Only the fields sent change, and only while the milestone is planned."""

    title: Text = Field(None, description="cannot be emptied")  # type: ignore[assignment]
    owner: Text = Field(None, description="cannot be emptied")  # type: ignore[assignment]
    due: date = Field(None, description="a new due date (ISO 8601)")  # type: ignore[assignment]


class Completion(RequestModel):
    evidence: Reason = Field(description="what shows it is done (a decision's minute, a signed contract, ...)")


class Dropping(RequestModel):
    reason: Reason = Field(description="why it is no longer part of the plan")


new_record_route(router, MILESTONES, "plan", NewMilestone, service.plan, id_field="milestone_id",
                 summary="Add a milestone to an initiative's delivery plan")


@router.get(MILESTONES, summary="An initiative's delivery plan: its milestones")
async def list_milestones(
    initiative_id: str, page: Paging, caller: Reader, rt: Rt, status: MilestoneStatus | None = None
) -> dict[str, Any]:
    return await service.list_milestones(rt, initiative_id, page, status)


record_routes(router, ONE, service.get, service.change, MilestoneChanges, amend_name="change",
              summaries=("One milestone (its ETag for a change)", "Change a milestone (what, owner, due date)"))


step_route(router, ONE + "/completion", "complete", Completion, service.complete, detail="evidence",
           summary="Complete a milestone, with its evidence")
step_route(router, ONE + "/drop", "drop", Dropping, service.drop, detail="reason",
           summary="Drop a milestone from the plan, with the reason")


@router.get("/reports/milestones/overdue", summary="Overdue milestones, of a programme or of the register")
async def overdue(
    caller: Reader, rt: Rt,
    programme: Annotated[str | None, Query(description='e.g. "LGR"; default: every programme')] = None,
) -> dict[str, Any]:  # fmt: skip
    return await service.overdue(rt, programme)


@router.post("/milestone-checks", summary="Announce the milestones missed (still planned after their due date)")
async def check_milestones(caller: Writer, rt: Rt) -> dict[str, Any]:
    """Publishes ``savings.milestone.missed`` for each planned milestone whose due date has passed, once per
    milestone and due date (the background check does the same every hour): ``{on, announced, newly_announced}``."""
    return await missed.check_milestones(rt)
