"""The gateway's connections to the backends: keep-alive HTTP/1.1, as little work per call as possible.

Forwarding is most of what the gateway does, so the cost of one call to a backend is most of the
latency it adds. Measured in one process, one call at a time to the savings service, CPU per call:
httpx over httpcore's connections took about 1.4 ms (an ``httpx.Request`` and ``Response``, h11's
event machinery, and anyio cancel scopes around every socket read and write); an asyncio protocol
feeding httptools' parser took about 0.13 ms. httpx's own pool also re-examined every pooled
connection on every call, which at 32 connections was two thirds of the gateway's CPU.

The gateway talks to a handful of fixed origins, its own services, over HTTP/1.1. So it speaks that
itself: :class:`Connection` is an asyncio protocol with httptools' response parser (the same C
parser uvicorn uses for the gateway's own requests), and :class:`BackendPool` keeps a stack of idle
connections per origin and a bound on how many may be open. Failures are raised as httpx's
exceptions, and the pool is also an httpx transport, so anything that speaks httpx can use it.
"""

from __future__ import annotations

import asyncio
import collections
import ssl
from collections.abc import AsyncIterable, AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httptools
import httpx

# Uvicorn closes a keep-alive connection after 5 s of quiet. A connection idle for longer than this
# is closed here rather than reused, so the pool almost never sends on a socket the backend is
# closing at that very moment (one it has closed already is known from the protocol's
# connection_lost, which the event loop reports as soon as the backend hangs up).
KEEPALIVE_SECONDS = 4.0

# A backend's answer read faster than the caller takes it is held up to this much, then the socket
# stops being read until the caller catches up.
_READ_AHEAD_BYTES = 256 * 1024


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds for each phase of a call (None: no limit), as httpx names them."""

    connect: float | None = 5.0
    read: float | None = 5.0
    write: float | None = 5.0
    pool: float | None = 5.0

    @classmethod
    def of(cls, seconds: float, *, connect: float | None = None) -> Timeouts:
        return cls(connect=seconds if connect is None else connect, read=seconds, write=seconds, pool=seconds)

    @classmethod
    def from_httpx(cls, timeouts: dict[str, float | None]) -> Timeouts:
        return cls(**{phase: timeouts.get(phase) for phase in ("connect", "read", "write", "pool")})


DEFAULT_TIMEOUTS = Timeouts()


@dataclass(frozen=True, slots=True)
class Origin:
    scheme: str
    host: str
    port: int
    host_header: bytes = field(init=False, compare=False, repr=False)  # built once, sent on every call

    def __post_init__(self) -> None:
        default = 443 if self.scheme == "https" else 80
        host = self.host if self.port == default else f"{self.host}:{self.port}"
        object.__setattr__(self, "host_header", host.encode("ascii"))


class Exchange:
    """One request's answer as the backend sends it: fed by the connection, read by the caller.

    The callbacks are httptools' (``on_header``, ``on_body``...): the parser calls them while the
    connection feeds it bytes, and they wake whoever is waiting for the next part.
    """

    def __init__(self, connection: Connection, *, head: bool) -> None:
        self.connection = connection
        self.parser = httptools.HttpResponseParser(self)
        self.head = head
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.headers_done = False
        self.keep_alive = False
        self.chunks: collections.deque[bytes] = collections.deque()
        self.buffered = 0
        self.complete = False
        self.failure: httpx.TransportError | None = None
        self._waiter: asyncio.Future[None] | None = None

    # --- fed by the connection ---------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except (httptools.HttpParserError, httptools.HttpParserUpgrade) as exc:
            self.fail(httpx.RemoteProtocolError(f"the backend's answer is not valid HTTP/1.1 ({exc})"))

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        status = self.parser.get_status_code()
        if 100 <= status < 200:  # an interim answer (100 Continue): the real one follows
            self.headers = []
            return
        self.status = status
        self.headers_done = True
        self.keep_alive = self.parser.should_keep_alive()
        if self.head:  # the answer to HEAD has headers only, whatever length they announce
            self.complete = True
        self._wake()

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)
        self.buffered += len(body)
        if self.buffered > _READ_AHEAD_BYTES:
            self.connection.pause_reading()
        self._wake()

    def on_message_complete(self) -> None:
        if self.headers_done:  # not the end of an interim answer
            self.complete = True
            self._wake()

    def lost(self) -> None:
        if self.complete:
            return
        if self.headers_done and self._ends_when_the_backend_hangs_up():
            self.complete = True
            self.keep_alive = False
        elif self.headers_done:
            self.fail(httpx.ReadError("the backend hung up in the middle of its answer"))
        else:
            self.fail(httpx.RemoteProtocolError("the backend hung up without answering"))
        self._wake()

    def _ends_when_the_backend_hangs_up(self) -> bool:
        """An answer with neither a length nor chunks (HTTP/1.0 style) is whole when the connection ends."""
        names = {name.lower() for name, _ in self.headers}
        return b"content-length" not in names and b"transfer-encoding" not in names

    def fail(self, failure: httpx.TransportError) -> None:
        if self.failure is None and not self.complete:
            self.failure = failure
            self.connection.close()
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    # --- read by the caller ----------------------------------------------------------------------

    async def next_part(self, timeout: float | None) -> None:
        """Wait until the backend has sent something more (or failed, or hung up)."""
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            async with asyncio.timeout(timeout):
                await self._waiter
        except TimeoutError:
            raise httpx.ReadTimeout(f"the backend sent nothing for {timeout:g} s") from None
        finally:
            self._waiter = None

    def take(self) -> bytes:
        chunk = self.chunks.popleft()
        self.buffered -= len(chunk)
        if self.buffered <= _READ_AHEAD_BYTES // 2:
            self.connection.resume_reading()
        return chunk


class Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection to a backend, carrying one exchange at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.lost = False
        self.idle_since = 0.0
        self.exchange: Exchange | None = None
        self._writable = asyncio.Event()
        self._writable.set()
        self._reading = True

    # --- asyncio.Protocol --------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a stream transport

    def data_received(self, data: bytes) -> None:
        exchange = self.exchange
        if exchange is None or exchange.complete:
            self.close()  # bytes nobody asked for: this connection cannot be trusted with another call
            return
        exchange.feed(data)

    def eof_received(self) -> bool:
        return False  # the backend is done sending: close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        self._writable.set()
        if self.exchange is not None:
            self.exchange.lost()

    def pause_writing(self) -> None:
        self._writable.clear()

    def resume_writing(self) -> None:
        self._writable.set()

    # --- used by the pool ----------------------------------------------------------------------------

    def pause_reading(self) -> None:
        if self._reading and self.transport is not None and not self.lost:
            self._reading = False
            self.transport.pause_reading()

    def resume_reading(self) -> None:
        if not self._reading and self.transport is not None and not self.lost:
            self._reading = True
            self.transport.resume_reading()

    def close(self) -> None:
        if self.transport is not None and not self.lost:
            self.transport.close()

    async def write(self, data: bytes, timeout: float | None) -> None:
        if self.lost:
            return  # the backend hung up; its answer (or the lack of one) tells the caller what happened
        assert self.transport is not None
        self.transport.write(data)
        if not self._writable.is_set():
            try:
                async with asyncio.timeout(timeout):
                    await self._writable.wait()
            except TimeoutError:
                raise httpx.WriteTimeout(f"the backend took nothing for {timeout:g} s") from None

    async def exchange_with(
        self,
        method: bytes,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        content: AsyncIterable[bytes] | bytes | None,
        timeouts: Timeouts,
    ) -> Exchange:
        """Send one request and wait for the answer's status and headers."""
        exchange = self.exchange = Exchange(self, head=method == b"HEAD")
        body: AsyncIterable[bytes] | None = None
        lines = [b"%s %s HTTP/1.1\r\n" % (method, target)]
        lines.extend(b"%s: %s\r\n" % header for header in headers)
        chunked = False
        if isinstance(content, bytes):
            lines.append(b"content-length: %d\r\n" % len(content))
        elif content is not None:
            body = content
            declared = {name.lower() for name, _ in headers}
            chunked = b"content-length" not in declared
            if chunked and b"transfer-encoding" not in declared:  # a stream of unknown length goes in chunks
                lines.append(b"transfer-encoding: chunked\r\n")
        lines.append(b"\r\n")
        head = b"".join(lines)
        # one line break per line we wrote: a break inside a target, name or value would let it write
        # a header (or a request) of its own
        if head.count(b"\n") != len(lines) or head.count(b"\r") != len(lines):
            raise httpx.LocalProtocolError("refusing to send a request line or header holding a line break")
        await self.write(head + content if isinstance(content, bytes) else head, timeouts.write)
        if body is not None:
            async for part in body:
                if exchange.complete or exchange.failure or self.lost:
                    break  # the backend has answered (or given up) before taking the whole body
                if part:
                    await self.write(b"%x\r\n%s\r\n" % (len(part), part) if chunked else part, timeouts.write)
            else:
                if chunked:
                    await self.write(b"0\r\n\r\n", timeouts.write)
        while not exchange.headers_done:
            if exchange.failure is not None:
                raise exchange.failure
            await exchange.next_part(timeouts.read)
        return exchange


class BackendAnswer:
    """A backend's status, headers and body; reading the body to its end (or closing the answer)
    gives the connection back to the pool, exactly once."""

    def __init__(self, exchange: Exchange, read_timeout: float | None, done: Callable[[bool], None]) -> None:
        self.status = exchange.status
        self.headers = exchange.headers
        self._exchange = exchange
        self._read_timeout = read_timeout
        self._done: Callable[[bool], None] | None = done

    def header(self, name: bytes) -> bytes | None:
        """The first value of a header (``name`` in lower case)."""
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    async def chunks(self) -> AsyncIterator[bytes]:
        exchange = self._exchange
        try:
            while True:
                if exchange.chunks:
                    yield exchange.take()
                elif exchange.complete:
                    break
                elif exchange.failure is not None:
                    raise exchange.failure
                else:
                    await exchange.next_part(self._read_timeout)
        finally:
            self.close()

    async def read(self) -> bytes:
        return b"".join([chunk async for chunk in self.chunks()])

    def close(self) -> None:
        done, self._done = self._done, None
        if done is not None:
            exchange = self._exchange
            done(exchange.complete and exchange.keep_alive and not exchange.chunks)


class _Origin:
    """The connections to one backend: the idle ones (most recently used last) and the slots that
    bound how many may be open at once."""

    def __init__(self, limit: int) -> None:
        self.idle: list[Connection] = []
        self.slots = asyncio.Semaphore(limit)
        self.open: set[Connection] = set()


class BackendPool(httpx.AsyncBaseTransport):
    """Up to ``max_connections`` connections to each origin; an idle one is reused last-in first-out,
    so a quiet period lets the surplus expire while the busy few stay warm."""

    def __init__(self, *, max_connections: int = 100, keepalive_seconds: float = KEEPALIVE_SECONDS) -> None:
        self.max_connections = max_connections
        self.keepalive_seconds = keepalive_seconds
        self._origins: dict[Origin, _Origin] = {}
        self._closed = False
        self._tls: ssl.SSLContext | None = None

    def connections(self) -> dict[str, dict[str, int]]:
        """Open and idle connections per origin (for tests and operators' curiosity)."""
        return {
            f"{o.scheme}://{o.host}:{o.port}": {"open": len(c.open), "idle": len(c.idle)} for o, c in self._origins.items()
        }

    async def send(
        self,
        origin: Origin,
        method: bytes,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        content: AsyncIterable[bytes] | bytes | None = None,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
    ) -> BackendAnswer:
        """Send a request (``headers`` include Host) and return once the answer's headers are in.

        Raises httpx's transport errors: PoolTimeout when every connection stays busy for longer
        than the pool timeout, ConnectError/ConnectTimeout, Read/WriteTimeout, ReadError and
        RemoteProtocolError when the backend hangs up or answers something that is not HTTP.
        """
        if self._closed:
            raise RuntimeError("the backend pool is closed")
        if b" " in target:
            raise httpx.LocalProtocolError(f"refusing to send the request target {target!r}")
        connections = self._origins.get(origin)
        if connections is None:
            connections = self._origins[origin] = _Origin(self.max_connections)

        await _take_slot(connections.slots, timeouts.pool)
        connection: Connection | None = None
        try:
            connection = self._reusable(connections) or await self._connect(origin, connections, timeouts.connect)
            exchange = await connection.exchange_with(method, target, headers, content, timeouts)
        except BaseException:
            if connection is not None:
                _discard(connections, connection)
            connections.slots.release()
            raise

        def done(reusable: bool) -> None:
            assert connection is not None
            connection.exchange = None
            if reusable and not connection.lost and not self._closed:
                connection.idle_since = asyncio.get_running_loop().time()
                connections.idle.append(connection)
            else:
                _discard(connections, connection)
            connections.slots.release()

        answer = BackendAnswer(exchange, timeouts.read, done)
        if exchange.complete and not exchange.chunks:
            answer.close()  # nothing more to read (an empty body, a HEAD): the connection is free now
        return answer

    def _reusable(self, connections: _Origin) -> Connection | None:
        now = asyncio.get_running_loop().time()
        while connections.idle:
            connection = connections.idle.pop()
            if not connection.lost and now - connection.idle_since < self.keepalive_seconds:
                return connection
            _discard(connections, connection)  # hung up by the backend, or too long idle
        return None

    async def _connect(self, origin: Origin, connections: _Origin, timeout: float | None) -> Connection:
        tls: dict[str, Any] = {}
        if origin.scheme == "https":
            self._tls = self._tls or ssl.create_default_context()
            tls = {"ssl": self._tls, "server_hostname": origin.host}
        try:
            async with asyncio.timeout(timeout):
                _, connection = await asyncio.get_running_loop().create_connection(
                    Connection, origin.host, origin.port, **tls
                )
        except TimeoutError:
            raise httpx.ConnectTimeout(f"no connection to {origin.host}:{origin.port} within {timeout:g} s") from None
        except OSError as exc:
            raise httpx.ConnectError(f"cannot connect to {origin.host}:{origin.port}: {exc}") from exc
        connections.open.add(connection)
        return connection

    # --- as an httpx transport -------------------------------------------------------------------

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        scheme = url.scheme
        origin = Origin(scheme, url.host, url.port or (443 if scheme == "https" else 80))
        content = request.stream if request.method not in ("GET", "HEAD") or "content-length" in request.headers else None
        answer = await self.send(
            origin,
            request.method.encode("ascii"),
            url.raw_path,
            list(request.headers.raw),
            content,  # type: ignore[arg-type]  # httpx's request streams are async iterables of bytes
            Timeouts.from_httpx(request.extensions.get("timeout", {})),
        )
        return httpx.Response(status_code=answer.status, headers=answer.headers, stream=_AnswerStream(answer))

    async def aclose(self) -> None:
        self._closed = True
        for connections in self._origins.values():
            for connection in list(connections.open):
                _discard(connections, connection)
            connections.idle.clear()


class _AnswerStream(httpx.AsyncByteStream):
    def __init__(self, answer: BackendAnswer) -> None:
        self._answer = answer

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._answer.chunks():
            yield chunk

    async def aclose(self) -> None:
        self._answer.close()


async def _take_slot(slots: asyncio.Semaphore, timeout: float | None) -> None:
    if not slots.locked():
        await slots.acquire()  # free: taken without waiting
        return
    try:
        async with asyncio.timeout(timeout):
            await slots.acquire()
    except TimeoutError:
        raise httpx.PoolTimeout("every connection to this backend is busy") from None


def _discard(connections: _Origin, connection: Connection) -> None:
    connections.open.discard(connection)
    connection.close()


def origin_of(url: str) -> tuple[Origin, str]:
    """A backend's base URL as its origin and the path every call's target starts with."""
    parts = httpx.URL(url)
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"a backend URL must be http or https, not {url!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return Origin(parts.scheme, parts.host, port), parts.path.rstrip("/")
