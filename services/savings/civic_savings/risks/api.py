"""HTTP <-> the RAID log. Translation only: the rules are in domain.py, the work in service.py.

An item is recorded on its programme (``/v1/programmes/{name}/raid``) or on an initiative
(``/v1/initiatives/{initiative_id}/raid``); then it is one register, ``/v1/raid``, filtered by programme,
initiative, kind and status. Each item has its own version (ETag), which an amendment and a closure take as
If-Match.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from civic.http import WHOLE, Paging, RequestModel, Rt, versioned
from civic.problems import created
from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import Field, StrictBool, model_validator

from civic_savings.http import Reader, Writer, record_routes, step_route
from civic_savings.initiatives.api import Reason, Text, needs
from civic_savings.programme.api import TargetName, TargetNameText
from civic_savings.risks import service
from civic_savings.risks.domain import HIGHEST, LOWEST, RAID_KINDS, RAID_STATUSES

router = APIRouter(prefix="/v1", tags=["savings"])

RaidKind = Literal[RAID_KINDS]  # type: ignore[valid-type]
RaidStatus = Literal[RAID_STATUSES]  # type: ignore[valid-type]
Scale = Annotated[int, Field(ge=LOWEST, le=HIGHEST, description="1 (lowest) to 5 (highest)"), WHOLE]
Programme = Annotated[TargetNameText, TargetName]
ONE = "/raid/{item_id}"


def _decision_schema(schema: dict[str, Any]) -> None:
    # a decision needed is sent with what the board is asked to decide
    needs("decision", "decision_needed", (True,), schema)


class NewRaidItem(RequestModel):
    model_config = {"json_schema_extra": _decision_schema}

    kind: RaidKind = Field(description="risk, assumption, issue or dependency")
    title: Text = Field(description="what it is, e.g. \"Hospital discharge demand outstrips the saving\"")
    owner: Text = Field(description="who manages it")
    likelihood: Scale
    impact: Scale
    review_on: date = Field(description="when it is next reviewed (ISO 8601)")
    description: Reason | None = None
    mitigation: Reason | None = Field(None, description="what is done about it")
    decision_needed: StrictBool = Field(False, description="the programme board is asked to decide something")
    decision: Text | None = Field(None, description="what the board is asked to decide; required with "
                                  "decision_needed")


def _changes_schema(schema: dict[str, Any]) -> None:
    # decision_needed set true comes with its decision; the decision is cleared only with decision_needed false
    needs("decision", "decision_needed", (True,), schema)
    cleared = {"required": ["decision"], "properties": {"decision": {"type": "null"}}}
    not_needed = {"required": ["decision_needed"], "properties": {"decision_needed": {"const": False}}}
    schema.setdefault("allOf", []).append({"anyOf": [{"not": cleared}, not_needed]})


class RaidChanges(RequestModel):
    """Only the fields sent change, and only while the item is open; its rating follows likelihood and impact."""

    model_config = {"json_schema_extra": _changes_schema}

    title: Text = Field(None, description="cannot be emptied")  # type: ignore[assignment]
    owner: Text = Field(None, description="cannot be emptied")  # type: ignore[assignment]
    likelihood: Scale = Field(None, description="cannot be emptied")  # type: ignore[assignment]
    impact: Scale = Field(None, description="cannot be emptied")  # type: ignore[assignment]
    review_on: date = Field(None, description="cannot be emptied")  # type: ignore[assignment]
    description: Reason | None = None
    mitigation: Reason | None = None
    decision_needed: StrictBool = Field(None, description="cannot be emptied; true comes with its decision")  # type: ignore[assignment]
    decision: Text | None = Field(None, description="what the board is asked to decide; null only with "
                                  "decision_needed false")

    @model_validator(mode="after")
    def _decision_together(self) -> RaidChanges:
        sent = self.model_fields_set
        if self.decision_needed is True and self.decision is None:
            raise ValueError("decision is required with decision_needed true: say what the board is asked to decide")
        if "decision" in sent and self.decision is None and self.decision_needed is not False:
            raise ValueError("decision is cleared only together with decision_needed false")
        return self


class Closure(RequestModel):
    reason: Reason = Field(description="why it no longer needs managing")


@router.post("/programmes/{name}/raid", status_code=201, summary="Record a risk, assumption, issue or dependency "
             "of a programme", responses=created("item_id"))  # fmt: skip
async def record_for_programme(name: Programme, body: NewRaidItem, caller: Writer, rt: Rt) -> JSONResponse:
    return versioned(await service.record(rt, body.model_dump(), caller, programme=name), status=201)


@router.post("/initiatives/{initiative_id}/raid", status_code=201, summary="Record a risk, assumption, issue or "
             "dependency of an initiative", responses=created("item_id"))  # fmt: skip
async def record_for_initiative(initiative_id: str, body: NewRaidItem, caller: Writer, rt: Rt) -> JSONResponse:
    return versioned(await service.record(rt, body.model_dump(), caller, initiative_id=initiative_id), status=201)


@router.get("/raid", summary="The RAID log: items of every programme and initiative, or filtered")
async def list_items(
    page: Paging, caller: Reader, rt: Rt,
    programme: Annotated[str | None, Query(description='e.g. "LGR": its own items and its initiatives\'')] = None,
    initiative_id: str | None = None, kind: RaidKind | None = None, status: RaidStatus | None = None,
) -> dict[str, Any]:  # fmt: skip
    return await service.list_items(rt, page, programme=programme, initiative_id=initiative_id, kind=kind,
                                    status=status)  # fmt: skip


record_routes(router, ONE, service.get, service.amend, RaidChanges,
              summaries=("One RAID item (its ETag for a change)",
                         "Amend a RAID item (owner, likelihood, impact, mitigation, review date, ...)"))


step_route(router, ONE + "/closure", "close", Closure, service.close, detail="reason",
           summary="Close a RAID item, with the reason")
