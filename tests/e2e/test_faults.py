"""Faults against the whole platform as processes: a consumer killed mid-stream, broker data loss
repaired with the operator CLI, a poison message handled with the CLI, a database server killed
under a service, and a graceful shutdown under load.

Every component a test stops is started again by the ``restored`` fixture, so the shared
``platform`` stays usable by the other e2e tests whatever the order.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from civic.auth import ALL_SCOPES
from civic.cli.stack import Stack
from prometheus_client.parser import text_string_to_metric_families
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from tests.conftest import eventually

pytestmark = [pytest.mark.e2e]

CLOSED = "property.building.closed"


# ---- helpers -------------------------------------------------------------------------------
def _client(platform: Stack, service: str) -> httpx.AsyncClient:
    token = platform.token(ALL_SCOPES, sub="fault-officer")
    return httpx.AsyncClient(base_url=platform.service_url(service), timeout=30,
                             headers={"Authorization": f"Bearer {token}"})


@asynccontextmanager
async def _database(platform: Stack, service: str) -> AsyncIterator[AsyncDatabase[Any]]:
    """The service's own database, read directly (what is really stored, not what the API says)."""
    client: AsyncMongoClient[Any] = AsyncMongoClient(platform.mongodb_url(service), tz_aware=True,
                                                     serverSelectionTimeoutMS=10_000)
    try:
        yield client[f"civic_{service}"]
    finally:
        await client.close()


async def _civic(platform: Stack, *args: str) -> tuple[int, str]:
    """The real operator CLI as a subprocess, pointed at the test platform by CIVIC_STATE_DIR."""
    script = Path(sys.executable).with_name("civic")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "civic.cli.main"]
    env = {k: v for k, v in os.environ.items() if k != "CIVIC_TOKEN"}
    env["CIVIC_STATE_DIR"] = str(platform.state_dir)
    process = await asyncio.create_subprocess_exec(*command, *args, env=env, stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.STDOUT)
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, output.decode()


async def _new_buildings(client: httpx.AsyncClient, prefix: str, count: int) -> dict[str, str]:
    """``count`` buildings (id -> name), their closure planned, ready to be closed."""
    tag = uuid.uuid4().hex[:6]
    gate = asyncio.Semaphore(4)

    async def one(i: int) -> tuple[str, str]:
        name = f"{prefix} {tag} {i:03d}"
        async with gate:
            created = await client.post("/v1/buildings", json={
                "name": name, "town": "Corby", "kind": "office", "desks": 20,
                "annual_running_cost_pence": 1_000_000 + i, "annual_carbon_kg": 1_000, "tenure": "leasehold",
            })
            assert created.status_code == 201, created.text
            building_id = created.json()["id"]
            moved = await client.post(f"/v1/buildings/{building_id}/transitions",
                                      json={"to": "closure_planned", "on": date.today().isoformat()})
            assert moved.status_code == 200, moved.text
        return building_id, name

    return dict(await asyncio.gather(*(one(i) for i in range(count))))


async def _close(client: httpx.AsyncClient, building_id: str) -> None:
    closed = await client.post(f"/v1/buildings/{building_id}/transitions", json={"to": "closed"})
    assert closed.status_code == 200, closed.text


async def _savings_per_building(savings_db: AsyncDatabase[Any], building_ids: Any) -> dict[str, int]:
    """How many initiatives savings holds for each of these buildings."""
    counts: dict[str, int] = {}
    async for doc in savings_db["initiatives"].find({"building_id": {"$in": list(building_ids)}},
                                                    {"building_id": 1}):
        counts[doc["building_id"]] = counts.get(doc["building_id"], 0) + 1
    return counts


async def _closure_events(property_db: AsyncDatabase[Any], building_ids: Any) -> list[dict[str, Any]]:
    """What property recorded (and publishes) for these buildings' closures: its outbox."""
    return await property_db["outbox"].find(
        {"type": CLOSED, "envelope.data.building_id": {"$in": list(building_ids)}}
    ).to_list()


async def _wait_published(property_db: AsyncDatabase[Any], building_ids: Any, timeout: float = 30) -> None:
    async def all_published() -> bool:
        records = await _closure_events(property_db, building_ids)
        return len(records) == len(building_ids) and all(r["published_at"] is not None for r in records)

    await eventually(all_published, timeout=timeout)


async def _assert_applied_once(platform: Stack, building_ids: Any) -> None:
    """Each closure event recorded by property had exactly one effect in savings, none was dead-lettered."""
    async with _database(platform, "property") as property_db, _database(platform, "savings") as savings_db:
        events = await _closure_events(property_db, building_ids)
        assert len(events) == len(building_ids)
        event_ids = [e["_id"] for e in events]
        per_building = await _savings_per_building(savings_db, building_ids)
        assert per_building == dict.fromkeys(building_ids, 1)
        assert await savings_db["inbox"].count_documents({"_id": {"$in": event_ids}}) == len(event_ids)
        assert await savings_db["dead_letters"].count_documents({"event_id": {"$in": event_ids}}) == 0
        # the realised saving was itself announced exactly once per building
        delivered = await savings_db["outbox"].count_documents(
            {"type": "savings.initiative.delivered", "envelope.data.building_id": {"$in": list(building_ids)}}
        )
        assert delivered == len(building_ids)


async def _metric(client: httpx.AsyncClient, name: str, **labels: str) -> float:
    text = (await client.get("/metrics")).text
    return sum(sample.value for family in text_string_to_metric_families(text) for sample in family.samples
               if sample.name == name and labels.items() <= sample.labels.items())


async def _api_savings(client: httpx.AsyncClient, title_part: str) -> list[dict[str, Any]]:
    """Initiatives listed by the savings API whose title contains ``title_part`` (every page)."""
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        response = await client.get("/v1/initiatives", params={"limit": 500, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        page = response.json()
        found += [i for i in page["items"] if title_part in i["title"]]
        cursor = page.get("next_cursor")
        if not cursor:
            return found


def _pid(platform: Stack, name: str) -> int | None:
    return platform.components[name].pid


# ---- 1. a consumer killed while events stream to it ------------------------------------------
async def test_consumer_killed_mid_stream_applies_every_event_exactly_once(restored: Stack) -> None:
    platform = restored
    async with _client(platform, "property") as prop, _database(platform, "savings") as savings_db:
        named = await _new_buildings(prop, "Killed Stream", 40)
        buildings = list(named)
        closed: list[str] = []
        phases = {"killed": asyncio.Event(), "back": asyncio.Event()}
        closed_at: dict[str, int] = {}

        async def stream() -> None:
            """A steady rate of closures before, during and after the outage of savings. The last ten are kept
            for the outage and after it, however long the kill and the restart take on a busy machine."""
            for i, building_id in enumerate(buildings):
                left = len(buildings) - i
                if left == 10:
                    await phases["killed"].wait()
                if left == 5:
                    await phases["back"].wait()
                await _close(prop, building_id)
                closed.append(building_id)
                if phases["back"].is_set() and len(closed) >= closed_at["back"] + 5:
                    return
                await asyncio.sleep(0.2)

        streaming = asyncio.create_task(stream())
        # savings is consuming the stream: some applied (not all), then SIGKILL, no chance to drain or commit
        await eventually(lambda: _applied_count(savings_db, buildings, at_least=3), timeout=30, interval=0.1)
        platform.kill("savings")
        closed_at["killed"] = len(closed)
        phases["killed"].set()
        await asyncio.sleep(1.0)
        platform.start_component("savings")
        await asyncio.to_thread(platform.wait_ready, "savings")
        closed_at["back"] = len(closed)
        phases["back"].set()
        await streaming
        assert closed_at["killed"] < closed_at["back"] < len(closed), closed_at  # closures during the outage

        async with _database(platform, "property") as property_db:
            await _wait_published(property_db, closed)

        async def all_applied() -> bool:
            return sum((await _savings_per_building(savings_db, closed)).values()) >= len(closed)

        await eventually(all_applied, timeout=90, interval=0.5)
        await asyncio.sleep(2)  # redelivered events (offsets not committed at the kill) have had their chance
        await _assert_applied_once(platform, closed)
        # and the buildings that were never closed have no saving
        assert await _savings_per_building(savings_db, set(buildings) - set(closed)) == {}
        # what the savings API lists: one delivered saving per closure, named after the building
        async with _client(platform, "savings") as savings:
            listed = await _api_savings(savings, named[buildings[0]].rsplit(" ", 1)[0])
        assert sorted(i["building_id"] for i in listed) == sorted(closed)
        assert all(i["status"] == "delivered" and i["title"].count(named[i["building_id"]]) == 1 for i in listed)


async def _applied_count(savings_db: AsyncDatabase[Any], ids: list[str], at_least: int) -> int | None:
    applied = sum((await _savings_per_building(savings_db, ids)).values())
    return applied if applied >= at_least else None


# ---- 2. broker data loss, repaired with `civic events replay` --------------------------------
async def test_broker_data_loss_is_repaired_by_cli_replay_without_double_effects(restored: Stack) -> None:
    platform = restored
    since = datetime.now(UTC) - timedelta(seconds=1)
    async with _client(platform, "property") as prop, _database(platform, "property") as property_db, \
            _database(platform, "savings") as savings_db:
        before = await _new_buildings(prop, "Replay Before", 3)
        lost = await _new_buildings(prop, "Replay Lost", 3)
        after = await _new_buildings(prop, "Replay After", 2)
        for building_id in before:
            await _close(prop, building_id)
        await eventually(lambda: _applied_count(savings_db, list(before), at_least=3), timeout=30)

        # savings is away while these closures reach the broker, which then loses everything
        platform.stop_component("savings")
        for building_id in lost:
            await _close(prop, building_id)
        await _wait_published(property_db, lost)
        platform.kill("kafka")
        platform.start_broker()
        platform.start_component("savings")
        await asyncio.to_thread(platform.wait_ready, "savings")
        await asyncio.sleep(3)
        assert await _savings_per_building(savings_db, lost) == {}, "the lost events were delivered anyway?"

        # the operator replays property's outbox since before the incident, with the real CLI
        expected = await property_db["outbox"].count_documents({"created_at": {"$gte": since}})
        code, output = await _civic(platform, "events", "replay", "--since", since.isoformat(),
                                    "--service", "property")
        assert code == 0, output
        service, status, body = output.strip().splitlines()[-1].split(None, 2)
        assert (service, status) == ("property", "200"), output
        assert json.loads(body)["replayed"] == expected >= len(before) + len(lost)

        await _wait_published(property_db, [*before, *lost])
        for building_id in after:  # and what happens next is delivered once as usual
            await _close(prop, building_id)

        async def caught_up() -> bool:
            applied = await _savings_per_building(savings_db, [*lost, *after])
            return sum(applied.values()) >= len(lost) + len(after)

        await eventually(caught_up, timeout=60, interval=0.5)
        async with _client(platform, "savings") as savings:
            # the replayed old events reached savings again and were recognised as already applied
            async def duplicates_seen() -> bool:
                seen = await _metric(savings, "civic_events_handled_total", service="savings", type=CLOSED,
                                     outcome="duplicate")
                return seen >= len(before)

            await eventually(duplicates_seen, timeout=30)
        await asyncio.sleep(1)
        await _assert_applied_once(platform, [*before, *lost, *after])


# ---- 3. a poison message, handled with `civic dlq list` / `civic dlq redrive` ----------------
async def test_poison_message_is_listed_and_redriven_by_the_cli_and_does_not_block(restored: Stack) -> None:
    platform = restored
    async with _client(platform, "property") as prop, _database(platform, "savings") as savings_db:
        behind = await _new_buildings(prop, "Behind Poison", 2)
        first = next(iter(behind))
        poisons = {
            # not even JSON
            "garbage": b"\x00\xffthis is not an event{",
            # an envelope of a type savings handles, with data it can never apply
            "bad-data": json.dumps({
                "specversion": "1.0", "id": str(uuid.uuid4()), "source": "/civic/property", "type": CLOSED,
                "subject": first, "data": {"building_id": first, "annual_running_cost_pence": "lots"},
            }).encode(),
        }
        producer = AIOKafkaProducer(bootstrap_servers=platform.kafka_bootstrap())
        await producer.start()
        try:
            offsets = {}
            for kind, value in poisons.items():
                # keyed like the building, so they sit on the same partition, in front of its closure
                sent = await producer.send_and_wait("property.events.v1", value, key=first.encode())
                offsets[kind] = f"property.events.v1:{sent.partition}:{sent.offset}"
        finally:
            await producer.stop()
        for building_id in behind:
            await _close(prop, building_id)

        # the events behind the poison keep flowing
        await eventually(lambda: _applied_count(savings_db, list(behind), at_least=2), timeout=30)
        dead = await eventually(lambda: _dead_letters(savings_db, list(offsets.values())), timeout=30)
        assert {d["status"] for d in dead.values()} == {"open"}

        code, output = await _civic(platform, "dlq", "list", "--service", "savings", "--status", "open")
        assert code == 0, output
        listed = [line.split() for line in output.splitlines() if line.startswith("savings")]
        listed_ids = {row[1] for row in listed}
        assert set(offsets.values()) <= listed_ids, output
        assert f"{offsets['bad-data']} {CLOSED}" in " ".join(output.split())

        for kind, dead_letter_id in offsets.items():
            code, output = await _civic(platform, "dlq", "redrive", dead_letter_id, "--service", "savings")
            # it cannot be applied: the CLI says so and why, and fails; nothing is applied, it stays open
            assert code != 0, output
            assert output.startswith("savings: 200 "), output
            answer = json.loads(output.split(" ", 2)[2])
            assert answer["outcome"] == "failed", output
            reason = "not a CloudEvents envelope" if kind == "garbage" else "annual_running_cost_pence"
            assert reason in answer["error"], output
        still = await _dead_letters(savings_db, list(offsets.values()))
        assert still is not None and {d["status"] for d in still.values()} == {"open"}
        assert {d["last_redrive_outcome"] for d in still.values()} == {"failed"}

        code, output = await _civic(platform, "dlq", "redrive", "no-such-dead-letter", "--service", "savings")
        assert code != 0 and "404" in output, output
        await _assert_applied_once(platform, list(behind))


async def _dead_letters(savings_db: AsyncDatabase[Any], ids: list[str]) -> dict[str, dict[str, Any]] | None:
    found = {d["_id"]: d for d in await savings_db["dead_letters"].find({"_id": {"$in": ids}}).to_list()}
    return found if len(found) == len(ids) else None


# ---- 4. the database server killed under a service -------------------------------------------
async def test_database_killed_under_a_service_gives_503_and_recovers_by_itself(restored: Stack) -> None:
    platform = restored
    savings_pid = _pid(platform, "savings")
    title = f"During outage {uuid.uuid4().hex[:8]}"
    body = {"title": title, "directorate": "Resources", "theme": "process_policy", "category": "transformation",
            "profile": [{"year": "2025/26", "planned_pence": 1_000_000}]}
    async with _client(platform, "savings") as savings, _client(platform, "property") as prop:
        pending = await _new_buildings(prop, "Outage Closure", 2)
        assert (await savings.get("/readyz")).status_code == 200

        platform.kill("mongodb-savings")

        async def not_ready() -> bool:
            response = await savings.get("/readyz")
            return response.status_code == 503 and response.json()["ready"] is False

        await eventually(not_ready, timeout=20)
        assert (await prop.get("/readyz")).status_code == 200  # only savings depends on that server

        asked = asyncio.get_running_loop().time()
        refused = await asyncio.gather(
            savings.post("/v1/initiatives", json=body),
            savings.post("/v1/initiatives", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}),
            savings.get("/v1/initiatives"),
            # and as a client of the platform sees it, through the gateway
            savings.post(f"{platform.gateway_url()}/api/savings/v1/initiatives", json=body),
        )
        # promptly (the driver's 3 s server selection, once), not after retrying a dead server again and again
        assert asyncio.get_running_loop().time() - asked < 10
        for response in refused:
            assert response.status_code == 503, response.text
            assert response.headers["content-type"].startswith("application/problem+json")
            problem = response.json()
            assert problem["status"] == 503 and problem["type"] and problem["title"] and problem["detail"]
        # events for savings arrive while its database is away: they must wait, not be lost or dead-lettered
        for building_id in pending:
            await _close(prop, building_id)
        await asyncio.sleep(10)  # longer than the consumer's retries (each waits out the driver's 3 s timeout)

        platform.start_mongodb("savings")  # same port, same data directory

        async def ready() -> bool:
            return (await savings.get("/readyz")).status_code == 200

        await eventually(ready, timeout=30)
        assert _pid(platform, "savings") == savings_pid and platform.components["savings"].alive()

        # nothing half-done from the refused writes
        async with _database(platform, "savings") as savings_db:
            assert await savings_db["initiatives"].count_documents({"title": title}) == 0
            assert await savings_db["outbox"].count_documents({"envelope.data.title": title}) == 0

            # writes work again, and their events leave through the relay
            async def accepted() -> httpx.Response | None:
                response = await savings.post("/v1/initiatives", json={**body, "title": f"{title} after"})
                return response if response.status_code == 201 else None

            created = await eventually(accepted, timeout=20)
            initiative_id = created.json()["id"]

            async def relayed() -> bool:
                record = await savings_db["outbox"].find_one({"key": initiative_id})
                return record is not None and record["published_at"] is not None

            await eventually(relayed, timeout=30)

        # the consumer recovered too: the closures published during the outage are applied once
        async def outage_closures_applied() -> bool:
            async with _database(platform, "savings") as savings_db:
                return len(await _savings_per_building(savings_db, pending)) == len(pending)

        await eventually(outage_closures_applied, timeout=60, interval=0.5)
        await _assert_applied_once(platform, list(pending))


# ---- 5. graceful shutdown under load ---------------------------------------------------------
async def test_graceful_shutdown_under_load_loses_nothing_and_half_writes_nothing(restored: Stack) -> None:
    platform = restored
    tag = uuid.uuid4().hex[:8]
    total, concurrency = 200, 12
    outcomes: dict[str, str] = {}  # title -> "created" | "<HTTP status>" | "<transport error>"
    created_ids: dict[str, str] = {}
    token = platform.token(ALL_SCOPES, sub="fault-officer")
    queue: asyncio.Queue[str] = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(f"Shutdown {tag} {i:03d}")
    first_success = asyncio.Event()

    async def worker() -> None:
        # one connection per worker, as a real client keeps it open
        async with httpx.AsyncClient(base_url=platform.service_url("savings"), timeout=30,
                                     headers={"Authorization": f"Bearer {token}"}) as client:
            while not queue.empty():
                title = queue.get_nowait()
                try:
                    response = await client.post("/v1/initiatives", json={
                        "title": title, "directorate": "Resources", "theme": "process_policy",
                        "category": "transformation", "profile": [{"year": "2025/26", "planned_pence": 10_000}],
                    })
                except httpx.TransportError as exc:
                    outcomes[title] = type(exc).__name__
                    await asyncio.sleep(0.05)
                    continue
                if 200 <= response.status_code < 300:
                    created_ids[title] = response.json()["id"]
                    outcomes[title] = "created"
                    first_success.set()
                else:
                    outcomes[title] = str(response.status_code)
                    if response.status_code >= 500:
                        assert response.headers["content-type"].startswith("application/problem+json")

    workers = [asyncio.create_task(worker()) for _ in range(concurrency)]
    await asyncio.wait_for(first_success.wait(), timeout=30)
    await asyncio.sleep(0.3)  # mid-burst
    assert not queue.empty()
    await asyncio.to_thread(platform.stop_component, "savings")  # SIGTERM, waits for the process to exit
    await asyncio.gather(*workers)

    assert len(outcomes) == total
    statuses = set(outcomes.values())
    assert {"created"} < statuses, f"the shutdown did not happen mid-burst: {statuses}"
    # refused cleanly: 503 problem details or a connection the server would not take, never a 500
    assert not any(s.isdigit() and s != "503" for s in statuses), statuses

    platform.start_component("savings")
    await asyncio.to_thread(platform.wait_ready, "savings")
    async with _database(platform, "savings") as savings_db:
        titles = list(outcomes)
        stored = {d["title"]: d for d in await savings_db["initiatives"].find({"title": {"$in": titles}}).to_list()}
        # every 2xx is stored, as answered; a request that got no answer was not taken in at all
        for title, initiative_id in created_ids.items():
            assert title in stored and stored[title]["_id"] == initiative_id, title
        unanswered = {title for title, outcome in outcomes.items() if not outcome.isdigit() and outcome != "created"}
        assert not unanswered & set(stored), "stored although the caller got no answer"
        # nothing half-written: whatever is stored (answered or not) has its event in the outbox, and vice versa
        records = await savings_db["outbox"].find(
            {"type": "savings.initiative.proposed", "envelope.data.title": {"$in": titles}}).to_list()
        assert sorted(r["key"] for r in records) == sorted(d["_id"] for d in stored.values())
        assert len(stored) == len(records) == len({r["key"] for r in records})

        # every stored change is published (drained at shutdown or by the restarted relay), none lost
        async def all_published() -> bool:
            keys = [d["_id"] for d in stored.values()]
            return await savings_db["outbox"].count_documents(
                {"key": {"$in": keys}, "type": "savings.initiative.proposed", "published_at": {"$ne": None}}
            ) == len(keys)

        await eventually(all_published, timeout=30)
