"""The officers' web app: the platform's pages, served by ``python -m civic.serve web``.

A back end for front end: every page asks the gateway's API as the signed-in officer (``gateway.py``) and
renders GOV.UK Frontend's components (``govuk-frontend-jinja``) with the council's own identity. Officers
reach it at the gateway's address: the gateway forwards every path that is not its own to this process.
Tests build their own app with :func:`create_web`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from civic.logs import configure_logging
from civic.middleware import RequestContextMiddleware
from civic.service import health_router
from civic.telemetry import FRAMEWORK_TELEMETRY_OFF, ServerSpanMiddleware, configure_tracing, shutdown_tracing
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Route

from civic_web.assets import Assets
from civic_web.calendar_feeds import CalendarFeeds
from civic_web.gateway import Gateway, GatewayUnavailable, Refused, SignedOut
from civic_web.headers import PageHeaders
from civic_web.layout import STATIC, Layout, environment
from civic_web.pages import NoAccess, comms, home, ops, safeguarding, savings, subscriptions
from civic_web.pages import property as property_pages  # not to shadow the builtin
from civic_web.public_site import CALENDAR_FEED_SUBJECT, PublicSite
from civic_web.sessions import SESSION_COOKIE, FormRefused, NotSignedIn, sign_out, tell
from civic_web.settings import WebSettings, web_settings
from civic_web.signin import council_issuer, sign_in_routes
from civic_web.timing import ServerTiming

log = logging.getLogger("civic.web")


def create_web(settings: WebSettings | None = None, *, issuer_metadata: dict[str, Any] | None = None,
               gateway: Gateway | None = None) -> FastAPI:
    """The app. ``issuer_metadata`` stands in for the OpenID issuer's discovery document and ``gateway`` for
    the gateway client (tests)."""
    settings = settings or web_settings()
    configure_logging("web", settings.log_level)
    configure_tracing("web", settings.otlp_endpoint, settings.trace_path())
    assets = Assets.of(STATIC)
    layout = Layout(environment(assets), settings.council_name, settings.sign_in)
    issuer = council_issuer(settings, issuer_metadata) if settings.sign_in == "oidc" else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.gateway = gateway or Gateway(settings.gateway_url, settings.gateway_timeout_seconds)
        log.info("web starting", extra={"gateway": settings.gateway_url, "sign_in": settings.sign_in})
        try:
            yield
        finally:
            await app.state.gateway.aclose()
            shutdown_tracing()

    app = FastAPI(title="civic web", lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None,
                  telemetry=FRAMEWORK_TELEMETRY_OFF)
    app.state.settings = settings
    app.state.layout = layout
    app.state.assets = assets
    app.state.public_site = PublicSite(settings, issuer)
    # the boards' calendar feeds: their addresses signed here, their meetings read as the feeds' own identity
    app.state.calendar_feeds = CalendarFeeds(settings.feed_signing_secret())
    app.state.calendar_feed_reader = PublicSite(settings, issuer, subject=CALENDAR_FEED_SUBJECT,
                                                scopes=settings.calendar_feed_scopes)
    app.router.redirect_slashes = False

    app.include_router(health_router())  # /healthz and /metrics, as every component has

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> dict[str, bool]:
        # ready once started: a page whose gateway is away says so itself
        return {"ready": True}

    app.router.routes.append(Route("/assets/{name:path}", assets.serve, methods=["GET", "HEAD"], include_in_schema=False))
    app.include_router(sign_in_routes(settings, layout, issuer))
    app.include_router(home.router)
    app.include_router(savings.router)
    app.include_router(property_pages.router)
    app.include_router(safeguarding.router)
    app.include_router(comms.router)
    app.include_router(ops.router)
    app.include_router(subscriptions.router)  # residents' subscription links: no sign-in

    def page(request: Request, template: str, status: int, **context: Any) -> Response:
        return layout.render(request, template, context, status=status)

    @app.exception_handler(NotSignedIn)
    async def _not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        request.session["after_sign_in"] = target if request.method == "GET" else "/"
        return RedirectResponse("/sign-in", status_code=303)

    @app.exception_handler(SignedOut)
    async def _signed_out(request: Request, exc: SignedOut) -> Response:
        sign_out(request)
        tell(request, "Your sign-in has run out. Sign in again to carry on.")
        return RedirectResponse("/sign-in", status_code=303)

    @app.exception_handler(FormRefused)
    async def _form_refused(request: Request, exc: FormRefused) -> Response:
        log.warning("a form without its session's token was refused", extra={"path": request.url.path})
        return page(request, "problem.html", 403, heading="This form has expired",
                    text="Nothing was changed. Go back, reload the page and try again.")

    @app.exception_handler(NoAccess)
    async def _no_access(request: Request, exc: NoAccess) -> Response:
        return page(request, "problem.html", 403, heading="You do not have access to this page",
                    text="Your role does not include this part of the platform.")

    @app.exception_handler(GatewayUnavailable)
    async def _unavailable(request: Request, exc: GatewayUnavailable) -> Response:
        log.warning("the gateway did not answer", extra={"path": request.url.path, "error": str(exc)})
        return page(request, "problem.html", 503, heading="Sorry, the platform is not answering",
                    text="Nothing was changed. Try again in a few minutes.")

    @app.exception_handler(Refused)
    async def _refused(request: Request, exc: Refused) -> Response:
        # a refusal no page turned into its error summary: reading something that is not there, or not theirs
        if exc.status == 404:
            return page(request, "problem.html", 404, heading="Page not found",
                        text="There is nothing here. It may have been removed, or the address may be wrong.")
        return page(request, "problem.html", exc.status, heading="That could not be done",
                    text=str(exc.problem.get("detail") or "The platform refused the request; nothing was changed."))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return page(request, "problem.html", 404, heading="Page not found",
                        text="If you typed the address, check it is correct.")
        if exc.status_code == 405:
            return page(request, "problem.html", 405, heading="That cannot be done here", text="Go back and try again.")
        return page(request, "problem.html", exc.status_code, heading="Sorry, there is a problem", text=str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", extra={"path": request.url.path})
        return page(request, "problem.html", 500, heading="Sorry, there is a problem with the service",
                    text="Nothing was changed. Try again later.")

    app.add_middleware(GZipMiddleware, minimum_size=1024)
    secret = settings.session_secret.get_secret_value() if settings.session_secret else ""
    app.add_middleware(SessionMiddleware, secret_key=secret, session_cookie=SESSION_COOKIE,
                       max_age=int(settings.session_hours * 3600), same_site="lax", https_only=settings.secure_cookies)
    app.add_middleware(PageHeaders)
    app.add_middleware(RequestContextMiddleware, service="web")
    app.add_middleware(ServerSpanMiddleware)  # every span-aware part runs inside the span
    app.add_middleware(ServerTiming)  # outermost: the page's whole time on the server
    return app
