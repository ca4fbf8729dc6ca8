"""Routing through the gateway over real HTTP: what reaches a service, what comes back."""

from __future__ import annotations

import re

from conftest import Stack
from opentelemetry.instrumentation.utils import suppress_instrumentation

READ = "savings:read property:read safeguarding:read comms:read"
ALL = READ + " savings:write property:write safeguarding:write comms:write ops"


async def test_a_read_reaches_the_service_with_path_query_and_token(stack: Stack) -> None:
    token = stack.token(READ, sub="finance-officer")
    response = await stack.client.get(
        "/api/savings/v1/initiatives/abc?theme=demand_prevention&limit=5",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["path"] == "/v1/initiatives/abc"
    assert response.json()["query"] == "theme=demand_prevention&limit=5"
    assert response.json()["sub"] == "finance-officer"  # the service verified the forwarded token
    seen = stack.behaviour["savings"].seen[-1]
    assert seen["headers"]["authorization"] == f"Bearer {token}"


async def test_a_write_carries_its_body_and_headers(stack: Stack) -> None:
    response = await stack.client.post(
        "/api/property/v1/buildings",
        content=b'{"name": "The Forum"}',
        headers={
            **stack.auth(ALL),
            "Content-Type": "application/json",
            "Idempotency-Key": "k-1",
            "If-Match": '"3"',
        },
    )
    assert response.status_code == 200
    assert response.json()["body"] == '{"name": "The Forum"}'
    seen = stack.behaviour["property"].seen[-1]["headers"]
    assert seen["idempotency-key"] == "k-1"
    assert seen["if-match"] == '"3"'
    assert seen["x-forwarded-proto"] == "http"


async def test_request_id_is_generated_and_propagated(stack: Stack) -> None:
    response = await stack.client.get("/api/comms/v1/content/x", headers=stack.auth(READ))
    request_id = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert stack.behaviour["comms"].seen[-1]["headers"]["x-request-id"] == request_id


async def test_a_callers_request_id_is_kept_end_to_end(stack: Stack) -> None:
    response = await stack.client.get(
        "/api/comms/v1/content/x", headers={**stack.auth(READ), "X-Request-Id": "portal-42"}
    )
    assert response.headers["x-request-id"] == "portal-42"
    assert stack.behaviour["comms"].seen[-1]["headers"]["x-request-id"] == "portal-42"


async def test_an_unusable_request_id_is_replaced(stack: Stack) -> None:
    response = await stack.client.get(
        "/api/comms/v1/content/x", headers={**stack.auth(READ), "X-Request-Id": "bad id {with} spaces"}
    )
    assert response.headers["x-request-id"] != "bad id {with} spaces"


async def test_trace_continues_to_the_service_and_its_id_comes_back(stack: Stack) -> None:
    incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    # this test process instruments httpx too; keep its client from starting a trace of its own
    with suppress_instrumentation():
        response = await stack.client.get(
            "/api/savings/v1/initiatives", headers={**stack.auth(READ), "traceparent": incoming}
        )
    assert response.headers["x-trace-id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    forwarded = stack.behaviour["savings"].seen[-1]["headers"]["traceparent"]
    trace_id, parent = forwarded.split("-")[1:3]
    assert trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert parent != "00f067aa0ba902b7"  # the gateway's own span is the parent now


async def test_every_response_carries_a_trace_id_refusals_included(stack: Stack) -> None:
    for response in [
        await stack.client.get("/api/savings/v1/initiatives"),  # 401
        await stack.client.get("/api/nowhere/v1/x", headers=stack.auth(READ)),  # 404
        await stack.client.get("/api/savings/v1/initiatives", headers=stack.auth(READ)),  # 200
    ]:
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-trace-id"]), response.status_code


async def test_hop_by_hop_headers_from_the_caller_do_not_reach_the_service(stack: Stack) -> None:
    await stack.client.get(
        "/api/savings/v1/initiatives",
        headers={
            **stack.auth(READ),
            "Connection": "keep-alive, X-Smuggled",
            "X-Smuggled": "1",
            "Keep-Alive": "timeout=5",
            "TE": "trailers",
            "Trailer": "X-Late",
            "Upgrade": "h2c",
            "Proxy-Authorization": "Basic c2VjcmV0",
            "X-Forwarded-For": "10.9.9.9",
            "X-Kept": "yes",
        },
    )
    seen = stack.behaviour["savings"].seen[-1]["headers"]
    for name in ("x-smuggled", "keep-alive", "te", "trailer", "upgrade", "proxy-authorization"):
        assert name not in seen, name
    assert seen["x-forwarded-for"] == "127.0.0.1"  # the gateway's view, not the caller's claim
    assert seen["x-kept"] == "yes"


async def test_hop_by_hop_headers_from_the_service_do_not_reach_the_caller(stack: Stack) -> None:
    response = await stack.client.get("/api/savings/v1/hop-by-hop", headers=stack.auth(READ))
    assert response.status_code == 200
    assert "x-backend-secret" not in response.headers
    assert response.headers.get("keep-alive") is None
    assert response.headers["x-kept"] == "yes"
    assert response.headers["x-trace-id"] != "forged"


async def test_a_large_response_streams_through_whole(stack: Stack) -> None:
    async with stack.client.stream("GET", "/api/property/v1/stream", headers=stack.auth(READ)) as response:
        assert response.status_code == 200
        received = b"".join([chunk async for chunk in response.aiter_bytes()])
    assert len(received) == 64 * 16_384
    assert received[:3] == b"AAA" and received[-1:] == bytes([65 + 63 % 26])


async def test_a_chunked_upload_within_the_limit_streams_to_the_service(stack: Stack) -> None:
    async def body():  # type: ignore[no-untyped-def]
        for _ in range(10):
            yield b"x" * 10_000

    response = await stack.client.post("/api/comms/v1/upload", content=body(), headers=stack.auth(ALL))
    assert response.status_code == 200, response.text
    assert response.json() == {"received": 100_000}


async def test_backend_statuses_and_problems_pass_through(stack: Stack) -> None:
    stack.behaviour["savings"].status = 409
    response = await stack.client.post(
        "/api/savings/v1/initiatives/x/transitions", json={}, headers=stack.auth(ALL)
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "savings told to fail"


async def test_a_service_that_rejects_the_token_again_is_answered_as_such(stack: Stack) -> None:
    # the gateway checked the token; the service checks it again and its 401 comes back unchanged
    stack.behaviour["comms"].status = 401
    response = await stack.client.get("/api/comms/v1/content", headers=stack.auth(READ))
    assert response.status_code == 401


async def test_percent_encoded_paths_keep_their_encoding(stack: Stack) -> None:
    await stack.client.get("/api/savings/v1/targets/LGR%20target%2F2021", headers=stack.auth(READ))
    assert stack.behaviour["savings"].seen[-1]["raw_path"] == b"/v1/targets/LGR%20target%2F2021"
