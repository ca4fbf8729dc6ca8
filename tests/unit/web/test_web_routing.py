"""The pages' routes through each section's gates (civic_web.pages.Section): a path is tried only against the
section it is under, and there only against the areas whose addresses start as it does. The same route answers
every address as when FastAPI tried every route in turn: the first of the section's areas, in their order,
whose route takes the path and the method."""

from __future__ import annotations

import re
from types import ModuleType
from typing import Any

import pytest
from civic.auth import LocalSigningKey
from civic_web.main import create_web
from civic_web.pages import comms, safeguarding, savings
from civic_web.pages import property as property_pages
from civic_web.settings import WebSettings
from fastapi import FastAPI
from fastapi.routing import APIRoute

SECRET = "a-session-secret-long-enough-for-the-rule-0123456789"
SECTIONS: dict[str, tuple[ModuleType, tuple[str, ...]]] = {
    "/savings": (savings, ("initiatives", "reports", "programme")),
    "/property": (property_pages, ("register", "buildings", "occupancy", "teams", "ratios", "rationalisation")),
    "/safeguarding": (safeguarding, ("boards", "interests", "reviews", "oversight", "forward_plan", "documents",
                                     "meetings")),
    "/comms": (comms, ("content", "forward_plan", "consultations", "campaigns", "champions", "briefing")),
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    folder = tmp_path_factory.mktemp("web")
    keys = LocalSigningKey(folder / "keys")
    keys.ensure()
    return create_web(WebSettings(session_secret=SECRET, local_keys=keys.directory, state_dir=folder,
                                  gateway_url="http://gateway.test"))


def area_routes(prefix: str) -> list[APIRoute]:
    """The section's routes as FastAPI would try them without gates: its areas' in the order included."""
    package, areas = SECTIONS[prefix]
    return [route for area in areas for route in getattr(package, area).router.routes if isinstance(route, APIRoute)]


def an_address(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x1", path)


async def route_answering(app: FastAPI, method: str, path: str) -> Any:
    """The route the app's routing picks (the page itself then fails: no session here)."""
    scope: dict[str, Any] = {"type": "http", "method": method, "path": path, "root_path": "", "headers": [],
                             "query_string": b"", "app": app, "scheme": "http", "server": ("test", 80)}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        pass

    try:
        await app.router.app(scope, receive, send)
    except Exception:  # noqa: S110 (the page, past routing, needs the session the middleware would give it)
        pass
    return scope.get("route")


@pytest.mark.parametrize("prefix", list(SECTIONS))
async def test_every_route_of_a_section_answers_as_without_the_gates(app: FastAPI, prefix: str) -> None:
    routes = area_routes(prefix)
    assert routes
    for route in routes:
        for method in sorted(route.methods or ()):
            path = prefix + an_address(route.path)
            expected = next(r for r in routes
                            if r.path_regex.match(an_address(route.path)) and method in (r.methods or ()))
            assert await route_answering(app, method, path) is expected, (method, path)


async def test_a_path_no_area_takes_is_the_apps_404(app: FastAPI) -> None:
    for path in ("/savings/nothing", "/savings", "/property/", "/comms/briefing/extra", "/savingsx/initiatives",
                 "/nowhere"):
        assert await route_answering(app, "GET", path) is None, path
