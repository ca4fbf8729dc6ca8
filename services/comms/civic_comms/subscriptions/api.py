"""HTTP edge of subscriptions to topics. The three resident's routes (subscribe, confirm, unsubscribe) are
called by the council's public site on the resident's behalf (``comms:write``); the officers' routes count
subscribers (``comms:read``), show their addresses (``comms:approve`` only) and follow bulletins' deliveries.
An address is in a request body and the ``comms:approve`` list only: never in a path, a log line or an event."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from civic.http import Paging, Pattern, RequestModel, Rt
from civic.problems import problem_response
from fastapi import APIRouter, Query
from pydantic import Field

from civic_comms.http import Reader, Writer
from civic_comms.issuing.api import DeliveryFilter, Email
from civic_comms.subscriptions import reports, service
from civic_comms.subscriptions.domain import SUBSCRIPTION_STATUSES, TOKEN_PATTERN, TOPIC_PATTERN

router = APIRouter(tags=["subscriptions"])

TopicText = Annotated[str, Pattern(TOPIC_PATTERN, "campaign:<campaign id> or consultation:<consultation id>")]
#: opaque: only a token this service emailed is known (as a cursor is)
Token = Annotated[str, Pattern(TOKEN_PATTERN, "the token from the link, as it was sent")]
SubscriptionStatus = Literal[SUBSCRIPTION_STATUSES]  # type: ignore[valid-type]

GONE: dict[int | str, dict[str, Any]] = {
    410: problem_response(410, "The link was used already, has expired or was never sent")}


class NewSubscription(RequestModel):
    email: Email = Field(description="where the confirmation email, then the bulletins, are sent")
    topic: TopicText = Field(description="campaign:<campaign id> or consultation:<consultation id> (its outcome); "
                                         "422 when it names nothing")


class LinkToken(RequestModel):
    token: Token = Field(description="the token the emailed link carries")


@router.post("/subscriptions")
async def subscribe(body: NewSubscription, caller: Writer, rt: Rt) -> dict[str, Any]:
    """Ask to subscribe: a pending subscription and an email with a confirmation link (valid 7 days). The same
    answer whatever the address's standing (a confirmed address is sent nothing new). At most 3 confirmation
    emails an address and topic in 24 hours (the comms setting CIVIC_COMMS_CONFIRMATIONS_PER_DAY): a request
    beyond them is answered the same and sends nothing."""
    return await service.request_subscription(rt, body.email, body.topic, caller)


@router.post("/subscriptions/confirmation", responses=GONE)
async def confirm(body: LinkToken, caller: Writer, rt: Rt) -> dict[str, Any]:
    """Double opt-in: the emailed link's token confirms its subscription. 410 when the token was used, has
    expired or is unknown (nothing changes)."""
    return await service.confirm(rt, body.token, caller)


@router.post("/subscriptions/unsubscribe", responses=GONE)
async def unsubscribe(body: LinkToken, caller: Writer, rt: Rt) -> dict[str, Any]:
    """One click: a bulletin's unsubscribe token ends its subscription; a second time answers the same. 410
    for a token never sent."""
    return await service.unsubscribe(rt, body.token, caller)


@router.get("/subscription-topics")
async def topic_counts(
    caller: Reader, rt: Rt,
    topic: Annotated[TopicText | None, Query(description="one topic (counted as zeros when nobody subscribed)")] = None,
) -> dict[str, Any]:
    """Each topic's subscriptions counted by status (pending, confirmed, unsubscribed): numbers, no addresses."""
    return await reports.topic_counts(rt, topic)


@router.get("/subscriptions")
async def list_subscriptions(
    page: Paging, caller: Reader, rt: Rt,
    topic: Annotated[TopicText | None, Query()] = None,
    status: Annotated[SubscriptionStatus | None, Query(description=" | ".join(SUBSCRIPTION_STATUSES))] = None,
) -> dict[str, Any]:
    """The subscriptions with their addresses: comms:approve only (403 otherwise)."""
    return await reports.list_subscriptions(rt, caller, page, topic, status)


@router.get("/bulletins")
async def list_bulletins(
    page: Paging, caller: Reader, rt: Rt, topic: Annotated[TopicText | None, Query()] = None,
) -> dict[str, Any]:
    """Bulletins issued: published content on the email bulletin channel and consultations' outcomes."""
    return await reports.list_bulletins(rt, page, topic)


@router.get("/bulletins/{bulletin_id}")
async def get_bulletin(bulletin_id: str, caller: Reader, rt: Rt) -> dict[str, Any]:
    """A bulletin with its deliveries counted by status."""
    return await reports.get_bulletin(rt, bulletin_id)


@router.get("/bulletins/{bulletin_id}/deliveries")
async def list_deliveries(
    bulletin_id: str, page: Paging, caller: Reader, rt: Rt,
    status: DeliveryFilter = None,
) -> dict[str, Any]:
    """Each subscriber's copy by id: status, attempts, when sent or the last error (never the address)."""
    return await reports.list_deliveries(rt, bulletin_id, page, status)
