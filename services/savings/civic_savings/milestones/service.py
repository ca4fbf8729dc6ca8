"""Use cases of the delivery plans: load the milestone (and its initiative's status), ask the domain, save,
in one transaction; answers in the API's form. An initiative that ends takes its plan with it
(``drop_open``, from the initiative's transition, in that transaction)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from civic import calendar, documents
from civic.errors import NotFound
from civic.http import Caller, Page, paginate
from civic.service import Runtime
from civic.uow import UnitOfWork

from civic_savings.initiatives.domain import Initiative
from civic_savings.milestones import reports
from civic_savings.milestones.domain import Milestone
from civic_savings.repository import (
    INITIATIVES,
    MILESTONE_RECORDS,
    MILESTONES,
    milestone_document,
    milestone_form,
)


async def _initiative_status(uow: UnitOfWork, initiative_id: str) -> str:
    """The status of the initiative whose plan it is (404 when there is no such initiative), read in the
    transaction. A change to one of its milestones conflicts with the initiative ending meanwhile, because
    ending drops that same milestone (``drop_open``); a new milestone is another document, see :func:`plan`."""
    doc = await uow.db[INITIATIVES].find_one({"_id": initiative_id}, {"status": 1}, session=uow.session)
    if doc is None:
        raise NotFound("initiative", initiative_id)
    return str(doc["status"])


async def _claim_plan(uow: UnitOfWork, initiative_id: str) -> None:
    """Write the initiative itself (an internal count of its plan's changes, not its version: an officer's
    If-Match on it still holds), so that a milestone added while the initiative ends conflicts with the ending
    transaction and one of them runs again: reading its status alone would not, and the new milestone would
    stay planned on an initiative that has ended, overdue for ever."""
    await uow.db[INITIATIVES].update_one({"_id": initiative_id}, {"$inc": {"_plan_changes": 1}}, session=uow.session)


async def plan(rt: Runtime, initiative_id: str, fields: dict[str, Any], caller: Caller) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        status = await _initiative_status(uow, initiative_id)
        await _claim_plan(uow, initiative_id)
        so_far = await uow.db[MILESTONES].count_documents({"initiative_id": initiative_id}, session=uow.session)
        milestone = Milestone.plan(
            id=documents.new_id(), initiative_id=initiative_id, initiative_status=status, planned_so_far=so_far,
            title=fields.get("title"), owner=fields.get("owner"), due=fields.get("due"), by=caller.sub,
            now=calendar.now(),
        )  # fmt: skip
        doc = await documents.insert(uow, MILESTONES, milestone_document(milestone))
        return milestone_form(doc, calendar.today())

    return await rt.transaction(work)


async def get(rt: Runtime, initiative_id: str, milestone_id: str) -> dict[str, Any]:
    doc = await documents.load(rt.db, MILESTONES, milestone_id, kind="milestone")
    if doc["initiative_id"] != initiative_id:
        raise NotFound("milestone", milestone_id)
    return milestone_form(doc, calendar.today())


async def list_milestones(rt: Runtime, initiative_id: str, page: Page, status: str | None) -> dict[str, Any]:
    """An initiative's plan, in the order it was made (404 when there is no such initiative)."""
    await documents.load(rt.db, INITIATIVES, initiative_id, kind="initiative")
    today = calendar.today()
    query = documents.matching(initiative_id=initiative_id, status=status)
    return await paginate(rt.db[MILESTONES], query, page, transform=lambda doc: milestone_form(doc, today))


class Rule(Protocol):
    """One of the milestone's changes (``Milestone.change``, ``complete``, ``drop``): what the request gave,
    the initiative's status, who and when."""

    def __call__(self, milestone: Milestone, given: Any, initiative_status: str, /, *, by: str, now: datetime) -> None:
        ...


async def _change(
    rt: Runtime, initiative_id: str, milestone_id: str, expected_version: int | None, rule: Rule, given: Any,
    caller: Caller,
) -> dict[str, Any]:  # fmt: skip
    """Load, let the domain's `rule` change the milestone by what the request gave (or refuse, writing
    nothing), save."""

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc, milestone = await MILESTONE_RECORDS.load(uow, milestone_id, expected_version)
        if milestone.initiative_id != initiative_id:
            raise NotFound("milestone", milestone_id)
        status = await _initiative_status(uow, initiative_id)
        history = len(milestone.history)
        rule(milestone, given, status, by=caller.sub, now=calendar.now())
        if len(milestone.history) == history:
            return milestone_form(doc, calendar.today())  # nothing changed: no new version
        return milestone_form(await MILESTONE_RECORDS.save(uow, doc, milestone), calendar.today())

    return await rt.transaction(work)


async def change(
    rt: Runtime, initiative_id: str, milestone_id: str, fields: dict[str, Any], caller: Caller,
    expected_version: int | None,
) -> dict[str, Any]:  # fmt: skip
    return await _change(rt, initiative_id, milestone_id, expected_version, Milestone.change, fields, caller)


async def complete(
    rt: Runtime, initiative_id: str, milestone_id: str, evidence: str, caller: Caller, expected_version: int | None
) -> dict[str, Any]:
    return await _change(rt, initiative_id, milestone_id, expected_version, Milestone.complete, evidence, caller)


async def drop(
    rt: Runtime, initiative_id: str, milestone_id: str, reason: str, caller: Caller, expected_version: int | None
) -> dict[str, Any]:
    return await _change(rt, initiative_id, milestone_id, expected_version, Milestone.drop, reason, caller)


async def drop_open(uow: UnitOfWork, initiative: Initiative, by: str, now: datetime) -> int:
    """An initiative that has ended takes its plan with it: each of its planned milestones is dropped, in
    the initiative's own transaction (so none stays overdue for ever). Returns how many were dropped."""
    found = uow.db[MILESTONES].find({"initiative_id": initiative.id, "status": "planned"}, session=uow.session)
    dropped = 0
    for doc in await found.to_list():
        milestone = MILESTONE_RECORDS.model(doc)
        milestone.drop(f"the initiative is {initiative.status}", None, by=by, now=now)
        await MILESTONE_RECORDS.save(uow, doc, milestone)
        dropped += 1
    return dropped


async def overdue(rt: Runtime, programme: str | None) -> dict[str, Any]:
    """The overdue milestones today (the council's date), of a programme or of the whole register."""
    return await reports.overdue_in(rt.db, calendar.today(), programme)
