"""The event hop: a building closed in property (write accepted) until savings has applied it (the
realised saving stored), at a steady rate; beside it, the broker's own produce -> consume latency on
the same machine, so the platform's share of the hop is visible.

Both ends of the hop are stamped by the servers' clocks on this one machine: the outbox record's
``created_at`` (written in the closing transaction) and the saving's ``created_at`` (written in the
consuming transaction), so polling intervals do not enter the figure.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import date
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from pymongo import AsyncMongoClient

from bench.measure import limits, ms, ok, percentile

RATE_PER_SECOND = 50
EVENTS = 500


async def _paced(count: int, rate: float, action: Any) -> None:
    """Open loop: start action(n) on schedule whether or not earlier ones have finished."""
    started = time.perf_counter()
    tasks = []
    for n in range(count):
        delay = started + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(action(n)))
    await asyncio.gather(*tasks)


async def hop(property_url: str, property_mongo: str, savings_mongo: str, headers: dict[str, str],
              events: int = EVENTS) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=property_url, headers=headers, timeout=60, limits=limits(64),
                                 trust_env=False) as client:
        ids: list[str] = []
        for n in range(events):  # set-up, not timed: buildings with a closure planned
            created = await client.post("/v1/buildings", json={
                "name": f"Hop {n} {uuid.uuid4().hex[:6]}", "town": "Towcester", "kind": "depot", "desks": 5,
                "annual_running_cost_pence": 1_000_000 + n, "annual_carbon_kg": 2_000, "tenure": "leasehold",
            })
            ok(created)
            building = created.json()["id"]
            planned = await client.post(f"/v1/buildings/{building}/transitions",
                                        json={"to": "closure_planned", "on": date.today().isoformat()})
            ok(planned)
            ids.append(building)
        refused = 0

        async def close(n: int) -> None:
            nonlocal refused
            response = await client.post(f"/v1/buildings/{ids[n]}/transitions", json={"to": "closed"})
            if response.status_code != 200:
                refused += 1

        started = time.perf_counter()
        await _paced(events, RATE_PER_SECOND, close)
        offered = time.perf_counter() - started

    prop: AsyncMongoClient[Any] = AsyncMongoClient(property_mongo, tz_aware=True)
    sav: AsyncMongoClient[Any] = AsyncMongoClient(savings_mongo, tz_aware=True)
    try:
        deadline = time.perf_counter() + 120
        while time.perf_counter() < deadline:
            applied = await sav["civic_savings"]["initiatives"].count_documents({"building_id": {"$in": ids}})
            if applied >= events - refused:
                break
            await asyncio.sleep(0.5)
        written = {
            r["key"]: r["created_at"]
            async for r in prop["civic_property"]["outbox"].find(
                {"type": "property.building.closed", "key": {"$in": ids}}, {"key": 1, "created_at": 1})
        }
        hops = [
            (doc["created_at"] - written[doc["building_id"]]).total_seconds()
            async for doc in sav["civic_savings"]["initiatives"].find(
                {"building_id": {"$in": ids}}, {"building_id": 1, "created_at": 1})
            if doc["building_id"] in written
        ]
    finally:
        await prop.close()
        await sav.close()
    return {
        "rate_per_second": RATE_PER_SECOND,
        "offered_per_second": round(events / offered, 1),
        "events": events,
        "refused": refused,
        "applied": len(hops),
        "p50_ms": ms(percentile(hops, 0.5)),
        "p99_ms": ms(percentile(hops, 0.99)),
        "max_ms": ms(max(hops)) if hops else None,
    }


async def broker_baseline(bootstrap: str, events: int = EVENTS) -> dict[str, Any]:
    """Raw aiokafka produce -> group consumer receive, same rate, acks=all, read_committed like the services."""
    topic = f"bench.latency.{uuid.uuid4().hex[:6]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    finally:
        await admin.close()
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=f"bench-{uuid.uuid4().hex[:6]}",
                                auto_offset_reset="earliest", enable_auto_commit=False,
                                isolation_level="read_committed")
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=False, linger_ms=2)
    await consumer.start()
    await producer.start()
    received: list[float] = []
    try:
        while not consumer.assignment():
            await consumer.getmany(timeout_ms=200)

        async def consume() -> None:
            while len(received) < events:
                batches = await consumer.getmany(timeout_ms=500)
                now = time.perf_counter()
                for records in batches.values():
                    for record in records:
                        received.append(now - json.loads(record.value)["sent"])
                    await consumer.commit()

        reader = asyncio.create_task(consume())

        async def send(n: int) -> None:
            payload = json.dumps({"n": n, "sent": time.perf_counter()}).encode()
            await producer.send_and_wait(topic, payload, key=str(n).encode())

        await _paced(events, RATE_PER_SECOND, send)
        await asyncio.wait_for(reader, timeout=60)
    finally:
        await producer.stop()
        await consumer.stop()
    return {"rate_per_second": RATE_PER_SECOND, "events": len(received), "p50_ms": ms(percentile(received, 0.5)),
            "p99_ms": ms(percentile(received, 0.99))}
