"""Leases with a real database: one replica at a time holds a background job (the outbox relay, the
read-model fold); another takes it over when the holder gives it up or stops renewing it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from civic.leases import LEASES, Lease


async def _fresh_db(runtime_of: Any) -> Any:
    runtime = await runtime_of("savings")
    return runtime.client[f"civic_lease_{uuid.uuid4().hex[:8]}"]


async def test_one_replica_holds_the_lease_and_the_other_takes_it_once_given_up(runtime_of) -> None:
    db = await _fresh_db(runtime_of)
    try:
        first, second = Lease(db, "job", seconds=30), Lease(db, "job", seconds=30)
        assert await first.held()
        assert not await second.held()
        assert await first.held()  # renewed (or still known held): the holder keeps it
        assert (await db[LEASES].find_one({"_id": "job"}))["owner"] == first.owner

        await first.release()  # a graceful stop: the job moves now, not when the lease would run out
        second.refused_at = float("-inf")  # (it would otherwise wait a tenth of the lease before asking)
        assert await second.held()
        assert (await db[LEASES].find_one({"_id": "job"}))["owner"] == second.owner
        first.refused_at = float("-inf")
        assert not await first.held()
    finally:
        await db.client.drop_database(db.name)


async def test_a_lease_its_holder_stopped_renewing_is_taken_over_when_it_expires(runtime_of) -> None:
    db = await _fresh_db(runtime_of)
    try:
        holder, other = Lease(db, "job", seconds=30), Lease(db, "job", seconds=30)
        assert await holder.held()
        assert not await other.held()
        # the holder dies: nothing renews the lease, and its time runs out
        await db[LEASES].update_one({"_id": "job"}, {"$set": {"expires_at": datetime.now(UTC) - timedelta(seconds=1)}})
        other.refused_at = float("-inf")
        assert await other.held()
        lease = await db[LEASES].find_one({"_id": "job"})
        assert lease["owner"] == other.owner and lease["expires_at"].replace(tzinfo=UTC) > datetime.now(UTC)
        # a release by the replica that no longer holds it changes nothing
        await holder.release()
        assert (await db[LEASES].find_one({"_id": "job"}))["owner"] == other.owner
        holder.refused_at = float("-inf")
        assert not await holder.held()
    finally:
        await db.client.drop_database(db.name)


async def test_two_jobs_have_separate_leases(runtime_of) -> None:
    db = await _fresh_db(runtime_of)
    try:
        relay, fold = Lease(db, "outbox-relay", seconds=10), Lease(db, "read-model-fold", seconds=45)
        assert await relay.held() and await fold.held()
        assert await db[LEASES].count_documents({}) == 2
    finally:
        await db.client.drop_database(db.name)
