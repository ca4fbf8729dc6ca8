"""What two replicas of a service do to each other, with real servers: a consumer's group of events that
loses a write conflict (another transaction changed the same document first, as another replica's
does) is tried again as a group, never dropped to the slow one-by-one path, and applies each event once;
and an event written by a replica whose relay does not hold the lease is published by the one that does,
which looks often while another replica stands by, rather than waiting for its poll."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

from civic.consumer import GROUPS, ConsumerRunner
from civic.outbox import OutboxRelay, prepare_outbox
from civic.subscriptions import Received
from civic.uow import OUTBOX, UnitOfWork, UnitOfWorkFactory, outbox_record
from civic_contracts import Envelope
from civic_contracts.property import BuildingClosed

from tests.conftest import eventually, service_settings


def _closure() -> Envelope:
    return Envelope.wrap(BuildingClosed(building_id=f"b-{uuid.uuid4().hex[:10]}", name=f"Hot Hall {uuid.uuid4().hex[:6]}",
                                        town="Oundle", closed_on=date(2024, 9, 1), annual_running_cost_pence=1_000,
                                        annual_carbon_kg=1), source="/civic/property")


def _groups(service: str, outcome: str) -> float:
    return float(GROUPS.labels(service, outcome)._value.get())


class _HotCell:
    """One document every event adds to (as every closure adds to a read-model cell), a consumer whose
    handler does that under its own metric labels, and another replica's transaction that changes the
    document and has not committed yet."""

    def __init__(self, stack: Any, runtime: Any) -> None:
        self.runtime = runtime
        self.collection = runtime.db[f"hot_{uuid.uuid4().hex[:8]}"]
        self.service = f"contention-{uuid.uuid4().hex[:6]}"

        async def bump(event: BuildingClosed, uow: UnitOfWork, received: Received) -> None:
            await self.collection.update_one({"_id": "cell"}, {"$inc": {"n": 1}, "$push": {"events": received.id}},
                                             upsert=True, session=uow.session)

        self.runner = ConsumerRunner(runtime.db, service_settings(stack, "savings", service_name=self.service),
                                     {BuildingClosed: bump}, UnitOfWorkFactory(runtime.db, "/civic/test", lambda: None))

    async def contended(self, applying: Callable[[], Awaitable[Any]]) -> Any:
        """Run ``applying`` while another transaction holds the cell; commit that one once ours lost."""
        await self.collection.insert_one({"_id": "cell", "n": 0, "events": []})
        session = self.runtime.client.start_session()
        await session.start_transaction()
        await self.collection.update_one({"_id": "cell"}, {"$inc": {"n": 100}}, session=session)
        task = asyncio.create_task(applying())

        async def lost_once() -> bool:
            return _groups(self.service, "conflict") >= 1

        try:
            await eventually(lost_once, timeout=30, interval=0.01)
        finally:
            await session.commit_transaction()
            await session.end_session()
        return await task

    async def cell(self) -> dict[str, Any]:
        return await self.collection.find_one({"_id": "cell"})


async def test_a_group_that_loses_a_write_conflict_is_tried_again_as_a_group(stack, runtime_of) -> None:
    runtime = await runtime_of("savings")
    hot = _HotCell(stack, runtime)
    events = [_closure() for _ in range(8)]

    assert await hot.contended(lambda: hot.runner.apply_together(events)) == len(events)
    cell = await hot.cell()
    assert cell["n"] == 100 + len(events)
    assert sorted(cell["events"]) == sorted(e.id for e in events)  # each once, none lost, none twice
    assert _groups(hot.service, "failed") == 0  # never handed to the one-by-one path
    assert await runtime.db["inbox"].count_documents({"_id": {"$in": [e.id for e in events]}}) == len(events)


async def test_one_event_that_loses_a_write_conflict_is_tried_again(stack, runtime_of) -> None:
    """The one-by-one path (re-drive, a redelivery, a group that failed) loses races as a group does."""
    runtime = await runtime_of("savings")
    hot = _HotCell(stack, runtime)
    event = _closure()

    # it raised Unavailable before: a lost race is not the event's fault
    await hot.contended(lambda: hot.runner.apply(event, hot.runner.subscriptions.subscription(event.type)))
    assert (await hot.cell())["events"] == [event.id]
    assert (await hot.cell())["n"] == 101
    assert await runtime.db["inbox"].count_documents({"_id": event.id}) == 1


async def test_the_relay_holding_the_lease_publishes_what_another_replica_wrote_without_waiting_for_its_poll(
    stack, scratch_db, published
) -> None:
    db = await scratch_db("savings", "relay")
    await prepare_outbox(db)
    settings = service_settings(stack, "savings", outbox_poll_seconds=120)  # the poll would be far too late
    holder, other = OutboxRelay(db, settings), OutboxRelay(db, settings)
    holder.start()
    await eventually(lambda: db["leases"].find_one({"owner": holder.owner}), timeout=30)
    other.start()
    try:
        await asyncio.sleep(0.5)  # the other replica's relay has looked for the lease and been refused
        # the other replica commits an event and nudges its own relay, which does not hold the lease
        event = _closure()
        await db[OUTBOX].insert_one(outbox_record(event, datetime.now(UTC), 0))
        other.nudge()

        async def sent() -> Any:
            return await db[OUTBOX].find_one({"_id": event.id, "published_at": {"$ne": None}})

        record = await eventually(sent, timeout=30)
        assert record["attempts"] == 1
        lease = await db["leases"].find_one({"owner": holder.owner})  # published by the holder, the lease kept
        assert lease is not None and "standby_until" in lease  # because the other said it stands by
        assert event.id in [e["id"] for e in await published("property.events.v1")]
    finally:
        await other.stop()
        await holder.stop()
