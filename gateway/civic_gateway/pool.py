"""The gateway's connections to the backends: aiohttp's client, set up for forwarding.

Every call the gateway makes to a service goes through :class:`BackendPool`: one
``aiohttp.ClientSession`` whose ``TCPConnector`` keeps keep-alive HTTP/1.1 connections per backend,
with aiohttp's C response parser. HTTP/1.1 framing is delicate and its mistakes are security defects
(request smuggling), so it is left to a well-kept client library rather than written here. Chosen by
measurement, one process, CPU per call to a cheap backend (GET, about 600 bytes of JSON), one call
at a time / 32 at once: aiohttp 139 / 93 µs; httpx 597 / 1,757 µs (its pool re-examines every
pooled connection on every call); httpcore alone 528 / 1,377 µs. The hand-written client this
replaces took 76 / 36 µs, and desynchronised a connection whenever a backend answered before it had
the whole request body. That safety costs the gateway as a whole about 0.14 ms of CPU per
forwarded GET (about 0.44 ms against 0.30 ms, gateway in front of a backend that costs nothing, 32
callers), which it pays on a core of its own as long as the services are the busier processes.

What this module adds to aiohttp, and why:

- **A connection is reused only when its request went out whole and its answer was read whole.**
  A backend may answer before it has read the body (405, 413, 401...) and still keep the
  connection open, expecting the rest of that body. aiohttp cancels its body writer when such an
  answer ends, and the cancelled writer closes the connection (``ClientRequest.write_bytes``); the
  gateway does not count on it: a request whose body had not all gone out when its answer came is
  marked ``force_close`` here, and an answer not read to its end is closed, not released.
- **A bound per backend with a pool timeout of its own**: at most ``max_connections`` calls to a
  backend at once; a call that waits longer than its pool timeout is :class:`PoolExhausted` (503
  with Retry-After), distinct from a backend that cannot be reached. aiohttp's own per-host limit
  is the same number (the hard bound on open connections); it queues a call this bound let through
  only for the moment a spent connection takes to close.
- **Timeouts by phase**: connect (aiohttp's ``connect`` and ``sock_connect``), read (aiohttp's
  ``sock_read``: no byte for that long, headers or body), pool (above) and write: aiohttp has no
  write timeout and starts the read timeout only once the body is out, so a backend that stops
  taking a body would hold the call for ever; here each chunk must leave within the write timeout,
  and once the last has, the backend has write + read timeouts to take the body's end and answer.
- **Nothing is added to or taken from the request**: no cookies kept (a backend's Set-Cookie must
  never reach another caller's request), no redirects followed, no Accept-Encoding, User-Agent,
  Accept or Content-Type of aiohttp's own, bodies passed through undecoded; a target that is not
  plain ASCII without spaces or control characters is refused before anything is sent, and so is a
  header value that is not UTF-8 (aiohttp writes values as UTF-8, and refuses control characters).
- Failures as the gateway's own exceptions (:class:`BackendError`), so the proxy maps them to
  problem details without knowing the library.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp.http_exceptions import HttpProcessingError
from yarl import URL

# Uvicorn closes a keep-alive connection after 5 s of quiet. A connection idle for longer than this
# is closed rather than reused, so a call almost never goes out on a socket the backend is closing
# at that very moment (one it has closed already is seen as such by the connector).
KEEPALIVE_SECONDS = 4.0

RawHeaders = tuple[tuple[bytes, bytes], ...]  # as the backend sent them: names in their own case

# aiohttp would add these to every request unless told not to; the gateway forwards the caller's.
_NOT_ADDED = ("Accept", "Accept-Encoding", "User-Agent", "Content-Type")

# a request target goes out as it came: printable ASCII, no space (a space or a line break would let
# it end the request line early and write a header, or a request, of its own)
_UNSENDABLE_TARGET = re.compile(rb"[^\x21-\x7e]")


# --- failures -------------------------------------------------------------------------------------


class BackendError(Exception):
    """A call to a backend that did not get its whole answer."""


class PoolExhausted(BackendError):
    """Every connection to the backend stayed busy for longer than the pool timeout."""


class Refused(BackendError):
    """The gateway will not send this request (it could not be sent as it is without changing it)."""


class ConnectFailed(BackendError):
    """No connection to the backend (refused, unreachable, name unknown)."""


class ConnectTimedOut(ConnectFailed):
    """No connection to the backend within the connect timeout."""


class TimedOut(BackendError):
    """The backend took longer than a phase's timeout."""


class ReadTimedOut(TimedOut):
    pass


class WriteTimedOut(TimedOut):
    pass


class BrokeOff(BackendError):
    """The backend hung up, or answered something that is not HTTP/1.1."""


def _failure(exc: Exception) -> BackendError:
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return ConnectTimedOut(f"no connection within the connect timeout ({exc})")
    if isinstance(exc, aiohttp.SocketTimeoutError):
        return ReadTimedOut(f"the backend sent nothing within the read timeout ({exc})")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return ConnectFailed(str(exc))
    if isinstance(exc, ValueError):  # aiohttp refuses a header holding a control character
        return Refused(str(exc))
    if isinstance(exc, aiohttp.ClientError | HttpProcessingError | OSError):
        # named by what aiohttp saw, without its message (which holds the backend's address)
        return BrokeOff(type(exc).__name__)
    raise exc  # not a transport failure: a bug, let it show


# --- what a call is given -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds for each phase of a call (None: no limit)."""

    connect: float | None = 5.0
    read: float | None = 5.0
    write: float | None = 5.0
    pool: float | None = 5.0
    # aiohttp's form of connect and read, built once (a call is given the same few over and over)
    client: aiohttp.ClientTimeout = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "client",
            aiohttp.ClientTimeout(total=None, connect=self.connect, sock_connect=self.connect, sock_read=self.read),
        )

    @classmethod
    def of(cls, seconds: float, *, connect: float | None = None) -> Timeouts:
        return cls(connect=seconds if connect is None else connect, read=seconds, write=seconds, pool=seconds)


DEFAULT_TIMEOUTS = Timeouts()


@dataclass(frozen=True, slots=True)
class Origin:
    scheme: str
    host: str
    port: int
    base: str = field(init=False, compare=False, repr=False)  # "scheme://host:port", built once

    def __post_init__(self) -> None:
        host = f"[{self.host}]" if ":" in self.host else self.host
        object.__setattr__(self, "base", f"{self.scheme}://{host}:{self.port}")


def origin_of(url: str) -> tuple[Origin, str]:
    """A backend's base URL as its origin and the path every call's target starts with."""
    parts = URL(url)
    if parts.scheme not in ("http", "https") or not parts.host:
        raise ValueError(f"a backend URL must be http or https, not {url!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return Origin(parts.scheme, parts.host, port), parts.path.rstrip("/")


# --- the request body -----------------------------------------------------------------------------


class _Body:
    """The request body on its way to the backend: knows whether it went out whole, holds each
    chunk's write to the write timeout, and keeps what the caller's side raised (a body over the
    limit, a caller gone) so it is not mistaken for the backend's failure."""

    __slots__ = ("_source", "_timeouts", "deadline", "failure", "whole")

    def __init__(self, source: AsyncIterable[bytes], timeouts: Timeouts) -> None:
        self._source = source
        self._timeouts = timeouts
        self.deadline: asyncio.Timeout | None = None  # set while the call waits for the answer's head
        self.whole = False
        self.failure: BaseException | None = None

    async def chunks(self) -> AsyncIterator[bytes]:
        write = self._timeouts.write
        try:
            async for chunk in self._source:
                if not chunk:
                    continue
                self._watch(write)
                yield chunk  # aiohttp writes it, and asks for the next once the transport took it
                self._watch(None)  # waiting for the caller's next chunk is not the backend's doing
        except (GeneratorExit, asyncio.CancelledError):
            raise  # aiohttp stopped sending (the answer came first, or the call was cancelled)
        except BaseException as exc:
            self.failure = exc
            raise
        self.whole = True
        # aiohttp still writes the end of a chunked body, and starts its read timeout only once that
        # has left: a backend that stops reading right there must not hold the call for ever
        read = self._timeouts.read
        self._watch(None if write is None or read is None else write + read)

    def _watch(self, seconds: float | None) -> None:
        deadline = self.deadline
        if deadline is None or deadline.expired():
            return
        deadline.reschedule(None if seconds is None else asyncio.get_running_loop().time() + seconds)


async def _one_chunk(content: bytes) -> AsyncIterator[bytes]:
    yield content


# --- the answer -----------------------------------------------------------------------------------


class BackendAnswer:
    """A backend's status, headers and body. Reading the body to its end (or closing the answer)
    ends the call, exactly once: the connection goes back to the pool only if the answer was read
    whole (and the request sent whole), otherwise it is closed."""

    def __init__(self, response: aiohttp.ClientResponse, slots: asyncio.Semaphore) -> None:
        self.status = response.status
        self.headers: RawHeaders = response.raw_headers
        self._response = response
        self._slots: asyncio.Semaphore | None = slots
        self._read_whole = False

    def header(self, name: bytes) -> bytes | None:
        """The first value of a header (``name`` in lower case)."""
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            try:
                async for chunk in self._response.content.iter_any():
                    yield chunk
            except (aiohttp.ClientError, HttpProcessingError, OSError) as exc:
                raise _failure(exc) from exc
            self._read_whole = True
        finally:
            self.close()

    async def read(self) -> bytes:
        try:
            try:
                body = await self._response.read()
            except (aiohttp.ClientError, HttpProcessingError, OSError) as exc:
                raise _failure(exc) from exc
            self._read_whole = True
            return body
        finally:
            self.close()

    def close(self) -> None:
        slots, self._slots = self._slots, None
        if slots is None:
            return
        if self._read_whole:
            self._response.release()  # already back in the pool, or closed, as the answer ended
        else:
            self._response.close()  # the rest of the answer is still coming: the connection is spent
        slots.release()


@dataclass(frozen=True, slots=True)
class Reply:
    """An answer read whole."""

    status: int
    headers: RawHeaders
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


# --- the pool -------------------------------------------------------------------------------------


class BackendPool:
    """Up to ``max_connections`` connections to each backend, idle ones kept ``keepalive_seconds``."""

    def __init__(self, *, max_connections: int = 100, keepalive_seconds: float = KEEPALIVE_SECONDS) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        self.max_connections = max_connections
        self.keepalive_seconds = keepalive_seconds
        self._session: aiohttp.ClientSession | None = None
        self._slots: dict[Origin, asyncio.Semaphore] = {}
        self._closed = False

    def _client(self) -> aiohttp.ClientSession:
        # made on first use: a session belongs to the running event loop, and the gateway is built before it runs
        session = self._session
        if session is None:
            connector = aiohttp.TCPConnector(
                limit=0,  # the bound is per backend
                limit_per_host=self.max_connections,
                keepalive_timeout=self.keepalive_seconds,
            )
            session = self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                skip_auto_headers=_NOT_ADDED,
                auto_decompress=False,
                trust_env=False,
                timeout=DEFAULT_TIMEOUTS.client,
            )
        return session

    async def send(
        self,
        origin: Origin,
        method: str,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        content: AsyncIterable[bytes] | bytes | None = None,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
    ) -> BackendAnswer:
        """Send a request and return once the answer's status and headers are in.

        ``headers`` are the request's own (Host is the origin's, added here). Raises
        :class:`BackendError`: PoolExhausted, Refused, ConnectFailed / ConnectTimedOut,
        ReadTimedOut / WriteTimedOut, BrokeOff. What the caller's body raises (over the limit, the
        caller gone) is raised as it is.
        """
        if self._closed:
            raise RuntimeError("the backend pool is closed")
        url = _url(origin, target)
        fields = _fields(headers)
        body: _Body | None = None
        if content is not None:
            if isinstance(content, bytes):
                fields.append(("content-length", str(len(content))))
                content = _one_chunk(content)
            body = _Body(content, timeouts)
        slots = self._slots.get(origin)
        if slots is None:
            slots = self._slots[origin] = asyncio.Semaphore(self.max_connections)
        await _take_slot(slots, timeouts.pool)

        try:
            if body is None:
                response = await self._client().request(
                    method, url, headers=fields, allow_redirects=False, timeout=timeouts.client
                )
            else:
                response = await self._send_body(method, url, fields, body, timeouts)
        except BaseException as exc:
            slots.release()
            if not isinstance(exc, Exception) or isinstance(exc, BackendError) or (body and exc is body.failure):
                raise
            raise _failure(exc) from exc
        if body is not None and not body.whole:
            # answered before it had the whole body: the backend still expects the rest on this
            # connection, so the connection must carry nothing else
            _spend(response)
        return BackendAnswer(response, slots)

    async def _send_body(
        self, method: str, url: URL, fields: list[tuple[str, str]], body: _Body, timeouts: Timeouts
    ) -> aiohttp.ClientResponse:
        deadline = body.deadline = asyncio.timeout(None)  # armed by the body while a chunk is being written
        try:
            async with deadline:
                return await self._client().request(
                    method, url, headers=fields, data=body.chunks(), allow_redirects=False, timeout=timeouts.client
                )
        except BaseException:
            if body.failure is not None:
                raise body.failure from None  # the caller's side: over the limit, or gone
            if deadline.expired() and body.whole:
                raise ReadTimedOut("the backend neither took the end of the body nor answered in time") from None
            if deadline.expired():
                raise WriteTimedOut(f"the backend took no body for {timeouts.write:g} s") from None
            raise
        finally:
            body.deadline = None

    async def aclose(self) -> None:
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()


def _spend(response: aiohttp.ClientResponse) -> None:
    connection = response.connection
    protocol = connection.protocol if connection is not None else None
    if protocol is not None:
        protocol.force_close()


def _url(origin: Origin, target: bytes) -> URL:
    if not target.startswith(b"/") or _UNSENDABLE_TARGET.search(target):
        raise Refused(f"refusing to send the request target {target[:200]!r}")
    return URL(origin.base + target.decode("ascii"), encoded=True)


def _fields(headers: list[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    # aiohttp writes header values as UTF-8: a value that is not UTF-8 would reach the backend
    # changed, so it is refused instead
    try:
        return [(name.decode("ascii"), value.decode("utf-8")) for name, value in headers]
    except UnicodeDecodeError as exc:
        raise Refused("a header name that is not ASCII or a value that is not UTF-8 cannot be passed on") from exc


async def _take_slot(slots: asyncio.Semaphore, timeout: float | None) -> None:
    if not slots.locked():
        await slots.acquire()  # free: taken without waiting
        return
    try:
        async with asyncio.timeout(timeout):
            await slots.acquire()
    except TimeoutError:
        raise PoolExhausted("every connection to this backend is busy") from None
