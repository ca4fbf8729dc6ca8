"""Content use cases: draft, edit, move through the workflow, record a sign-off, publish what is due;
record the safeguarding board's sign-off from its decision; and plan campaigns.

Each use case's ``work`` runs in ``rt.transaction``, which runs it again when a concurrent change to
the same record won the race (everything the failed attempt wrote was rolled back): so ``work``
reads what it needs afresh and has no effect outside the database (logging comes after).
``record_board_authorisation`` runs in the consumer's unit of work instead (the inbox records the event
in the same transaction), so it logs from inside it: a retried attempt may log its warning again.

A reference in a request body that names nothing (a content's ``campaign_id``) is a validation
failure (422 naming the field); an unknown id in the path is 404.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from civic.documents import fields_of, insert, new_id, now, resource
from civic.errors import Invalid, NotFound, Refused
from civic.uow import UnitOfWork
from civic_contracts.comms import ContentApproved, ContentPublished
from pymongo import ASCENDING

from civic_comms.content.domain import APPROVED, PUBLISHED, SCHEDULED, BoardAuthorisation, Campaign, Content
from civic_comms.content.repository import CONTENT_RECORDS, campaign_to_document, content_to_document, content_to_model
from civic_comms.repository import CAMPAIGNS, CONTENT
from civic_comms.subscriptions import service as subscriptions
from civic_comms.subscriptions.domain import bulletin_topic

if TYPE_CHECKING:
    from civic.auth import Caller
    from civic.service import Runtime

log = logging.getLogger("civic.comms")


async def _check_campaign(db: Any, campaign_id: str | None, session: Any = None) -> None:
    if (
        campaign_id is not None
        and await db[CAMPAIGNS].find_one({"_id": campaign_id}, session=session) is None
    ):
        raise Invalid.at("campaign_id", "no such campaign", f"No campaign with id {campaign_id!r}.")


async def create_content(rt: Runtime, body: dict[str, Any], caller: Caller) -> dict[str, Any]:
    content = Content.draft(id=new_id(), author=caller.sub, **body)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        await _check_campaign(uow.db, content.campaign_id, uow.session)
        return await insert(uow, CONTENT, content_to_document(content))

    return resource(await rt.transaction(work))


async def edit_content(
    rt: Runtime, content_id: str, changes: dict[str, Any], caller: Caller, expected_version: int | None
) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc, content = await CONTENT_RECORDS.load(uow, content_id, expected_version)
        content.edit(**changes)
        await _check_campaign(uow.db, changes.get("campaign_id"), uow.session)
        return await CONTENT_RECORDS.save(uow, doc, content)

    return resource(await rt.transaction(work))


async def move_content(
    rt: Runtime,
    content_id: str,
    *,
    to: str,
    caller: Caller,
    expected_version: int | None,
    reason: str | None = None,
    publish_at: datetime | None = None,
) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc, content = await CONTENT_RECORDS.load(uow, content_id, expected_version)
        content.move(
            to,
            by=caller.sub,
            may_approve=caller.has("comms:approve"),
            now=now(),
            reason=reason,
            publish_at=publish_at,
        )
        saved = await CONTENT_RECORDS.save(uow, doc, content)
        if to == APPROVED:
            uow.emit(_approved_event(content))
        elif to == PUBLISHED:
            uow.emit(_published_event(content, scheduled=False))
            await _bulletin(uow, content)
        return saved

    return resource(await rt.transaction(work))


async def sign_off(
    rt: Runtime, content_id: str, *, body: str, signed_by: str, caller: Caller, expected_version: int | None
) -> dict[str, Any]:
    saved = await CONTENT_RECORDS.change(
        rt, content_id, expected_version, lambda content: content.record_sign_off(body, signed_by, now())
    )
    log.info("sign-off recorded", extra={"content_id": content_id, "body": body, "by": caller.sub})
    return resource(saved)


async def record_board_authorisation(
    uow: UnitOfWork, content_id: str, decision: BoardAuthorisation, at: datetime
) -> dict[str, Any] | None:
    """The safeguarding board's sign-off on ``content_id``, from the board's decision that authorises it
    (``safeguarding.decision.recorded`` with ``authorises_content_id``), in the consumer's unit of work.

    Returns the saved content (its version bumped), or None when nothing is recorded. Nothing is recorded,
    and the event is still handled (never dead-lettered: sending it again would change nothing), when the
    decision was not carried (logged as information), when this decision's sign-off is already recorded
    (the event again: silently), and with a warning naming the decision and the content when the content
    does not exist, needs no board's sign-off, is already published, or has the board's sign-off already.
    """
    context = {"decision_id": decision.decision_id, "content_id": content_id, "board_id": decision.board_id}
    if not decision.in_favour:
        log.info("board decision not in favour: no sign-off recorded", extra={**context, "outcome": decision.outcome})
        return None
    try:
        doc, content = await CONTENT_RECORDS.load(uow, content_id)
    except NotFound:
        log.warning("board authorisation names content that does not exist: no sign-off recorded", extra=context)
        return None
    try:
        sign_off = content.record_board_authorisation(decision, at)
    except Refused as refusal:
        log.warning(
            "board authorisation not recorded: %s", refusal.detail, extra={**context, "status": content.status}
        )
        return None
    if sign_off is None:
        return None  # this decision's sign-off is already recorded
    saved = await CONTENT_RECORDS.save(uow, doc, content)
    log.info("board sign-off recorded", extra={**context, "body": sign_off.body, "by": sign_off.signed_by})
    return saved


def _identity(content: Content) -> dict[str, Any]:
    """What every content event says of the item: which it is, where it goes and to whom."""
    return {"content_id": content.id, **fields_of(content, "title", "channels", "audience", "campaign_id")}


def _approved_event(content: Content) -> ContentApproved:
    assert content.approved_by is not None and content.approved_at is not None
    return ContentApproved(
        **_identity(content),
        author=content.author,
        approved_by=content.approved_by,
        approved_at=content.approved_at,
        signed_off_by=content.requires_approval_by if content.sign_offs else None,
    )


def _published_event(content: Content, *, scheduled: bool) -> ContentPublished:
    assert content.published_at is not None
    return ContentPublished(**_identity(content), published_at=content.published_at, scheduled=scheduled)


async def _bulletin(uow: UnitOfWork, content: Content) -> None:
    """Content on the email bulletin channel goes to its campaign's subscribers, in its publishing transaction."""
    topic = bulletin_topic(content.channels, content.campaign_id)
    if topic is not None and content.published_at is not None:
        await subscriptions.issue_bulletin(uow, topic=topic, source="content", source_id=content.id,
                                           subject=content.title, text=content.body, at=content.published_at)


async def publish_due(rt: Runtime, at: datetime | None = None) -> int:
    """Publish every scheduled item whose time has come; safe with several replicas.

    Each item is published by the domain's rule (``Content.publish_when_due``) and saved with its event
    in one transaction, like any other step of the workflow. Two replicas that pick the same item meet
    on its version: the loser's transaction is run again, no longer finds the item due, and goes on to
    the next, so each item is published once.
    """
    moment = at or now()
    published = 0

    async def publish_next(uow: UnitOfWork) -> bool:
        doc = await uow.db[CONTENT].find_one(
            {"status": SCHEDULED, "publish_at": {"$lte": moment}},
            sort=[("publish_at", ASCENDING)],
            session=uow.session,
        )
        if doc is None:
            return False
        content = content_to_model(doc)
        if not content.publish_when_due(moment):
            return False  # the query and the rule disagree: end the round rather than pick it again
        await CONTENT_RECORDS.save(uow, doc, content)
        uow.emit(_published_event(content, scheduled=True))
        await _bulletin(uow, content)
        return True

    while await rt.transaction(publish_next):
        published += 1
    return published


# --- campaigns --------------------------------------------------------------------------------


async def create_campaign(rt: Runtime, body: dict[str, Any], caller: Caller) -> dict[str, Any]:
    campaign = Campaign.plan(id=new_id(), owner=body.pop("owner", None) or caller.sub, **body)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        return await insert(uow, CAMPAIGNS, campaign_to_document(campaign))

    return resource(await rt.transaction(work))
