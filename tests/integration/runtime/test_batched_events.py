"""Events fetched together are applied together, in units of work of up to 20, each at most once; if
anything in a group fails, none of that group is kept and from it on the events go one by one (where a
poison one is dead-lettered)."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

from aiokafka import AIOKafkaProducer
from civic_contracts import Envelope
from civic_contracts.property import BuildingClosed

from tests.conftest import eventually


def _closure(name: str = "Batch Hall") -> Envelope:
    return Envelope.wrap(BuildingClosed(building_id=f"b-{uuid.uuid4().hex[:10]}", name=f"{name} {uuid.uuid4().hex[:6]}",
                                        town="Daventry", closed_on=date(2024, 9, 1), annual_running_cost_pence=250_000,
                                        annual_carbon_kg=10), source="/civic/property")


def _poison() -> Envelope:
    # the right type with data the handler can never apply
    return Envelope.model_validate({"specversion": "1.0", "id": str(uuid.uuid4()), "source": "/civic/property",
                                    "type": "property.building.closed", "subject": "b-poison",
                                    "data": {"building_id": "b-poison", "annual_running_cost_pence": "lots"}})


async def _savings_for(db: Any, events: list[Envelope]) -> list[int]:
    return [await db["initiatives"].count_documents({"building_id": e.data["building_id"]}) for e in events]


async def test_a_batch_is_applied_in_one_go_and_again_changes_nothing(runtime_of) -> None:
    runtime = await runtime_of("savings")
    events = [_closure() for _ in range(5)]

    assert await runtime.consumer.apply_together(events) == 5
    assert await _savings_for(runtime.db, events) == [1] * 5
    assert await runtime.db["inbox"].count_documents({"_id": {"$in": [e.id for e in events]}}) == 5

    assert await runtime.consumer.apply_together(events) == 5  # redelivered: all already handled
    assert await _savings_for(runtime.db, events) == [1] * 5


async def test_an_event_already_handled_is_skipped_inside_a_batch(runtime_of) -> None:
    runtime = await runtime_of("savings")
    first, second = _closure(), _closure()
    assert await runtime.deliver(first) == "applied"

    assert await runtime.consumer.apply_together([first, second]) == 2
    assert await _savings_for(runtime.db, [first, second]) == [1, 1]


async def test_a_batch_with_a_poison_event_keeps_nothing(runtime_of) -> None:
    runtime = await runtime_of("savings")
    good = [_closure(), _closure()]
    poison = _poison()
    outbox_before = await runtime.db["outbox"].count_documents({})

    assert await runtime.consumer.apply_together([good[0], poison, good[1]]) == 0

    assert await _savings_for(runtime.db, good) == [0, 0]
    assert await runtime.db["inbox"].count_documents({"_id": {"$in": [good[0].id, good[1].id, poison.id]}}) == 0
    assert await runtime.db["outbox"].count_documents({}) == outbox_before  # no event emitted for them either


async def test_groups_before_a_failing_one_are_kept_and_it_and_those_after_are_not(runtime_of) -> None:
    runtime = await runtime_of("savings")
    events = [_closure("Group Hall") for _ in range(50)]
    events[27] = _poison()  # in the second group of 20
    good = [e for i, e in enumerate(events) if i != 27]

    assert await runtime.consumer.apply_together(events) == 20

    assert await _savings_for(runtime.db, good) == [1] * 20 + [0] * 29


async def test_a_long_batch_goes_in_groups_and_all_of_it_is_applied(runtime_of) -> None:
    runtime = await runtime_of("savings")
    events = [_closure("Long Hall") for _ in range(45)]
    assert await runtime.consumer.apply_together(events) == 45
    assert await _savings_for(runtime.db, events) == [1] * 45


async def test_one_event_twice_in_a_batch_is_left_to_the_one_by_one_path(runtime_of) -> None:
    runtime = await runtime_of("savings")
    event = _closure()
    assert await runtime.consumer.apply_together([event, event]) == 0
    assert await _savings_for(runtime.db, [event]) == [0]


async def test_from_the_broker_a_poison_event_in_a_batch_does_not_cost_the_others(stack, mongo_db) -> None:
    """Sent back to back with one key (one partition), so the consumer fetches them together; the batch
    fails on the poison event and falls back: the good ones are applied once, the poison one is dead-lettered."""
    db = await mongo_db("savings")
    good = [_closure("Broker Hall") for _ in range(6)]
    poison = _poison()
    batch = [*good[:3], poison, *good[3:]]
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap(), linger_ms=50)
    await producer.start()
    try:
        sent = [await producer.send("property.events.v1", json.dumps(e.model_dump(mode="json")).encode(),
                                    key=b"one-partition") for e in batch]
        for delivery in sent:
            await delivery
    finally:
        await producer.stop()

    async def all_applied() -> bool:
        return await _savings_for(db, good) == [1] * len(good)

    await eventually(all_applied, timeout=30)
    dead = await eventually(lambda: db["dead_letters"].find_one({"event_id": poison.id}), timeout=30)
    assert dead["status"] == "open"
    assert await db["inbox"].count_documents({"_id": {"$in": [e.id for e in good]}}) == len(good)
