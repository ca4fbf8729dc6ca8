"""End to end through the gateway: a building closure in property becomes a realised saving in savings
and a briefing item in comms, in one trace; with the broker stopped, restarted (its memory lost) and
the outbox replayed, nothing is lost and nothing is applied twice."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from civic.auth import ALL_SCOPES
from civic.cli.stack import Stack

from tests.conftest import eventually

pytestmark = [pytest.mark.e2e]


def _client(platform: Stack) -> httpx.AsyncClient:
    token = platform.token(ALL_SCOPES, sub="e2e-officer")
    return httpx.AsyncClient(base_url=platform.gateway_url(), timeout=30,
                             headers={"Authorization": f"Bearer {token}"})


async def _close_building(client: httpx.AsyncClient, name: str) -> tuple[str, str]:
    created = await client.post("/api/property/v1/buildings", json={
        "name": name, "town": "Daventry", "kind": "office", "desks": 40,
        "annual_running_cost_pence": 12_345_600, "annual_carbon_kg": 18_000, "tenure": "freehold",
    })
    assert created.status_code == 201, created.text
    building = created.json()
    planned = await client.post(f"/api/property/v1/buildings/{building['id']}/transitions",
                                json={"to": "closure_planned", "on": date.today().isoformat()})
    assert planned.status_code == 200, planned.text
    closed = await client.post(f"/api/property/v1/buildings/{building['id']}/transitions", json={"to": "closed"})
    assert closed.status_code == 200, closed.text
    return building["id"], closed.headers["x-trace-id"]


async def _savings_for(client: httpx.AsyncClient, name: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/savings/v1/initiatives", params=params)).json()
        items += [i for i in page["items"] if name in i["title"]]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


def _spans(platform: Stack, trace_id: str) -> list[dict[str, Any]]:
    path = Path(platform.state_dir) / "traces.jsonl"
    if not path.exists():
        return []
    return [s for s in map(json.loads, path.read_text().splitlines()) if s["trace_id"] == trace_id]


async def test_a_closure_becomes_a_saving_and_a_briefing_item_in_one_trace(platform: Stack) -> None:
    name = f"Lodge Road {uuid.uuid4().hex[:6]}"
    async with _client(platform) as client:
        _, trace_id = await _close_building(client, name)

        savings = await eventually(lambda: _savings_for(client, name), timeout=30)
        assert len(savings) == 1
        saving = savings[0]
        assert saving["theme"] == "redesign_reorganisation" and saving["status"] == "delivered"

        week = datetime.now(UTC).strftime("%G-W%V")

        async def briefing_mentions() -> bool:
            response = await client.get(f"/api/comms/v1/briefings/{week}")
            return response.status_code == 200 and name in response.text

        await eventually(briefing_mentions, timeout=30)

    # one trace: the gateway request, property's write, the Kafka publish, and both consumers
    async def whole_trace() -> set[tuple[str, str]] | None:
        # spans are exported in batches, a parent often after its children: wait for all of them
        kinds = {(s["service"], s["kind"]) for s in _spans(platform, trace_id)}
        wanted = {("civic-property", "PRODUCER"), ("civic-savings", "CONSUMER"), ("civic-comms", "CONSUMER")}
        services = {service for service, _ in kinds}
        whole = {"civic-gateway", "civic-property", "civic-savings", "civic-comms"} <= services and wanted <= kinds
        return kinds if whole else None

    await eventually(whole_trace, timeout=20)


async def test_broker_away_then_memory_lost_nothing_lost_nothing_twice(platform: Stack) -> None:
    started = datetime.now(UTC)
    before, during = f"Before {uuid.uuid4().hex[:6]}", f"During {uuid.uuid4().hex[:6]}"
    async with _client(platform) as client:
        await _close_building(client, before)
        await eventually(lambda: _savings_for(client, before), timeout=30)

        platform.stop_component("kafka")
        # writes are accepted while the broker is away: the events wait in the outbox
        await _close_building(client, during)
        await asyncio.sleep(2)
        assert await _savings_for(client, during) == []

        platform.start_broker()  # a memory broker: topics, messages and offsets are gone
        await eventually(lambda: _savings_for(client, during), timeout=60)

        # after data loss the operator replays the outbox; consumers ignore what they already applied
        ops = {"Authorization": f"Bearer {platform.token(['ops'])}"}
        replay = await client.post(f"{platform.service_url('property')}/ops/outbox/replay",
                                   json={"since": started.isoformat()}, headers=ops)
        assert replay.status_code == 200 and replay.json()["replayed"] >= 2

        async def replay_published() -> bool:
            state = (await client.get(f"{platform.service_url('property')}/ops/outbox", headers=ops)).json()
            return state["pending"] == 0

        await eventually(replay_published, timeout=30)
        await asyncio.sleep(3)  # give the consumers time to (not) apply the replayed events again
        assert len(await _savings_for(client, before)) == 1
        assert len(await _savings_for(client, during)) == 1
