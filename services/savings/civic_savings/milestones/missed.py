"""The milestone check: each milestone still planned after its due date is announced as missed, once per
milestone and due date, publishing ``savings.milestone.missed`` (councillors are briefed on it).

Run by the background job every ``CIVIC_SAVINGS_MILESTONE_CHECK_SECONDS`` on the one replica holding its lease,
and by ``POST /v1/milestone-checks``: each milestone is claimed in its own transaction, with its event, by a
conditional update setting ``_missed_announced_for`` to its due date (only while it is planned, due on that date
and not yet announced for it), so two replicas or two runs announce it once (the second's write conflicts, is
tried again and finds the flag); a milestone re-dated later is announced again for its new date. The flag is
bookkeeping: the milestone's ``version`` (its ETag) and ``updated_at`` stay as they are, so an officer's
If-Match from before still holds.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Any

from civic.calendar import today
from civic.errors import Unavailable
from civic.leases import LeasedJob
from civic_contracts.savings import MilestoneMissed
from pymongo import ReturnDocument
from pymongo.errors import PyMongoError

from civic_savings.milestones.domain import is_missed, overdue_days
from civic_savings.repository import INITIATIVES, MILESTONES
from civic_savings.settings import savings_settings

if TYPE_CHECKING:
    from civic.service import Runtime
    from civic.uow import UnitOfWork

log = logging.getLogger("civic.savings")

#: the lease naming the replica that runs the background check
CHECK_JOB = "milestone_check"
#: the internal flag (not shown by the API): the due date the milestone was announced missed for
FLAG = "_missed_announced_for"


def _candidates(day: date) -> dict[str, Any]:
    """Planned milestones due before ``day`` (the ``(status, due)`` index) not announced for their due date."""
    return {"status": "planned", "due": {"$lt": day.isoformat()}, "$expr": {"$ne": [f"${FLAG}", "$due"]}}


async def check_milestones(rt: Runtime, on: date | None = None) -> dict[str, Any]:
    """Announce every milestone missed on ``on`` (default the council's today) not announced for its due date."""
    day = on or today()
    found = rt.db[MILESTONES].find(_candidates(day), {"status": 1, "due": 1, FLAG: 1}).sort([("due", 1), ("_id", 1)])
    announced = []
    for doc in await found.to_list():
        announced_for = date.fromisoformat(doc[FLAG]) if doc.get(FLAG) else None
        if not is_missed(doc["status"], date.fromisoformat(doc["due"]), announced_for, day):
            continue

        async def work(uow: UnitOfWork, milestone_id: str = doc["_id"], due: str = doc["due"]) -> bool:
            # the claim: only while still planned, due on that date and not announced for it; no version bump
            claimed = await uow.db[MILESTONES].find_one_and_update(
                {"_id": milestone_id, "status": "planned", "due": due, FLAG: {"$ne": due}},
                {"$set": {FLAG: due}},
                session=uow.session,
                return_document=ReturnDocument.AFTER,
            )
            if claimed is None:  # completed, dropped, re-dated or announced meanwhile
                return False
            initiative = await uow.db[INITIATIVES].find_one(
                {"_id": claimed["initiative_id"]}, {"programme": 1}, session=uow.session
            )
            due_on = date.fromisoformat(due)
            uow.emit(MilestoneMissed(
                milestone_id=milestone_id, initiative_id=claimed["initiative_id"],
                programme=(initiative or {}).get("programme"), title=claimed["title"], due_on=due_on,
                days_overdue=overdue_days(due_on, day),
            ))  # fmt: skip
            return True

        if await rt.transaction(work):
            announced.append({"milestone_id": doc["_id"], "due": doc["due"]})
    return {"on": day.isoformat(), "announced": announced, "newly_announced": len(announced)}


async def checking_milestones(rt: Runtime) -> None:
    """Background job: the milestone check every ``CIVIC_SAVINGS_MILESTONE_CHECK_SECONDS`` (0: never), on the one
    replica holding the lease (the claim keeps it once even if two ran)."""
    every = savings_settings().milestone_check_seconds
    await LeasedJob(
        rt,
        CHECK_JOB,
        every,
        lambda: check_milestones(rt),
        what="milestone check",
        log=log,
        passing=(PyMongoError, Unavailable),
    ).run()
