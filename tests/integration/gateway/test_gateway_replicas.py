"""A backend of several processes: the gateway takes them in turn and is ready while any one is."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from civic_gateway.pool import BackendPool
from civic_gateway.protection import CircuitBreakers
from civic_gateway.proxy import Backends
from civic_gateway.routing import RouteTimeouts
from test_gateway_pool import CountingServer

pytestmark = pytest.mark.integration


@pytest.fixture
async def replicas() -> AsyncIterator[list[CountingServer]]:
    servers = [CountingServer(body=b"a"), CountingServer(body=b"b")]
    for server in servers:
        await server.start()
    yield servers
    for server in servers:
        await server.stop()


def _backends(urls: str) -> Backends:
    breakers = CircuitBreakers.for_backends(["savings"], failure_threshold=5)
    return Backends({"savings": urls}, BackendPool(), breakers, RouteTimeouts.parse(5, ""))


async def test_calls_are_spread_over_the_replicas_in_turn(replicas: list[CountingServer]) -> None:
    backends = _backends(f"{replicas[0].url}, {replicas[1].url}")
    try:
        bodies = [(await backends.read("savings", "/v1/x", timeout_seconds=5)).body for _ in range(10)]
    finally:
        await backends.aclose()
    assert sorted(bodies) == [b"a"] * 5 + [b"b"] * 5
    assert [r.requests for r in replicas] == [5, 5]


async def test_ready_while_any_replica_is(replicas: list[CountingServer]) -> None:
    urls = f"{replicas[0].url},{replicas[1].url}"
    await replicas[0].stop()  # one process gone: the backend is still there
    backends = _backends(urls)
    try:
        assert await backends.ready("savings")
        assert await backends.ready("savings")  # whichever replica's turn it is
        await replicas[1].stop()
        assert not await backends.ready("savings")
    finally:
        await backends.aclose()


async def test_one_url_is_one_replica(replicas: list[CountingServer]) -> None:
    backends = _backends(replicas[1].url)
    try:
        assert [(await backends.read("savings", "/", timeout_seconds=5)).body for _ in range(3)] == [b"b"] * 3
    finally:
        await backends.aclose()
