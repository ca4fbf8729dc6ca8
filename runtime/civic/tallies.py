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

A tally can drift from its records: a replica of a version from before the tally (a rolling upgrade)
changes records without moving it, a bug forgets a move, someone edits the database by hand. Nothing
the tally holds says so, so it is checked against the records: :meth:`Tally.compare` (one snapshot of
both, read only), :func:`checking` (a service's background job doing that every
``CIVIC_TALLY_CHECK_SECONDS`` on one replica, the gauge ``civic_tally_drift`` saying how many statuses
differ), and :meth:`Tally.recount` (the same snapshot, and the difference added to the tally in that
transaction), which ``civic tallies check|recount <service>`` runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pymongo import UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConnectionFailure, PyMongoError
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

from civic import calendar, metrics
from civic.leases import LeasedJob

if TYPE_CHECKING:
    from civic.service import Runtime

log = logging.getLogger("civic.tallies")

SHARDS = 64
RECORDS = "records"  # the count's field in a tally document
_MADE = "made"  # the document saying the tally was counted from the records
#: how long a recount keeps trying while changes (or another recount) write the documents it corrects first
RECOUNT_RETRY_SECONDS = 30.0
CHECK_JOB = "tally-check"  # the lease: one replica of a service checks its tallies


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
        return {status: sums for status, sums in (await self._kept(db, session)).items() if sums[RECORDS]}

    async def _kept(self, db: AsyncDatabase[Any], session: AsyncClientSession | None) -> dict[str, dict[str, int]]:
        """Each status's shards added up, every status the tally has a document for (none left out)."""
        sums: dict[str, Counter[str]] = {}
        # in one batch (at most statuses x SHARDS documents): no second round trip for the rest
        async for doc in db[self.collection].find({"status": {"$exists": True}}, session=session, batch_size=5000):
            counted = sums.setdefault(doc["status"], Counter())
            for name in (RECORDS, *self.figures):
                counted[name] += int(doc.get(name) or 0)
        return {status: {name: counted[name] for name in (RECORDS, *self.figures)} for status, counted in sums.items()}

    async def _held(self, db: AsyncDatabase[Any], session: AsyncClientSession) -> dict[str, dict[str, int]]:
        """What the records hold: each status's count and the sums of its figures (a record without a status
        is no status's: no change counts it either)."""
        group: dict[str, Any] = {"_id": f"${self.status}", RECORDS: {"$sum": 1}}
        group.update({figure: {"$sum": f"${figure}"} for figure in self.figures})
        return {row["_id"]: {name: int(row.get(name) or 0) for name in (RECORDS, *self.figures)}
                async for row in await db[self.records].aggregate([{"$group": group}], session=session)
                if row["_id"] is not None}

    async def _compare_in(self, db: AsyncDatabase[Any], session: AsyncClientSession) -> Comparison:
        return Comparison(self.collection, self.records, kept=await self._kept(db, session),
                          counted=await self._held(db, session))

    async def compare(self, db: AsyncDatabase[Any]) -> Comparison:
        """The tally beside what its records hold, both read in one snapshot (a read-only transaction), so a
        change committing meanwhile is in both or in neither: any difference is drift, not a race."""
        async with db.client.start_session() as session, await session.start_transaction(read_concern=_SNAPSHOT):
            return await self._compare_in(db, session)

    async def recount(self, db: AsyncDatabase[Any], *, retry_for_seconds: float = RECOUNT_RETRY_SECONDS) -> Comparison:
        """Count the records again and set the tally to what they hold, in one snapshot transaction; answer
        what the tally said and what the records hold, status by status (:attr:`Comparison.drift` is what
        was corrected; nothing when it matched).

        The difference (the records' count and sums less the tally's, in that snapshot) is added to each
        status's shard 0, with the tally's ``made`` document noted, in the same transaction. A change
        committed before the snapshot is counted in the records and its moves in the tally, so it adds no
        difference. One committing after it is in neither: its moves, written beside the record in another
        shard, stay and add to the corrected count, which is then the records' with it (overwriting the
        shards instead would throw them away, or make every such change conflict); one writing a document
        the recount writes conflicts with it, and whichever is second is tried again (a change through
        ``rt.transaction``, a recount here, from a fresh snapshot, where nothing is left to correct). Two
        recounts at once both write ``made``: one of them is tried again and adds nothing. So a recount is
        safe with the service running, on any replica, any number of times. A record changed meanwhile by
        a replica that does not move the tally (a version from before it) is drift again: recount once the
        last such replica has gone.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + retry_for_seconds
        attempt = 0
        while True:
            try:
                return await self._recount_once(db)
            except PyMongoError as exc:
                if not _worth_again(exc) or loop.time() >= deadline:
                    raise
            attempt += 1
            await asyncio.sleep(random.uniform(0, min(0.5, 0.005 * 2 ** attempt)))  # full jitter, as rt.transaction

    async def _recount_once(self, db: AsyncDatabase[Any]) -> Comparison:
        async with db.client.start_session() as session, await session.start_transaction(
                read_concern=_SNAPSHOT, write_concern=_MAJORITY):
            found = await self._compare_in(db, session)
            now = calendar.now()
            fixes: list[UpdateOne] = [
                UpdateOne({"_id": f"{status}:0"}, {"$inc": moved, "$setOnInsert": {"status": status}}, upsert=True)
                for status, moved in found.corrections().items()
            ]
            # written by every recount (and by count_once): two at once conflict rather than both correcting
            fixes.append(UpdateOne({"_id": _MADE}, {"$set": {"recounted_at": now}, "$setOnInsert": {"made_at": now}},
                                   upsert=True))
            await db[self.collection].bulk_write(fixes, ordered=True, session=session)
        return found

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
            held = await self._held(db, session)
            kept = await self.read(db, session)
            base = []
            for status in set(held) | set(kept):
                moved = {name: (held.get(status) or {}).get(name, 0) - (kept.get(status) or {}).get(name, 0)
                         for name in (RECORDS, *self.figures)}
                if any(moved.values()):
                    base.append(UpdateOne({"_id": f"{status}:0"}, {"$inc": moved, "$setOnInsert": {"status": status}},
                                          upsert=True))
            base.append(UpdateOne({"_id": _MADE}, {"$set": {"made_at": calendar.now()}}, upsert=True))
            await db[self.collection].bulk_write(base, ordered=False, session=session)


_SNAPSHOT = ReadConcern("snapshot")
_MAJORITY = WriteConcern("majority")


def _worth_again(exc: PyMongoError) -> bool:
    """Another transaction wrote a document first, or the commit's outcome is unknown: a recount from a fresh
    snapshot is the remedy (it corrects only what is still wrong). Not when no server answers."""
    if isinstance(exc, ConnectionFailure) and not exc.has_error_label("UnknownTransactionCommitResult"):
        return False
    return exc.has_error_label("TransientTransactionError") or exc.has_error_label("UnknownTransactionCommitResult")


@dataclass(frozen=True)
class Comparison:
    """A tally beside the records it counts, as one snapshot held both: each status's count and sums."""

    tally: str  #: the tally's collection
    records: str  #: the records' collection
    kept: Mapping[str, Mapping[str, int]]  #: what the tally said
    counted: Mapping[str, Mapping[str, int]]  #: what the records hold

    @property
    def drift(self) -> dict[str, tuple[dict[str, int], dict[str, int]]]:
        """Each status whose tally differs from its records: (the tally's count and sums, the records'),
        zeros where one side has nothing (a status with only zeros is the same as none)."""
        names = _names(self.kept, self.counted)
        out = {}
        for status in sorted(set(self.kept) | set(self.counted)):
            kept = {name: int((self.kept.get(status) or {}).get(name, 0)) for name in names}
            counted = {name: int((self.counted.get(status) or {}).get(name, 0)) for name in names}
            if kept != counted:
                out[status] = (kept, counted)
        return out

    @property
    def matches(self) -> bool:
        return not self.drift

    def corrections(self) -> dict[str, dict[str, int]]:
        """What a recount adds to each status that differs: the records' count and sums less the tally's."""
        return {status: {name: counted[name] - kept[name] for name in counted}
                for status, (kept, counted) in self.drift.items()}

    def records_counted(self) -> int:
        return sum(int(sums.get(RECORDS, 0)) for sums in self.counted.values())

    def describe(self) -> list[str]:
        """The drift in words, a line per status (nothing when the tally matches)."""
        return [f"{status}: tally {_sums_text(kept)}; {self.records} {_sums_text(counted)}"
                for status, (kept, counted) in self.drift.items()]


def _names(*sides: Mapping[str, Mapping[str, int]]) -> list[str]:
    found = {name for side in sides for sums in side.values() for name in sums}
    return [RECORDS, *sorted(found - {RECORDS})]


def _sums_text(sums: Mapping[str, int]) -> str:
    return ", ".join(f"{value:,} {name}" for name, value in sums.items())


# ---- the periodic check -----------------------------------------------------------------------------------


async def check(db: AsyncDatabase[Any], service: str, tallies: Sequence[Tally]) -> list[Comparison]:
    """Compare each of ``tallies`` with its records; ``civic_tally_drift{service,tally}`` says how many statuses
    differ (0: it matches) and ``civic_tally_checked_timestamp_seconds`` when; a difference is logged in words."""
    found = []
    for tally in tallies:
        comparison = await tally.compare(db)
        metrics.TALLY_DRIFT.labels(service, tally.collection).set(len(comparison.drift))
        metrics.TALLY_CHECKED.labels(service, tally.collection).set_to_current_time()
        if not comparison.matches:
            log.warning("tally differs from its records; see docs/operations.md, 'Tally drift'",
                        extra={"tally": tally.collection, "records": tally.records, "drift": comparison.describe()})
        found.append(comparison)
    return found


def _forget(service: str, tallies: Sequence[Tally]) -> None:
    """A replica that no longer checks exports no figure of its own (it would go stale beside the checker's)."""
    for tally in tallies:
        for gauge in (metrics.TALLY_DRIFT, metrics.TALLY_CHECKED):
            with contextlib.suppress(KeyError):
                gauge.remove(service, tally.collection)


def checking(*tallies: Tally) -> Callable[[Runtime], Awaitable[None]]:
    """A service's background job: compare ``tallies`` with their records every ``CIVIC_TALLY_CHECK_SECONDS``
    (0: never), on the one replica holding the lease. It reads every record, so keep that minutes apart;
    it repairs nothing (``civic tallies recount <service>`` does, once the cause is known)."""

    async def tally_checking(rt: Runtime) -> None:
        job = LeasedJob(rt, CHECK_JOB, rt.settings.tally_check_seconds, lambda: check(rt.db, rt.name, tallies),
                        what="tally check", log=log, standing_by=lambda: _forget(rt.name, tallies))
        try:
            await job.run(wait_first=True)
        finally:
            _forget(rt.name, tallies)

    return tally_checking
