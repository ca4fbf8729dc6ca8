"""Body limit, rate limit and circuit breaker, seen from a caller; refusals reach no service."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from conftest import Stack

ALL = "savings:read savings:write property:read property:write comms:read comms:write"


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    return dict(body)


async def test_declared_body_over_the_limit_is_refused_before_the_service(
    start_stack: Callable[..., Awaitable[Stack]],
) -> None:
    stack = await start_stack(max_body_bytes=1000)
    response = await stack.client.post("/api/savings/v1/upload", content=b"x" * 1001, headers=stack.auth(ALL))
    assert_problem(response, 413)
    assert stack.behaviour["savings"].seen == []


async def test_streamed_body_over_the_limit_is_refused_and_not_processed(
    start_stack: Callable[..., Awaitable[Stack]],
) -> None:
    stack = await start_stack(max_body_bytes=1000)

    async def body():  # type: ignore[no-untyped-def]
        for _ in range(5):
            yield b"x" * 400  # no Content-Length: sent chunked

    response = await stack.client.post("/api/savings/v1/upload", content=body(), headers=stack.auth(ALL))
    assert_problem(response, 413)
    assert stack.behaviour["savings"].completed_uploads == 0
    # the breaker does not blame the service for the caller's oversized body
    assert (await stack.client.get("/readyz")).json()["circuits"]["savings"] == "closed"


async def test_malformed_content_length_is_a_bad_request(stack: Stack) -> None:
    # httpx refuses to send a bad Content-Length, so speak HTTP/1.1 directly
    reader, writer = await asyncio.open_connection("127.0.0.1", stack.gateway.port)
    token = stack.token(ALL)
    writer.write(
        b"POST /api/savings/v1/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
        + token.encode()
        + b"\r\nContent-Length: 1e3\r\n\r\n"
    )
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    assert b" 400 " in status_line
    assert stack.behaviour["savings"].seen == []


async def test_rate_limit_per_subject_with_retry_after(start_stack: Callable[..., Awaitable[Stack]]) -> None:
    stack = await start_stack(rate_limit_per_minute=6, rate_limit_burst=2)
    alice = stack.auth(ALL, sub="alice")
    statuses = [(await stack.client.get("/api/savings/v1/x", headers=alice)).status_code for _ in range(2)]
    assert statuses == [200, 200]
    refused = await stack.client.get("/api/savings/v1/x", headers=alice)
    body = assert_problem(refused, 429)
    assert refused.headers["retry-after"] == "10"  # one request per 10 s sustained
    assert body["retry_after"] == 10
    assert len(stack.behaviour["savings"].seen) == 2  # the refused one never reached the service
    # another caller is not held back by alice
    assert (
        await stack.client.get("/api/savings/v1/x", headers=stack.auth(ALL, sub="bob"))
    ).status_code == 200


async def test_a_dead_service_opens_its_circuit_and_is_not_hammered(
    start_stack: Callable[..., Awaitable[Stack]],
) -> None:
    stack = await start_stack(circuit_failure_threshold=2, circuit_cool_down_seconds=300)
    await stack.backends["savings"].stop()
    headers = stack.auth(ALL)
    for _ in range(2):
        body = assert_problem(await stack.client.get("/api/savings/v1/x", headers=headers), 503)
        assert "cannot be reached" in body["detail"]
    refused = await stack.client.get("/api/savings/v1/x", headers=headers)
    body = assert_problem(refused, 503)
    assert body["type"].endswith("circuit-open")
    assert body["service"] == "savings"
    assert int(refused.headers["retry-after"]) > 0
    # the other services are untouched
    assert (await stack.client.get("/api/comms/v1/x", headers=headers)).status_code == 200
    assert (await stack.client.get("/readyz")).json()["circuits"]["savings"] == "open"


async def test_service_errors_count_but_domain_refusals_do_not(
    start_stack: Callable[..., Awaitable[Stack]],
) -> None:
    stack = await start_stack(circuit_failure_threshold=2, circuit_cool_down_seconds=300)
    headers = stack.auth(ALL)
    stack.behaviour["property"].status = 409
    for _ in range(3):
        assert (await stack.client.post("/api/property/v1/x", json={}, headers=headers)).status_code == 409
    assert (await stack.client.get("/readyz")).json()["circuits"]["property"] == "closed"
    stack.behaviour["property"].status = 503
    for _ in range(2):
        assert (await stack.client.get("/api/property/v1/x", headers=headers)).status_code == 503
    seen_before = len(stack.behaviour["property"].seen)
    assert_problem(await stack.client.get("/api/property/v1/x", headers=headers), 503)
    assert len(stack.behaviour["property"].seen) == seen_before  # refused at the gateway


@pytest.mark.timeout(60)
async def test_circuit_closes_again_once_the_service_is_back(
    start_stack: Callable[..., Awaitable[Stack]],
) -> None:
    stack = await start_stack(circuit_failure_threshold=1, circuit_cool_down_seconds=0.2)
    headers = stack.auth(ALL)
    stack.behaviour["comms"].status = 503
    assert (await stack.client.get("/api/comms/v1/x", headers=headers)).status_code == 503
    stack.behaviour["comms"].status = None
    # after the cool-down one probe passes and closes the circuit (polled, not timed)
    while (await stack.client.get("/api/comms/v1/x", headers=headers)).status_code != 200:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    assert (await stack.client.get("/readyz")).json()["circuits"]["comms"] == "closed"


async def test_a_slow_service_gets_a_gateway_timeout(start_stack: Callable[..., Awaitable[Stack]]) -> None:
    stack = await start_stack(route_timeouts="savings/v1/summary=0.2")
    stack.behaviour["savings"].summary_delay = 30
    body = assert_problem(await stack.client.get("/api/savings/v1/summary", headers=stack.auth(ALL)), 504)
    assert "did not answer in time" in body["detail"]
