"""HTTP edge of the briefing's issue: the councillors subscribed to it, a week's approval (``comms:approve``)
and issue, and its deliveries. Names and addresses are personal data: they are in these routes' bodies and
answers only, never in a path, a log line, a trace or an event."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from civic.http import IsoWeekText, Name, Paging, Pattern, RequestModel, Rt, versioned
from fastapi import APIRouter, Query, Response
from pydantic import Field

from civic_comms.http import Reader, Writer, records_routes
from civic_comms.issuing import reports, service
from civic_comms.issuing.domain import DELIVERY_STATUSES, EMAIL_LENGTH, EMAIL_PATTERN

router = APIRouter(tags=["briefing"])

DeliveryStatus = Literal[DELIVERY_STATUSES]  # type: ignore[valid-type]
#: a list of deliveries (the briefing's, a bulletin's) in one status only
DeliveryFilter = Annotated[DeliveryStatus | None, Query(description=" | ".join(DELIVERY_STATUSES))]
#: the domain's own expression (which checks it again, for callers other than HTTP)
Email = Annotated[str, Pattern(EMAIL_PATTERN, "an email address such as name@example.gov.uk"),
                  Field(max_length=EMAIL_LENGTH)]


class NewSubscriber(RequestModel):
    name: Name = Field(description="the councillor's name, as the briefing greets them")
    email: Email = Field(description="where the briefing is sent; one subscription per address (409 for a second)")


class Approval(RequestModel):
    send_at: datetime | None = Field(
        None, description="when it goes out, with a time zone (default: Friday 16:00 London time of that week; a "
                          "time already past sends it at the scheduler's next round)",
    )


records_routes(
    router, "/briefing-subscribers", ("subscribe", NewSubscriber, service.subscribe),
    ("list_subscribers", reports.list_subscribers), id_field="subscriber_id",
    add_notes="A councillor subscribes to the weekly briefing (409 when the address is subscribed already).",
)  # fmt: skip


@router.delete("/briefing-subscribers/{subscriber_id}", status_code=204)
async def unsubscribe(subscriber_id: str, caller: Writer, rt: Rt) -> Response:
    """No more briefings; deliveries not yet sent to them are withdrawn."""
    await service.unsubscribe(rt, subscriber_id, caller)
    return Response(status_code=204)


@router.post("/briefings/{iso_week}/approval", status_code=201)
async def approve(iso_week: IsoWeekText, body: Approval, caller: Writer, rt: Rt) -> Response:
    """Approve the week's briefing as it stands (comms:approve, else 403) and say when it goes out. 409 when
    approved already or the week has not begun."""
    return versioned(await service.approve(rt, iso_week, caller, body.send_at), status=201)


@router.get("/briefings/{iso_week}/issue")
async def get_issue(iso_week: IsoWeekText, caller: Reader, rt: Rt) -> Response:
    """The approved briefing: what goes out, when, whether issued, and its deliveries counted by status."""
    return versioned(await reports.get_issue(rt, iso_week))


@router.post("/briefings/{iso_week}/issue")
async def issue_now(iso_week: IsoWeekText, caller: Writer, rt: Rt) -> Response:
    """Issue an approved briefing now rather than at its time (comms:approve): one delivery per subscriber,
    sent within seconds. 409 when not approved, or issued already."""
    return versioned(await service.issue_now(rt, iso_week, caller))


@router.get("/briefings/{iso_week}/deliveries")
async def list_deliveries(
    iso_week: IsoWeekText, page: Paging, caller: Reader, rt: Rt,
    status: DeliveryFilter = None,
) -> dict[str, Any]:
    """Each subscriber's delivery: status, attempts, when sent and the server's answer, or the last error."""
    return await reports.list_deliveries(rt, iso_week, page, status)
