"""Which paths are the officers' pages (forwarded to the web app) and which stay the gateway's own."""

from __future__ import annotations

import pytest
from civic.errors import NotFound
from civic_gateway.routing import WEB, RouteTimeouts, for_web, web_route

TIMEOUTS = RouteTimeouts(7.0)


@pytest.mark.parametrize("path", [
    "/", "/sign-in", "/sign-in/callback", "/savings/initiatives", "/savings/initiatives/abc/moves",
    "/assets/govuk-frontend/6.6.0/govuk-frontend.min.0123456789ab.css",
])
def test_pages_go_to_the_web_app(path: str) -> None:
    assert for_web(path)
    route = web_route(path, TIMEOUTS)
    assert (route.service, route.path, route.scope, route.timeout_seconds) == (WEB, path, "", 7.0)


@pytest.mark.parametrize("path", [
    "/api/savings/v1/initiatives", "/api/dashboard", "/api", "/api/", "/healthz", "/readyz", "/metrics",
    "/openapi.json", "/docs", "/docs/oauth2-redirect", "/.well-known/jwks.json", "/ops/dead-letters",
])
def test_the_api_and_the_gateways_own_paths_are_never_pages(path: str) -> None:
    assert not for_web(path)
    with pytest.raises(NotFound):
        web_route(path, TIMEOUTS)


def test_a_path_that_climbs_is_not_forwarded() -> None:
    with pytest.raises(NotFound):
        web_route("/savings/../api/savings/v1/initiatives", TIMEOUTS)
