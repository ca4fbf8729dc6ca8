"""Two replicas of savings and two of comms, each pair sharing a database and a consumer group, under
concurrent writes and a storm of building closures, then one replica leaving while events still arrive:
every event is applied once, and what must hold across the platform holds.

- savings: one saving per closed building (a closure then a disposal is still one), and the read
  model's totals, every shard added up, equal the initiatives' own figures;
- comms: one briefing item per event it briefs and one staff-notice draft per planned closure, and
  each consultation's response tally equals the responses stored;
- both: every event produced while the test ran is in the consumer's inbox, nothing is dead-lettered,
  and each replica applied some of them (the partitions really were shared).

Nothing here is timed: the waits are for effects, with generous limits.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio
from civic.auth import ALL_SCOPES
from civic.cli.stack import Stack
from civic_comms.handlers import BRIEFED_EVENTS
from civic_comms.repository import BRIEFING_ITEMS, CONTENT
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from bench import invariants
from tests.conftest import eventually

# the replicas' start and their group's rebalance count against pytest's limit (300 s) with the test itself:
# under make test's load (two workers on two cores) the setup alone can take minutes
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

REPLICATED = ("savings", "comms")
CLOSURES = 48  # buildings closed at once, half of them then disposed of
CREATES = 40  # savings initiatives proposed meanwhile (half then approved), over both replicas
RESPONSES = 40  # consultation responses meanwhile, over both comms replicas
CALLERS = 12


def _replica(service: str) -> str:
    return f"{service}-2"


async def _metric(client: httpx.AsyncClient, url: str, name: str) -> float:
    """The sum of a metric's samples on a process's /metrics (0 when it has none yet)."""
    text = (await client.get(f"{url}/metrics")).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith(name + "{") or line.startswith(name + " "))


async def _group_settled(client: httpx.AsyncClient, urls: list[str], partitions: float, held: list[float]) -> bool:
    held[:] = [await _metric(client, url, "civic_consumer_partitions") for url in urls]
    return all(held) and sum(held) == partitions


@pytest_asyncio.fixture(loop_scope="session")
async def replicas(platform: Stack) -> AsyncIterator[dict[str, list[str]]]:
    """A second process of savings and of comms; yields each service's URLs once its consumer group holds
    every partition it held alone, split over both processes. Stopped afterwards."""
    urls: dict[str, list[str]] = {}
    async with httpx.AsyncClient(timeout=10, trust_env=False) as client:
        alone = {s: await eventually(lambda s=s: _metric(client, platform.service_url(s), "civic_consumer_partitions"),
                                     timeout=60) for s in REPLICATED}
        for service in REPLICATED:
            platform.start_replica(service, 2)
        try:
            for service in REPLICATED:
                platform.wait_ready(_replica(service))
                urls[service] = [platform.service_url(service), platform.components[_replica(service)].url]
            for service in REPLICATED:
                held: list[float] = []
                try:  # a rebalance under make test's load (two workers on two cores) can take minutes
                    await eventually(lambda s=service, h=held: _group_settled(client, urls[s], alone[s], h),
                                     timeout=300, interval=0.5)
                except AssertionError as exc:
                    raise AssertionError(f"{service}'s group did not settle: the replicas hold {held} of "
                                         f"{alone[service]} partitions") from exc
            yield urls
        finally:
            for service in REPLICATED:
                platform.stop_component(_replica(service))


def _databases(mongo: dict[str, AsyncMongoClient[Any]]) -> dict[str, AsyncDatabase[Any]]:
    return {s: client[f"civic_{s}"] for s, client in mongo.items()}


async def _spread(calls: list[Any]) -> list[httpx.Response]:
    """Run the calls ``CALLERS`` at a time."""
    gate = asyncio.Semaphore(CALLERS)

    async def one(call: Any) -> httpx.Response:
        async with gate:
            return await call()

    return await asyncio.gather(*(one(c) for c in calls))


def _ok(responses: list[httpx.Response], status: int = 200) -> None:
    wrong = [(r.status_code, r.text[:200]) for r in responses if r.status_code != status]
    assert not wrong, wrong


async def _events_missing(dbs: dict[str, AsyncDatabase[Any]], consumer: str, since: datetime) -> list[str]:
    """Events written since ``since`` of the types ``consumer`` reacts to that its inbox does not hold."""
    types = sorted(invariants.REACTS_TO[consumer])
    produced: set[str] = set()
    for db in dbs.values():
        produced |= {d["_id"] for d in await db["outbox"].find(
            {"type": {"$in": types}, "created_at": {"$gte": since}}, {"_id": 1}).to_list()}
    held = {d["_id"] for d in await dbs[consumer]["inbox"].find({"_id": {"$in": sorted(produced)}}, {"_id": 1}).to_list()}
    return sorted(produced - held)


async def test_two_replicas_apply_every_event_once_under_a_closure_storm(
    platform: Stack, replicas: dict[str, list[str]]
) -> None:
    since = datetime.now(UTC) - timedelta(seconds=1)
    tag = uuid.uuid4().hex[:6]
    token = platform.token(ALL_SCOPES, sub="e2e-replicas")
    mongo = {s: AsyncMongoClient(platform.mongodb_url(s), tz_aware=True) for s in ("property", "savings", "comms",
                                                                                   "safeguarding")}
    dbs = _databases(mongo)
    sav, com = replicas["savings"], replicas["comms"]
    async with httpx.AsyncClient(timeout=60, trust_env=False, headers={"Authorization": f"Bearer {token}"},
                                 limits=httpx.Limits(max_connections=CALLERS * 2, keepalive_expiry=2.0)) as client:
        prop = platform.service_url("property")

        # set-up: buildings with a closure planned (each an event both services react to) and a consultation
        async def building(n: int) -> str:
            created = await client.post(f"{prop}/v1/buildings", json={
                "name": f"Replica {tag} {n}", "town": "Corby", "kind": "office", "desks": 10,
                "annual_running_cost_pence": 100_000 * (n + 1), "annual_carbon_kg": 500, "tenure": "freehold"})
            assert created.status_code == 201, created.text
            planned = await client.post(f"{prop}/v1/buildings/{created.json()['id']}/transitions",
                                        json={"to": "closure_planned", "on": date.today().isoformat()})
            assert planned.status_code == 200, planned.text
            return str(created.json()["id"])

        buildings = list(await asyncio.gather(*(building(n) for n in range(CLOSURES))))
        consultation = await client.post(f"{com[0]}/v1/consultations", json={
            "title": f"Replica consultation {tag}", "opens_at": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
            "closes_at": (datetime.now(UTC) + timedelta(days=7)).isoformat(),
            "questions": [{"id": "vision", "text": "Do you agree?", "kind": "likert", "required": True}]})
        assert consultation.status_code == 201, consultation.text
        consultation_id = consultation.json()["id"]

        # the storm: every closure at once, with savings and comms writes through both replicas meanwhile
        def close(b: str) -> Any:
            return lambda: client.post(f"{prop}/v1/buildings/{b}/transitions", json={"to": "closed"})

        def propose(n: int) -> Any:
            return lambda: client.post(f"{sav[n % 2]}/v1/initiatives", json={
                "title": f"Replica {tag} {n}", "directorate": ("Place", "Adults")[n % 2], "theme": "process_policy",
                "category": "transformation", "programme": f"Replica {tag}",
                "profile": [{"year": "2031/32", "planned_pence": (n + 1) * 10_000}]})

        def respond(n: int) -> Any:
            return lambda: client.post(f"{com[n % 2]}/v1/consultations/{consultation_id}/responses",
                                       json={"answers": {"vision": ("agree", "disagree")[n % 2]}})

        closed, proposed, responded = await asyncio.gather(
            _spread([close(b) for b in buildings]),
            _spread([propose(n) for n in range(CREATES)]),
            _spread([respond(n) for n in range(RESPONSES)]),
        )
        _ok(closed)
        _ok(proposed, 201)
        _ok(responded, 201)

        # then, while half the buildings go on to be disposed of and half the proposals are approved, one
        # replica of each leaves the group (a rebalance under load): what it held moves to the other
        initiatives = [r.json()["id"] for r in proposed]

        def dispose(b: str) -> Any:
            async def both() -> httpx.Response:
                step = await client.post(f"{prop}/v1/buildings/{b}/transitions", json={"to": "for_disposal"})
                if step.status_code != 200:
                    return step
                return await client.post(f"{prop}/v1/buildings/{b}/transitions",
                                         json={"to": "disposed", "method": "sale", "receipt_pence": 1_000})
            return both

        def approve(n: int, initiative: str) -> Any:
            return lambda: client.post(f"{sav[0]}/v1/initiatives/{initiative}/transitions", json={"to": "approved"})

        later = asyncio.gather(_spread([dispose(b) for b in buildings[::2]]),
                               _spread([approve(n, i) for n, i in enumerate(initiatives[::2])]))
        handled = {url: await _metric(client, url, "civic_events_handled_total") for url in (*sav, *com)}
        await asyncio.to_thread(platform.stop_component, _replica("savings"))
        await asyncio.to_thread(platform.stop_component, _replica("comms"))
        disposed, approved = await later
        _ok(disposed)
        _ok(approved)

        # every event the storm produced reaches both consumers, once in effect
        async def all_applied() -> bool:
            return not (await _events_missing(dbs, "savings", since) or await _events_missing(dbs, "comms", since)
                        or await invariants.closures_realised_once(dbs["property"], dbs["savings"], buildings))

        await eventually(all_applied, timeout=120, interval=0.5)

    assert await invariants.closures_realised_once(dbs["property"], dbs["savings"], buildings) == []
    assert await invariants.savings_read_model_matches_initiatives(mongo["savings"]["civic_savings"]) == []
    assert await invariants.tallies_match_responses(dbs["comms"]) == []
    assert await invariants.estate_tally_matches_buildings(dbs["property"]) == []
    responses = await dbs["comms"]["responses"].count_documents({"consultation_id": consultation_id})
    assert responses == RESPONSES

    briefed = [d["_id"] for db in dbs.values() for d in await db["outbox"].find(
        {"type": {"$in": list(BRIEFED_EVENTS)}, "created_at": {"$gte": since}}, {"_id": 1}).to_list()]
    items = Counter(d["source_event_id"] for d in await dbs["comms"][BRIEFING_ITEMS].find(
        {"source_event_id": {"$in": briefed}}, {"source_event_id": 1}).to_list())
    assert len(briefed) >= CLOSURES * 2  # each building's planned closure and closure at least
    assert {e: items[e] for e in briefed if items[e] != 1} == {}
    drafts = Counter(d["source_key"] for d in await dbs["comms"][CONTENT].find(
        {"source_key": {"$in": [f"property.building.closure_planned:{b}" for b in buildings]}},
        {"source_key": 1}).to_list())
    assert sorted(drafts.values()) == [1] * CLOSURES

    for service in REPLICATED:
        dead = await dbs[service]["dead_letters"].count_documents({"failed_at": {"$gte": since}})
        assert dead == 0, f"{service}: {dead} events dead-lettered"
    # each process of each pair applied some of the storm: the consumer group shared the partitions
    assert all(handled.values()), handled
    for client_ in mongo.values():
        await client_.close()
