"""Use cases of disaggregation: register a shared service, amend it (If-Match), move it along its lifecycle;
``savings.service.disaggregated`` when one is split and ``savings.disaggregation.slipped`` when its planned
date moves later or it is deferred, each in the change's own transaction (ids only)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from civic import calendar, documents
from civic.http import Caller, Page, paginate
from civic.service import Runtime
from civic.uow import UnitOfWork
from civic_contracts.savings import DisaggregationSlipped, ServiceDisaggregated

from civic_savings.disaggregation import reports
from civic_savings.disaggregation.domain import SharedService
from civic_savings.repository import (
    SHARED_SERVICE_RECORDS,
    SHARED_SERVICES,
    shared_service_document,
    shared_service_form,
)


async def register(rt: Runtime, fields: dict[str, Any], caller: Caller) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        shared = SharedService.register(id=documents.new_id(), fields=fields, by=caller.sub, now=calendar.now())
        doc = await documents.insert(uow, SHARED_SERVICES, shared_service_document(shared))
        return shared_service_form(doc, calendar.today())

    return await rt.transaction(work)


#: one of a shared service's changes: applies the domain's rule, and says whether anything changed and what to
#: announce (``"disaggregated"``, ``"slipped"`` or None)
Rule = Callable[[SharedService], tuple[bool, str | None]]


async def _change(rt: Runtime, shared_service_id: str, expected_version: int | None, rule: Rule) -> dict[str, Any]:
    """Load (If-Match), let `rule` change the shared service (or refuse, writing nothing), save and announce
    what it says, in one transaction."""

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc, shared = await SHARED_SERVICE_RECORDS.load(uow, shared_service_id, expected_version)
        changed, announce = rule(shared)
        if not changed:
            return shared_service_form(doc, calendar.today())  # nothing changed: no new version
        saved = await SHARED_SERVICE_RECORDS.save(uow, doc, shared)
        if announce == "disaggregated":
            uow.emit(ServiceDisaggregated(shared_service_id=shared.id))
        elif announce == "slipped":
            uow.emit(DisaggregationSlipped(shared_service_id=shared.id))
        return shared_service_form(saved, calendar.today())

    return await rt.transaction(work)


async def amend(
    rt: Runtime, shared_service_id: str, changes: dict[str, Any], caller: Caller, expected_version: int | None
) -> dict[str, Any]:
    def rule(shared: SharedService) -> tuple[bool, str | None]:
        changed, slipped = shared.amend(changes, by=caller.sub, now=calendar.now())
        return changed, "slipped" if slipped else None

    return await _change(rt, shared_service_id, expected_version, rule)


async def transition(
    rt: Runtime, shared_service_id: str, step: dict[str, Any], caller: Caller, expected_version: int | None
) -> dict[str, Any]:
    def rule(shared: SharedService) -> tuple[bool, str | None]:
        return True, shared.transition(
            step.get("to", ""), on=step.get("on"), today=calendar.today(), reason=step.get("reason"),
            planned_on=step.get("planned_on"), by=caller.sub, now=calendar.now(),
        )  # fmt: skip

    return await _change(rt, shared_service_id, expected_version, rule)


async def get(rt: Runtime, shared_service_id: str) -> dict[str, Any]:
    doc = await documents.load(rt.db, SHARED_SERVICES, shared_service_id, kind="shared service")
    return shared_service_form(doc, calendar.today())


async def list_shared_services(
    rt: Runtime, page: Page, *, status: str | None, host_council: str | None, kind: str | None,
    due_before: date | None,
) -> dict[str, Any]:  # fmt: skip
    """In the order registered; ``due_before``: planned for a day before it (a deferred one has no date)."""
    query = documents.matching(status=status, host_council=host_council, kind=kind)
    if due_before is not None:
        query["planned_on"] = {"$lt": due_before.isoformat()}
    today = calendar.today()
    return await paginate(rt.db[SHARED_SERVICES], query, page, transform=lambda doc: shared_service_form(doc, today))


async def report(rt: Runtime, as_of: date | None, months: int) -> dict[str, Any]:
    """What is due, what has slipped and what is done on ``as_of`` (the council's today by default)."""
    return await reports.disaggregation(rt.db, as_of or calendar.today(), months)
