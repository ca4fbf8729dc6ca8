"""Gateway benchmark: what the front door costs, measured side by side in one run.

``await run(urls, token)`` with ``urls`` holding ``"gateway"`` and the service base URLs
(``"savings"``, ``"property"``, ``"safeguarding"``, ``"comms"``) and a token with every read scope.
It returns figures only, no verdicts. The probe is one cheap read of one service, asked directly and
through the gateway by 32 concurrent callers, each on its own keep-alive connection:

- **throughput**: the 32 callers send back to back (saturation), direct and via the gateway in
  alternating windows; the ratio of the two (target >= 0.9);
- **added latency**: the 32 callers send on a fixed schedule at the same rate both ways, half the
  gateway's own saturated throughput, so both paths are loaded and neither is queueing at its limit;
  latency counts from each request's scheduled time, so a backlog on the caller's side is not hidden.
  The difference of the p50s and p99s is what the gateway adds (targets p50 <= 1 ms, p99 <= 5 ms).
  The paced windows come in pairs (direct, then via the gateway, a few seconds each); the p99 target is
  held against the median over the pairs of each pair's p99 difference. A single pause elsewhere on
  the machine (a database server's collector, a service's background job) puts 10-30 late answers
  into whichever window it falls in, which is enough to decide a p99 pooled over all windows on its
  own; the pooled figures are reported beside it;
- the same difference **one request at a time**, pairs interleaved, to show the hop with no load;
- the **dashboard** against the slowest single backend ``/v1/summary`` (target <= 1.3), and against
  the four summaries asked one after another (what fanning out in parallel saves);
- the same dashboard ratio with the gateway's **composition alone** (:func:`composition`): a second
  gateway process in front of stand-in services that answer each summary after the time the real
  one took, with its body, but without using CPU while they wait (:mod:`bench.standins`).

At saturation a closed loop's latency is its queue (Little's law: 32 callers / throughput), so the
latency there only restates the throughput ratio; it is reported, not held against the latency target.

The gateway rate-limits per token subject; run it with ``CIVIC_RATE_LIMIT_PER_MINUTE`` raised for
the bench, or refused calls (counted in ``*_refused``) will flatter the gateway's figures.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from typing import Any

import httpx
from civic.cli.stack import free_port, port_open
from civic_contracts import SERVICES

from bench.measure import ms, percentile
from bench.standins import StandIn
from bench.wire import Connection

# the targets (held in bench/__main__.py's table): what the front door may cost, measured side by side
THROUGHPUT_RATIO_TARGET = 0.9  # via the gateway / direct, saturated, concurrency 32
ADDED_P50_MS_TARGET = 1  # added p50, paced, concurrency 32
ADDED_P99_MS_TARGET = 5  # added p99, paced, concurrency 32 (median over window pairs)

CONCURRENCY = 32
WINDOW_SECONDS = 3.0
WINDOWS = 2  # per path, alternated direct / gateway / direct / gateway
PACED_PAIRS = 6  # paced windows per path, in pairs (direct, gateway)
PACED_WINDOW_SECONDS = 2.0
PACED_SHARE = 0.5  # the paced rate, as a share of the gateway's saturated throughput
SEQUENTIAL_SAMPLES = 300
DASHBOARD_SAMPLES = 40
# one cheap read whose cost does not grow with the data: one initiative by its id (the embedded
# database scans a collection for a sorted first page, so a list would measure the database)
PROBE_SERVICE = "savings"


class Samples:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.refused = 0
        self.seconds = 0.0

    def figures(self) -> dict[str, Any]:
        return {
            "requests": len(self.latencies),
            "refused": self.refused,
            "throughput_rps": round(len(self.latencies) / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": ms(percentile(self.latencies, 0.50)),
            "p99_ms": ms(percentile(self.latencies, 0.99)),
        }


async def _send(conn: Connection, path: str, into: Samples, since: float | None = None) -> None:
    try:
        status, elapsed = await conn.get(path)
    except ConnectionError:  # a dropped connection under load: counted as refused, never timed
        into.refused += 1
        return
    if 200 <= status < 300:
        into.latencies.append(time.perf_counter() - since if since is not None else elapsed)
    else:
        into.refused += 1


async def _saturate(conns: list[Connection], path: str, into: Samples, duration: float) -> None:
    """Closed loop: every caller sends its next request as soon as the last is answered."""
    deadline = time.perf_counter() + duration

    async def caller(conn: Connection) -> None:
        while time.perf_counter() < deadline:
            await _send(conn, path, into)

    started = time.perf_counter()
    await asyncio.gather(*(caller(c) for c in conns))
    into.seconds += time.perf_counter() - started


async def _paced(conns: list[Connection], path: str, into: Samples, rate: float, duration: float) -> None:
    """Open loop: request i is due at start + i / rate; a free caller takes the next one due."""
    start = time.perf_counter() + 0.05
    count = int(rate * duration)
    tickets = iter(range(count))

    async def caller(conn: Connection) -> None:
        for i in tickets:
            due = start + i / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            await _send(conn, path, into, since=due)

    await asyncio.gather(*(caller(c) for c in conns))
    into.seconds += time.perf_counter() - start


async def _one_at_a_time(conns: list[Connection], paths: list[str], samples: int) -> list[list[float]]:
    """Interleaved one-at-a-time samples of several paths, so drift hits them all alike."""
    out: list[list[float]] = [[] for _ in paths]
    for _ in range(samples):
        for conn, path, timings in zip(conns, paths, out, strict=True):
            status, elapsed = await conn.get(path)
            if 200 <= status < 300:
                timings.append(elapsed)
    return out


async def _dashboard_and_its_parts(
    gateway: str, services: dict[str, str], headers: dict[str, str]
) -> tuple[dict[str, float], float, Any]:
    """p50 seconds of each service's ``/v1/summary`` and of the gateway's dashboard (interleaved, one at a
    time), and the parts the dashboard listed as degraded."""
    views = [Connection(services[s].rstrip("/"), headers) for s in SERVICES] + [Connection(gateway, headers)]
    paths = ["/v1/summary"] * len(SERVICES) + ["/api/dashboard"]
    try:
        await _one_at_a_time(views, paths, 5)  # warm the paths
        timings = await _one_at_a_time(views, paths, DASHBOARD_SAMPLES)
    finally:
        for conn in views:
            await conn.close()
    async with httpx.AsyncClient(headers=headers, timeout=30, trust_env=False) as client:
        degraded = (await client.get(f"{gateway}/api/dashboard")).json().get("degraded")
    parts = {s: percentile(t, 0.5) for s, t in zip(SERVICES, timings[:-1], strict=True)}
    return parts, percentile(timings[-1], 0.5), degraded


def _bare_forwarder(backend: str) -> tuple[subprocess.Popen[bytes], int]:
    """:mod:`bench.forwarder` in front of ``backend``, as its own process (as the gateway is)."""
    port = free_port()
    return subprocess.Popen([sys.executable, "-m", "bench.forwarder", backend, str(port)],
                            stdout=subprocess.DEVNULL), port


async def _listening(process: subprocess.Popen[bytes], port: int) -> str:
    deadline = time.monotonic() + 30
    while not port_open(port):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the bare forwarder did not start (exit {process.returncode})")
        await asyncio.sleep(0.1)
    return f"http://127.0.0.1:{port}"


async def run(urls: dict[str, str], token: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    gateway = urls["gateway"].rstrip("/")
    direct_base = urls[PROBE_SERVICE].rstrip("/")
    async with httpx.AsyncClient(headers=headers, timeout=30, trust_env=False) as client:
        first = (await client.get(f"{direct_base}/v1/initiatives", params={"limit": 1})).json()["items"][0]
    probe_path = f"/v1/initiatives/{first['id']}"
    via_path = f"/api/{PROBE_SERVICE}{probe_path}"
    bare_process, bare_port = _bare_forwarder(direct_base)
    bare_base = await _listening(bare_process, bare_port)
    direct = [Connection(direct_base, headers) for _ in range(CONCURRENCY)]
    via = [Connection(gateway, headers) for _ in range(CONCURRENCY)]
    bare = [Connection(bare_base, headers) for _ in range(CONCURRENCY)]
    paths = {"direct": (direct, probe_path), "via": (via, via_path), "bare": (bare, probe_path)}
    try:
        for _ in range(3):  # warm: connections, caches, the token remembered on both sides
            await asyncio.gather(*(c.get(path) for conns, path in paths.values() for c in conns))

        saturated = {side: Samples() for side in paths}
        for _ in range(WINDOWS):
            for side, (conns, path) in paths.items():
                await _saturate(conns, path, saturated[side], WINDOW_SECONDS)
        sat_direct, sat_via, sat_bare = (saturated[side].figures() for side in paths)

        rate = max(1.0, round(PACED_SHARE * sat_via["throughput_rps"], 1))
        paced = {side: Samples() for side in paths}
        pair_p99_differences: dict[str, list[float]] = {"via": [], "bare": []}
        for _ in range(PACED_PAIRS):
            window = {side: Samples() for side in paths}
            for side, (conns, path) in paths.items():
                await _paced(conns, path, window[side], rate, PACED_WINDOW_SECONDS)
            for side in ("via", "bare"):
                pair_p99_differences[side].append(
                    percentile(window[side].latencies, 0.99) - percentile(window["direct"].latencies, 0.99))
            for side in paths:
                paced[side].latencies += window[side].latencies
                paced[side].refused += window[side].refused
                paced[side].seconds += window[side].seconds
        paced_direct, paced_via, paced_bare = (paced[side].figures() for side in paths)

        one_direct, one_via = await _one_at_a_time(direct[:1] + via[:1], [probe_path, via_path], SEQUENTIAL_SAMPLES)

    finally:
        for conn in direct + via + bare:
            await conn.close()
        bare_process.terminate()
        bare_process.wait(10)
    summary_p50, dashboard_p50, degraded = await _dashboard_and_its_parts(gateway, urls, headers)
    slowest = max(SERVICES, key=lambda s: summary_p50[s])
    added_pairs = [v - d for v, d in zip(one_via, one_direct, strict=False)]
    return {
        "probe": f"GET /v1/initiatives/{{id}} on {PROBE_SERVICE}",
        "concurrency": CONCURRENCY,
        "direct": sat_direct,
        "via_gateway": sat_via,
        "throughput_ratio": round(sat_via["throughput_rps"] / sat_direct["throughput_rps"], 3)
        if sat_direct["throughput_rps"]
        else None,
        "paced_rate_rps": rate,
        "paced_direct": paced_direct,
        "paced_via_gateway": paced_via,
        "added_latency_p50_ms_at_concurrency": round(paced_via["p50_ms"] - paced_direct["p50_ms"], 2),
        "added_latency_p99_ms_at_concurrency": ms(statistics.median(pair_p99_differences["via"])),
        "added_latency_p99_ms_by_pair": [ms(d) for d in pair_p99_differences["via"]],
        "bare_forwarder": {
            "saturated": sat_bare,
            "paced": paced_bare,
            "throughput_ratio": round(sat_bare["throughput_rps"] / sat_direct["throughput_rps"], 3)
            if sat_direct["throughput_rps"] else None,
            "gateway_throughput_ratio_to_bare": round(sat_via["throughput_rps"] / sat_bare["throughput_rps"], 3)
            if sat_bare["throughput_rps"] else None,
            "added_latency_p50_ms_at_concurrency": round(paced_bare["p50_ms"] - paced_direct["p50_ms"], 2),
            "added_latency_p99_ms_at_concurrency": ms(statistics.median(pair_p99_differences["bare"])),
        },
        "added_latency_p99_ms_pooled": round(paced_via["p99_ms"] - paced_direct["p99_ms"], 2),
        "added_latency_p50_ms_at_saturation": round(sat_via["p50_ms"] - sat_direct["p50_ms"], 2),
        "added_latency_p99_ms_at_saturation": round(sat_via["p99_ms"] - sat_direct["p99_ms"], 2),
        "added_latency_p50_ms_one_at_a_time": ms(percentile(one_via, 0.5) - percentile(one_direct, 0.5)),
        "added_latency_p99_ms_one_at_a_time": ms(percentile(one_via, 0.99) - percentile(one_direct, 0.99)),
        "added_latency_median_of_pairs_ms": ms(statistics.median(added_pairs)) if added_pairs else None,
        "one_at_a_time_p50_ms": {"direct": ms(percentile(one_direct, 0.5)), "via_gateway": ms(percentile(one_via, 0.5))},
        "summary_p50_ms": {s: ms(v) for s, v in summary_p50.items()},
        "slowest_summary": slowest,
        "dashboard_p50_ms": ms(dashboard_p50),
        "dashboard_ratio_to_slowest_summary": round(dashboard_p50 / summary_p50[slowest], 3)
        if summary_p50[slowest]
        else None,
        "summaries_sum_p50_ms": ms(sum(summary_p50.values())),
        "dashboard_ratio_to_sum_of_summaries": round(dashboard_p50 / sum(summary_p50.values()), 3)
        if sum(summary_p50.values())
        else None,
        "dashboard_degraded_parts": degraded,
    }


async def composition(stack: Any, token: str, summary_p50_ms: dict[str, float]) -> dict[str, Any]:
    """The dashboard's ratio to its slowest part when the parts wait instead of computing.

    ``stack`` is the running :class:`civic.cli.stack.Stack` (its keys sign ``token``);
    ``summary_p50_ms`` the real summaries' p50s, which become the stand-ins' waits.
    """
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(headers=headers, timeout=30, trust_env=False) as client:
        bodies = {s: (await client.get(f"{stack.service_url(s)}/v1/summary")).json() for s in SERVICES}
    standins = {s: StandIn(bodies[s], summary_p50_ms[s] / 1000) for s in SERVICES}
    for standin in standins.values():
        await standin.start()
    name = "gateway-over-standins"
    try:
        backends = {s: standin.url for s, standin in standins.items()}
        component = stack.start_gateway(name, backends)
        # the wait polls the gateway's readiness, which asks the stand-ins: they must keep answering
        await asyncio.to_thread(stack.wait_ready, name)
        part_p50, dashboard_p50, degraded = await _dashboard_and_its_parts(component.url, backends, headers)
    finally:
        await asyncio.to_thread(stack.stop_component, name)
        for standin in standins.values():
            await standin.stop()
    slowest = max(SERVICES, key=lambda s: part_p50[s])
    return {
        "standin_wait_ms": {s: round(summary_p50_ms[s], 2) for s in SERVICES},
        "standin_p50_ms": {s: ms(v) for s, v in part_p50.items()},
        "slowest_standin": slowest,
        "dashboard_p50_ms": ms(dashboard_p50),
        "dashboard_ratio_to_slowest_standin": round(dashboard_p50 / part_p50[slowest], 3) if part_p50[slowest] else None,
        "dashboard_degraded_parts": degraded,
    }
