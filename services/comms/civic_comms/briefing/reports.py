"""Reading the briefing: one week's briefing, composed from its stored items, and the media coverage log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from civic.documents import resource
from civic.http import Page, paginate
from pymongo import ASCENDING

from civic_comms.briefing.domain import IsoWeek, compose
from civic_comms.repository import BRIEFING_ITEMS, MEDIA_COVERAGE

if TYPE_CHECKING:
    from civic.service import Runtime
    from pymongo.asynchronous.client_session import AsyncClientSession
    from pymongo.asynchronous.database import AsyncDatabase

#: how an item is stored but not what councillors read
_BOOKKEEPING = ("week", "version", "created_at", "updated_at")


async def get_briefing(rt: Runtime, iso_week: str) -> dict[str, Any]:
    return await compiled(rt.db, IsoWeek.parse(iso_week))


async def compiled(db: AsyncDatabase[Any], week: IsoWeek, session: AsyncClientSession | None = None) -> dict[str, Any]:
    """The week's briefing as it stands; in a session, as the transaction that approves it sees it."""
    docs = await db[BRIEFING_ITEMS].find({"week": str(week)}, session=session).sort("occurred_at", ASCENDING).to_list()
    items = [{k: v for k, v in resource(d).items() if k not in _BOOKKEEPING} for d in docs]
    return compose(week, items)


async def list_media_coverage(rt: Runtime, page: Page) -> dict[str, Any]:
    return await paginate(rt.db[MEDIA_COVERAGE], {}, page)
