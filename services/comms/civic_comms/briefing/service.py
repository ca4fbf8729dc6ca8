"""Briefing use cases: an item for each event councillors should hear of, a draft for the team when
another service's change needs telling (once per source), and media coverage logged by the team.

The event use cases run in the consumer's unit of work (the inbox records the event in the same
transaction); logging coverage runs in ``rt.transaction``, which may run it again after a conflict.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from civic.documents import fields_of, insert, new_id, resource
from civic.uow import UnitOfWork
from pymongo.errors import DuplicateKeyError

from civic_comms.briefing.domain import BriefingItem, MediaCoverage, ReactionDraft, item_from_media
from civic_comms.briefing.repository import briefing_item_to_document, media_coverage_to_document
from civic_comms.content.domain import Content
from civic_comms.content.repository import content_to_document
from civic_comms.domain import SYSTEM_AUTHOR
from civic_comms.repository import BRIEFING_ITEMS, CONTENT, MEDIA_COVERAGE

if TYPE_CHECKING:
    from civic.auth import Caller
    from civic.service import Runtime


async def brief_event(uow: UnitOfWork, event_id: str, item: BriefingItem) -> None:
    """The item in the briefing of the week the event happened (once per event id)."""
    if await uow.db[BRIEFING_ITEMS].find_one({"source_event_id": event_id}, session=uow.session):
        return
    await insert(uow, BRIEFING_ITEMS, briefing_item_to_document(item, source_event_id=event_id))


async def draft_reaction(uow: UnitOfWork, draft: ReactionDraft) -> str | None:
    """The draft for a source (closure, move, annual report), once however often the event comes."""
    existing = await uow.db[CONTENT].find_one(
        {"source_key": draft.source_key}, {"_id": 1}, session=uow.session
    )
    if existing is not None:
        return None
    content = Content.draft(
        id=new_id(),
        author=SYSTEM_AUTHOR,
        **fields_of(draft, "title", "body", "channels", "audience", "requires_approval_by", "source_key"),
    )
    try:
        doc = await insert(uow, CONTENT, content_to_document(content))
    except DuplicateKeyError:
        return None
    return str(doc["_id"])


async def log_media_coverage(rt: Runtime, body: dict[str, Any], caller: Caller) -> dict[str, Any]:
    """The coverage, and its item in the briefing of the week it was published, written together."""
    coverage = MediaCoverage.log(id=new_id(), logged_by=caller.sub, **body)
    item = item_from_media(
        coverage.outlet, coverage.headline, coverage.sentiment, coverage.published_on, coverage.summary
    )

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc = await insert(uow, MEDIA_COVERAGE, media_coverage_to_document(coverage))
        await insert(uow, BRIEFING_ITEMS, briefing_item_to_document(item, media_coverage_id=coverage.id))
        return doc

    return resource(await rt.transaction(work))
