"""The gateway application: one authenticated front door that composes the services.

``python -m civic.serve gateway`` serves ``app``. Tests build their own with :func:`create_gateway`.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

from civic import metrics
from civic.auth import Caller
from civic.errors import DomainError, Forbidden, NotFound, Unavailable
from civic.logs import configure_logging
from civic.middleware import RequestContextMiddleware
from civic.problems import install_problem_handlers, problem
from civic.telemetry import (
    FRAMEWORK_TELEMETRY_OFF,
    ServerSpanMiddleware,
    configure_tracing,
    current_trace_id,
    shutdown_tracing,
)
from fastapi import FastAPI, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from civic_gateway import openapi
from civic_gateway.composition import Composed, PartUnavailable, compose, dashboard_body, story_body
from civic_gateway.headers import usable_request_id
from civic_gateway.identity import Identity, check_scopes
from civic_gateway.pool import BackendError, BackendPool
from civic_gateway.protection import (
    BadContentLength,
    BodyTooLarge,
    CircuitBreakers,
    CircuitOpen,
    RateLimiter,
)
from civic_gateway.proxy import REFUSED, Backends
from civic_gateway.routing import SERVICES, RouteTimeouts, resolve
from civic_gateway.settings import GatewaySettings, gateway_settings

log = logging.getLogger("civic.gateway")
PROXY_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
DESCRIPTION = """One authenticated front door to the council's transformation platform.

Every `/api/...` call needs `Authorization: Bearer <JWT>`. Service resources are under
`/api/savings/v1/...`, `/api/property/v1/...`, `/api/safeguarding/v1/...` and `/api/comms/v1/...`:
GET and HEAD need `<service>:read`, other methods `<service>:write` (the service checks finer
scopes itself, such as `savings:approve`). Errors are RFC 9457 problem details.
"""


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
            given = next((v for k, v in scope["headers"] if k == b"x-request-id"), None)
            request_id = usable_request_id(given.decode("latin-1") if given else None) or new_request_id()
            headers.append((b"x-request-id", request_id.encode()))
            # in place: the tracing middleware outside reads the matched route from this same scope
            scope["headers"] = headers
            scope.setdefault("state", {})["request_id"] = request_id
        await self.app(scope, receive, send)


def new_request_id() -> str:
    return secrets.token_hex(16)  # a uuid4's 122 random bits and more, without building a UUID


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
        self.routes = {s: SimpleNamespace(path=f"/api/{s}/*") for s in SERVICES}
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
        given = next((v for k, v in scope["headers"] if k == b"x-request-id"), None)
        request_id = usable_request_id(given.decode("latin-1") if given else None) or new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        service_route = scope["route"]
        service = service_route.path[5:-2]
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


class Gateway:
    """What a running gateway has: identity, protection, the backends and its caches."""

    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        self.identity = Identity(settings)
        self.limiter = RateLimiter(settings.rate_limit_per_minute, burst=settings.rate_limit_burst)
        self.breakers = CircuitBreakers.for_backends(
            SERVICES,
            failure_threshold=settings.circuit_failure_threshold,
            cool_down_seconds=settings.circuit_cool_down_seconds,
        )
        self.timeouts = RouteTimeouts.parse(settings.backend_timeout_seconds, settings.route_timeouts)
        self.backends = Backends(
            settings.backend_urls(),
            BackendPool(max_connections=settings.max_connections),
            self.breakers,
            self.timeouts,
            connect_timeout_seconds=settings.connect_timeout_seconds,
            max_body_bytes=settings.max_body_bytes,
        )
        self._openapi: tuple[float, dict[str, Any]] | None = None

    async def close(self) -> None:
        await self.backends.aclose()

    async def caller(self, request: Request, *scopes: str) -> Caller:
        """The verified, rate-limited caller holding every one of ``scopes``."""
        caller = await self.identity.caller(request.headers.get("authorization"))
        check_scopes(caller, scopes)
        decision = self.limiter.check(caller.sub)
        if not decision.allowed:
            REFUSED.labels("rate_limited").inc()
            raise RateLimited(decision.retry_after, decision.limit)
        return caller

    async def merged_openapi(self, base: dict[str, Any]) -> dict[str, Any]:
        now = time.monotonic()
        if self._openapi is not None and now < self._openapi[0]:
            return self._openapi[1]

        async def fetch(service: str) -> dict[str, Any] | None:
            try:
                answer = await self.backends.read(service, "/openapi.json", timeout_seconds=2.0)
                return answer.json() if answer.status == 200 else None
            except (BackendError, ValueError):
                return None

        specs = await asyncio.gather(*(fetch(s) for s in SERVICES))
        merged = openapi.merge(base, dict(zip(SERVICES, specs, strict=True)))
        # a complete document is kept for a few minutes; an incomplete one is retried soon
        self._openapi = (now + (300 if all(specs) else 10), merged)
        return merged


class RateLimited(DomainError):
    status = 429
    title = "Too many requests"
    type_slug = "rate-limited"

    def __init__(self, retry_after: int, limit: int) -> None:
        super().__init__(
            f"Too many requests for this caller; try again in {retry_after} s.",
            retry_after=retry_after,
            limit_per_burst=limit,
        )
        self.retry_after = retry_after


def _request_id(request: Request) -> str:
    return str(request.scope.get("state", {}).get("request_id") or new_request_id())


def create_gateway(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or gateway_settings()
    configure_logging("gateway", settings.log_level)
    configure_tracing("gateway", settings.otlp_endpoint, settings.trace_path())
    gateway = Gateway(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        log.info("gateway starting", extra={"backends": settings.backend_urls()})
        try:
            yield
        finally:
            await gateway.close()
            shutdown_tracing()

    app = GatewayApp(
        title="civic gateway",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url=None,  # served below: merged with the services' documents
        docs_url=None,
        redoc_url=None,
        telemetry=FRAMEWORK_TELEMETRY_OFF,
    )
    app.state.gateway = gateway
    app.router.redirect_slashes = False  # "/api/savings" is not found, not redirected into the proxy
    install_problem_handlers(app)

    @app.exception_handler(RateLimited)
    async def _rate_limited(request: Request, exc: RateLimited) -> Response:
        return problem(
            429,
            exc.detail,
            instance=request.url.path,
            headers={"Retry-After": str(exc.retry_after)},
            retry_after=exc.retry_after,
        )

    @app.exception_handler(CircuitOpen)
    async def _circuit_open(request: Request, exc: CircuitOpen) -> Response:
        REFUSED.labels("circuit_open").inc()
        return problem(
            503,
            f"The {exc.backend} service is failing, so calls to it are paused; nothing was "
            f"changed. Try again in {exc.retry_after} s.",
            type_slug="circuit-open",
            instance=request.url.path,
            headers={"Retry-After": str(exc.retry_after)},
            service=exc.backend,
        )

    @app.exception_handler(BodyTooLarge)
    async def _too_large(request: Request, exc: BodyTooLarge) -> Response:
        REFUSED.labels("body_too_large").inc()
        return problem(
            413, str(exc), instance=request.url.path, limit_bytes=exc.limit, headers={"Connection": "close"}
        )

    @app.exception_handler(BadContentLength)
    async def _bad_length(request: Request, exc: BadContentLength) -> Response:
        return problem(400, str(exc), instance=request.url.path)

    # --- own endpoints -------------------------------------------------------------------------

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        return {"status": "alive"}

    @app.get("/readyz", tags=["health"])
    async def readyz(response: Response) -> dict[str, Any]:
        """Ready when the token keys are available and at least ``CIVIC_GATEWAY_READY_MIN_BACKENDS``
        services are ready: a gateway with some services up still serves those (and the dashboard)."""
        answers = await asyncio.gather(*(gateway.backends.ready(s) for s in SERVICES))
        backends = dict(zip(SERVICES, answers, strict=True))
        keys = settings.jwks_url is not None or (
            settings.jwks_file is not None and settings.jwks_file.exists()
        )
        ready = keys and sum(answers) >= settings.ready_min_backends
        if not ready:
            response.status_code = 503
        return {
            "ready": ready,
            "token_keys": "available" if keys else "missing",
            "backends": {s: "ready" if ok else "not ready" for s, ok in backends.items()},
            "circuits": {s: b["state"] for s, b in gateway.breakers.snapshot().items()},
        }

    @app.get("/metrics", tags=["health"], response_class=Response)
    async def prometheus() -> Response:
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)

    @app.get("/.well-known/jwks.json", tags=["identity"])
    async def jwks() -> JSONResponse:
        """The public keys that sign the local stack's tokens (``civic token``)."""
        return JSONResponse(gateway.identity.jwks(), headers={"Cache-Control": "public, max-age=300"})

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi_document() -> JSONResponse:
        base = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        base.setdefault("components", {}).setdefault("securitySchemes", {})["bearer"] = {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
        }
        base["security"] = [{"bearer": []}]
        return JSONResponse(await gateway.merged_openapi(base))

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="civic API")

    # --- composed views ------------------------------------------------------------------------

    @app.get("/api/dashboard", tags=["composed views"])
    async def dashboard(request: Request) -> JSONResponse:
        """Every service's summary in one call, fetched in parallel, each within the time budget.

        A part the caller's token may not read (no ``<service>:read``) is not asked for and is listed
        in ``forbidden``; a part whose service failed, was too slow, or whose circuit is open is
        listed in ``degraded`` (with ``reasons``). 503 when nothing the caller may read answered;
        403 when the caller may read no part at all.
        """
        caller = await gateway.caller(request)
        readable = [s for s in SERVICES if caller.has(f"{s}:read")]
        if not readable:
            raise Forbidden(
                "The dashboard needs the read scope of at least one service.",
                missing_scopes=[f"{s}:read" for s in SERVICES],
            )
        request_id = _request_id(request)

        def summary(service: str) -> Any:
            return lambda: gateway.backends.get_json(service, "/v1/summary", caller, request_id)

        composed = await compose(
            {s: summary(s) for s in SERVICES},
            budget_seconds=settings.dashboard_budget_seconds,
            breakers=gateway.breakers,
            forbidden=[s for s in SERVICES if s not in readable],
        )
        body = dashboard_body(composed, SERVICES)
        if composed.all_down:
            return problem(
                503,
                "No part of the dashboard could be fetched; the services are down or too slow.",
                instance=request.url.path,
                headers={"Retry-After": "5"},
                degraded=composed.degraded,
                reasons=composed.reasons,
            )
        return JSONResponse(body)

    @app.get("/api/buildings/{building_id}/story", tags=["composed views"])
    async def building_story(building_id: str, request: Request) -> JSONResponse:
        """A building's story: its property record, the savings initiative(s) that realised its saving,
        and the comms items that mention it. Needs ``property:read``; the savings and comms parts need
        their read scopes and degrade like the dashboard's."""
        caller = await gateway.caller(request, "property:read")
        request_id = _request_id(request)
        budget = settings.dashboard_budget_seconds
        try:
            building = await asyncio.wait_for(
                gateway.backends.get_json(
                    "property", f"/v1/buildings/{_segment(building_id)}", caller, request_id
                ),
                budget,
            )
        except PartUnavailable as exc:
            if exc.status == 404:
                raise NotFound("building", building_id) from exc
            raise Unavailable(
                f"The property service cannot give this building's record: {exc.reason}."
            ) from exc
        except TimeoutError as exc:
            gateway.breakers["property"].record_failure()
            raise Unavailable(f"The property service did not answer within {budget:g} s.") from exc

        def listing(service: str, path: str, params: dict[str, str]) -> Any:
            async def fetch() -> list[dict[str, Any]]:
                page = await gateway.backends.get_json(service, path, caller, request_id, params=params)
                return list(page.get("items", [])) if isinstance(page, dict) else []

            return fetch

        composed: Composed = await compose(
            {
                "savings": listing(
                    "savings", "/v1/initiatives", {"building_id": building_id, "limit": "500"}
                ),
                "comms": listing("comms", "/v1/content", {"limit": "500"}),
            },
            budget_seconds=budget,
            breakers=gateway.breakers,
            forbidden=[s for s in ("savings", "comms") if not caller.has(f"{s}:read")],
        )
        return JSONResponse(story_body(building, composed))

    # --- routing to the services ----------------------------------------------------------------

    async def forward_to(request: Request, service: str, path: str) -> Response:
        route = resolve(service, path, request.method, gateway.timeouts)
        caller = await gateway.caller(request, route.scope)
        return await gateway.backends.forward(request, route, caller, _request_id(request))

    async def forward(request: Request) -> Response:
        return await forward_to(request, request.path_params["service"], request.path_params["path"])

    # the route answers unknown services (and documents the catch-all); the front door takes the rest
    app.add_route("/api/{service}/{path:path}", forward, methods=PROXY_METHODS, include_in_schema=False)

    app.front = FrontDoor(forward_to, app.exception_handlers)
    app.add_middleware(RequestContextMiddleware, service="gateway")
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(ServerSpanMiddleware)  # outermost: every span-aware part runs inside the span
    return app


def _segment(value: str) -> str:
    """One path segment, encoded: an id cannot walk to another backend path."""
    return quote(value, safe="")


def __getattr__(name: str) -> Any:
    # ``civic_gateway.main:app`` is built on first use, so importing this module (tests, tools)
    # configures no logging or tracing and opens no pool.
    if name == "app":
        built = create_gateway()
        globals()["app"] = built
        return built
    raise AttributeError(name)
