"""HTTP edge of content and campaigns: request models and routes, translating to the service layer and back.

Approving one's own content is refused with 403 (Forbidden): the caller may hold comms:approve,
but not for their own words. A missing sign-off is 409: the content's state must change first.
Recording the safeguarding board's sign-off by hand is 403 too: the board authorises its own media
communications, by a decision in safeguarding that comms records the sign-off from.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from civic.http import (
    NOT_BLANK_TEXT,
    WHITE_SPACE,
    IfMatch,
    IsoDate,
    LongRequired,
    NonBlank,
    Paging,
    Pattern,
    RequestModel,
    Rt,
    required_when,
    rules,
    versioned,
    when,
)
from fastapi import APIRouter, Query, Response
from pydantic import Field, StringConstraints

from civic_comms.content import reports, service
from civic_comms.content.domain import (
    AUDIENCES,
    CONTENT_STATUSES,
    CONTENT_TARGETS,
    FIXED_CHANNELS,
    SOCIAL_NETWORK,
    SOCIAL_PREFIX,
)
from civic_comms.http import Reader, Title, Writer, records_routes

router = APIRouter()


# the enumerations are the domain's own (which still checks them, for callers other than HTTP)
FixedChannel = Literal[FIXED_CHANNELS]  # type: ignore[valid-type]
SocialChannel = Annotated[str, StringConstraints(pattern=f"^{SOCIAL_PREFIX}{SOCIAL_NETWORK}$")]
Channel = FixedChannel | SocialChannel
Audience = Literal[AUDIENCES]  # type: ignore[valid-type]
Target = Literal[CONTENT_TARGETS]  # type: ignore[valid-type]
ContentStatus = Literal[CONTENT_STATUSES]  # type: ignore[valid-type]

CHANNELS = f"{', '.join(FIXED_CHANNELS)}, {SOCIAL_PREFIX}<network>"
Body = LongRequired
Channels = Annotated[list[Channel], Field(min_length=1, max_length=20, description=CHANNELS)]
Audiences = Annotated[
    Audience | Annotated[list[Audience], Field(min_length=1)],
    Field(description=f"{', '.join(AUDIENCES)} (one or more)"),
]
#: a body that signs off, as the domain reads it: lower case and underscores, spaces around it ignored
ApprovingBody = Annotated[
    str,
    Pattern(f"^[{WHITE_SPACE}]*[a-z][a-z0-9_]{{1,63}}[{WHITE_SPACE}]*$",
            "lower case with underscores, e.g. safeguarding_board"),
]


class NewContent(RequestModel):
    title: Title
    body: Body
    channels: Channels
    audience: Audiences
    campaign_id: str | None = Field(None, description="a campaign that exists")
    publish_at: datetime | None = Field(None, description="when it should go out (with a time zone); used when scheduling")
    requires_approval_by: ApprovingBody | None = Field(
        None, description="a body whose sign-off must be recorded first, e.g. safeguarding_board"
    )


class ContentChanges(RequestModel):
    title: Title = None  # type: ignore[assignment]
    body: Body = None  # type: ignore[assignment]
    channels: Channels = None  # type: ignore[assignment]
    audience: Audiences = None
    campaign_id: str | None = None
    publish_at: datetime | None = None


class ContentTransition(RequestModel):
    model_config = {"json_schema_extra": rules(
        required_when("to", ("draft",), "reason"),
        when("to", "draft", {"properties": {"reason": NOT_BLANK_TEXT}}),
    )}

    to: Target = Field(description=" | ".join(CONTENT_TARGETS))
    reason: str | None = Field(None, max_length=2000, description="required when sending back to draft")
    publish_at: datetime | None = Field(
        None, description="when scheduling: a time in the future, with a time zone (default: the content's own)"
    )


class SignOffBody(RequestModel):
    body: Annotated[NonBlank, Field(
        max_length=100,
        description="the body signing off, as the content's requires_approval_by names it; never safeguarding_board "
        "(the board's sign-off is its own decision: 403)",
    )]
    signed_by: Annotated[NonBlank, Field(max_length=200, description="who signed for it, e.g. the independent chair")]


class NewCampaign(RequestModel):
    title: Title
    objectives: list[str] = Field(
        max_length=50, description="at least one that is not blank",
        json_schema_extra={"contains": dict(NOT_BLANK_TEXT)},
    )
    starts_on: date
    ends_on: date = Field(description="not before starts_on")
    owner: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=10_000)


# --- content ----------------------------------------------------------------------------------


def content_filters(
    status: ContentStatus | None = None, campaign_id: str | None = None, channel: str | None = None
) -> dict[str, Any]:
    return {"status": status, "campaign_id": campaign_id, "channel": channel}


records_routes(
    router, "/content", ("create_content", NewContent, service.create_content),
    ("list_content", reports.list_content), id_field="content_id", filters=content_filters, tags=["content"],
)  # fmt: skip


@router.get("/content/{content_id}", tags=["content"])
async def get_content(content_id: str, caller: Reader, rt: Rt) -> Response:
    return versioned(await reports.get_content(rt, content_id))


@router.patch("/content/{content_id}", tags=["content"])
async def edit_content(content_id: str, body: ContentChanges, if_match: IfMatch, caller: Writer, rt: Rt) -> Response:
    changes = body.model_dump(exclude_unset=True)
    return versioned(await service.edit_content(rt, content_id, changes, caller, if_match))


@router.post("/content/{content_id}/transitions", tags=["content"])
async def move_content(content_id: str, body: ContentTransition, if_match: IfMatch, caller: Writer, rt: Rt) -> Response:
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
async def sign_off(content_id: str, body: SignOffBody, if_match: IfMatch, caller: Writer, rt: Rt) -> Response:
    """Record the named body's sign-off, as the content's `requires_approval_by` names it.

    Not the safeguarding board's (403, nothing changes): the board authorises its own media communications
    by a decision in safeguarding naming the content (`authorises_content_id`, at a meeting or between
    meetings), and comms records the sign-off from that decision's event."""
    result = await service.sign_off(
        rt, content_id, body=body.body, signed_by=body.signed_by, caller=caller, expected_version=if_match
    )
    return versioned(result, status=201)


# --- campaigns and the forward plan -----------------------------------------------------------


records_routes(
    router, "/campaigns", ("create_campaign", NewCampaign, service.create_campaign),
    ("list_campaigns", reports.list_campaigns), id_field="campaign_id", tags=["campaigns"],
)  # fmt: skip


@router.get("/campaigns/{campaign_id}", tags=["campaigns"])
async def get_campaign(campaign_id: str, caller: Reader, rt: Rt) -> Response:
    return versioned(await reports.get_campaign(rt, campaign_id))


@router.get("/campaigns/{campaign_id}/content", tags=["campaigns"])
async def campaign_content(campaign_id: str, page: Paging, caller: Reader, rt: Rt) -> dict[str, Any]:
    return await reports.campaign_content(rt, campaign_id, page)


@router.get("/forward-plan", tags=["campaigns"])
async def forward_plan(
    caller: Reader, rt: Rt,
    start: Annotated[IsoDate | None, Query(alias="from", description="first day; default today")] = None,
    end: Annotated[IsoDate | None, Query(alias="to", description="last day; default four weeks on")] = None,
) -> dict[str, Any]:
    return await reports.forward_plan(rt, start, end)
