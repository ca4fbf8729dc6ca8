"""A backend that answers before it has the whole request body must not desync the next call.

The backend here is a few lines of asyncio on a real socket, framing HTTP/1.1 the way uvicorn does:
a request's body is what its Content-Length (or its chunks) says, and it is read off the connection
before the next request is parsed, even when the answer went out first. DELETE/PUT/PATCH are
answered 405 (``Connection: keep-alive``) as soon as their head is in, without reading the body,
as a service does for a method its route does not allow.

If the gateway stopped sending that body and then reused the connection, the backend would take
the next caller's request as the rest of the body, and answer what is left of it with uvicorn's
``400 Invalid HTTP request received.``: another caller's request spoiled. So the connection must be
closed unless the request went out whole and its answer was read whole.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from civic.auth import Caller
from civic_gateway.pool import BackendPool
from civic_gateway.protection import CircuitBreakers
from civic_gateway.proxy import Backends
from civic_gateway.routing import Route, RouteTimeouts
from starlette.requests import Request
from starlette.responses import Response

from bench.standins import LoopbackServer

EARLY = (b"DELETE", b"PUT", b"PATCH")
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class EarlyAnswerBackend(LoopbackServer):
    def __init__(self) -> None:
        self.server: asyncio.Server | None = None
        self.connections = 0
        self.seen: list[tuple[int, str, str]] = []  # (connection number, method, target) per request
        self.garbage = 0  # requests answered "400 Invalid HTTP request received."
        self.writers: set[asyncio.StreamWriter] = set()

    async def __aenter__(self) -> EarlyAnswerBackend:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.writers):
            writer.close()
        await self.server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        number = self.connections
        self.writers.add(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                parts = lines[0].split(" ")
                if len(parts) != 3 or parts[2] != "HTTP/1.1" or parts[0] not in METHODS:
                    self.garbage += 1
                    await _answer(writer, 400, b"Invalid HTTP request received.", "text/plain; charset=utf-8", close=True)
                    return
                method, target = parts[0], parts[1]
                self.seen.append((number, method, target))
                headers = {}
                for line in lines[1:]:
                    if line:
                        name, _, value = line.partition(":")
                        headers[name.strip().lower()] = value.strip()
                if method.encode() in EARLY:
                    # answered at once, body unread: as a route that does not allow the method
                    await _answer(writer, 405, json.dumps({"detail": "Method Not Allowed"}).encode())
                    await _skip_body(reader, headers)  # the framing still holds: the body comes next
                    continue
                body = await _skip_body(reader, headers)
                await _answer(writer, 200, json.dumps({"method": method, "target": target, "body": body.decode()}).encode())
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
            pass
        finally:
            self.writers.discard(writer)
            writer.close()


async def _answer(
    writer: asyncio.StreamWriter, status: int, body: bytes, content_type: str = "application/json", *, close: bool = False
) -> None:
    writer.write(
        b"HTTP/1.1 %d X\r\ncontent-type: %s\r\ncontent-length: %d\r\nconnection: %s\r\n\r\n%s"
        % (status, content_type.encode(), len(body), b"close" if close else b"keep-alive", body)
    )
    await writer.drain()


async def _skip_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)  # ValueError: not a chunk
            body += (await reader.readexactly(size + 2))[:-2]
            if size == 0:
                return body
    length = int(headers.get("content-length", "0"))
    return await reader.readexactly(length) if length else b""


def _request(method: str, path: str, chunks: list[tuple[float, bytes]], *, chunked: bool = False) -> Request:
    """A caller's request as the gateway's server hands it on: ``chunks`` arrive after their delays."""
    headers = [(b"host", b"gateway"), (b"content-type", b"application/json")]
    if chunks:
        if chunked:
            headers.append((b"transfer-encoding", b"chunked"))
        else:
            headers.append((b"content-length", str(sum(len(c) for _, c in chunks)).encode()))
    pending = list(chunks)

    async def receive() -> dict[str, Any]:
        if not pending:
            await asyncio.Event().wait()  # the caller is still there, sending nothing more
        delay, chunk = pending.pop(0)
        await asyncio.sleep(delay)
        return {"type": "http.request", "body": chunk, "more_body": bool(pending)}

    scope = {
        "type": "http",
        "method": method,
        "scheme": "http",
        "path": f"/api/savings{path}",
        "raw_path": f"/api/savings{path}".encode(),
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 1),
    }
    return Request(scope, receive)


async def _complete(response: Response) -> tuple[int, str, bytes]:
    """Run the gateway's response as its server would: status, content type, whole body."""
    messages: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    async def never() -> dict[str, Any]:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    await response({"type": "http", "asgi": {"spec_version": "2.4"}}, never, send)
    start = messages[0]
    content_type = dict(start["headers"]).get(b"content-type", b"").decode()
    return start["status"], content_type, b"".join(m.get("body", b"") for m in messages[1:])


async def _forward(backends: Backends, request: Request) -> tuple[int, str, bytes]:
    path = request.scope["path"].removeprefix("/api/savings")
    route = Route("savings", path, "savings:write", 5)
    answer = await asyncio.wait_for(backends.forward(request, route, Caller("someone", frozenset(), "t"), "rid"), 10)
    return await _complete(answer)


@pytest.fixture
async def backend() -> AsyncIterator[EarlyAnswerBackend]:
    async with EarlyAnswerBackend() as served:
        yield served


@pytest.fixture
async def backends(backend: EarlyAnswerBackend) -> AsyncIterator[Backends]:
    breakers = CircuitBreakers.for_backends(["savings"])
    served = Backends({"savings": backend.url}, BackendPool(max_connections=1), breakers, RouteTimeouts.parse(5, ""))
    yield served
    await served.aclose()


# the body's second half comes a little after its first: the backend has answered by then
SLOW_BODY = [(0.0, b'{"title": '), (0.3, b'"x"}')]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("method", ["DELETE", "PUT", "PATCH"])
async def test_an_answer_before_the_whole_body_closes_the_connection(
    backend: EarlyAnswerBackend, backends: Backends, method: str, chunked: bool
) -> None:
    status, content_type, body = await _forward(backends, _request(method, "/v1/initiatives", SLOW_BODY, chunked=chunked))
    assert (status, content_type, json.loads(body)) == (405, "application/json", {"detail": "Method Not Allowed"})

    status, content_type, body = await _forward(backends, _request("GET", "/v1/initiatives/abc", []))

    assert status == 200, body  # not uvicorn's "400 Invalid HTTP request received."
    assert json.loads(body)["target"] == "/v1/initiatives/abc"
    assert backend.garbage == 0
    # the GET went out on a connection of its own: the first one was not trusted again
    assert backend.seen == [(1, method, "/v1/initiatives"), (2, "GET", "/v1/initiatives/abc")]


async def test_callers_one_after_another_all_get_their_own_answers(
    backend: EarlyAnswerBackend, backends: Backends
) -> None:
    for i in range(5):
        status, _, _ = await _forward(backends, _request("DELETE", "/v1/initiatives", [(0.0, b"{"), (0.05, b"}")]))
        assert status == 405
        status, _, body = await _forward(backends, _request("GET", f"/v1/initiatives/{i}", []))
        assert (status, json.loads(body)["target"]) == (200, f"/v1/initiatives/{i}")
    assert backend.garbage == 0


async def test_a_request_sent_whole_and_answered_whole_keeps_its_connection(
    backend: EarlyAnswerBackend, backends: Backends
) -> None:
    status, _, body = await _forward(backends, _request("POST", "/v1/initiatives", SLOW_BODY))
    assert (status, json.loads(body)["body"]) == (200, '{"title": "x"}')
    status, _, body = await _forward(backends, _request("GET", "/v1/initiatives/abc", []))
    assert (status, json.loads(body)["target"]) == (200, "/v1/initiatives/abc")
    assert backend.connections == 1  # keep-alive still works for whole exchanges
