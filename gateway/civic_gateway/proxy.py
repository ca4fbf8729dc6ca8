"""Calls to the backends: the streaming forwarder and the JSON reads the composed views make.

One connection pool (:class:`civic_gateway.pool.BackendPool`, an httpx transport) serves every call,
sent on it directly. Each call goes through its backend's circuit breaker; the outcome is recorded
so a dead service is not hammered.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import anyio
import httpx
from civic.auth import Caller
from civic.problems import problem
from civic.telemetry import trace_headers
from prometheus_client import Counter, Gauge, Histogram
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from civic_gateway.composition import PartForbidden, PartUnavailable
from civic_gateway.headers import request_headers_for_backend, response_headers_for_caller
from civic_gateway.protection import (
    BodyTooLarge,
    CircuitBreakers,
    CircuitOpen,
    CircuitState,
    check_declared_length,
    counts_as_backend_failure,
    limited,
)
from civic_gateway.routing import Route, RouteTimeouts

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


class Backends:
    def __init__(
        self,
        urls: dict[str, str],
        transport: httpx.AsyncBaseTransport,
        breakers: CircuitBreakers,
        timeouts: RouteTimeouts,
        *,
        connect_timeout_seconds: float = 2.0,
        max_body_bytes: int = 1024 * 1024,
    ) -> None:
        self.urls = {name: url.rstrip("/") for name, url in urls.items()}
        # one connection pool for every call. Calls are built and sent at the transport, below a
        # client: a client's cookie jar, redirect and auth handling have nothing to do between the
        # gateway and its backends and cost about a third of a call.
        self.transport = transport
        self.breakers = breakers
        self.timeouts = timeouts
        self.connect_timeout_seconds = connect_timeout_seconds
        self.max_body_bytes = max_body_bytes

    def _timeout(self, seconds: float) -> httpx.Timeout:
        return httpx.Timeout(seconds, connect=min(seconds, self.connect_timeout_seconds))

    def _record(self, service: str, outcome: str) -> None:
        BACKEND_REQUESTS.labels(service, outcome).inc()
        CIRCUIT_OPEN.labels(service).set(_STATE_VALUE[self.breakers[service].state])

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

    def _transport_failed(self, service: str, exc: httpx.TransportError) -> None:
        if isinstance(exc, httpx.PoolTimeout):
            # our own pool is exhausted: the gateway is busy, the backend is not at fault
            self.breakers[service].release()
            self._record(service, "pool_timeout")
            return
        self.breakers[service].record_failure()
        self._record(service, type(exc).__name__)

    # --- forwarding -------------------------------------------------------------------------------

    async def forward(self, request: Request, route: Route, caller: Caller, request_id: str) -> Response:
        """Stream the caller's request to the backend and its answer back, headers filtered both ways."""
        headers = request.headers
        check_declared_length(headers.get("content-length"), self.max_body_bytes)
        has_body = "content-length" in headers or "transfer-encoding" in headers
        content: AsyncIterator[bytes] | None = (
            limited(request.stream(), self.max_body_bytes) if has_body else None
        )
        out_headers = request_headers_for_backend(request.headers.items())
        out_headers += [
            ("authorization", f"Bearer {caller.token}"),
            ("x-request-id", request_id),
            ("x-forwarded-for", request.client.host if request.client else "unknown"),
            ("x-forwarded-proto", request.url.scheme),
            ("x-forwarded-host", headers.get("host", "")),
            *trace_headers(),
        ]
        upstream = httpx.Request(
            request.method,
            self.urls[route.service] + _backend_target(request, route),
            headers=out_headers,
            content=content,
            extensions={"timeout": self._timeout(route.timeout_seconds).as_dict()},
        )
        self._allow(route.service)
        started = time.perf_counter()
        try:
            answer = await self.transport.handle_async_request(upstream)
        except BodyTooLarge:
            self.breakers[route.service].release()
            raise
        except httpx.TransportError as exc:
            self._transport_failed(route.service, exc)
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, BodyTooLarge):  # httpx may wrap an error raised by the body stream
                raise cause from None
            return _transport_problem(route.service, exc, request.url.path)
        except BaseException:
            self.breakers[route.service].release()
            raise
        BACKEND_LATENCY.labels(route.service).observe(time.perf_counter() - started)
        self._verdict(route.service, answer.status_code)

        headers = [
            (name.encode("latin-1"), value.encode("latin-1"))
            for name, value in response_headers_for_caller(answer.headers.multi_items())
        ]
        length = answer.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) <= BUFFER_UP_TO_BYTES:
            # A small answer of known size (most JSON) is read whole: a streamed response costs a
            # task group per request in Starlette, which is most of the gateway's added latency.
            try:
                raw = b"".join([chunk async for chunk in answer.aiter_raw()])
            except httpx.TransportError as exc:
                self._transport_failed(route.service, exc)
                return _transport_problem(route.service, exc, request.url.path)
            finally:
                await answer.aclose()
            response = Response(raw, status_code=answer.status_code)
            response.raw_headers = headers
            return response

        async def body() -> AsyncIterator[bytes]:
            try:
                async for chunk in answer.aiter_raw():
                    yield chunk
            finally:
                with anyio.CancelScope(shield=True):  # a caller hanging up must not leak the connection
                    await answer.aclose()

        streamed = StreamingResponse(body(), status_code=answer.status_code)
        streamed.raw_headers = headers
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
        except httpx.TransportError as exc:
            self._transport_failed(service, exc)
            raise PartUnavailable(f"the {service} service cannot be reached ({type(exc).__name__})") from exc
        except BaseException:
            self.breakers[service].release()  # cancelled (over budget) or caller gone: no verdict
            raise
        self._verdict(service, answer.status_code)
        if answer.status_code == 403:
            raise PartForbidden(_detail(answer) or f"the {service} service refused the caller")
        if answer.status_code != 200:
            raise PartUnavailable(
                f"the {service} service answered {answer.status_code}"
                + (f": {_detail(answer)}" if _detail(answer) else ""),
                status=answer.status_code,
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
    ) -> httpx.Response:
        """GET a backend resource, read whole (no circuit breaker: callers decide what an answer means)."""
        request = httpx.Request(
            "GET",
            self.urls[service] + path,
            params=params,
            headers=headers,
            extensions={"timeout": self._timeout(timeout_seconds).as_dict()},
        )
        answer = await self.transport.handle_async_request(request)
        try:
            await answer.aread()
        finally:
            await answer.aclose()
        return answer

    async def ready(self, service: str, timeout_seconds: float = 1.0) -> bool:
        try:
            answer = await self.read(service, "/readyz", timeout_seconds=timeout_seconds)
        except httpx.HTTPError:
            return False
        return answer.status_code == 200

    async def aclose(self) -> None:
        await self.transport.aclose()


def _detail(answer: httpx.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return ""
    return str(body.get("detail", "")) if isinstance(body, dict) else ""


def _backend_target(request: Request, route: Route) -> str:
    """The backend path and query, keeping the caller's percent-encoding as it came."""
    raw_path: bytes | None = request.scope.get("raw_path")
    prefix = f"/api/{route.service}".encode()
    if raw_path and raw_path.startswith(prefix + b"/"):
        target = raw_path[len(prefix) :].decode("latin-1")
    else:
        target = quote(route.path)
    query = request.scope.get("query_string", b"")
    return target + ("?" + query.decode("latin-1") if query else "")


def _transport_problem(service: str, exc: httpx.TransportError, path: str) -> Response:
    if isinstance(exc, httpx.PoolTimeout):
        REFUSED.labels("pool_exhausted").inc()
        return problem(
            503,
            "The gateway is too busy to take this request; try again shortly.",
            instance=path,
            headers={"Retry-After": "1"},
            service=service,
        )
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return problem(
            503,
            f"The {service} service cannot be reached; nothing was changed.",
            instance=path,
            headers={"Retry-After": "5"},
            service=service,
        )
    if isinstance(exc, httpx.TimeoutException):
        return problem(
            504,
            f"The {service} service did not answer in time; the request may or may not have "
            "taken effect (retry with the same Idempotency-Key to be safe).",
            instance=path,
            service=service,
        )
    return problem(
        502,
        f"The {service} service broke off the exchange ({type(exc).__name__}); the request may "
        "or may not have taken effect (retry with the same Idempotency-Key to be safe).",
        instance=path,
        service=service,
    )
