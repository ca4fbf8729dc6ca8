"""Use cases of the highlight reports: issue a programme's report for a month (kept exactly as generated at that
moment, with who issued it and when, and ``savings.highlight_report.issued`` in the same transaction); read a
month's report (the issued one, else the one generated now); list the issued ones."""

from __future__ import annotations

from typing import Any

from civic import calendar, documents
from civic.http import Caller, Page, paginate
from civic.service import Runtime
from civic.uow import UnitOfWork
from civic_contracts.savings import HighlightReportIssued

from civic_savings.highlight_reports import domain, reports
from civic_savings.repository import HIGHLIGHT_REPORTS, highlight_report_id


def _issued_form(doc: dict[str, Any]) -> dict[str, Any]:
    """The issued report as the board saw it, with who issued it and when."""
    return {**doc["report"], "issued": True, "id": doc["_id"], "version": doc["version"],
            "issued_at": doc["issued_at"], "issued_by": doc["issued_by"]}  # fmt: skip


async def issue(rt: Runtime, name: str, month: str, caller: Caller) -> dict[str, Any]:
    domain.check_issuable(month, calendar.today())

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        now = calendar.now()
        report = await reports.generate(uow.db, name, month, now, uow.session)
        domain.check_not_issued(month, await reports.issued(uow.db, name, month, uow.session))
        doc = await documents.insert(uow, HIGHLIGHT_REPORTS, {
            "_id": highlight_report_id(name, month), "programme": name, "month": month, "report": report,
            "issued_at": domain.now_text(now), "issued_by": caller.sub,
        })  # fmt: skip
        uow.emit(HighlightReportIssued(report_id=doc["_id"], programme=name, month=month, rag=report["rag"],
                                       direction=report["direction"]))  # fmt: skip
        return _issued_form(doc)

    return await rt.transaction(work)


async def get(rt: Runtime, name: str, month: str) -> dict[str, Any]:
    doc = await reports.issued(rt.db, name, month)
    if doc is not None:
        return _issued_form(doc)
    return {**await reports.generate(rt.db, name, month, calendar.now()), "issued": False}


async def list_issued(rt: Runtime, name: str, page: Page) -> dict[str, Any]:
    """The programme's issued reports, in the order issued (404: no such programme)."""
    await reports.check_programme(rt.db, name)
    return await paginate(rt.db[HIGHLIGHT_REPORTS], {"programme": name}, page, transform=_issued_form)
