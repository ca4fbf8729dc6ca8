"""The payback check: each programme's stored payback year settled again, so a race cannot leave it stale.

A change settles the payback year in its own transaction (service.py), but one race escapes it: a programme's
first investment line committed at the same moment as a change to one of its initiatives. The initiative's
transaction sees no payback document in its snapshot and skips; the line's worked the year out without the
initiative's change. Making every initiative write touch a per-programme document would serialise a
programme's writes (what the tally shards avoid), so instead this check settles every programme with a payback
document, each in its own transaction with ``settle_payback``: it publishes ``savings.programme.payback_moved``
only when the year differs from the one kept, with the event in the same transaction. ``settle_payback`` writes
the payback document every time, so two checks at once (or a check and a change) conflict and the second is
tried again and finds the year settled: one event. A programme whose year is right is only read: a round
writes nothing, so it changes nothing a caller could see or an audit of writes would have to explain.

Run by the background job every ``CIVIC_SAVINGS_PAYBACK_CHECK_SECONDS`` (300; 0: never) on the one replica
holding its lease, and by ``POST /v1/payback-checks``. Nothing an officer edits changes: investment lines,
initiatives and targets keep their version (ETag).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from civic.errors import Unavailable
from civic.leases import LeasedJob
from pymongo.errors import PyMongoError

from civic_savings.investment import reports
from civic_savings.investment.service import settle_payback
from civic_savings.repository import PAYBACKS
from civic_savings.settings import savings_settings

if TYPE_CHECKING:
    from civic.service import Runtime
    from civic.uow import UnitOfWork
    from civic_contracts.savings import PaybackMoved

log = logging.getLogger("civic.savings")

#: the lease naming the replica that runs the background check
CHECK_JOB = "payback_check"


async def settle_paybacks(rt: Runtime) -> dict[str, Any]:
    """Settle the payback year of every programme with a payback document, each in its own transaction:
    ``{checked, moved: [{programme, previous_payback_year, payback_year}]}``."""
    programmes = [doc["_id"] for doc in await rt.db[PAYBACKS].find({}, {"_id": 1}).sort("_id", 1).to_list()]
    moved = []
    for programme in programmes:
        if not await _stale(rt, programme):
            continue  # settled: a round writes nothing (settle_payback would write the document all the same)

        async def work(uow: UnitOfWork, programme: str = programme) -> PaybackMoved | None:
            return await settle_payback(uow, programme)

        event = await rt.transaction(work)
        if event is not None:
            moved.append({"programme": programme, "previous_payback_year": event.previous_payback_year,
                          "payback_year": event.payback_year})  # fmt: skip
    if moved:  # only a race leaves a year stale: worth a line in the log when the check finds one
        log.info("payback check settled stale payback years", extra={"moved": moved})
    return {"checked": len(programmes), "moved": moved}


async def _stale(rt: Runtime, programme: str) -> bool:
    """Whether the programme's kept payback year is not the one its figures give now (read outside a
    transaction: a change racing this read settles the year itself, and the race this check is for leaves the
    year stale until a round sees it)."""
    kept = await rt.db[PAYBACKS].find_one({"_id": programme}, {"payback_year": 1})
    report = await reports.payback(rt.db, programme)
    return kept is not None and report["payback_year"] != kept.get("payback_year")


def payback_check(rt: Runtime, every: float, job: str = CHECK_JOB) -> LeasedJob:
    """The check as one replica's job: a round every ``every`` seconds while it holds the lease ``job``."""
    return LeasedJob(rt, job, every, lambda: settle_paybacks(rt), what="payback check", log=log,
                     passing=(PyMongoError, Unavailable))  # fmt: skip


async def checking_paybacks(rt: Runtime) -> None:
    """Background job: the payback check every ``CIVIC_SAVINGS_PAYBACK_CHECK_SECONDS`` (0: never), on the one
    replica holding the lease."""
    await payback_check(rt, savings_settings().payback_check_seconds).run()
