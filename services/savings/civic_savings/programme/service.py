"""Use cases of the programme: targets (and the event when one is passed), cost avoidance.

A target is checked whenever a change moves its programme's position (``check_targets``, from the read
model's upkeep) and when it is set; it passes once per amount.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from civic import documents
from civic.calendar import date_of, today
from civic.errors import PreconditionFailed
from civic.http import Caller, Page, paginate
from civic.service import Runtime
from civic.uow import UnitOfWork
from civic_contracts.savings import TargetPassed

from civic_savings import figures, reports
from civic_savings.initiatives.domain import Initiative
from civic_savings.programme.domain import Target, check_cost_avoidance
from civic_savings.repository import COST_AVOIDANCE, TARGETS, target_to_document, target_to_model


async def check_targets(uow: UnitOfWork, before: Initiative | None, after: Initiative,
                        delta: dict[figures.Cell, dict[str, int]], now: datetime) -> None:
    for programme in {p for p in (before.programme if before else None, after.programme) if p}:
        if figures.target_measure_change(delta, programme):
            await _check_target(uow, programme, date_of(now))


# A programme with no target, or whose target is passed, stays so for the rest of a unit of work: a
# consumer's group of fifty closures in one programme asks for its target once, not fifty times (the unit's
# ``kept`` holds the programmes settled so)

async def _check_target(uow: UnitOfWork, name: str, today: date) -> dict[str, Any] | None:
    """Emit ``savings.target.passed`` when the programme first reaches its target. Returns the saved doc."""
    settled: set[str] = uow.kept.setdefault("savings.settled_targets", set())
    if name in settled:
        return None
    doc = await uow.db[TARGETS].find_one({"_id": name}, session=uow.session)
    if doc is None:
        settled.add(name)
        return None
    target = target_to_model(doc)
    if target.is_passed():
        settled.add(name)
        return None  # passed once, said once: no need to add the programme's figures up on every change
    position = await reports.programme_position(uow.db, target, session=uow.session)
    if not target.check(position["delivered_pence"], position["anticipated_pence"], today):
        return None
    saved = await documents.save(uow, TARGETS, {**doc, **target_to_document(target)}, doc["version"])
    uow.emit(
        TargetPassed(
            name=name,
            target_pence=target.amount_pence,
            delivered_pence=position["delivered_pence"],
            anticipated_pence=position["anticipated_pence"],
        )
    )
    return saved


# ---------------------------------------------------------------- targets


async def set_target(
    rt: Runtime, name: str, amount_pence: Any, description: Any, expected_version: int | None,
    *, create_only: bool = False,
) -> tuple[dict[str, Any], bool]:
    """Create or replace a programme's target (``create_only``: never replace). Returns (target, created)."""

    async def work(uow: UnitOfWork) -> tuple[dict[str, Any], bool]:
        doc = await uow.db[TARGETS].find_one({"_id": name}, session=uow.session)
        if doc is not None and create_only:
            # asked to create only (If-None-Match: *): someone set this programme's target meanwhile
            raise PreconditionFailed(f"{name} already has a target: change that one instead of setting a new one.")
        if doc is not None:
            documents.check_version(doc, expected_version)
        elif expected_version is not None:
            raise PreconditionFailed(f"There is no target {name!r} yet, so If-Match cannot match.")
        target = Target.set(target_to_model(doc) if doc else None, name, amount_pence, description)
        new = target_to_document(target)
        if doc is not None and all(doc.get(k) == v for k, v in new.items()):
            return documents.resource(doc), False  # the same target again changes nothing
        saved = (
            await documents.save(uow, TARGETS, {**doc, **new}, doc["version"])
            if doc is not None
            else await documents.insert(uow, TARGETS, new)
        )
        passed = await _check_target(uow, name, today())
        return documents.resource(passed or saved), doc is None

    return await rt.transaction(work)


async def get_target(rt: Runtime, name: str) -> dict[str, Any]:
    return documents.resource(await documents.load(rt.db, TARGETS, name, kind="target"))


async def list_targets(rt: Runtime, page: Page) -> dict[str, Any]:
    return await paginate(rt.db[TARGETS], {}, page, transform=documents.resource)


# ---------------------------------------------------------------- cost avoidance


async def record_cost_avoidance(rt: Runtime, fields: dict[str, Any], caller: Caller) -> dict[str, Any]:
    record = check_cost_avoidance(fields)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        return documents.resource(
            await documents.insert(uow, COST_AVOIDANCE, {**record, "recorded_by": caller.sub})
        )

    return await rt.transaction(work)


async def get_cost_avoidance(rt: Runtime, record_id: str) -> dict[str, Any]:
    return documents.resource(await documents.load(rt.db, COST_AVOIDANCE, record_id, kind="cost avoidance"))


async def list_cost_avoidance(rt: Runtime, page: Page, *, year: str | None, title: str | None) -> dict[str, Any]:
    query = documents.matching(year=year, title=title)
    return await paginate(rt.db[COST_AVOIDANCE], query, page, transform=documents.resource)
