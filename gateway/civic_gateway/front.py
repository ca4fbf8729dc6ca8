"""The gateway's ASGI entry: the front door that forwards ``/api/<service>/...`` ahead of the app.

:class:`GatewayApp` asks :class:`FrontDoor` first; what the front door does not take goes through
the app's middleware stack, where :class:`RequestIdMiddleware` gives every request its X-Request-Id.
"""

from __future__ import annotations

import random
import time
from types import SimpleNamespace
from typing import Any

from civic import metrics
from civic.telemetry import ServerSpanMiddleware, current_trace_id
from fastapi import FastAPI, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from civic_gateway.headers import usable_request_id
from civic_gateway.routing import SERVICES


class RequestIdMiddleware:
    """Makes sure every request carries a usable X-Request-Id before anything else sees it.

    The runtime's request-context middleware then echoes it (with X-Trace-Id) on the response, and
    the forwarder passes the same id to the backend, so one id follows the call end to end.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = [(k, v) for k, v in scope["headers"] if k != b"x-request-id"]
            request_id = request_id_in(scope)
            headers.append((b"x-request-id", request_id.encode()))
            # in place: the tracing middleware outside reads the matched route from this same scope
            scope["headers"] = headers
            scope.setdefault("state", {})["request_id"] = request_id
        await self.app(scope, receive, send)


def request_id_in(scope: Scope) -> str:
    """The caller's X-Request-Id if it is usable (short and plain), else a new one."""
    given = next((v for k, v in scope["headers"] if k == b"x-request-id"), None)
    return usable_request_id(given.decode("latin-1") if given else None) or new_request_id()


def new_request_id() -> str:
    # 128 random bits, as trace ids are made (OpenTelemetry's generator): an id to follow a request by,
    # not a secret, so no system call per request (uuid4 and secrets read the OS's random source)
    return f"{random.getrandbits(128):032x}"


def request_id_of(request: Request) -> str:
    """The request's X-Request-Id, as the front door or :class:`RequestIdMiddleware` set it."""
    return str(request.scope.get("state", {}).get("request_id") or new_request_id())


class FrontDoor:
    """The gateway's ASGI entry: ``/api/<service>/...`` goes straight to the forwarder, the rest to the app.

    Forwarding is most of what a gateway does, and on a small machine its CPU is shared with the
    services it forwards to, so the forwarded path is kept to what every answer needs, each done
    once: the request's span (continuing the caller's trace), its X-Request-Id (the caller's if
    usable, else a new one) and X-Trace-Id on the answer, the request metrics by service, and the
    app's own exception handlers for what the forwarder raises, so an answer is the same as the
    catch-all route's. The app's middleware stack (its own request ids, error pages, body limit) is
    not entered: the forwarder bounds the body itself and turns every failure into problem details.
    """

    def __init__(self, forward: Any, handlers: dict[Any, Any]) -> None:
        self.forward = forward
        self.handlers = handlers
        self.services = frozenset(SERVICES)
        self.routes = {s: SimpleNamespace(path=f"/api/{s}/*", service=s) for s in SERVICES}
        self._traced = ServerSpanMiddleware(self._forward)
        self._counted: dict[tuple[str, str, int], Any] = {}
        self._timed: dict[tuple[str, str], Any] = {}

    async def took(self, scope: Scope, receive: Receive, send: Send) -> bool:
        """Forward the request if it is for a service; False if it is the app's to answer."""
        path: str = scope["path"]
        if not path.startswith("/api/"):
            return False
        service, slash, _ = path[5:].partition("/")
        if not slash or service not in self.services:
            return False
        # metrics and the span are named by service, not by the catch-all template
        scope["route"] = self.routes[service]
        await self._traced(scope, receive, send)
        return True

    async def _forward(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        request_id = request_id_in(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        service_route = scope["route"]
        service: str = service_route.service
        request = Request(scope, receive)
        try:
            response = await self.forward(request, service, scope["path"][len(service) + 6:])
        except Exception as exc:
            handler = next((self.handlers[c] for c in type(exc).__mro__ if c in self.handlers), None)
            if handler is None:
                raise
            response = await handler(request, exc)
        status = response.status_code
        headers = response.raw_headers
        headers.append((b"x-request-id", request_id.encode("latin-1")))
        trace_id = current_trace_id()
        if trace_id:
            headers.append((b"x-trace-id", trace_id.encode("latin-1")))
        try:
            await response(scope, receive, send)
        finally:
            method = scope["method"]
            counted = self._counted.get((method, service, status))
            if counted is None:
                counted = self._counted[(method, service, status)] = metrics.REQUESTS.labels(
                    "gateway", method, service_route.path, str(status))
            counted.inc()
            timed = self._timed.get((method, service))
            if timed is None:
                timed = self._timed[(method, service)] = metrics.LATENCY.labels("gateway", method, service_route.path)
            timed.observe(time.perf_counter() - started)


class GatewayApp(FastAPI):
    """The gateway's FastAPI app, with the front door (:class:`FrontDoor`) asked first."""

    front: FrontDoor | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.front is not None:
            scope["app"] = self
            if await self.front.took(scope, receive, send):
                return
        await super().__call__(scope, receive, send)
