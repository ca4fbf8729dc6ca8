"""Replaying the outbox with a real database and broker: more than a batch, while the relay is publishing the
very records being replayed, every record is marked again and goes out again, and nothing fails."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from civic.outbox import REPLAY_BATCH, OutboxRelay, prepare_outbox, replay
from civic.uow import OUTBOX, outbox_record
from civic_contracts import Envelope
from civic_contracts.property import BuildingClosed

from tests.conftest import eventually, service_settings


def _closure() -> Envelope:
    return Envelope.wrap(BuildingClosed(building_id=f"b-{uuid.uuid4().hex[:10]}", name="Replay Hall", town="Corby",
                                        closed_on=date(2024, 9, 1), annual_running_cost_pence=1_000,
                                        annual_carbon_kg=1), source="/civic/property")


async def test_a_replay_of_more_than_a_batch_while_the_relay_publishes_marks_every_record(stack, scratch_db) -> None:
    db = await scratch_db("property", "replay")
    await prepare_outbox(db)
    count = REPLAY_BATCH + 100
    started = datetime.now(UTC)
    await db[OUTBOX].insert_many([outbox_record(_closure(), started + timedelta(microseconds=n), n)
                                  for n in range(count)])
    relay = OutboxRelay(db, service_settings(stack, "property"))
    relay.start()
    try:
        async def all_published() -> bool:
            return await db[OUTBOX].count_documents({"published_at": None}) == 0

        await eventually(all_published, timeout=120)
        # the relay is still running; a replay of everything since before the first record
        assert await replay(db, started - timedelta(seconds=1)) == count
        relay.nudge()

        async def published_twice() -> Any:
            return await db[OUTBOX].count_documents({"attempts": 2}) == count

        await eventually(published_twice, timeout=120)
        assert await db[OUTBOX].count_documents({"replayed_at": {"$ne": None}}) == count
    finally:
        await relay.stop()
