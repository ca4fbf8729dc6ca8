"""Small measuring tools shared by the benchmarks: percentiles, closed-loop load, repeated timings."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx


def limits(connections: int) -> httpx.Limits:
    """Connection limits for a bench client. Idle connections are dropped after 2 s, before uvicorn's
    5 s keep-alive runs out: with httpx's default (also 5 s) a request could go out on a connection
    the service was closing at that moment, and fail with a ReadError that is nobody's fault."""
    return httpx.Limits(max_connections=connections, max_keepalive_connections=connections, keepalive_expiry=2.0)


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile; NaN for no samples (shown as such, never as zero)."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 3) if denominator else None


async def closed_loop(operation: Callable[[int], Awaitable[bool]], concurrency: int, duration: float) -> dict[str, Any]:
    """``concurrency`` workers run ``operation(n)`` back to back for ``duration`` seconds.

    ``operation`` returns whether it succeeded; failures are counted, never timed.
    """
    latencies: list[float] = []
    failed = 0
    counter = 0
    deadline = time.perf_counter() + duration

    async def worker() -> None:
        nonlocal failed, counter
        while time.perf_counter() < deadline:
            counter += 1
            started = time.perf_counter()
            ok = await operation(counter)
            if ok:
                latencies.append(time.perf_counter() - started)
            else:
                failed += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - started
    return {
        "done": len(latencies),
        "failed": failed,
        "per_second": round(len(latencies) / wall, 1),
        "p50_ms": ms(percentile(latencies, 0.5)),
        "p99_ms": ms(percentile(latencies, 0.99)),
    }


async def median_time(operation: Callable[[], Awaitable[Any]], samples: int, warmup: int = 3) -> dict[str, Any]:
    """Time ``operation`` one call at a time; the median resists the machine's noise better than the mean."""
    for _ in range(warmup):
        await operation()
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        await operation()
        timings.append(time.perf_counter() - started)
    return {"samples": samples, "median_ms": ms(statistics.median(timings)), "p90_ms": ms(percentile(timings, 0.9))}


def ok(response: Any) -> Any:
    """The response, or an error that says what the service said (a bench set-up step was refused)."""
    if response.status_code >= 400:
        raise RuntimeError(f"{response.request.method} {response.request.url} -> {response.status_code}: {response.text}")
    return response


async def settled(send: Callable[[], Awaitable[Any]], attempts: int = 5) -> Any:
    """A set-up call, sent again after a 503: on two cores a bulk load can starve a database server for a
    few seconds, which the service rightly reports as unavailable; set-up is not what is being measured."""
    for attempt in range(attempts):
        response = await send()
        if response.status_code != 503 or attempt + 1 == attempts:
            return ok(response)
        await asyncio.sleep(2 * (attempt + 1))
    raise AssertionError("unreachable")
