"""The gateway's connection pool against a real socket server that counts its connections.

The server is a few lines of asyncio speaking HTTP/1.1 keep-alive, so a test can see how many
connections the pool opened, how many were in use at once, and can hang up idle ones the way a
backend's keep-alive timeout does.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest
from civic_gateway.pool import BackendPool


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
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                body = await reader.readexactly(length) if length else b""
                self.requests += 1
                self.in_flight += 1
                self.most_in_flight = max(self.most_in_flight, self.in_flight)
                await asyncio.sleep(self.delay)
                self.in_flight -= 1
                answer = self.body + (b":" + body if body else b"")
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n%s" % (len(answer), answer))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.writers.discard(writer)
            writer.close()


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
