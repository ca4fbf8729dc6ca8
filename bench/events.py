"""The event hop: a building closed in property (write accepted) until savings has applied it (the
realised saving stored), at a steady rate, with one savings replica and with two in one consumer group;
beside it, the broker's own produce -> consume latency on the same machine, so the platform's share of
the hop is visible.

Both ends of the hop are stamped by the servers' clocks on this one machine: the outbox record's
``created_at`` (written in the closing transaction) and the saving's ``created_at`` (written in the
consuming transaction), so polling intervals do not enter the figure.

The broker-alone figure uses the very clients the services use (``civic.bus``: the producer's acks and
linger, the consumer's fetch wait, isolation, group and manual commits), built from the same settings,
so the difference between the two is the platform's own work: the relay, the database transactions on
both sides, the consumer's unit of work. It matters on Tansu, which holds every fetch until its
``fetch_max_wait_ms`` runs out even when messages are waiting: with aiokafka's default of 500 ms a
message waits about 130 ms there on average, with the services' 50 ms about 16 ms. Both are shown.

One and two replicas are measured in turns, 1, 2, 2, 1 (each hop adds savings, so neither side gets all
the early, smaller database), and each is summed up by the median of its rounds.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import uuid
from datetime import date
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from civic import bus
from civic.cli.stack import Stack
from civic.settings import ServiceSettings
from pymongo import AsyncMongoClient

from bench.measure import limits, ms, ok, percentile

RATE_PER_SECOND = 50
EVENTS = 500
ORDER = (1, 2, 2, 1)  # savings replicas, hop by hop
REPLICA = "savings-2"
PARTITIONS = 3  # property.events.v1, as the services create it

# the targets
REPLICAS_SLOWER_AT_MOST = 1.25  # two replicas' hop p50 and p99 at most this many times one replica's
ADDED_P50_MS_AT_MOST = 100  # one replica's hop p50 at most the broker's own p50 plus this
ADDED_P99_MS_AT_MOST = 400  # and p99 at most the broker's own p99 plus this


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
        # asked for the closures not seen applied yet, so each poll is smaller than the last: asking for all
        # 500 every half second held the savings database (the one being measured) for 0.3 s a time
        pending = set(ids)
        while time.perf_counter() < deadline:
            pending -= {doc["building_id"] async for doc in sav["civic_savings"]["initiatives"].find(
                {"building_id": {"$in": sorted(pending)}}, {"_id": 0, "building_id": 1})}
            if len(pending) <= refused:  # every closure accepted is applied
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
        savings_before = await sav["civic_savings"]["initiatives"].estimated_document_count() - len(hops)
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
        "initiatives_before": savings_before,
    }


def client_settings(bootstrap: str) -> ServiceSettings:
    """The settings a service started by ``civic up`` has for Kafka (Tansu: no idempotent producer)."""
    return ServiceSettings(service_name="bench", kafka_bootstrap_servers=bootstrap, kafka_idempotent_producer=False)


async def broker_baseline(bootstrap: str, events: int = EVENTS, as_services: bool = True) -> dict[str, Any]:
    """Produce -> group consumer receive at the same rate, keyed, over three partitions, committing after
    each fetch. ``as_services``: with the services' own clients (``civic.bus``); otherwise with aiokafka's
    defaults (acks=all, read_committed), as this figure was measured before."""
    topic = f"bench.latency.{uuid.uuid4().hex[:6]}"
    group = f"bench-{uuid.uuid4().hex[:6]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=PARTITIONS, replication_factor=1)])
    finally:
        await admin.close()
    settings = client_settings(bootstrap)
    consumer: AIOKafkaConsumer
    producer: AIOKafkaProducer
    if as_services:
        consumer = bus.consumer(settings, group_id=group, topics=[topic])
        producer = bus.producer(settings, client_id="bench-latency")
    else:
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest",
                                    enable_auto_commit=False, isolation_level="read_committed")
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=False, linger_ms=2)
    await consumer.start()
    await producer.start()
    received: list[float] = []
    try:
        while not consumer.assignment():
            await consumer.getmany(timeout_ms=200)

        async def consume() -> None:
            while len(received) < events:
                batches = await consumer.getmany(timeout_ms=500, max_records=settings.consumer_max_records)
                now = time.perf_counter()
                for records in batches.values():
                    for record in records:
                        received.append(now - json.loads(record.value or b"{}")["sent"])
                if batches:
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
            "p99_ms": ms(percentile(received, 0.99)),
            "clients": "the services' (civic.bus)" if as_services else "aiokafka defaults",
            "fetch_max_wait_ms": settings.consumer_fetch_max_wait_ms if as_services else 500}


async def _partitions(url: str) -> int | None:
    """How many partitions the consumer of the savings process at ``url`` holds (None: not answering)."""
    try:
        async with httpx.AsyncClient(timeout=5, trust_env=False) as client:
            text = (await client.get(f"{url}/metrics")).text
    except httpx.HTTPError:
        return None
    for line in text.splitlines():
        if line.startswith('civic_consumer_partitions{service="savings"}'):
            return int(float(line.split()[-1]))
    return 0


async def _settled(urls: list[str], timeout: float = 90) -> float:
    """Wait until the savings consumer group is these processes, each holding partitions, all of them held.
    Returns the seconds it took (the rebalance)."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        held = [await _partitions(url) for url in urls]
        if all(h for h in held) and sum(h or 0 for h in held) == PARTITIONS:
            return round(time.perf_counter() - started, 1)
        await asyncio.sleep(0.5)
    raise RuntimeError(f"the savings consumer group did not settle on {len(urls)} replicas within {timeout:.0f}s")


async def run(stack: Stack, headers: dict[str, str], events: int = EVENTS) -> dict[str, Any]:
    """The hop with one and two savings replicas in turns (``ORDER``), and the broker alone before and after."""
    first = await broker_baseline(stack.kafka_bootstrap(), events)
    defaults = await broker_baseline(stack.kafka_bootstrap(), events, as_services=False)
    rounds: list[dict[str, Any]] = []
    try:
        for replicas in ORDER:
            urls = [stack.service_url("savings")]
            if replicas == 2:
                if REPLICA not in stack.processes:
                    stack.start_replica("savings", 2)
                    stack.wait_ready(REPLICA)
                urls.append(stack.components[REPLICA].url)
            elif REPLICA in stack.processes:
                stack.stop_component(REPLICA)
            settle = await _settled(urls)
            result = await hop(stack.service_url("property"), stack.mongodb_url("property"),
                               stack.mongodb_url("savings"), headers, events=events)
            rounds.append({"replicas": replicas, "rebalance_seconds": settle, **result})
    finally:
        if REPLICA in stack.processes:
            stack.stop_component(REPLICA)
    last = await broker_baseline(stack.kafka_bootstrap(), events)
    return {
        "rounds": rounds,
        "1 replica": _median_of(r for r in rounds if r["replicas"] == 1),
        "2 replicas": _median_of(r for r in rounds if r["replicas"] == 2),
        "broker": _median_of([first, last]) | {"runs": [first, last]},
        "broker_aiokafka_defaults": defaults,
    }


def _median_of(runs: Any) -> dict[str, Any]:
    runs = list(runs)
    return {
        "p50_ms": round(statistics.median(r["p50_ms"] for r in runs), 2),
        "p99_ms": round(statistics.median(r["p99_ms"] for r in runs), 2),
        "applied": sum(r.get("applied", r["events"]) for r in runs),
        "events": sum(r["events"] for r in runs),
        "rounds": len(runs),
    }


def _verdict(holds: bool) -> str:
    return "met" if holds else "**not met**"


def target_rows(e: dict[str, Any]) -> list[tuple[str, Any, str, str]]:
    """The event targets: (figure, measured, target, verdict)."""
    one, two, broker = e["1 replica"], e["2 replicas"], e["broker"]
    p50_ratio = round(two["p50_ms"] / one["p50_ms"], 3) if one["p50_ms"] else None
    p99_ratio = round(two["p99_ms"] / one["p99_ms"], 3) if one["p99_ms"] else None
    added_p50 = round(one["p50_ms"] - broker["p50_ms"], 1)
    added_p99 = round(one["p99_ms"] - broker["p99_ms"], 1)
    every = two["applied"] == two["events"] and one["applied"] == one["events"]
    return [
        ("Event hop, two savings replicas ÷ one, p50 (median of rounds)", p50_ratio, f"≤ {REPLICAS_SLOWER_AT_MOST}",
         _verdict(p50_ratio is not None and p50_ratio <= REPLICAS_SLOWER_AT_MOST)),
        ("Event hop, two savings replicas ÷ one, p99 (median of rounds)", p99_ratio, f"≤ {REPLICAS_SLOWER_AT_MOST}",
         _verdict(p99_ratio is not None and p99_ratio <= REPLICAS_SLOWER_AT_MOST)),
        ("Events applied, one and two replicas", f"{one['applied'] + two['applied']} / {one['events'] + two['events']}",
         "all", _verdict(every)),
        (f"Event hop p50 minus broker alone p50, ms (one replica, {RATE_PER_SECOND}/s)", added_p50,
         f"≤ {ADDED_P50_MS_AT_MOST}", _verdict(added_p50 <= ADDED_P50_MS_AT_MOST)),
        (f"Event hop p99 minus broker alone p99, ms (one replica, {RATE_PER_SECOND}/s)", added_p99,
         f"≤ {ADDED_P99_MS_AT_MOST}", _verdict(added_p99 <= ADDED_P99_MS_AT_MOST)),
    ]


def detail(e: dict[str, Any]) -> list[str]:
    """The event section of a results page."""
    one, two, broker, defaults = e["1 replica"], e["2 replicas"], e["broker"], e["broker_aiokafka_defaults"]
    return [
        "## Event hop (write accepted → applied by the reacting service)",
        "",
        f"Property closes a building at a steady {RATE_PER_SECOND}/s; savings records the realised saving. "
        "Stamped by the two transactions (outbox record → saving), so polling does not enter the figure. "
        "One and two savings replicas (one consumer group) in turns, each round after the group has settled "
        "on its replicas; the broker alone before and after, with the clients and settings the services use "
        f"(fetch wait {broker['runs'][0]['fetch_max_wait_ms']} ms).",
        "",
        "| | p50 ms | p99 ms | applied / events |",
        "|---|---:|---:|---:|",
        f"| Platform, one savings replica (median of {one['rounds']} rounds) | {one['p50_ms']} | {one['p99_ms']} | "
        f"{one['applied']} / {one['events']} |",
        f"| Platform, two savings replicas (median of {two['rounds']} rounds) | {two['p50_ms']} | {two['p99_ms']} | "
        f"{two['applied']} / {two['events']} |",
        f"| Broker alone, the services' clients (median of 2 runs) | {broker['p50_ms']} | {broker['p99_ms']} | "
        f"{broker['applied']} / {broker['events']} |",
        f"| Broker alone, aiokafka's defaults (fetch wait 500 ms: how it was measured before) | {defaults['p50_ms']} | "
        f"{defaults['p99_ms']} | {defaults['events']} / {defaults['events']} |",
        "",
        "| round | replicas | p50 ms | p99 ms | max ms | applied / events | offered /s | savings before | "
        "group settled in s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *[f"| {i} | {r['replicas']} | {r['p50_ms']} | {r['p99_ms']} | {r['max_ms']} | {r['applied']} / {r['events']} "
          f"| {r['offered_per_second']} | {r['initiatives_before']} | {r['rebalance_seconds']} |"
          for i, r in enumerate(e["rounds"], 1)],
        "",
        "Both replicas share this machine's two cores with the database servers, the broker and the load "
        "generator, so a second replica adds a consumer (the three partitions are split between them) more "
        "than it adds CPU; on a cluster each replica brings its own.",
        "",
    ]
