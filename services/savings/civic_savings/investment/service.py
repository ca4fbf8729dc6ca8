"""Use cases of a programme's investment: record and change its lines, and keep its payback year, saying
when it moves (``savings.programme.payback_moved``) in the transaction of the change that moved it: a line
recorded or changed here, or a change to one of the programme's initiatives (``check_paybacks``, from the
read model's upkeep). The payback check (payback_check.py) settles each programme's year again now and then,
for the one race those two leave open."""

from __future__ import annotations

from typing import Any

from civic import calendar, documents
from civic.errors import NotFound
from civic.http import Caller, Page, paginate
from civic.service import Runtime
from civic.uow import UnitOfWork
from civic_contracts.savings import PaybackMoved

from civic_savings import figures
from civic_savings.initiatives.domain import Initiative
from civic_savings.investment import reports
from civic_savings.investment.domain import InvestmentLine
from civic_savings.investment.figures import savings_moved
from civic_savings.repository import INVESTMENT, INVESTMENT_RECORDS, PAYBACKS, investment_document


async def settle_payback(uow: UnitOfWork, programme: str) -> PaybackMoved | None:
    """Work the programme's payback year out again, in the unit of work, and emit ``PaybackMoved`` when it is
    not the one kept (the event, or None when it stays). The programme's payback document is written every
    time (a count of its changes), so two changes to one programme at once conflict and one runs again with
    the other's figures: each reading only, both could keep a payback year neither alone would have moved to,
    and say nothing."""
    await uow.db[PAYBACKS].update_one(
        {"_id": programme}, {"$inc": {"changes": 1}, "$setOnInsert": {"payback_year": None}}, upsert=True,
        session=uow.session,
    )  # fmt: skip
    kept = await uow.db[PAYBACKS].find_one({"_id": programme}, {"payback_year": 1}, session=uow.session)
    previous = (kept or {}).get("payback_year")
    report = await reports.payback(uow.db, programme, session=uow.session)
    if report["payback_year"] == previous:
        return None
    await uow.db[PAYBACKS].update_one(
        {"_id": programme}, {"$set": {"payback_year": report["payback_year"], "moved_at": calendar.now()}},
        session=uow.session,
    )  # fmt: skip
    moved = PaybackMoved(
        programme=programme, payback_year=report["payback_year"], previous_payback_year=previous,
        investment_pence=report["investment_pence"], savings_pence=report["savings_pence"],
    )  # fmt: skip
    uow.emit(moved)
    return moved


async def check_paybacks(
    uow: UnitOfWork, before: Initiative | None, after: Initiative, delta: dict[figures.Cell, dict[str, int]]
) -> None:
    """After a change to an initiative: the payback of each programme with investment whose savings it moved.
    A programme without investment has no payback to move; it is asked once per unit of work (a consumer's
    group of closures in one programme asks once)."""
    without: set[str] = uow.kept.setdefault("savings.programmes_without_investment", set())
    for programme in sorted({p for p in (before.programme if before else None, after.programme) if p}):
        if programme in without or not savings_moved(delta, programme):
            continue
        if await uow.db[PAYBACKS].find_one({"_id": programme}, {"_id": 1}, session=uow.session) is None:
            without.add(programme)
            continue
        await settle_payback(uow, programme)


async def record(rt: Runtime, programme: str, fields: dict[str, Any], caller: Caller) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        line = InvestmentLine.record(id=documents.new_id(), programme=programme, **fields, by=caller.sub,
                                     now=calendar.now())  # fmt: skip
        doc = await documents.insert(uow, INVESTMENT, investment_document(line))
        await settle_payback(uow, programme)
        return documents.resource(doc)

    return await rt.transaction(work)


async def change(
    rt: Runtime, programme: str, line_id: str, fields: dict[str, Any], caller: Caller, expected_version: int | None
) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc, line = await INVESTMENT_RECORDS.load(uow, line_id, expected_version)
        if line.programme != programme:
            raise NotFound("investment line", line_id)
        if not line.change(fields, by=caller.sub, now=calendar.now()):
            return documents.resource(doc)  # nothing changed: no new version
        saved = await INVESTMENT_RECORDS.save(uow, doc, line)
        await settle_payback(uow, programme)
        return documents.resource(saved)

    return await rt.transaction(work)


async def get(rt: Runtime, programme: str, line_id: str) -> dict[str, Any]:
    doc = await documents.load(rt.db, INVESTMENT, line_id, kind="investment line")
    if doc["programme"] != programme:
        raise NotFound("investment line", line_id)
    return documents.resource(doc)


async def list_lines(rt: Runtime, programme: str, page: Page, year: str | None, category: str | None) -> dict[str, Any]:
    """A programme's investment lines, in the order they were recorded."""
    query = documents.matching(programme=programme, year=year, category=category)
    return await paginate(rt.db[INVESTMENT], query, page, transform=documents.resource)


async def payback(rt: Runtime, programme: str) -> dict[str, Any]:
    return await reports.payback(rt.db, programme)
