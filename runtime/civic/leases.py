"""Leases: one replica of a service at a time does a background job (the outbox relay, the read-model fold).

A lease is a document in the service's ``leases`` collection naming its holder and when it expires. The
holder renews it once a third of its time has passed, not on every round (under load a job runs a round
per batch, and a database write per round would cost as much as the batch); a replica that dies stops
renewing, and another takes the job over when the lease expires. A replica refused the lease does not
ask again for a tenth of its time, so a busy replica does not write to the database on every commit.
"""

from __future__ import annotations

import os
import socket
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

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
