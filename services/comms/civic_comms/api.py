"""HTTP edge of the comms service: request models and routes, translating to the service layer.

Approving one's own content is refused with 403 (Forbidden): the caller may hold comms:approve,
but not for their own words. A missing sign-off is 409: the content's state must change first.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any

from civic.documents import now
from civic.http import Caller, IfMatch, IsoDate, Page, RequestModel, current_runtime, paginate, require, versioned
from civic.service import Runtime
from fastapi import APIRouter, Depends, Query, Response
from pydantic import Field

from civic_comms import service
from civic_comms.briefing import api as briefing_api
from civic_comms.champions import api as champions_api
from civic_comms.consultations import api as consultations_api
from civic_comms.domain import CONTENT_STATUSES, council_date
from civic_comms.repository import (
    CAMPAIGNS,
    CONTENT,
)

router = APIRouter(prefix="/v1", tags=["comms"])

READ = Depends(require("comms:read"))
WRITE = Depends(require("comms:write"))
RT = Depends(current_runtime)


# --- content ----------------------------------------------------------------------------------


class NewContent(RequestModel):
    title: str = Field(max_length=300)
    body: str = Field(max_length=100_000)
    channels: list[str] = Field(
        max_length=20,
        description="website, press_release, social:<network>, intranet, "
        "staff_briefing, councillor_briefing, chief_executive_blog, teams, email_bulletin",
    )
    audience: str | list[str] = Field(
        description="residents, staff, councillors, partners, media (one or more)"
    )
    campaign_id: str | None = None
    publish_at: datetime | None = Field(None, description="when it should go out; used when scheduling")
    requires_approval_by: str | None = Field(
        None, description="a body whose sign-off must be recorded first, e.g. safeguarding_board"
    )


class ContentChanges(RequestModel):
    title: str | None = Field(None, max_length=300)
    body: str | None = Field(None, max_length=100_000)
    channels: list[str] | None = Field(None, max_length=20)
    audience: str | list[str] | None = None
    campaign_id: str | None = None
    publish_at: datetime | None = None


class ContentTransition(RequestModel):
    to: str = Field(description=" | ".join(CONTENT_STATUSES))
    reason: str | None = Field(None, max_length=2000, description="required when sending back to draft")
    publish_at: datetime | None = Field(None, description="when scheduling: a time in the future")


class SignOffBody(RequestModel):
    body: str = Field(max_length=100, description="the body signing off, e.g. safeguarding_board")
    signed_by: str = Field(max_length=200, description="who signed for it, e.g. the independent chair")


@router.post("/content", status_code=201, tags=["content"])
async def create_content(body: NewContent, caller: Caller = WRITE, rt: Runtime = RT) -> Response:
    return versioned(await service.create_content(rt, body.model_dump(), caller), status=201)


@router.get("/content", tags=["content"])
async def list_content(
    page: Page = Depends(),
    caller: Caller = READ,
    rt: Runtime = RT,
    status: Annotated[str | None, Query(pattern="^(" + "|".join(CONTENT_STATUSES) + ")$")] = None,
    campaign_id: str | None = None,
    channel: str | None = None,
) -> dict[str, Any]:
    query: dict[str, Any] = {}
    if status:
        query["status"] = status
    if campaign_id:
        query["campaign_id"] = campaign_id
    if channel:
        query["channels"] = channel
    return await paginate(rt.db[CONTENT], query, page)


@router.get("/content/{content_id}", tags=["content"])
async def get_content(content_id: str, caller: Caller = READ, rt: Runtime = RT) -> Response:
    return versioned(await service.get_content(rt, content_id))


@router.patch("/content/{content_id}", tags=["content"])
async def edit_content(
    content_id: str, body: ContentChanges, if_match: IfMatch, caller: Caller = WRITE, rt: Runtime = RT
) -> Response:
    changes = body.model_dump(exclude_unset=True)
    return versioned(await service.edit_content(rt, content_id, changes, caller, if_match))


@router.post("/content/{content_id}/transitions", tags=["content"])
async def move_content(
    content_id: str, body: ContentTransition, if_match: IfMatch, caller: Caller = WRITE, rt: Runtime = RT
) -> Response:
    """draft → in_review → approved (comms:approve, never the author: 403) → scheduled → published;
    back to draft with a reason. A required sign-off missing → 409."""
    return versioned(
        await service.move_content(
            rt,
            content_id,
            to=body.to,
            caller=caller,
            expected_version=if_match,
            reason=body.reason,
            publish_at=body.publish_at,
        )
    )


@router.post("/content/{content_id}/sign-offs", status_code=201, tags=["content"])
async def sign_off(
    content_id: str, body: SignOffBody, if_match: IfMatch, caller: Caller = WRITE, rt: Runtime = RT
) -> Response:
    """Record the named body's sign-off (e.g. the safeguarding board authorising its press release)."""
    result = await service.sign_off(
        rt, content_id, body=body.body, signed_by=body.signed_by, caller=caller, expected_version=if_match
    )
    return versioned(result, status=201)


# --- campaigns and the forward plan -----------------------------------------------------------


class NewCampaign(RequestModel):
    title: str = Field(max_length=300)
    objectives: list[str] = Field(max_length=50)
    starts_on: date
    ends_on: date
    owner: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=10_000)


@router.post("/campaigns", status_code=201, tags=["campaigns"])
async def create_campaign(body: NewCampaign, caller: Caller = WRITE, rt: Runtime = RT) -> Response:
    return versioned(await service.create_campaign(rt, body.model_dump(), caller), status=201)


@router.get("/campaigns", tags=["campaigns"])
async def list_campaigns(page: Page = Depends(), caller: Caller = READ, rt: Runtime = RT) -> dict[str, Any]:
    return await paginate(rt.db[CAMPAIGNS], {}, page)


@router.get("/campaigns/{campaign_id}", tags=["campaigns"])
async def get_campaign(campaign_id: str, caller: Caller = READ, rt: Runtime = RT) -> Response:
    return versioned(await service.get_campaign(rt, campaign_id))


@router.get("/campaigns/{campaign_id}/content", tags=["campaigns"])
async def campaign_content(
    campaign_id: str, page: Page = Depends(), caller: Caller = READ, rt: Runtime = RT
) -> dict[str, Any]:
    await service.get_campaign(rt, campaign_id)  # 404 for an unknown campaign, not an empty list
    return await paginate(rt.db[CONTENT], {"campaign_id": campaign_id}, page)


@router.get("/forward-plan", tags=["campaigns"])
async def forward_plan(
    caller: Caller = READ,
    rt: Runtime = RT,
    start: Annotated[IsoDate | None, Query(alias="from", description="first day; default today")] = None,
    end: Annotated[IsoDate | None, Query(alias="to", description="last day; default four weeks on")] = None,
) -> dict[str, Any]:
    first = start or council_date(now())
    return await service.forward_plan(rt, first, end or first + timedelta(days=28))


router.include_router(consultations_api.router)


router.include_router(briefing_api.router)
router.include_router(champions_api.router)


# --- dashboard --------------------------------------------------------------------------------


@router.get("/summary", tags=["dashboard"])
async def summary(caller: Caller = READ, rt: Runtime = RT) -> dict[str, Any]:
    """Content scheduled this week and the open consultations with their response counts."""
    return await service.summary(rt)
