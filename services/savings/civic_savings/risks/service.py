"""Use cases of the RAID log: record an item of a programme or of an initiative, amend it (If-Match), close it
with a reason; ``savings.risk.raised_to_red`` when an item's rating reaches red, in the same transaction."""

from __future__ import annotations

from typing import Any

from civic import calendar, documents
from civic.http import Caller, Page, paginate
from civic.service import Runtime
from civic.uow import UnitOfWork
from civic_contracts.savings import RiskRaisedToRed

from civic_savings.repository import INITIATIVES, RAID, RAID_RECORDS, raid_document
from civic_savings.risks.domain import RaidItem


def _raised_to_red(item: RaidItem, before: str | None) -> RiskRaisedToRed:
    return RiskRaisedToRed(
        risk_id=item.id, kind=item.kind, programme=item.programme, initiative_id=item.initiative_id,
        likelihood=item.likelihood, impact=item.impact, score=item.score, previous_rating=before,
    )  # fmt: skip


async def record(
    rt: Runtime, fields: dict[str, Any], caller: Caller, *, programme: str | None = None,
    initiative_id: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """A new item of ``programme``'s log, or of ``initiative_id``'s (404 when there is no such initiative; the
    item is in its programme's log too)."""

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        owner_programme = programme
        if initiative_id is not None:
            initiative = await documents.load(uow, INITIATIVES, initiative_id, kind="initiative")
            owner_programme = initiative.get("programme")
        item = RaidItem.record(id=documents.new_id(), programme=owner_programme, initiative_id=initiative_id,
                               fields=fields, by=caller.sub, now=calendar.now())  # fmt: skip
        doc = await documents.insert(uow, RAID, raid_document(item))
        if item.reached_red(None):
            uow.emit(_raised_to_red(item, None))
        return documents.resource(doc)

    return await rt.transaction(work)


async def amend(
    rt: Runtime, item_id: str, changes: dict[str, Any], caller: Caller, expected_version: int | None
) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc, item = await RAID_RECORDS.load(uow, item_id, expected_version)
        before = item.rating
        if not item.amend(changes, by=caller.sub, now=calendar.now()):
            return documents.resource(doc)  # nothing changed: no new version
        saved = await RAID_RECORDS.save(uow, doc, item)
        if item.reached_red(before):
            uow.emit(_raised_to_red(item, before))
        return documents.resource(saved)

    return await rt.transaction(work)


async def close(rt: Runtime, item_id: str, reason: str, caller: Caller, expected_version: int | None) -> dict[str, Any]:
    saved = await RAID_RECORDS.change(rt, item_id, expected_version,
                                      lambda item: item.close(reason, by=caller.sub, now=calendar.now()))  # fmt: skip
    return documents.resource(saved)


async def get(rt: Runtime, item_id: str) -> dict[str, Any]:
    return documents.resource(await documents.load(rt.db, RAID, item_id, kind="RAID item"))


async def list_items(
    rt: Runtime, page: Page, *, programme: str | None, initiative_id: str | None, kind: str | None,
    status: str | None,
) -> dict[str, Any]:  # fmt: skip
    query = documents.matching(programme=programme, initiative_id=initiative_id, kind=kind, status=status)
    return await paginate(rt.db[RAID], query, page, transform=documents.resource)
