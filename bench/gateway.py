"""Gateway benchmark: what the front door costs, measured side by side in one run.

``await run(urls, token)`` with ``urls`` holding ``"gateway"`` and the service base URLs
(``"savings"``, ``"property"``, ``"safeguarding"``, ``"comms"``) and a token with every read scope.
It returns figures only, no verdicts:

- throughput at concurrency 32 of one cheap read, directly to a service and through the gateway,
  and their ratio (target >= 0.6);
- latency p50/p99 of that read both ways and the difference the gateway adds, at concurrency 32
  and, to show the hop without queueing, one request at a time (target p50 <= 2 ms, p99 <= 10 ms);
- the dashboard's latency against the slowest single backend ``/v1/summary`` (target <= 1.3).

The gateway rate-limits per token subject; run it with ``CIVIC_RATE_LIMIT_PER_MINUTE`` raised for
the bench, or refused calls (counted in ``*_refused``) will flatter the gateway's figures.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

import httpx

CONCURRENCY = 32
DURATION_SECONDS = 3.0
WARMUP_REQUESTS = 200
SEQUENTIAL_SAMPLES = 200
DASHBOARD_SAMPLES = 40
SERVICES = ("savings", "property", "safeguarding", "comms")
# one cheap, indexed read: the first page of one item
PROBE_SERVICE = "savings"
PROBE_PATH = "/v1/initiatives?limit=1"


def _percentile(samples: list[float], q: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


async def _timed_get(client: httpx.AsyncClient, url: str) -> tuple[float, int]:
    started = time.perf_counter()
    try:
        response = await client.get(url)
        await response.aread()
    except httpx.TransportError:  # a connection dropped under load: counted as refused, never timed
        return time.perf_counter() - started, 599
    return time.perf_counter() - started, response.status_code


async def _load(client: httpx.AsyncClient, url: str, concurrency: int, duration: float) -> dict[str, Any]:
    """Closed loop: ``concurrency`` workers each issue requests back to back for ``duration``."""
    latencies: list[float] = []
    refused = 0
    deadline = time.perf_counter() + duration

    async def worker() -> None:
        nonlocal refused
        while time.perf_counter() < deadline:
            elapsed, status = await _timed_get(client, url)
            if 200 <= status < 300:
                latencies.append(elapsed)
            else:
                refused += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "refused": refused,
        "throughput_rps": round(len(latencies) / wall, 1),
        "p50_ms": _ms(_percentile(latencies, 0.50)),
        "p99_ms": _ms(_percentile(latencies, 0.99)),
    }


async def _sequential(client: httpx.AsyncClient, urls: list[str], samples: int) -> list[list[float]]:
    """Interleaved one-at-a-time samples of several URLs, so drift hits them all alike."""
    out: list[list[float]] = [[] for _ in urls]
    for _ in range(samples):
        for i, url in enumerate(urls):
            elapsed, status = await _timed_get(client, url)
            if 200 <= status < 300:
                out[i].append(elapsed)
    return out


async def run(urls: dict[str, str], token: str) -> dict[str, Any]:
    gateway = urls["gateway"].rstrip("/")
    direct_url = urls[PROBE_SERVICE].rstrip("/") + PROBE_PATH
    via_gateway_url = f"{gateway}/api/{PROBE_SERVICE}{PROBE_PATH}"
    limits = httpx.Limits(max_connections=CONCURRENCY * 2, max_keepalive_connections=CONCURRENCY * 2)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=30, trust_env=False) as client:
        for url in (direct_url, via_gateway_url):
            for _ in range(WARMUP_REQUESTS // CONCURRENCY):
                await asyncio.gather(*(client.get(url) for _ in range(CONCURRENCY)))

        direct = await _load(client, direct_url, CONCURRENCY, DURATION_SECONDS)
        via = await _load(client, via_gateway_url, CONCURRENCY, DURATION_SECONDS)

        one_direct, one_via = await _sequential(client, [direct_url, via_gateway_url], SEQUENTIAL_SAMPLES)

        summary_urls = [urls[s].rstrip("/") + "/v1/summary" for s in SERVICES]
        dashboard_url = f"{gateway}/api/dashboard"
        await _sequential(client, [*summary_urls, dashboard_url], 5)  # warm the paths
        timings = await _sequential(client, [*summary_urls, dashboard_url], DASHBOARD_SAMPLES)
        dashboard_degraded = (await client.get(dashboard_url)).json().get("degraded")

    summary_p50 = {s: _percentile(t, 0.5) for s, t in zip(SERVICES, timings[:-1], strict=True)}
    slowest = max(SERVICES, key=lambda s: summary_p50[s])
    dashboard_p50 = _percentile(timings[-1], 0.5)
    added_seq = [v - d for v, d in zip(one_via, one_direct, strict=False)]
    return {
        "probe": f"GET {PROBE_PATH} on {PROBE_SERVICE}",
        "concurrency": CONCURRENCY,
        "direct": direct,
        "via_gateway": via,
        "throughput_ratio": round(via["throughput_rps"] / direct["throughput_rps"], 3)
        if direct["throughput_rps"]
        else None,
        "added_latency_p50_ms_at_concurrency": round(via["p50_ms"] - direct["p50_ms"], 3),
        "added_latency_p99_ms_at_concurrency": round(via["p99_ms"] - direct["p99_ms"], 3),
        "added_latency_p50_ms_one_at_a_time": _ms(_percentile(one_via, 0.5) - _percentile(one_direct, 0.5)),
        "added_latency_p99_ms_one_at_a_time": _ms(_percentile(one_via, 0.99) - _percentile(one_direct, 0.99)),
        "added_latency_median_of_pairs_ms": _ms(statistics.median(added_seq)) if added_seq else None,
        "summary_p50_ms": {s: _ms(v) for s, v in summary_p50.items()},
        "slowest_summary": slowest,
        "dashboard_p50_ms": _ms(dashboard_p50),
        "dashboard_ratio_to_slowest_summary": round(dashboard_p50 / summary_p50[slowest], 3)
        if summary_p50[slowest]
        else None,
        "dashboard_degraded_parts": dashboard_degraded,
    }
