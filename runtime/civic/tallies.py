"""Records counted by status, with sums of their figures, kept beside the records as a read model.

A dashboard that counts a collection by status on every view reads every record: in the soak (two
replicas, sixteen callers, a dashboard a third of a second) the savings and property databases spent most
of their time counting, and every other caller of theirs waited. Instead each change writes its moves to
the tally in the same transaction as the record (one more in the status it is in now and one fewer in the
one it left, its figures with it), and a reader adds up at most a few hundred small documents.

The tally is kept as shards (``"<status>:<shard>"``): two changes writing the same document at once
conflict and one starts again, so each transaction writes a shard no other transaction of its process
holds (:class:`ShardsInUse`); replicas choose apart at random. A database from before the tally is
counted once when the service prepares it (:meth:`Tally.count_once`).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from civic import calendar

SHARDS = 64
RECORDS = "records"  # the count's field in a tally document
_MADE = "made"  # the document saying the tally was counted from the records


class ShardsInUse:
    """The shards this process's transactions are writing, so that a new one takes another.

    Two transactions adding to the same document conflict (the second starts again from scratch); picked
    at random among 32 shards, 16 writers to one cell met on a third of creates. A shard is held from
    before the transaction's first write until it has committed or given up, so a change that takes it
    afterwards starts from a snapshot that already holds the previous one.
    """

    def __init__(self, count: int = SHARDS) -> None:
        self.count = count
        self._held: dict[int, int] = {}

    def pick(self) -> int:
        """A shard no transaction of this process holds (any shard once all are held)."""
        if len(self._held) >= self.count:
            return random.randrange(self.count)
        if len(self._held) > self.count // 2:
            return random.choice([s for s in range(self.count) if s not in self._held])
        while True:
            shard = random.randrange(self.count)
            if shard not in self._held:
                return shard

    @contextmanager
    def holding(self) -> Iterator[int]:
        shard = self.pick()
        self._held[shard] = self._held.get(shard, 0) + 1
        try:
            yield shard
        finally:
            if self._held[shard] == 1:
                del self._held[shard]
            else:
                self._held[shard] -= 1


class Tally:
    """How many of ``records`` are in each ``status``, and the sums of their ``figures``, in ``collection``."""

    def __init__(self, collection: str, records: str, *, figures: tuple[str, ...] = (), status: str = "status"):
        self.collection = collection
        self.records = records
        self.figures = figures
        self.status = status

    def moves(self, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, dict[str, int]]:
        """What a change from ``before`` to ``after`` (a record's fields; None: not there) adds to each status."""
        out: dict[str, Counter[str]] = {}
        for record, sign in ((before, -1), (after, 1)):
            if record is None:
                continue
            counted = out.setdefault(record[self.status], Counter())
            counted[RECORDS] += sign
            for figure in self.figures:
                counted[figure] += sign * int(record.get(figure) or 0)
        return {status: dict(counted) for status, counted in out.items()}

    def writes(self, db: AsyncDatabase[Any], before: Mapping[str, Any] | None, after: Mapping[str, Any] | None,
               shard: int) -> list[UpdateOne]:
        """The change's moves as writes to ``shard`` of the tally in ``db``, for
        :func:`civic.documents.write_together` (in the unit of work that writes the record)."""
        namespace = f"{db.name}.{self.collection}"
        return [
            UpdateOne({"_id": f"{status}:{shard}"}, {"$inc": moved, "$setOnInsert": {"status": status}},
                      upsert=True, namespace=namespace)
            for status, moved in self.moves(before, after).items()
            if any(moved.values())
        ]

    async def read(self, db: AsyncDatabase[Any], session: AsyncClientSession | None = None) -> dict[str, dict[str, int]]:
        """Each status's count and sums, its shards added up; statuses with no records left out."""
        sums: dict[str, Counter[str]] = {}
        # in one batch (at most statuses x SHARDS documents): no second round trip for the rest
        async for doc in db[self.collection].find({"status": {"$exists": True}}, session=session, batch_size=5000):
            counted = sums.setdefault(doc["status"], Counter())
            for name in (RECORDS, *self.figures):
                counted[name] += int(doc.get(name) or 0)
        return {status: {name: counted[name] for name in (RECORDS, *self.figures)}
                for status, counted in sums.items() if counted[RECORDS]}

    async def count_once(self, db: AsyncDatabase[Any]) -> None:
        """Count the records into the tally, once, for a database from before it was kept.

        In one snapshot: what the records hold, less what changes since the tally began have already
        written (each change writes its record and its moves together), becomes a base in shard 0, with the
        document saying it is made. A change committing meanwhile is either in the snapshot or adds its
        own moves after it; a replica doing the same at the same moment loses the race on that document
        (and, on the next try, finds it made).
        """
        if await db[self.collection].find_one({"_id": _MADE}) is not None:
            return
        async with db.client.start_session() as session, await session.start_transaction():
            if await db[self.collection].find_one({"_id": _MADE}, session=session) is not None:
                return
            group: dict[str, Any] = {"_id": f"${self.status}", RECORDS: {"$sum": 1}}
            group.update({figure: {"$sum": f"${figure}"} for figure in self.figures})
            held = {row["_id"]: row async for row in await db[self.records].aggregate([{"$group": group}],
                                                                                      session=session)}
            kept = await self.read(db, session)
            base = []
            for status in set(held) | set(kept):
                moved = {name: int((held.get(status) or {}).get(name) or 0) - (kept.get(status) or {}).get(name, 0)
                         for name in (RECORDS, *self.figures)}
                if any(moved.values()):
                    base.append(UpdateOne({"_id": f"{status}:0"}, {"$inc": moved, "$setOnInsert": {"status": status}},
                                          upsert=True))
            base.append(UpdateOne({"_id": _MADE}, {"$set": {"made_at": calendar.now()}}, upsert=True))
            await db[self.collection].bulk_write(base, ordered=False, session=session)
