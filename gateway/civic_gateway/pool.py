"""The gateway's connection pool to the backends: keep-alive HTTP/1.1 connections, constant work per call.

httpx's default pool (httpcore's ``AsyncConnectionPool``) re-examines every pooled connection on
every request and again on every response: closed? expired? idle? readable? The readable check
goes through anyio's socket attributes, which build a dictionary each time. With 32 connections to
one backend that was two thirds of the gateway's CPU and most of its added latency (measured with
py-spy under ``make bench``). The gateway talks to a handful of fixed origins over plain HTTP/1.1,
so a pool that keeps a stack of idle connections per origin does the same job looking at one
connection per call.

``BackendPool`` is an httpx transport: the forwarder sends on it and the composed views use an
``httpx.AsyncClient`` over it, exactly as they would with httpx's own transport. The connections
themselves are httpcore's (the protocol work, timeouts and the check that a server has not hung up
an idle connection are theirs); only the choosing of a connection is done here.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterator

import anyio
import httpcore
import httpx

# Uvicorn closes a keep-alive connection after 5 s of quiet. A connection idle for longer than this
# is closed here rather than reused, so the pool almost never sends on a socket the backend is
# closing at that very moment (the readable check below catches one it has closed already).
KEEPALIVE_SECONDS = 4.0

# httpcore's errors as httpx's, most specific first (httpx maps them the same way in its transport)
_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
)


@contextlib.contextmanager
def _as_httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for core, ours in _ERRORS:
            if isinstance(exc, core):
                raise ours(str(exc)) from exc
        raise


class _Origin:
    """The connections to one backend: the idle ones (most recently used last) and the slots that
    bound how many may be open at once."""

    def __init__(self, limit: int) -> None:
        self.idle: list[httpcore.AsyncHTTPConnection] = []
        self.slots = asyncio.Semaphore(limit)
        self.open: set[httpcore.AsyncHTTPConnection] = set()


class BackendPool(httpx.AsyncBaseTransport):
    """Up to ``max_connections`` connections to each origin; an idle one is reused last-in first-out,
    so a quiet period lets the surplus expire while the busy few stay warm."""

    def __init__(
        self,
        *,
        max_connections: int = 100,
        keepalive_seconds: float = KEEPALIVE_SECONDS,
        network_backend: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.max_connections = max_connections
        self.keepalive_seconds = keepalive_seconds
        self._network = network_backend or httpcore.AnyIOBackend()
        self._origins: dict[tuple[bytes, bytes, int], _Origin] = {}
        self._closed = False

    def connections(self) -> dict[str, dict[str, int]]:
        """Open and idle connections per origin (for tests and operators' curiosity)."""
        return {
            f"{scheme.decode()}://{host.decode()}:{port}": {"open": len(o.open), "idle": len(o.idle)}
            for (scheme, host, port), o in self._origins.items()
        }

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise RuntimeError("the backend pool is closed")
        url = request.url
        scheme, host = url.raw_scheme, url.raw_host
        port = url.port or (443 if scheme == b"https" else 80)
        origin = self._origins.get((scheme, host, port))
        if origin is None:
            origin = self._origins[(scheme, host, port)] = _Origin(self.max_connections)

        await _take_slot(origin.slots, request.extensions.get("timeout", {}).get("pool"))
        connection: httpcore.AsyncHTTPConnection | None = None
        try:
            connection = await self._reusable(origin)
            if connection is None:
                connection = httpcore.AsyncHTTPConnection(
                    httpcore.Origin(scheme, host, port),
                    keepalive_expiry=self.keepalive_seconds,
                    network_backend=self._network,
                )
                origin.open.add(connection)
            with _as_httpx_errors():
                answer = await connection.handle_async_request(
                    httpcore.Request(
                        method=request.method,
                        url=httpcore.URL(scheme=scheme, host=host, port=port, target=url.raw_path),
                        headers=request.headers.raw,
                        content=request.stream,
                        extensions=request.extensions,
                    )
                )
        except BaseException:
            if connection is not None:
                await _discard(origin, connection)
            origin.slots.release()
            raise

        def done() -> None:
            if connection.is_idle() and not self._closed:
                origin.idle.append(connection)  # the answer was read to its end: ready for the next call
            else:
                origin.open.discard(connection)  # httpcore has closed it (not read to the end, or "close")
            origin.slots.release()

        return httpx.Response(
            status_code=answer.status,
            headers=answer.headers,
            stream=_Answer(answer.stream, done),  # type: ignore[arg-type]  # httpcore's stream
            extensions=answer.extensions,
        )

    async def _reusable(self, origin: _Origin) -> httpcore.AsyncHTTPConnection | None:
        while origin.idle:
            connection = origin.idle.pop()
            # has_expired: past keepalive_seconds, or the backend has hung up (the socket is readable)
            if connection.is_idle() and not connection.has_expired():
                return connection
            await _discard(origin, connection)
        return None

    async def aclose(self) -> None:
        self._closed = True
        for origin in self._origins.values():
            for connection in list(origin.open):
                await _discard(origin, connection)
            origin.idle.clear()


class _Answer(httpx.AsyncByteStream):
    """A backend's response body; closing it hands the connection back (or drops it) exactly once."""

    def __init__(self, stream: AsyncIterable[bytes], done: Callable[[], None]) -> None:
        self._stream = stream
        self._done: Callable[[], None] | None = done

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors():
            async for part in self._stream:
                yield part

    async def aclose(self) -> None:
        done, self._done = self._done, None
        if done is None:
            return
        try:
            with anyio.CancelScope(shield=True), _as_httpx_errors():
                await self._stream.aclose()  # type: ignore[attr-defined]
        finally:
            done()


async def _take_slot(slots: asyncio.Semaphore, timeout: float | None) -> None:
    if not slots.locked():
        await slots.acquire()  # free: taken without waiting
        return
    try:
        async with asyncio.timeout(timeout):
            await slots.acquire()
    except TimeoutError:
        raise httpx.PoolTimeout("every connection to this backend is busy") from None


async def _discard(origin: _Origin, connection: httpcore.AsyncHTTPConnection) -> None:
    origin.open.discard(connection)
    with anyio.CancelScope(shield=True), contextlib.suppress(Exception):
        await connection.aclose()

