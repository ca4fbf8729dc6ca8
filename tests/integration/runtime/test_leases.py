"""Leases with a real database: one replica at a time holds a background job (the outbox relay, the
read-model fold); another takes it over when the holder gives it up or stops renewing it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from civic.leases import LEASES, Lease


async def test_one_replica_holds_the_lease_and_the_other_takes_it_once_given_up(scratch_db) -> None:
    db = await scratch_db("savings", "lease")
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


async def test_a_lease_its_holder_stopped_renewing_is_taken_over_when_it_expires(scratch_db) -> None:
    db = await scratch_db("savings", "lease")
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


async def test_two_jobs_have_separate_leases(scratch_db) -> None:
    db = await scratch_db("savings", "lease")
    relay, fold = Lease(db, "outbox-relay", seconds=10), Lease(db, "read-model-fold", seconds=45)
    assert await relay.held() and await fold.held()
    assert await db[LEASES].count_documents({}) == 2
