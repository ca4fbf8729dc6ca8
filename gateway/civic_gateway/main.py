"""The gateway application: one authenticated front door that composes the services.

``python -m civic.serve gateway`` serves ``app``. Tests build their own with :func:`create_gateway`,
which assembles the parts: the running :class:`~civic_gateway.gateway.Gateway`, its problem answers,
the runtime's health router, its own endpoints, the composed views
(:func:`~civic_gateway.composition.composed_views`), the forwarding route and the front door
(:mod:`civic_gateway.front`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from civic.logs import configure_logging
from civic.middleware import RequestContextMiddleware
from civic.problems import all_routes, complete_openapi, install_problem_handlers, problem, route_contexts
from civic.service import health_router
from civic.telemetry import (
    FRAMEWORK_TELEMETRY_OFF,
    ServerSpanMiddleware,
    configure_tracing,
    shutdown_tracing,
)
from fastapi import FastAPI, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse

from civic_gateway.composition import composed_views
from civic_gateway.front import FrontDoor, GatewayApp, RequestIdMiddleware, request_id_of
from civic_gateway.gateway import Gateway, RateLimited
from civic_gateway.protection import BadContentLength, BodyTooLarge, CircuitOpen
from civic_gateway.proxy import REFUSED
from civic_gateway.routing import SERVICES, for_web, resolve, web_route
from civic_gateway.settings import GatewaySettings, gateway_settings
from civic_gateway.trace_view import trace_view
from civic_gateway.traces import trace_store

log = logging.getLogger("civic.gateway")
PROXY_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
DESCRIPTION = """One authenticated front door to the council's transformation platform.

Every `/api/...` call needs `Authorization: Bearer <JWT>`. Service resources are under
`/api/savings/v1/...`, `/api/property/v1/...`, `/api/safeguarding/v1/...` and `/api/comms/v1/...`:
GET and HEAD need `<service>:read`, other methods `<service>:write` (the service checks finer
scopes itself, such as `savings:approve`). Errors are RFC 9457 problem details.
"""


def _try_again_later(request: Request, status: int, detail: str, seconds: int, **extra: Any) -> Response:
    """A refusal the caller may repeat as it was after ``seconds``, which the Retry-After header says too."""
    return problem(status, detail, instance=request.url.path, headers={"Retry-After": str(seconds)}, **extra)


def create_gateway(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or gateway_settings()
    configure_logging("gateway", settings.log_level)
    configure_tracing("gateway", settings.otlp_endpoint, settings.trace_path())
    gateway = Gateway(settings)
    traces = trace_store(settings.jaeger_query_url, settings.trace_path(), settings.trace_view_window_bytes,
                         settings.backend_timeout_seconds)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        log.info("gateway starting", extra={"backends": settings.backend_urls()})
        try:
            yield
        finally:
            await gateway.close()
            await traces.aclose()
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
        return _try_again_later(request, 429, exc.detail, exc.retry_after, retry_after=exc.retry_after)

    @app.exception_handler(CircuitOpen)
    async def _circuit_open(request: Request, exc: CircuitOpen) -> Response:
        REFUSED.labels("circuit_open").inc()
        detail = (
            f"The {exc.backend} service is failing, so calls to it are paused; nothing was "
            f"changed. Try again in {exc.retry_after} s."
        )
        return _try_again_later(request, 503, detail, exc.retry_after, type_slug="circuit-open", service=exc.backend)

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

    app.include_router(health_router())  # /healthz and /metrics, as on every service

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

    @app.get("/.well-known/jwks.json", tags=["identity"])
    async def jwks() -> JSONResponse:
        """The public keys that sign the local stack's tokens (``civic token``)."""
        return JSONResponse(gateway.identity.jwks(), headers={"Cache-Control": "public, max-age=300"})

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi_document() -> JSONResponse:
        base = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        # security per operation: the bearer token where a route needs one, none on health, keys and docs
        complete_openapi(base, route_contexts(app), openapi_url="/openapi.json", docs_url="/docs")
        return JSONResponse(await gateway.merged_openapi(base))

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="civic API")

    # --- composed views ------------------------------------------------------------------------

    app.include_router(composed_views(gateway))

    # --- the trace view, for operators ----------------------------------------------------------

    app.include_router(trace_view(gateway, traces))

    # --- routing to the services ----------------------------------------------------------------

    async def forward_to(request: Request, service: str, path: str) -> Response:
        route = resolve(service, path, request.method, gateway.timeouts)
        caller = await gateway.caller(request, route.scope)
        return await gateway.backends.forward(request, route, caller, request_id_of(request))

    async def forward(request: Request) -> Response:
        return await forward_to(request, request.path_params["service"], request.path_params["path"])

    # the route answers unknown services (and documents the catch-all); the front door takes the rest
    app.add_route("/api/{service}/{path:path}", forward, methods=PROXY_METHODS, include_in_schema=False)

    if settings.web_url:
        pages = "/{page:path}"
        # Officers' pages: whatever path the gateway does not answer itself goes to the web app, so the
        # platform has one address. Added last, so the gateway's own routes and the API match first; the
        # browser's cookie goes on, a bearer token does not (the web signs officers in itself).
        async def page(request: Request) -> Response:
            path = request.url.path
            if not for_web(path):
                # one of the gateway's own paths asked with a method it does not answer: 405 with Allow, as
                # without a web app (the catch-all for pages must not turn it into a 404)
                own = {m for r in all_routes(app) if r.path != pages and r.path_regex.match(path) for m in r.methods}
                if own:
                    allow = [m for m in PROXY_METHODS if m in own]
                    return problem(405, f"{request.method} is not allowed on {path}.", instance=path,
                                   headers={"Allow": ", ".join(allow)})
            route = web_route(path, gateway.timeouts)
            return await gateway.backends.forward(request, route, None, request_id_of(request))

        app.add_route(pages, page, methods=PROXY_METHODS, include_in_schema=False)

    app.front = FrontDoor(forward_to, app.exception_handlers)
    app.add_middleware(RequestContextMiddleware, service="gateway")
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(ServerSpanMiddleware)  # outermost: every span-aware part runs inside the span
    return app
