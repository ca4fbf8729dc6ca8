"""The gateway's connection pool (aiohttp's client, set up for forwarding) against a real socket
server that counts its connections.

The server is a few lines of asyncio speaking HTTP/1.1 keep-alive, so a test can see how many
connections the pool opened, how many were in use at once, what exactly reached it, and can hang up
idle ones the way a backend's keep-alive timeout does.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable

import pytest
from civic.auth import Caller
from civic_gateway.pool import (
    DEFAULT_TIMEOUTS,
    KEEPALIVE_SECONDS,
    BackendAnswer,
    BackendPool,
    BrokeOff,
    ConnectFailed,
    PoolExhausted,
    ReadTimedOut,
    Refused,
    Timeouts,
    WriteTimedOut,
    origin_of,
)
from civic_gateway.protection import CircuitBreakers, CircuitState
from civic_gateway.proxy import Backends
from civic_gateway.routing import Route, RouteTimeouts
from starlette.requests import Request

from bench.standins import LoopbackServer


class CountingServer(LoopbackServer):
    def __init__(self, delay: float = 0.0, body: bytes = b"ok") -> None:
        self.delay = delay
        self.body = body
        self.connections = 0
        self.in_flight = 0
        self.most_in_flight = 0
        self.requests = 0
        self.writers: set[asyncio.StreamWriter] = set()
        self.server: asyncio.Server | None = None
        self.heads: list[bytes] = []
        # a test's own answer: given the request's head and body, write to the connection (and
        # hang up, or not); None answers 200 with ``body``
        self.reply: Callable[[bytes, bytes, asyncio.StreamWriter], Awaitable[None]] | None = None
        self.reads = True  # False: accept connections and never read from them (nor answer)
        self._stopped = asyncio.Event()

    async def stop(self) -> None:
        self._stopped.set()
        self.hang_up_all()
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    def hang_up_all(self) -> None:
        for writer in list(self.writers):
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.add(writer)
        try:
            if not self.reads:
                await self._stopped.wait()
                return
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.heads.append(head)
                length, chunked = 0, False
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                    if name.strip().lower() == b"transfer-encoding":
                        chunked = value.strip().lower() == b"chunked"
                body = await _chunked_body(reader) if chunked else await reader.readexactly(length) if length else b""
                self.requests += 1
                self.in_flight += 1
                self.most_in_flight = max(self.most_in_flight, self.in_flight)
                await asyncio.sleep(self.delay)
                self.in_flight -= 1
                if self.reply is not None:
                    await self.reply(head, body, writer)
                    continue
                answer = self.body + (b":" + body if body else b"")
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n%s" % (len(answer), answer))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.writers.discard(writer)
            writer.close()


async def _chunked_body(reader: asyncio.StreamReader) -> bytes:
    body = b""
    while True:
        size = int((await reader.readuntil(b"\r\n")).strip(), 16)
        body += (await reader.readexactly(size + 2))[:-2]
        if size == 0:
            return body


@pytest.fixture
async def server() -> AsyncIterator[CountingServer]:
    served = CountingServer()
    await served.start()
    yield served
    await served.stop()


@pytest.fixture
async def pool() -> AsyncIterator[BackendPool]:
    made = BackendPool()
    yield made
    await made.aclose()


async def send(
    pool: BackendPool,
    url: str,
    path: str = "/",
    *,
    method: str = "GET",
    headers: list[tuple[bytes, bytes]] | None = None,
    content: AsyncIterable[bytes] | bytes | None = None,
    timeouts: Timeouts = DEFAULT_TIMEOUTS,
) -> BackendAnswer:
    origin, base = origin_of(url)
    return await pool.send(origin, method, (base + path).encode(), headers or [], content, timeouts)


async def call(pool: BackendPool, url: str, path: str = "/", **kwargs: object) -> tuple[int, bytes]:
    answer = await send(pool, url, path, **kwargs)  # type: ignore[arg-type]
    return answer.status, await answer.read()


def quick(**phases: float) -> Timeouts:
    return Timeouts(**{"connect": 2.0, "read": 5.0, "write": 5.0, "pool": 5.0, **phases})


async def test_calls_one_after_another_share_one_connection(server: CountingServer, pool: BackendPool) -> None:
    answers = [await call(pool, server.url, f"/{i}") for i in range(20)]
    assert answers == [(200, b"ok")] * 20
    assert server.connections == 1


async def test_concurrent_calls_never_open_more_than_the_limit(server: CountingServer) -> None:
    server.delay = 0.05
    pool = BackendPool(max_connections=3)
    answers = await asyncio.gather(*(call(pool, server.url) for _ in range(12)))
    await pool.aclose()
    assert answers == [(200, b"ok")] * 12
    assert server.connections == 3
    assert server.most_in_flight == 3


async def test_a_call_waiting_longer_than_its_pool_timeout_is_refused(server: CountingServer) -> None:
    server.delay = 0.5
    pool = BackendPool(max_connections=1)
    slow = asyncio.create_task(call(pool, server.url))
    await asyncio.sleep(0.1)
    with pytest.raises(PoolExhausted):
        await call(pool, server.url, timeouts=quick(pool=0.1))
    assert (await slow)[0] == 200
    assert (await call(pool, server.url))[0] == 200  # the slot came back
    await pool.aclose()
    assert server.requests == 2


async def test_a_connection_the_backend_hung_up_is_not_reused(server: CountingServer, pool: BackendPool) -> None:
    assert (await call(pool, server.url))[0] == 200
    server.hang_up_all()  # as a backend's keep-alive timeout does
    await asyncio.sleep(0.05)
    assert (await call(pool, server.url))[0] == 200
    assert server.connections == 2


async def test_an_idle_connection_past_its_keepalive_is_replaced(server: CountingServer) -> None:
    assert KEEPALIVE_SECONDS < 5  # uvicorn hangs up an idle connection after 5 s
    pool = BackendPool(keepalive_seconds=0.05)
    await call(pool, server.url)
    await asyncio.sleep(0.1)
    await call(pool, server.url)
    await pool.aclose()
    assert server.connections == 2


async def test_an_answer_not_read_to_its_end_gives_its_slot_back_and_its_connection_up(server: CountingServer) -> None:
    server.body = b"x" * 200_000
    pool = BackendPool(max_connections=1)
    answer = await send(pool, server.url)
    async for _ in answer.chunks():
        break  # the caller hung up early ...
    answer.close()  # ... and the forwarder closes the answer (its streamed body's finally)
    await asyncio.sleep(0.05)
    assert server.writers == set()  # the server saw that connection closed
    server.body = b"ok"
    assert await call(pool, server.url, timeouts=quick(pool=0.5)) == (200, b"ok")
    await pool.aclose()
    assert server.connections == 2


async def test_a_request_body_is_streamed_through(server: CountingServer, pool: BackendPool) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for part in (b"one,", b"two,", b"three"):
            yield part

    whole = await call(pool, server.url, method="POST", content=b"one,two,three")
    streamed = await call(pool, server.url, method="POST", content=chunks(), headers=[(b"content-length", b"13")])
    assert whole == streamed == (200, b"ok:one,two,three")
    assert server.connections == 1  # sent whole, answered whole: kept


async def test_an_unreachable_backend_is_a_connect_error_and_costs_no_slot() -> None:
    pool = BackendPool(max_connections=1)
    for _ in range(3):  # a slot leaked by the first failure would make the next a pool timeout
        with pytest.raises(ConnectFailed):
            await call(pool, "http://127.0.0.1:9", timeouts=quick(pool=0.2))
    await pool.aclose()


async def test_a_caller_cancelled_mid_call_gives_its_slot_back(server: CountingServer) -> None:
    server.delay = 1.0
    pool = BackendPool(max_connections=1)
    pending = asyncio.create_task(call(pool, server.url))
    await asyncio.sleep(0.1)
    pending.cancel()
    with pytest.raises(asyncio.CancelledError):
        await pending
    server.delay = 0.0
    assert (await call(pool, server.url, timeouts=quick(pool=0.5)))[0] == 200
    await pool.aclose()


async def test_a_closed_pool_closes_its_connections_and_refuses_calls(server: CountingServer) -> None:
    pool = BackendPool()
    await call(pool, server.url)
    await pool.aclose()
    await asyncio.sleep(0.05)
    assert server.writers == set()  # the server saw the connection close
    with pytest.raises(RuntimeError):
        await call(pool, server.url)


async def test_a_body_of_unknown_length_is_sent_in_chunks(server: CountingServer, pool: BackendPool) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for part in (b"one,", b"", b"two"):
            yield part

    assert await call(pool, server.url, method="POST", content=chunks()) == (200, b"ok:one,two")
    assert server.heads[0].lower().count(b"transfer-encoding: chunked") == 1


async def test_nothing_is_added_to_a_request_but_its_host(server: CountingServer, pool: BackendPool) -> None:
    headers = [(b"x-kept", b"yes"), (b"content-length", b"2")]
    await call(pool, server.url, "/p?q=1", method="POST", headers=headers, content=_chunks(b"{}"))
    await call(pool, server.url, "/g")
    post, get = (head.decode().split("\r\n") for head in server.heads)
    host = server.url.removeprefix("http://")
    assert post[0] == "POST /p?q=1 HTTP/1.1"
    assert sorted(line.lower() for line in post[1:] if line) == ["content-length: 2", f"host: {host}", "x-kept: yes"]
    assert get[0] == "GET /g HTTP/1.1"
    assert [line.lower() for line in get[1:] if line] == [f"host: {host}"]


async def test_a_backends_cookies_are_not_kept_for_later_calls(server: CountingServer, pool: BackendPool) -> None:
    server.reply = _answer_with(b"HTTP/1.1 200 OK\r\nset-cookie: session=alices\r\ncontent-length: 2\r\n\r\nok")
    answer = await send(pool, server.url)
    assert (b"set-cookie", b"session=alices") in [(k.lower(), v) for k, v in answer.headers]  # passed on
    await answer.read()
    await call(pool, server.url)
    assert b"cookie" not in server.heads[1].lower()


async def test_a_redirect_is_passed_on_not_followed(server: CountingServer, pool: BackendPool) -> None:
    server.reply = _answer_with(b"HTTP/1.1 302 Found\r\nlocation: /elsewhere\r\ncontent-length: 0\r\n\r\n")
    assert await call(pool, server.url) == (302, b"")
    assert server.requests == 1


async def test_an_encoded_answer_passes_through_as_it_came(server: CountingServer, pool: BackendPool) -> None:
    server.reply = _answer_with(b"HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\ncontent-length: 4\r\n\r\n\x1f\x8bzz")
    assert await call(pool, server.url) == (200, b"\x1f\x8bzz")  # not decoded (nor failed to be)


def _answer_with(raw: bytes, *, hang_up: bool = False) -> Callable[[bytes, bytes, asyncio.StreamWriter], Awaitable[None]]:
    async def reply(head: bytes, body: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(raw)
        await writer.drain()
        if hang_up:
            writer.close()

    return reply


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_a_chunked_answer_is_read_whole_and_its_connection_reused(server: CountingServer, pool: BackendPool) -> None:
    server.reply = _answer_with(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
    assert [await call(pool, server.url) for _ in range(3)] == [(200, b"abcde")] * 3
    assert server.connections == 1


async def test_the_answer_to_head_has_no_body_whatever_its_length_says(server: CountingServer, pool: BackendPool) -> None:
    server.reply = _answer_with(b"HTTP/1.1 200 OK\r\ncontent-length: 1234\r\n\r\n")
    for _ in range(2):
        answer = await send(pool, server.url, method="HEAD")
        assert (answer.status, answer.header(b"content-length"), await answer.read()) == (200, b"1234", b"")
    assert server.connections == 1


async def test_an_interim_answer_is_skipped(server: CountingServer, pool: BackendPool) -> None:
    server.reply = _answer_with(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\nok")
    assert await call(pool, server.url, method="POST", content=b"x") == (201, b"ok")


async def test_an_answer_without_length_ends_when_the_backend_hangs_up(server: CountingServer, pool: BackendPool) -> None:
    server.reply = _answer_with(b"HTTP/1.1 200 OK\r\n\r\nall of it", hang_up=True)
    assert await call(pool, server.url) == (200, b"all of it")
    assert await call(pool, server.url) == (200, b"all of it")
    assert server.connections == 2


async def test_connection_close_is_honoured(server: CountingServer, pool: BackendPool) -> None:
    server.reply = _answer_with(b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok")
    assert [await call(pool, server.url) for _ in range(2)] == [(200, b"ok")] * 2
    assert server.connections == 2


@pytest.mark.parametrize(
    "raw",
    [
        b"",  # hung up without a word
        b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc",  # hung up halfway
        b"SMTP ready\r\n\r\n",  # not HTTP at all
    ],
    ids=["no answer", "half an answer", "not http"],
)
async def test_a_broken_answer_is_an_error_and_costs_no_slot(server: CountingServer, raw: bytes) -> None:
    server.reply = _answer_with(raw, hang_up=True)
    pool = BackendPool(max_connections=1)
    for _ in range(2):
        with pytest.raises(BrokeOff):
            await call(pool, server.url, timeouts=quick(pool=0.2))
    await pool.aclose()


async def test_a_backend_slower_than_the_read_timeout_is_a_read_timeout(server: CountingServer) -> None:
    server.delay = 0.5
    pool = BackendPool(max_connections=1)
    with pytest.raises(ReadTimedOut):
        await call(pool, server.url, timeouts=quick(read=0.1))
    server.delay = 0.0
    assert (await call(pool, server.url, timeouts=quick(pool=0.5)))[0] == 200
    await pool.aclose()


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_backend_that_takes_the_body_and_never_answers_is_a_read_timeout(
    server: CountingServer, chunked: bool
) -> None:
    server.delay = 1.0
    pool = BackendPool(max_connections=1)
    headers = [] if chunked else [(b"content-length", b"6")]
    with pytest.raises(ReadTimedOut):
        await call(pool, server.url, method="POST", headers=headers, content=_chunks(b"abc", b"def"),
                   timeouts=quick(read=0.2, write=0.2))
    server.delay = 0.0
    assert await call(pool, server.url, timeouts=quick(pool=0.5)) == (200, b"ok")
    await pool.aclose()


async def test_a_backend_that_takes_no_body_is_a_write_timeout(server: CountingServer) -> None:
    server.reads = False  # accepts the connection, never reads the request, never answers

    async def endless() -> AsyncIterator[bytes]:
        chunk = b"x" * 65_536
        for _ in range(4096):  # 256 MiB at most: far more than the socket buffers hold
            yield chunk

    pool = BackendPool(max_connections=1)
    started = time.perf_counter()
    with pytest.raises(WriteTimedOut):
        await call(pool, server.url, method="POST", content=endless(), timeouts=quick(write=0.3, read=60))
    assert time.perf_counter() - started < 30
    server.reads = True
    assert (await call(pool, server.url, timeouts=quick(pool=0.5)))[0] == 200  # the slot came back
    await pool.aclose()


@pytest.mark.parametrize(
    ("target", "header"),
    [
        (b"/", (b"x-evil", b"1\r\nx-injected: 2")),
        (b"/ HTTP/1.1\r\nx-injected: 2\r\n\r\nGET /", (b"x-ok", b"1")),
        (b"/a b", (b"x-ok", b"1")),
        (b"/caf\xc3\xa9", (b"x-ok", b"1")),
        (b"/", (b"x-latin", b"caf\xe9")),
    ],
    ids=["line break in a header", "line break in the target", "space in the target", "non-ASCII target",
         "header value not UTF-8"],
)
async def test_a_request_that_cannot_go_out_as_it_is_is_refused_before_anything_is_sent(
    server: CountingServer, pool: BackendPool, target: bytes, header: tuple[bytes, bytes]
) -> None:
    origin, _ = origin_of(server.url)
    with pytest.raises(Refused):
        await pool.send(origin, "GET", target, [header])
    assert (await (await pool.send(origin, "GET", b"/", [])).read()) == b"ok"  # no slot lost
    assert server.requests == 1


async def test_a_large_answer_read_slowly_arrives_whole(server: CountingServer, pool: BackendPool) -> None:
    server.body = bytes(range(256)) * 8192  # 2 MiB: more than the pool reads ahead
    answer = await send(pool, server.url)
    received = b""
    async for chunk in answer.chunks():
        received += chunk
        await asyncio.sleep(0)
    assert received == server.body
    assert (await call(pool, server.url))[1] == server.body
    assert server.connections == 1


async def test_a_forward_the_pool_refuses_is_a_400_and_no_failure_of_the_backend(server: CountingServer) -> None:
    breakers = CircuitBreakers.for_backends(["savings"], failure_threshold=1)
    backends = Backends({"savings": server.url}, BackendPool(), breakers, RouteTimeouts.parse(5, ""))
    scope = {
        "type": "http",
        "method": "GET",
        "scheme": "http",
        "path": "/api/savings/v1/x",
        "raw_path": b"/api/savings/v1/x\r\nx-injected: 1",  # no server would hand this on; the pool must not either
        "query_string": b"",
        "headers": [(b"host", b"gateway")],
        "client": ("127.0.0.1", 1),
    }
    answer = await backends.forward(
        Request(scope), Route("savings", "/v1/x", "savings:read", 5), Caller("someone", frozenset(), "t"), "rid"
    )
    assert answer.status_code == 400
    assert server.requests == 0
    assert breakers["savings"].state is CircuitState.CLOSED
    await backends.aclose()
