"""Calls to the backends: the streaming forwarder and the JSON reads the composed views make.

One connection pool (:class:`civic_gateway.pool.BackendPool`, aiohttp's client) serves every call.
Each call goes through its backend's circuit breaker; the outcome is recorded so a dead service is
not hammered. Transport failures become problem details: pool exhausted 503 (Retry-After 1), no
connection 503 (Retry-After 5), a timeout 504, a broken exchange 502, a request the gateway will not
send as it is 400. A JSON read for a composed view that gets no usable part raises
:class:`PartUnavailable` (or :class:`PartForbidden` when the service refused the caller).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote, urlencode

from civic.auth import Caller
from civic.problems import problem
from civic.telemetry import trace_headers
from prometheus_client import Counter, Gauge, Histogram
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from civic_gateway.headers import request_headers_for_backend, response_headers_for_caller
from civic_gateway.pool import (
    BackendError,
    BackendPool,
    ConnectFailed,
    Origin,
    PoolExhausted,
    Refused,
    Reply,
    TimedOut,
    Timeouts,
    origin_of,
)
from civic_gateway.protection import (
    CircuitBreakers,
    CircuitOpen,
    CircuitState,
    check_declared_length,
    counts_as_backend_failure,
    limited,
)
from civic_gateway.routing import WEB, Route, RouteTimeouts

BACKEND_REQUESTS = Counter(
    "civic_gateway_backend_requests_total", "Calls from the gateway to a backend", ["backend", "outcome"]
)
BACKEND_LATENCY = Histogram(
    "civic_gateway_backend_seconds",
    "Time to the backend's response headers",
    ["backend"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
CIRCUIT_OPEN = Gauge("civic_gateway_circuit_open", "1 while a backend's circuit is not closed", ["backend"])
REFUSED = Counter("civic_gateway_refused_total", "Requests the gateway refused itself", ["reason"])

BUFFER_UP_TO_BYTES = 64 * 1024
_STATE_VALUE = {CircuitState.CLOSED: 0, CircuitState.HALF_OPEN: 1, CircuitState.OPEN: 1}


class PartUnavailable(Exception):
    """A backend answered, but not with the part (a 5xx, or a status the view cannot use)."""

    def __init__(self, reason: str, *, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class PartForbidden(Exception):
    """The service itself refused the caller (403): the part goes in ``forbidden``, not ``degraded``."""


class Answered(Response):
    """A backend's whole answer passed on as it came: its status, body and filtered headers, which
    Starlette's Response would otherwise work out again (content length and type) only to be replaced."""

    def __init__(self, body: bytes, status: int, headers: list[tuple[bytes, bytes]]) -> None:
        self.body = body
        self.status_code = status
        self.raw_headers = headers
        self.background = None


class Backends:
    def __init__(
        self,
        urls: dict[str, str],
        pool: BackendPool,
        breakers: CircuitBreakers,
        timeouts: RouteTimeouts,
        *,
        connect_timeout_seconds: float = 2.0,
        max_body_bytes: int = 1024 * 1024,
    ) -> None:
        # each backend as its origins (where the pool connects) and the path its calls start with. A
        # backend may be several processes, "http://a:8101,http://b:8101" (on Kubernetes it is one
        # Service's address and kube-proxy spreads the connections); calls take them in turn.
        self.replicas = {name: [origin_of(one.strip()) for one in url.split(",") if one.strip()]
                         for name, url in urls.items()}
        self._turns = dict.fromkeys(self.replicas, 0)
        self.pool = pool
        self.breakers = breakers
        self.timeouts = timeouts
        self.connect_timeout_seconds = connect_timeout_seconds
        self.max_body_bytes = max_body_bytes
        self._phase_timeouts: dict[float, Timeouts] = {}
        # a metric's child by its labels, looked up once: prometheus_client's lookup is most of a count's cost
        self._counts: dict[tuple[str, str], Any] = {}
        self._open = {name: CIRCUIT_OPEN.labels(name) for name in urls}
        self._latency = {name: BACKEND_LATENCY.labels(name) for name in urls}

    def _timeout(self, seconds: float) -> Timeouts:
        timeouts = self._phase_timeouts.get(seconds)
        if timeouts is None:
            timeouts = Timeouts.of(seconds, connect=min(seconds, self.connect_timeout_seconds))
            self._phase_timeouts[seconds] = timeouts
        return timeouts

    def _record(self, service: str, outcome: str) -> None:
        count = self._counts.get((service, outcome))
        if count is None:
            count = self._counts[(service, outcome)] = BACKEND_REQUESTS.labels(service, outcome)
        count.inc()
        self._open[service].set(_STATE_VALUE[self.breakers[service].state])

    def _allow(self, service: str) -> None:
        try:
            self.breakers[service].allow()
        except CircuitOpen:
            self._record(service, "circuit_open")
            raise

    def _verdict(self, service: str, status: int) -> None:
        breaker = self.breakers[service]
        if counts_as_backend_failure(status):
            breaker.record_failure()
        else:
            breaker.record_success()
        self._record(service, str(status))

    def _transport_failed(self, service: str, exc: BackendError) -> None:
        if isinstance(exc, PoolExhausted | Refused):
            # our own pool is exhausted, or the gateway refused to send: the backend is not at fault
            self.breakers[service].release()
            self._record(service, "pool_timeout" if isinstance(exc, PoolExhausted) else "refused")
            return
        self.breakers[service].record_failure()
        self._record(service, type(exc).__name__)

    # --- forwarding -------------------------------------------------------------------------------

    async def forward(self, request: Request, route: Route, caller: Caller | None, request_id: str) -> Response:
        """Stream the caller's request to the backend and its answer back, headers filtered both ways.

        ``caller`` is the verified token's holder, whose token goes on; None for the web app's pages, which
        carry no bearer token (the caller's own Authorization header is dropped all the same)."""
        raw: list[tuple[bytes, bytes]] = request.scope["headers"]
        declared, has_body, host = _framing(raw)
        check_declared_length(declared, self.max_body_bytes)
        content: AsyncIterator[bytes] | None = limited(request.stream(), self.max_body_bytes) if has_body else None
        origin, base_path = self._next(route.service)
        out_headers = request_headers_for_backend(raw)
        if caller is not None:
            out_headers.append((b"authorization", b"Bearer " + caller.token.encode("latin-1")))
        out_headers += [
            (b"x-request-id", request_id.encode("latin-1")),
            (b"x-forwarded-for", (request.client.host if request.client else "unknown").encode("latin-1")),
            (b"x-forwarded-proto", request.scope.get("scheme", "http").encode("latin-1")),
            (b"x-forwarded-host", host),
            *((name.encode("latin-1"), value.encode("latin-1")) for name, value in trace_headers()),
        ]
        self._allow(route.service)
        started = time.perf_counter()
        try:
            answer = await self.pool.send(
                origin,
                request.method,
                base_path.encode("latin-1") + _backend_target(request, route),
                out_headers,
                content,
                self._timeout(route.timeout_seconds),
            )
        except BackendError as exc:
            self._transport_failed(route.service, exc)
            return _transport_problem(route.service, exc, request.url.path)
        except BaseException:  # the caller's body was too large, the caller hung up: no verdict
            self.breakers[route.service].release()
            raise
        self._latency[route.service].observe(time.perf_counter() - started)
        self._verdict(route.service, answer.status)

        response_headers = response_headers_for_caller(answer.headers)
        length = answer.header(b"content-length")
        if length is not None and length.isdigit() and int(length) <= BUFFER_UP_TO_BYTES:
            # A small answer of known size (most JSON) is read whole: a streamed response costs a
            # task group per request in Starlette, which is most of the gateway's added latency.
            try:
                whole = await answer.read()
            except BackendError as exc:
                self._transport_failed(route.service, exc)
                return _transport_problem(route.service, exc, request.url.path)
            return Answered(whole, answer.status, response_headers)

        async def body() -> AsyncIterator[bytes]:
            try:
                async for chunk in answer.chunks():
                    yield chunk
            finally:
                answer.close()  # a caller hanging up must not leak the connection (closed, not reused)

        streamed = StreamingResponse(body(), status_code=answer.status)
        streamed.raw_headers = response_headers
        return streamed

    # --- JSON reads for the composed views -----------------------------------------------------

    async def get_json(
        self,
        service: str,
        path: str,
        caller: Caller,
        request_id: str,
        *,
        params: dict[str, str] | None = None,
    ) -> Any:
        """GET a backend resource as the caller; raise PartUnavailable / PartForbidden / CircuitOpen."""
        self._allow(service)
        try:
            answer = await self.read(
                service,
                path,
                params=params,
                headers=[
                    ("authorization", f"Bearer {caller.token}"),
                    ("x-request-id", request_id),
                    *trace_headers(),
                ],
                timeout_seconds=self.timeouts.for_path(service, path),
            )
        except BackendError as exc:
            self._transport_failed(service, exc)
            raise PartUnavailable(f"the {service} service cannot be reached ({type(exc).__name__})") from exc
        except BaseException:
            self.breakers[service].release()  # cancelled (over budget) or caller gone: no verdict
            raise
        self._verdict(service, answer.status)
        if answer.status == 403:
            raise PartForbidden(_detail(answer) or f"the {service} service refused the caller")
        if answer.status != 200:
            raise PartUnavailable(
                f"the {service} service answered {answer.status}" + (f": {_detail(answer)}" if _detail(answer) else ""),
                status=answer.status,
            )
        try:
            return answer.json()
        except ValueError as exc:
            raise PartUnavailable(f"the {service} service answered something that is not JSON") from exc

    async def read(
        self,
        service: str,
        path: str,
        *,
        timeout_seconds: float,
        headers: list[tuple[str, str]] | None = None,
        params: dict[str, str] | None = None,
    ) -> Reply:
        """GET a backend resource, read whole (no circuit breaker: callers decide what an answer means).

        Raises :class:`civic_gateway.pool.BackendError` when there is no whole answer."""
        origin, base_path = self._next(service)
        target = quote(base_path + path, safe="/%:@!$&'()*+,;=-._~") + (f"?{urlencode(params)}" if params else "")
        answer = await self.pool.send(
            origin,
            "GET",
            target.encode("ascii"),
            [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers or ()],
            timeouts=self._timeout(timeout_seconds),
        )
        return Reply(answer.status, answer.headers, await answer.read())

    def _next(self, service: str) -> tuple[Origin, str]:
        replicas = self.replicas[service]
        if len(replicas) == 1:
            return replicas[0]
        turn = self._turns[service] = (self._turns[service] + 1) % len(replicas)
        return replicas[turn]

    async def ready(self, service: str, timeout_seconds: float = 1.0) -> bool:
        """A backend is ready when any of its processes is (the others are taken in turn all the same)."""
        for _ in self.replicas[service]:
            try:
                answer = await self.read(service, "/readyz", timeout_seconds=timeout_seconds)
            except BackendError:
                continue
            if answer.status == 200:
                return True
        return False

    async def aclose(self) -> None:
        await self.pool.aclose()


def _detail(answer: Reply) -> str:
    try:
        body = answer.json()
    except ValueError:
        return ""
    return str(body.get("detail", "")) if isinstance(body, dict) else ""


def _framing(headers: list[tuple[bytes, bytes]]) -> tuple[str | None, bool, bytes]:
    """The caller's declared Content-Length (the first), whether a body follows, and the Host, read in one pass
    over the raw headers (the ASGI server gives their names in lower case)."""
    declared: str | None = None
    has_body = False
    host: bytes | None = None
    for name, value in headers:
        if name == b"content-length":
            has_body = True
            if declared is None:
                declared = value.decode("latin-1")
        elif name == b"transfer-encoding":
            has_body = True
        elif name == b"host" and host is None:
            host = value
    return declared, has_body, host or b""


def _backend_target(request: Request, route: Route) -> bytes:
    """The backend path and query, keeping the caller's percent-encoding as it came."""
    raw_path: bytes | None = request.scope.get("raw_path")
    # a service's path is under /api/<service>/; the web app's pages are at their own path
    prefix = b"/" if route.service == WEB else f"/api/{route.service}/".encode()
    if raw_path and raw_path.startswith(prefix):
        target = raw_path[len(prefix) - 1 :]
    else:
        target = quote(route.path).encode("ascii")
    query: bytes = request.scope.get("query_string", b"")
    return target + b"?" + query if query else target


def _transport_problem(service: str, exc: BackendError, path: str) -> Response:
    if isinstance(exc, PoolExhausted):
        REFUSED.labels("pool_exhausted").inc()
        return problem(
            503,
            "The gateway is too busy to take this request; try again shortly.",
            instance=path,
            headers={"Retry-After": "1"},
            service=service,
        )
    if isinstance(exc, Refused):
        return problem(400, f"The request cannot be passed on to the {service} service: {exc}", instance=path)
    if isinstance(exc, ConnectFailed):
        return problem(
            503,
            f"The {service} service cannot be reached; nothing was changed.",
            instance=path,
            headers={"Retry-After": "5"},
            service=service,
        )
    if isinstance(exc, TimedOut):
        return problem(
            504,
            f"The {service} service did not answer in time; the request may or may not have "
            "taken effect (retry with the same Idempotency-Key to be safe).",
            instance=path,
            service=service,
        )
    return problem(
        502,
        f"The {service} service broke off the exchange ({exc}); the request may "
        "or may not have taken effect (retry with the same Idempotency-Key to be safe).",
        instance=path,
        service=service,
    )
