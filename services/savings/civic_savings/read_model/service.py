"""The read model's upkeep: each change adds its difference to the totals, whose shards are folded later,
and moves the status counts.

The totals (``savings_totals``) keep running sums per theme, year, directorate, programme and category
(see ``figures.py``); ``reports.py`` reads them. A change writes its increments in the same unit of
work as the initiative, to a shard of each cell (:class:`ShardsInUse`), and a background job folds the
shards back into one document per cell. The status counts (``status_counts``) are kept the same way, in
the same shard, and never folded: at most a document per status and shard, read by the dashboard instead
of counting the initiatives (six counts of every initiative on each dashboard held the database up).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from civic import documents, tallies
from civic.errors import Unavailable
from civic.leases import LeasedJob
from civic.service import Runtime
from civic.tallies import ShardsInUse
from civic.uow import UnitOfWork
from pymongo import InsertOne, UpdateOne

from civic_savings import figures
from civic_savings.initiatives.domain import Initiative
from civic_savings.investment.service import check_paybacks
from civic_savings.programme.service import check_targets
from civic_savings.repository import STATUS_COUNTS, TOTALS, cell_and_shard, cell_document, cell_id

# Concurrent changes to one cell (16 writers to one theme, year and directorate in the bench) write
# different shards of it. Within a process a change takes a shard no other change of the process is
# writing (ShardsInUse); replicas choose apart, at random among this many. The status counts use the
# same shard as the totals of the same change.
TOTALS_SHARDS = tallies.SHARDS
log = logging.getLogger("civic.savings")


SHARDS = ShardsInUse(TOTALS_SHARDS)
def shard_of_unit(uow: UnitOfWork) -> int:
    """The shard an event handler's changes write: a consumer's unit of work holds several events (a group),
    and they all take the one picked when the first needs it (with one per event, two replicas' groups met
    on a shard one time in five)."""
    shard = uow.kept.get("savings.shard")
    if shard is None:
        shard = uow.kept["savings.shard"] = SHARDS.pick()
    return int(shard)


async def keep_read_model(
    uow: UnitOfWork,
    before: Initiative | None,
    after: Initiative,
    now: datetime,
    shard: int | None = None,
    *,
    with_writes: Sequence[InsertOne[Any] | UpdateOne] = (),
) -> None:
    """Add the change's difference to the totals, move the status counts, and check the targets and the
    payback years of programmes whose position moved.

    ``shard`` is the one the caller holds (:class:`ShardsInUse`) for its whole transaction, or an event
    handler's unit's (:func:`shard_of_unit`); without one, a shard not held right now is taken.
    ``with_writes`` (a new initiative's insert) go in the same command, ahead of the read model's: one
    round trip for the change and its read model.
    """
    delta = figures.difference(figures.contribution(before), figures.contribution(after))
    shard = SHARDS.pick() if shard is None else shard
    writes = [*with_writes, *totals_writes(uow, delta, shard),
              *STATUS_COUNTS.writes(uow.db, _counted(before), _counted(after), shard)]
    if writes:
        await documents.write_together(uow, writes)
    await check_targets(uow, before, after, delta, now)
    await check_paybacks(uow, before, after, delta)


def _counted(initiative: Initiative | None) -> dict[str, Any] | None:
    """What the status counts count of an initiative."""
    return {"status": initiative.status} if initiative is not None else None


def totals_writes(uow: UnitOfWork, delta: dict[figures.Cell, dict[str, int]], shard: int) -> list[UpdateOne]:
    """The increments of ``delta`` to its cells' ``shard``.

    Each cell is kept as shards, so concurrent changes to the same theme, year and directorate do not
    touch the same document; reports add the shards up.
    """
    totals = documents.namespace(uow, TOTALS)
    return [
        UpdateOne(
            {"_id": cell_id(cell, shard)}, {"$inc": inc, "$setOnInsert": cell_document(cell)}, upsert=True, namespace=totals
        )
        for cell, inc in delta.items()
    ]


FOLD_SECONDS = 15.0
# Shards per fold transaction. The fold deletes the shards it reads, so a change writing one of them
# meanwhile conflicts with it and one of the two starts again: small batches keep each transaction, and
# so the window in which the service's own writes collide with it, short.
FOLD_BATCH = 50
FOLDER = "read-model-fold"  # the lease: one replica folds (two folding the same shards only collide)


async def fold_totals(rt: Runtime) -> int:
    """Fold the read model's extra shards into each cell's first, so reports read one document per cell.

    Shards spread concurrent writes; folding afterwards keeps what a report reads bounded by the number
    of cells (themes x years x directorates x programmes x categories), however many initiatives there
    are. Shards are folded a batch at a time, each batch in one transaction (read, delete, add to the
    first shards): a writer touching one of them at the same moment makes the batch retry, so no
    change is lost or counted twice. Returns how many shard documents were folded.
    """
    extra = [doc["_id"] async for doc in rt.db[TOTALS].find({}, {"_id": 1}) if cell_and_shard(doc["_id"])[1] != 0]
    folded = 0
    for start in range(0, len(extra), FOLD_BATCH):
        ids = extra[start : start + FOLD_BATCH]

        async def move(uow: UnitOfWork, ids: list[str] = ids) -> int:
            found = await uow.db[TOTALS].find({"_id": {"$in": ids}}, session=uow.session).to_list()
            if not found:
                return 0
            into = figures.summed((cell_and_shard(doc["_id"])[0], doc) for doc in found)
            await uow.db[TOTALS].delete_many({"_id": {"$in": [doc["_id"] for doc in found]}}, session=uow.session)
            await uow.db[TOTALS].bulk_write(
                [
                    # a cell whose shards net to nothing keeps its document ($inc may not be empty)
                    UpdateOne(
                        {"_id": cell_id(cell, 0)},
                        {**({"$inc": sums} if sums else {}), "$setOnInsert": cell_document(cell)},
                        upsert=True,
                    )
                    for cell, sums in into.items()
                ],
                ordered=False,
                session=uow.session,
            )
            return len(found)

        try:
            folded += await rt.transaction(move)
        except Unavailable:
            continue  # busy or away: the next round tries again
    return folded


async def read_model_folding(rt: Runtime) -> None:
    """Background job: fold the totals every few seconds, on the one replica that holds the fold's lease."""
    folding = LeasedJob(rt, FOLDER, FOLD_SECONDS, lambda: fold_totals(rt), what="read-model folding", log=log)
    await folding.run(wait_first=True)
