"""A soak through the gateway with two replicas of every service: many callers, a realistic mix, a few minutes.

What a busy day looks like: officers reading initiatives and the dashboard, proposing and approving
savings, registering buildings and closing them (each closure an event savings and comms react to),
residents answering a consultation. Every caller keeps its own keep-alive connection to a gateway
that spreads each service's calls over its two replicas, which share a database and a consumer group.

Reported: answers by status, p50/p99 per one-minute window (flat, not climbing), events produced
against applied by each consuming service, the invariants (``bench/invariants.py``) checked once
everything has settled, and each process's resident memory at the start and the end.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from civic.cli.stack import Stack
from civic_contracts.envelope import SERVICES
from civic_savings.programme.domain import THEMES
from pymongo import AsyncMongoClient

from bench import invariants
from bench.measure import limits, percentile

CALLERS = 16
DURATION_SECONDS = 240.0
WINDOW_SECONDS = 60.0
SETTLE_SECONDS = 180.0

Call = Callable[[httpx.AsyncClient, random.Random], Awaitable[httpx.Response]]


class Soak:
    """The state the callers share: what they made, so reads and transitions have something real to use."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.initiatives: list[str] = []
        self.proposed: list[str] = []
        self.planned_closures: list[str] = []
        self.buildings: list[str] = []
        self.consultation: str = ""
        self.made = Counter[str]()

    # --- the mix ---------------------------------------------------------------------------------

    async def read_initiative(self, client: httpx.AsyncClient, rng: random.Random) -> httpx.Response:
        if not self.initiatives:
            return await self.propose(client, rng)
        return await client.get(f"/api/savings/v1/initiatives/{rng.choice(self.initiatives)}")

    async def propose(self, client: httpx.AsyncClient, rng: random.Random) -> httpx.Response:
        response = await client.post("/api/savings/v1/initiatives", json={
            "title": f"Soak {self.tag} {uuid.uuid4().hex[:8]}", "directorate": rng.choice(["Place", "Adults"]),
            "theme": rng.choice(sorted(THEMES)),
            "category": "transformation", "programme": f"Soak {self.tag}",
            "profile": [{"year": "2031/32", "planned_pence": rng.randrange(1, 100) * 100_000}],
        }, headers={"Idempotency-Key": uuid.uuid4().hex})
        if response.status_code == 201:
            self.initiatives.append(response.json()["id"])
            self.proposed.append(response.json()["id"])
        return response

    async def approve(self, client: httpx.AsyncClient, rng: random.Random) -> httpx.Response:
        return await self._next_step(client, rng, self.proposed, self.propose,
                                     "/api/savings/v1/initiatives/{}/transitions", "approved")

    async def theme_report(self, client: httpx.AsyncClient, rng: random.Random) -> httpx.Response:
        return await client.get("/api/savings/v1/reports/themes", params={"years": "2021/22,2022/23,2023/24"})

    async def dashboard(self, client: httpx.AsyncClient, rng: random.Random) -> httpx.Response:
        return await client.get("/api/dashboard")

    async def plan_closure(self, client: httpx.AsyncClient, rng: random.Random) -> httpx.Response:
        created = await client.post("/api/property/v1/buildings", json={
            "name": f"Soak {self.tag} {uuid.uuid4().hex[:10]}", "town": rng.choice(["Corby", "Kettering"]),
            "kind": "office", "desks": 20, "annual_running_cost_pence": rng.randrange(1, 50) * 100_000,
            "annual_carbon_kg": 1_000, "tenure": "leasehold",
        })
        if created.status_code != 201:
            return created
        building = created.json()["id"]
        self.buildings.append(building)
        planned = await client.post(f"/api/property/v1/buildings/{building}/transitions",
                                    json={"to": "closure_planned", "on": date.today().isoformat()})
        if planned.status_code == 200:
            self.planned_closures.append(building)
        return planned

    async def close(self, client: httpx.AsyncClient, rng: random.Random) -> httpx.Response:
        return await self._next_step(client, rng, self.planned_closures, self.plan_closure,
                                     "/api/property/v1/buildings/{}/transitions", "closed")

    async def respond(self, client: httpx.AsyncClient, rng: random.Random) -> httpx.Response:
        return await client.post(f"/api/comms/v1/consultations/{self.consultation}/responses", json={
            "answers": {"vision": rng.choice(["agree", "disagree", "neutral"]),
                        "priority": rng.choice(["Safe places", "Green environment"])}})

    async def results(self, client: httpx.AsyncClient, rng: random.Random) -> httpx.Response:
        return await client.get(f"/api/comms/v1/consultations/{self.consultation}")

    async def boards(self, client: httpx.AsyncClient, rng: random.Random) -> httpx.Response:
        return await client.get("/api/safeguarding/v1/boards")

    async def _next_step(self, client: httpx.AsyncClient, rng: random.Random, waiting: list[str], make: Call,
                         transitions: str, to: str) -> httpx.Response:
        """One record made earlier, at random, moved to ``to`` (``transitions`` with ``{}`` for its id), no longer
        waiting; while none waits, one made instead, so the step has something real to use next time."""
        if not waiting:
            return await make(client, rng)
        record = waiting.pop(rng.randrange(len(waiting)))
        return await client.post(transitions.format(record), json={"to": to})

    def mix(self) -> list[tuple[str, Call, int]]:
        """(name, call, weight): mostly reads, as officers use it, with a steady stream of writes and closures."""
        return [
            ("savings: read an initiative", self.read_initiative, 22),
            ("savings: propose", self.propose, 10),
            ("savings: approve", self.approve, 5),
            ("savings: theme report", self.theme_report, 8),
            ("gateway: dashboard", self.dashboard, 10),
            ("property: register and plan a closure", self.plan_closure, 8),
            ("property: close a building", self.close, 8),
            ("comms: a resident responds", self.respond, 12),
            ("comms: read the consultation", self.results, 9),
            ("safeguarding: list boards", self.boards, 8),
        ]


async def _consultation(client: httpx.AsyncClient, tag: str) -> str:
    today = date.today()
    created = await client.post("/api/comms/v1/consultations", json={
        "title": f"Soak consultation {tag}",
        "opens_at": f"{(today - timedelta(days=1)).isoformat()}T09:00:00Z",
        "closes_at": f"{(today + timedelta(days=14)).isoformat()}T17:00:00Z",
        "questions": [
            {"id": "vision", "text": "Do you agree with the vision?", "kind": "likert", "required": True},
            {"id": "priority", "text": "Top priority?", "kind": "single_choice",
             "options": ["Active communities", "Safe places", "Green environment"]},
        ],
    })
    created.raise_for_status()
    return str(created.json()["id"])


def resident_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


async def run(stack: Stack, token: str, *, duration: float = DURATION_SECONDS, callers: int = CALLERS,
              say: Callable[[str], None] = print) -> dict[str, Any]:
    """Two replicas of every service behind a gateway of their own, ``callers`` callers for ``duration`` s."""
    replicas = {service: stack.start_replica(service, 2) for service in SERVICES}
    for service in SERVICES:
        stack.wait_ready(f"{service}-2")
    gateway = stack.start_gateway("gateway-soak", {
        service: f"{stack.service_url(service)},{replicas[service].url}" for service in SERVICES})
    stack.wait_ready("gateway-soak")
    await asyncio.sleep(10)  # let each consumer group settle onto both replicas
    try:
        return await _soak(stack, gateway.url, token, duration, callers, say)
    finally:
        stack.stop_component("gateway-soak")
        for service in SERVICES:
            stack.stop_component(f"{service}-2")


async def _soak(stack: Stack, gateway_url: str, token: str, duration: float, callers: int,
                say: Callable[[str], None]) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:6]
    soak = Soak(tag)
    headers = {"Authorization": f"Bearer {token}"}
    processes = {name: c.pid for name, c in stack.components.items() if c.alive() and c.pid}
    async with httpx.AsyncClient(base_url=gateway_url, headers=headers, timeout=30, trust_env=False,
                                 limits=limits(2)) as setup:
        soak.consultation = await _consultation(setup, tag)
    mix = soak.mix()
    names = [name for name, _, _ in mix]
    weights = [weight for _, _, weight in mix]
    calls = {name: call for name, call, _ in mix}

    windows: list[dict[str, Any]] = []
    by_status: Counter[str] = Counter()
    by_call: dict[str, Counter[str]] = {name: Counter() for name in names}
    call_latencies: dict[str, list[float]] = {name: [] for name in names}
    unexpected: list[str] = []
    memory_start = {name: resident_kib(pid) for name, pid in processes.items() if pid}
    service_urls = {name: c.url for name, c in stack.components.items()
                    if c.alive() and name.split("-")[0] in SERVICES and not name.startswith("mongodb")}
    conflicts_start = await _conflicts(service_urls)
    started = time.perf_counter()
    deadline = started + duration

    def window_of(at: float) -> dict[str, Any]:
        index = int((at - started) // WINDOW_SECONDS)
        while len(windows) <= index:
            windows.append({"latencies": [], "statuses": Counter()})
        return windows[index]

    async def caller(n: int) -> None:
        rng = random.Random(n)
        # each caller on its own keep-alive connection, as separate internal apps would be
        async with httpx.AsyncClient(base_url=gateway_url, headers=headers, timeout=30, trust_env=False,
                                     limits=limits(1)) as client:
            while time.perf_counter() < deadline:
                name = rng.choices(names, weights)[0]
                sent = time.perf_counter()
                try:
                    response = await calls[name](client, rng)
                    status = str(response.status_code)
                    kind = response.headers.get("content-type", "")
                    if not kind.startswith(("application/json", "application/problem+json")):
                        unexpected.append(f"{name}: {status} {kind} {response.text[:120]!r}")
                    elif response.status_code >= 500 or response.status_code in (400, 422):
                        unexpected.append(f"{name}: {status} {response.text[:400]}")
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                    unexpected.append(f"{name}: {status}")
                window = window_of(sent)
                window["statuses"][status] += 1
                if status.isdigit() and int(status) < 500:
                    window["latencies"].append(time.perf_counter() - sent)
                    call_latencies[name].append(time.perf_counter() - sent)
                by_status[status] += 1
                by_call[name][status] += 1

    say(f"  soak: {callers} callers for {duration:.0f} s through a gateway over two replicas of each service")
    await asyncio.gather(*(caller(n) for n in range(callers)))
    elapsed = time.perf_counter() - started
    memory_end = {name: resident_kib(pid) for name, pid in processes.items() if pid}
    conflicts_end = await _conflicts(service_urls)

    say("  soak: waiting for every event to be applied, then checking the invariants")
    settled, report = await _settle_and_check(stack, soak)
    return {
        "callers": callers,
        "duration_seconds": round(elapsed, 1),
        "requests": sum(by_status.values()),
        "per_second": round(sum(by_status.values()) / elapsed, 1),
        "by_status": dict(by_status),
        "by_call": {name: dict(counts) for name, counts in by_call.items()},
        "by_call_ms": {name: {"p50": round(percentile(xs, 0.5) * 1000, 1), "p99": round(percentile(xs, 0.99) * 1000, 1)}
                       for name, xs in call_latencies.items() if xs},
        "write_conflicts": {name: {k: conflicts_end[name][k] - conflicts_start.get(name, {}).get(k, 0)
                                   for k in conflicts_end[name]} for name in sorted(conflicts_end)},
        "unexpected": unexpected[:30],
        "unexpected_count": len(unexpected),
        "windows": [
            {"minute": i + 1, "requests": sum(w["statuses"].values()), "statuses": dict(w["statuses"]),
             "p50_ms": round(percentile(w["latencies"], 0.5) * 1000, 2),
             "p99_ms": round(percentile(w["latencies"], 0.99) * 1000, 2)}
            for i, w in enumerate(windows)
        ],
        "made": {"initiatives": len(soak.initiatives), "buildings": len(soak.buildings),
                 "closed": len(soak.buildings) - len(soak.planned_closures)},
        "settled_seconds": settled,
        **report,
        "memory_kib": {name: {"start": memory_start.get(name), "end": memory_end.get(name)}
                       for name in sorted(processes)},
    }


async def _conflicts(urls: dict[str, str]) -> dict[str, dict[str, float]]:
    """Each service process's units of work retried after a write conflict, and given up (a 503)."""
    out: dict[str, dict[str, float]] = {}
    async with httpx.AsyncClient(timeout=10, trust_env=False) as client:
        for name, url in urls.items():
            try:
                text = (await client.get(f"{url.rstrip('/')}/metrics")).text
            except httpx.HTTPError:
                continue
            counts = {"retried": 0.0, "given_up": 0.0}
            for line in text.splitlines():
                if line.startswith("civic_transaction_retries_total{"):
                    counts["retried"] += float(line.rsplit(" ", 1)[1])
                elif line.startswith("civic_transaction_conflicts_given_up_total{"):
                    counts["given_up"] += float(line.rsplit(" ", 1)[1])
            out[name] = counts
    return out


async def _settle_and_check(stack: Stack, soak: Soak) -> tuple[float | None, dict[str, Any]]:
    clients: dict[str, AsyncMongoClient[Any]] = {s: AsyncMongoClient(stack.mongodb_url(s), tz_aware=True) for s in SERVICES}
    dbs = {s: clients[s][f"civic_{s}"] for s in SERVICES}
    producers = {s: dbs[s] for s in SERVICES}
    try:
        started = time.perf_counter()
        settled: float | None = None
        while time.perf_counter() - started < SETTLE_SECONDS:
            events = {c: await invariants.events_applied(producers, c, dbs[c]) for c in invariants.REACTS_TO}
            pending = await _unpublished(dbs)
            if pending == 0 and all(not e["missing"] for e in events.values()):
                settled = round(time.perf_counter() - started, 1)
                break
            await asyncio.sleep(2)
        events = {c: await invariants.events_applied(producers, c, dbs[c]) for c in invariants.REACTS_TO}
        checks = {
            "savings read model (totals, status counts) equals the initiatives":
                await invariants.savings_read_model_matches_initiatives(dbs["savings"]),
            "each closure realised once":
                await invariants.closures_realised_once(dbs["property"], dbs["savings"], soak.buildings),
            "consultation tallies equal the responses stored":
                await invariants.tallies_match_responses(dbs["comms"]),
            "property's estate tally equals the buildings":
                await invariants.estate_tally_matches_buildings(dbs["property"]),
        }
        return settled, {
            "events": events,
            "outbox_unpublished": await _unpublished(dbs),
            "invariants": {name: {"holds": not wrong, "wrong": wrong[:10]} for name, wrong in checks.items()},
        }
    finally:
        for client in clients.values():
            await client.close()


async def _unpublished(dbs: dict[str, Any]) -> int:
    return sum([await db["outbox"].count_documents({"published_at": None}) for db in dbs.values()])


# A window's p99 may be this many times the first full window's before the soak counts as climbing.
CLIMB_TARGET = 1.5


def _climb(result: dict[str, Any]) -> float | None:
    """Last full minute's p99 over the first's (a partial last window is left out)."""
    full = [w for w in result["windows"] if w["requests"]][: int(result["duration_seconds"] // WINDOW_SECONDS)]
    if len(full) < 2 or not full[0]["p99_ms"]:
        return None
    return round(float(full[-1]["p99_ms"]) / float(full[0]["p99_ms"]), 2)


def target_rows(result: dict[str, Any]) -> list[tuple[str, Any, str, str]]:
    failed = sum(n for status, n in result["by_status"].items() if not status.isdigit() or int(status) >= 500)
    events = result["events"]
    applied = all(not e["missing"] and e["produced"] == e["applied"] for e in events.values())
    holds = all(check["holds"] for check in result["invariants"].values())
    climb = _climb(result)
    return [
        ("Soak: answers 5xx or broken off (two replicas of every service)", failed, "0", _met(failed == 0)),
        ("Soak: answers neither JSON nor problem details, or 400/422 to valid requests",
         result["unexpected_count"], "0", _met(result["unexpected_count"] == 0)),
        ("Soak: p99 of the last minute ÷ the first", climb, f"≤ {CLIMB_TARGET} (flat)",
         "n/a" if climb is None else _met(climb <= CLIMB_TARGET)),
        ("Soak: events applied ÷ produced (savings, comms)",
         ", ".join(f"{e['applied']}/{e['produced']}" for e in events.values()), "all", _met(applied)),
        ("Soak: invariants hold once settled", "yes" if holds else "no", "yes", _met(holds)),
    ]


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def detail(result: dict[str, Any]) -> list[str]:
    statuses = ", ".join(f"{status}: {n}" for status, n in sorted(result["by_status"].items()))
    memory = [(name, m["start"], m["end"]) for name, m in result["memory_kib"].items() if m["start"] and m["end"]]
    settled = f"after {result['settled_seconds']} s" if result["settled_seconds"] is not None else "not within the wait"
    lines = [
        "## Soak: two replicas of every service behind one gateway",
        "",
        f"{result['callers']} callers, each on its own keep-alive connection, for {result['duration_seconds']} s: "
        f"{result['requests']} requests ({result['per_second']}/s). Answers by status: {statuses}. Made: "
        f"{result['made']['initiatives']} initiatives, {result['made']['buildings']} buildings, "
        f"{result['made']['closed']} of them closed. Everything settled (outbox published, every event applied) "
        f"{settled}.",
        "",
        "| minute | requests | p50 ms | p99 ms | statuses |",
        "|---:|---:|---:|---:|---|",
        *[f"| {w['minute']} | {w['requests']} | {w['p50_ms']} | {w['p99_ms']} | "
          + ", ".join(f"{k}: {v}" for k, v in sorted(w["statuses"].items())) + " |" for w in result["windows"]],
        "",
        "| events | produced | applied | dead letters open |",
        "|---|---:|---:|---:|",
        *[f"| reacted to by {consumer} | {e['produced']} | {e['applied']} | {e['dead_letters_open']} |"
          for consumer, e in result["events"].items()],
        "",
        "| invariant | holds | what was wrong |",
        "|---|---|---|",
        *[f"| {name} | {'yes' if c['holds'] else '**no**'} | {'; '.join(c['wrong']) or '—'} |"
          for name, c in result["invariants"].items()],
        "",
        "| call | answers | p50 ms | p99 ms |",
        "|---|---:|---:|---:|",
        *[f"| {name} | {sum(result['by_call'][name].values())} | {ms['p50']} | {ms['p99']} |"
          for name, ms in result.get("by_call_ms", {}).items()],
        "",
        "| service process | units of work retried after a write conflict | gave up (503) |",
        "|---|---:|---:|",
        *[f"| {name} | {c['retried']:.0f} | {c['given_up']:.0f} |"
          for name, c in result.get("write_conflicts", {}).items()],
        "",
        "| process | resident MiB at start | at end | growth MiB |",
        "|---|---:|---:|---:|",
        *[f"| {name} | {start / 1024:.1f} | {end / 1024:.1f} | {(end - start) / 1024:+.1f} |"
          for name, start, end in memory],
        "",
    ]
    if result["unexpected"]:
        lines += ["Unexpected answers (first few):", "", *[f"- `{u[:300]}`" for u in result["unexpected"][:10]], ""]
    return lines
