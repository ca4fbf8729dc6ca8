"""The relay's own gauges, which the alerts CivicOutboxRelayWithoutLease and CivicOutboxBacklogOld read
(deploy/prometheus/rules.yaml): whether this replica holds the relay's lease, and how long the oldest record
not yet published has waited, on the replica that relays and on one that stands by."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta

from civic.leases import LEASES
from civic.outbox import OutboxRelay, prepare_outbox
from civic.uow import OUTBOX, UnitOfWorkFactory, outbox_record
from civic_contracts import Envelope
from civic_contracts.property import BuildingClosed
from prometheus_client import REGISTRY

from tests.conftest import eventually, service_settings

SERVICE = "relay-metrics"  # a label of its own: no other relay in this process reports under it


def _value(name: str) -> float | None:
    return REGISTRY.get_sample_value(name, {"service": SERVICE})


def reads(name: str, value: float) -> Callable[[], Awaitable[bool]]:
    """A check for ``eventually``: the gauge reads ``value``."""

    async def check() -> bool:
        return _value(name) == value
    return check


def _closed() -> BuildingClosed:
    return BuildingClosed(building_id=f"b-{uuid.uuid4().hex[:10]}", name="Gauge Hall", town="Corby",
                          closed_on=date(2024, 9, 1), annual_running_cost_pence=1_000, annual_carbon_kg=1)


def _closure() -> Envelope:
    return Envelope.wrap(_closed(), source="/civic/property")


async def test_a_relay_says_whether_it_holds_the_lease_and_how_long_the_oldest_record_has_waited(
    stack, scratch_db
) -> None:
    db = await scratch_db("property", "relay-metrics")
    await prepare_outbox(db)
    # another replica holds the lease: this one stands by, reporting what waits
    await db[LEASES].insert_one({"_id": "outbox-relay", "owner": "another-replica",
                                 "expires_at": datetime.now(UTC) + timedelta(minutes=5)})
    waiting = _closure()
    await db[OUTBOX].insert_one(outbox_record(waiting, datetime.now(UTC) - timedelta(minutes=10), 0))
    relay = OutboxRelay(db, service_settings(stack, "property", service_name=SERVICE))
    relay.start()
    try:
        await eventually(reads("civic_outbox_backlog", 1), timeout=30)
        assert _value("civic_outbox_relay_lease_held") == 0
        assert 590 <= (_value("civic_outbox_backlog_age_seconds") or 0) <= 900

        # the holder went away: this replica takes the lease over and publishes what waited
        await db[LEASES].update_one({"_id": "outbox-relay"}, {"$set": {"expires_at": datetime.now(UTC)}})
        await eventually(lambda: db[OUTBOX].find_one({"_id": waiting.id, "published_at": {"$ne": None}}), timeout=30)
        await eventually(reads("civic_outbox_backlog_age_seconds", 0), timeout=30)
        assert _value("civic_outbox_relay_lease_held") == 1
    finally:
        await relay.stop()
    assert _value("civic_outbox_relay_lease_held") == 0  # stopped: it gave the lease up


async def test_events_are_counted_as_written_when_their_change_commits_and_not_when_it_fails(scratch_db) -> None:
    db = await scratch_db("property", "written")
    await prepare_outbox(db)
    factory = UnitOfWorkFactory(db, f"/civic/{SERVICE}", lambda: None)
    written = {"service": SERVICE, "topic": "property.events.v1"}
    before = REGISTRY.get_sample_value("civic_outbox_written_total", written) or 0
    async with factory() as uow:
        uow.emit(_closed())
        uow.emit(_closed())
    assert REGISTRY.get_sample_value("civic_outbox_written_total", written) == before + 2
    with contextlib.suppress(RuntimeError):
        async with factory() as uow:
            uow.emit(_closed())
            raise RuntimeError("the change fails: nothing is committed")
    assert REGISTRY.get_sample_value("civic_outbox_written_total", written) == before + 2
    assert await db[OUTBOX].count_documents({}) == 2
