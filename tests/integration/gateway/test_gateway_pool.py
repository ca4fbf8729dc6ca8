"""The gateway's connection pool against a real socket server that counts its connections.

The server is a few lines of asyncio speaking HTTP/1.1 keep-alive, so a test can see how many
connections the pool opened, how many were in use at once, and can hang up idle ones the way a
backend's keep-alive timeout does.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from civic.auth import Caller
from civic_gateway.pool import BackendPool, origin_of
from civic_gateway.protection import CircuitBreakers, CircuitState
from civic_gateway.proxy import Backends
from civic_gateway.routing import Route, RouteTimeouts
from starlette.requests import Request


class CountingServer:
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

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)

    async def stop(self) -> None:
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


@contextlib.asynccontextmanager
async def client_over(pool: BackendPool) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=pool, timeout=5) as client:
        yield client


async def test_calls_one_after_another_share_one_connection(server: CountingServer) -> None:
    pool = BackendPool()
    async with client_over(pool) as client:
        answers = [await client.get(server.url + f"/{i}") for i in range(20)]
    assert [a.text for a in answers] == ["ok"] * 20
    assert server.connections == 1


async def test_concurrent_calls_never_open_more_than_the_limit(server: CountingServer) -> None:
    server.delay = 0.05
    pool = BackendPool(max_connections=3)
    async with client_over(pool) as client:
        answers = await asyncio.gather(*(client.get(server.url) for _ in range(12)))
        assert pool.connections()[server.url] == {"open": 3, "idle": 3}
    assert all(a.status_code == 200 for a in answers)
    assert server.connections == 3
    assert server.most_in_flight == 3


async def test_a_call_waiting_longer_than_its_pool_timeout_is_refused(server: CountingServer) -> None:
    server.delay = 0.5
    pool = BackendPool(max_connections=1)
    async with client_over(pool) as client:
        slow = asyncio.create_task(client.get(server.url))
        await asyncio.sleep(0.1)
        with pytest.raises(httpx.PoolTimeout):
            await client.get(server.url, timeout=httpx.Timeout(5, pool=0.1))
        assert (await slow).status_code == 200
        assert (await client.get(server.url)).status_code == 200  # the slot came back
    assert server.requests == 2


async def test_a_connection_the_backend_hung_up_is_not_reused(server: CountingServer) -> None:
    pool = BackendPool()
    async with client_over(pool) as client:
        assert (await client.get(server.url)).status_code == 200
        server.hang_up_all()  # as a backend's keep-alive timeout does
        await asyncio.sleep(0.05)
        assert (await client.get(server.url)).status_code == 200
    assert server.connections == 2


async def test_an_idle_connection_past_its_keepalive_is_replaced(server: CountingServer) -> None:
    pool = BackendPool(keepalive_seconds=0.05)
    async with client_over(pool) as client:
        await client.get(server.url)
        await asyncio.sleep(0.1)
        await client.get(server.url)
    assert server.connections == 2


async def test_an_answer_not_read_to_its_end_gives_its_slot_back_and_its_connection_up(server: CountingServer) -> None:
    server.body = b"x" * 200_000
    pool = BackendPool(max_connections=1)
    async with client_over(pool) as client:
        async with client.stream("GET", server.url) as answer:
            async for _ in answer.aiter_raw(1024):
                break  # the caller hung up early
        assert pool.connections()[server.url] == {"open": 0, "idle": 0}
        server.body = b"ok"
        assert (await client.get(server.url, timeout=httpx.Timeout(5, pool=0.5))).text == "ok"
    assert server.connections == 2


async def test_a_request_body_is_streamed_through(server: CountingServer) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for part in (b"one,", b"two,", b"three"):
            yield part

    pool = BackendPool()
    async with client_over(pool) as client:
        answer = await client.post(server.url, content=b"one,two,three")
        streamed = await client.post(server.url, content=chunks(), headers={"content-length": "13"})
    assert answer.text == streamed.text == "ok:one,two,three"


async def test_an_unreachable_backend_is_a_connect_error_and_costs_no_slot() -> None:
    pool = BackendPool(max_connections=1)
    async with client_over(pool) as client:
        for _ in range(3):  # a slot leaked by the first failure would make the next a pool timeout
            with pytest.raises(httpx.ConnectError):
                await client.get("http://127.0.0.1:9", timeout=httpx.Timeout(2, pool=0.2))


async def test_a_caller_cancelled_mid_call_gives_its_slot_back(server: CountingServer) -> None:
    server.delay = 1.0
    pool = BackendPool(max_connections=1)
    async with client_over(pool) as client:
        call = asyncio.create_task(client.get(server.url))
        await asyncio.sleep(0.1)
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        server.delay = 0.0
        assert (await client.get(server.url, timeout=httpx.Timeout(5, pool=0.5))).status_code == 200


async def test_a_closed_pool_closes_its_connections_and_refuses_calls(server: CountingServer) -> None:
    pool = BackendPool()
    client = httpx.AsyncClient(transport=pool)
    await client.get(server.url)
    await client.aclose()
    await asyncio.sleep(0.05)
    assert server.writers == set()  # the server saw the connection close
    with pytest.raises(RuntimeError):
        await pool.handle_async_request(httpx.Request("GET", server.url))


async def test_a_body_of_unknown_length_is_sent_in_chunks(server: CountingServer) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for part in (b"one,", b"", b"two"):
            yield part

    pool = BackendPool()
    async with client_over(pool) as client:
        answer = await client.post(server.url, content=chunks())
    assert answer.text == "ok:one,two"
    assert server.heads[0].lower().count(b"transfer-encoding: chunked") == 1


def _answer_with(raw: bytes, *, hang_up: bool = False) -> Callable[[bytes, bytes, asyncio.StreamWriter], Awaitable[None]]:
    async def reply(head: bytes, body: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(raw)
        await writer.drain()
        if hang_up:
            writer.close()

    return reply


async def test_a_chunked_answer_is_read_whole_and_its_connection_reused(server: CountingServer) -> None:
    server.reply = _answer_with(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
    pool = BackendPool()
    async with client_over(pool) as client:
        assert [(await client.get(server.url)).text for _ in range(3)] == ["abcde"] * 3
    assert server.connections == 1


async def test_the_answer_to_head_has_no_body_whatever_its_length_says(server: CountingServer) -> None:
    server.reply = _answer_with(b"HTTP/1.1 200 OK\r\ncontent-length: 1234\r\n\r\n")
    pool = BackendPool()
    async with client_over(pool) as client:
        for _ in range(2):
            answer = await client.head(server.url)
            assert (answer.status_code, answer.headers["content-length"], answer.content) == (200, "1234", b"")
    assert server.connections == 1


async def test_an_interim_answer_is_skipped(server: CountingServer) -> None:
    server.reply = _answer_with(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\nok")
    pool = BackendPool()
    async with client_over(pool) as client:
        answer = await client.post(server.url, content=b"x")
    assert (answer.status_code, answer.text) == (201, "ok")


async def test_an_answer_without_length_ends_when_the_backend_hangs_up(server: CountingServer) -> None:
    server.reply = _answer_with(b"HTTP/1.1 200 OK\r\n\r\nall of it", hang_up=True)
    pool = BackendPool()
    async with client_over(pool) as client:
        assert (await client.get(server.url)).text == "all of it"
        assert (await client.get(server.url)).text == "all of it"
    assert server.connections == 2


async def test_connection_close_is_honoured(server: CountingServer) -> None:
    server.reply = _answer_with(b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok")
    pool = BackendPool()
    async with client_over(pool) as client:
        assert [(await client.get(server.url)).text for _ in range(2)] == ["ok", "ok"]
        assert pool.connections()[server.url] == {"open": 0, "idle": 0}
    assert server.connections == 2


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b"", httpx.RemoteProtocolError),  # hung up without a word
        (b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc", httpx.ReadError),  # hung up halfway
        (b"SMTP ready\r\n\r\n", httpx.RemoteProtocolError),  # not HTTP at all
    ],
    ids=["no answer", "half an answer", "not http"],
)
async def test_a_broken_answer_is_an_error_and_costs_no_slot(
    server: CountingServer, raw: bytes, error: type[Exception]
) -> None:
    server.reply = _answer_with(raw, hang_up=True)
    pool = BackendPool(max_connections=1)
    async with client_over(pool) as client:
        for _ in range(2):
            with pytest.raises(error):
                await client.get(server.url, timeout=httpx.Timeout(2, pool=0.2))
        assert pool.connections()[server.url] == {"open": 0, "idle": 0}


async def test_a_backend_slower_than_the_read_timeout_is_a_read_timeout(server: CountingServer) -> None:
    server.delay = 0.5
    pool = BackendPool(max_connections=1)
    async with client_over(pool) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.get(server.url, timeout=httpx.Timeout(5, read=0.1))
        server.delay = 0.0
        assert (await client.get(server.url, timeout=httpx.Timeout(5, pool=0.5))).status_code == 200


@pytest.mark.parametrize(
    ("target", "header"),
    [(b"/", (b"x-evil", b"1\r\nx-injected: 2")), (b"/ HTTP/1.1\r\nx-injected: 2\r\n\r\nGET /", (b"x-ok", b"1"))],
    ids=["in a header", "in the target"],
)
async def test_a_line_break_is_refused_before_anything_is_sent(
    server: CountingServer, target: bytes, header: tuple[bytes, bytes]
) -> None:
    pool = BackendPool()
    origin, _ = origin_of(server.url)
    with pytest.raises(httpx.LocalProtocolError):
        await pool.send(origin, b"GET", target, [(b"host", origin.host_header), header])
    assert (await pool.send(origin, b"GET", b"/", [(b"host", origin.host_header)])).status == 200  # no slot lost
    assert server.requests == 1
    await pool.aclose()


async def test_a_large_answer_read_slowly_arrives_whole(server: CountingServer) -> None:
    server.body = bytes(range(256)) * 8192  # 2 MiB: more than the pool reads ahead
    pool = BackendPool()
    async with client_over(pool) as client:
        async with client.stream("GET", server.url) as answer:
            received = b""
            async for chunk in answer.aiter_raw():
                received += chunk
                await asyncio.sleep(0)
        assert received == server.body
        assert (await client.get(server.url)).content == server.body
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
