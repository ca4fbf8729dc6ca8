"""A poison message lands in dead letters after bounded retries, is counted on /metrics, does not block
the events behind it, and can be listed and re-driven by an operator."""

from __future__ import annotations

import json
import uuid
from datetime import date

from aiokafka import AIOKafkaProducer
from civic_contracts import Envelope
from civic_contracts.property import BuildingClosed

from tests.conftest import eventually


async def _send(stack, envelope: dict) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap())
    await producer.start()
    try:
        await producer.send_and_wait("property.events.v1", json.dumps(envelope).encode(),
                                     key=str(envelope.get("subject", "x")).encode())
    finally:
        await producer.stop()


async def test_poison_message_goes_to_dead_letters_and_the_queue_keeps_flowing(
    stack, service_client, mongo_db
) -> None:
    client = await service_client("savings", scopes="savings:read ops")
    db = await mongo_db("savings")
    poison_id = str(uuid.uuid4())
    # right type, wrong data: the handler can never apply it
    await _send(stack, {"specversion": "1.0", "id": poison_id, "source": "/civic/property",
                        "type": "property.building.closed", "subject": "b-poison",
                        "data": {"building_id": "b-poison", "annual_running_cost_pence": "lots"}})
    good_name = f"Good Building {uuid.uuid4().hex[:6]}"
    good = Envelope.wrap(BuildingClosed(building_id=f"b-{uuid.uuid4().hex[:8]}", name=good_name, town="Brackley",
                                        closed_on=date(2024, 6, 1), annual_running_cost_pence=5_000_000,
                                        annual_carbon_kg=1000), source="/civic/property")
    await _send(stack, good.model_dump(mode="json"))

    async def good_applied() -> bool:
        page = (await client.get("/v1/initiatives", params={"limit": 500})).json()
        return any(good_name in i["title"] for i in page["items"])

    await eventually(good_applied, timeout=30)
    dead = await eventually(lambda: db["dead_letters"].find_one({"event_id": poison_id}), timeout=30)
    assert dead["status"] == "open" and "annual_running_cost_pence" in dead["error"]

    metrics = (await client.get("/metrics")).text
    assert 'civic_dead_letters_total{service="savings",type="property.building.closed"}' in metrics

    listed = (await client.get("/ops/dead-letters", params={"status": "open"})).json()["items"]
    assert dead["_id"] in [d["id"] for d in listed]
    redriven = await client.post(f"/ops/dead-letters/{dead['_id']}/redrive")
    assert redriven.status_code == 200 and redriven.json()["outcome"] == "failed"  # still poison

    readers = await service_client("savings", scopes="savings:read")
    assert (await readers.get("/ops/dead-letters")).status_code == 403


async def test_redelivered_event_has_no_second_effect(runtime_of) -> None:
    runtime = await runtime_of("savings")
    event = Envelope.wrap(BuildingClosed(building_id=f"b-{uuid.uuid4().hex[:8]}", name="Twice Hall", town="Towcester",
                                         closed_on=date(2024, 7, 1), annual_running_cost_pence=100,
                                         annual_carbon_kg=1), source="/civic/property")
    assert await runtime.deliver(event) == "applied"
    assert await runtime.deliver(event) == "duplicate"
    assert await runtime.db["initiatives"].count_documents({"building_id": event.data["building_id"]}) == 1
