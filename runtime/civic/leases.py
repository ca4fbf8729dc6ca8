"""Leases: one replica of a service at a time does a background job (the outbox relay, the read-model fold).

A lease is a document in the service's ``leases`` collection naming its holder and when it expires. The
holder renews it once a third of its time has passed, not on every round (under load a job runs a round
per batch, and a database write per round would cost as much as the batch); a replica that dies stops
renewing, and another takes the job over when the lease expires. A replica refused the lease does not
ask again for a tenth of its time, so a busy replica does not write to the database on every commit.

``LeasedJob`` is the loop every such job but the relay runs: a round every so many seconds on the replica
holding the job's lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError

if TYPE_CHECKING:
    from civic.service import Runtime

LEASES = "leases"


class Lease:
    def __init__(self, db: AsyncDatabase[Any], job: str, seconds: float) -> None:
        self.db = db
        self.job = job
        self.seconds = seconds
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{id(self)}"
        #: the lease document as last read (the holder's extra fields, e.g. the relay's ``standby_until``)
        self.document: dict[str, Any] | None = None
        self.renewed_at = float("-inf")  # monotonic
        self.refused_at = float("-inf")

    async def held(self) -> bool:
        """Whether this replica holds the lease now: renewed or taken if due, else as last known."""
        if time.monotonic() - self.renewed_at < self.seconds / 3:
            return True
        if time.monotonic() - self.refused_at < self.seconds / 10:
            return False  # another replica held it a moment ago
        self.renewed_at = float("-inf")
        now = datetime.now(UTC)
        asked = time.monotonic()
        try:
            doc = await self.db[LEASES].find_one_and_update(
                {"_id": self.job, "$or": [{"owner": self.owner}, {"expires_at": {"$lt": now}}]},
                {"$set": {"owner": self.owner, "expires_at": now + timedelta(seconds=self.seconds)}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:  # held by another replica: the upsert found no document it may take
            doc = None
        self.document = doc
        if doc is not None and doc.get("owner") == self.owner:
            self.renewed_at = asked
            return True
        self.refused_at = asked
        return False

    def forget(self) -> None:
        """Ask the database again next time (after a failure, the lease may have expired meanwhile)."""
        self.renewed_at = float("-inf")

    async def release(self) -> None:
        """Give the lease up (a graceful stop), so another replica takes the job over at once."""
        self.renewed_at = float("-inf")
        await self.db[LEASES].update_one(
            {"_id": self.job, "owner": self.owner}, {"$set": {"expires_at": datetime.now(UTC)}}
        )


class LeasedJob:
    """A background job one replica runs at a time: ``work`` every ``every`` seconds on the replica holding the
    lease ``job`` (of three rounds' time, so a replica that stops is replaced within three rounds).

    A round that fails with one of ``passing`` (the database blinked) is logged as ``"<what> skipped"`` and left
    to the next round, which does what this one did not; the lease is asked for again then, as it may have
    expired meanwhile. ``standing_by`` is called on each round another replica holds the lease.
    """

    def __init__(
        self,
        rt: Runtime,
        job: str,
        every: float,
        work: Callable[[], Awaitable[object]],
        *,
        what: str,
        log: logging.Logger,
        passing: tuple[type[Exception], ...] = (PyMongoError,),
        standing_by: Callable[[], None] | None = None,
    ) -> None:
        self.rt, self.every, self.work = rt, every, work
        self.what, self.log, self.passing, self.standing_by = what, log, passing, standing_by
        self.lease = Lease(rt.db, job, seconds=3 * every)

    async def round(self) -> bool:
        """One round, if this replica holds the lease: whether it did the work."""
        try:
            if await self.lease.held():
                await self.work()
                return True
            if self.standing_by is not None:
                self.standing_by()
        except self.passing as exc:
            self.lease.forget()
            self.log.warning(f"{self.what} skipped", extra={"error": repr(exc)[:200]})
        return False

    async def run(self, *, wait_first: bool = False) -> None:
        """Rounds until cancelled, once the database is prepared (the first at once, or ``every`` after, with
        ``wait_first``); the lease is given up on the way out, so another replica takes the job over at once.
        An interval of 0 or less: the job never runs."""
        if self.every <= 0:
            return
        await self.rt.prepared.wait()
        try:
            if wait_first:
                await asyncio.sleep(self.every)
            while True:
                await self.round()
                await asyncio.sleep(self.every)
        finally:
            with contextlib.suppress(PyMongoError):
                await self.lease.release()
