"""The gateway forwards the officers' pages to the web app, a backend of its own (CIVIC_WEB_URL).

A stand-in web app reports what reached it: the page's path and query as sent, the browser's cookie, no
bearer token (the web signs officers in itself); its answer comes back with its cookies and headers. The
gateway's own endpoints and the API are untouched, and without CIVIC_WEB_URL there are no pages.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from conftest import Served, Stack
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

seen: list[dict[str, Any]] = []


async def page(request: Request) -> Response:
    body = await request.body()
    seen.append({"method": request.method, "path": request.url.path, "query": request.url.query,
                 "cookie": request.headers.get("cookie"), "authorization": request.headers.get("authorization"),
                 "body": body.decode(), "request_id": request.headers.get("x-request-id")})
    answer = JSONResponse({"page": request.url.path}, headers={"Cache-Control": "no-store"})
    answer.set_cookie("civic_session", "signed", httponly=True, samesite="lax")
    return answer


@pytest.fixture
async def web() -> AsyncIterator[Served]:
    served = Served(Starlette(routes=[Route("/{path:path}", page, methods=["GET", "POST", "HEAD"])]))
    await served.start()
    seen.clear()
    yield served
    await served.stop()


async def test_pages_go_to_the_web_app_with_the_cookie_and_without_a_bearer_token(
        web: Served, start_stack: Callable[..., Awaitable[Stack]]) -> None:
    stack = await start_stack(web_url=web.url)
    answer = await stack.client.get("/savings/initiatives?theme=process_policy&cursor=abc%3D",
                                    headers={"Cookie": "civic_session=abc", "Authorization": "Bearer stolen"})
    assert answer.status_code == 200 and answer.json() == {"page": "/savings/initiatives"}
    assert answer.headers["cache-control"] == "no-store"
    assert "civic_session=signed" in answer.headers["set-cookie"] and answer.headers["x-request-id"]
    (reached,) = seen
    assert reached["query"] == "theme=process_policy&cursor=abc%3D"
    assert reached["cookie"] == "civic_session=abc" and reached["authorization"] is None
    assert reached["request_id"] == answer.headers["x-request-id"]
    form = await stack.client.post("/sign-in", data={"officer": "operator", "csrf_token": "t"})
    assert form.status_code == 200 and seen[-1]["method"] == "POST" and "officer=operator" in seen[-1]["body"]
    assert (await stack.client.get("/")).json() == {"page": "/"}


async def test_the_gateways_own_endpoints_and_the_api_are_not_pages(
        web: Served, start_stack: Callable[..., Awaitable[Stack]]) -> None:
    stack = await start_stack(web_url=web.url)
    assert (await stack.client.get("/healthz")).json() == {"status": "alive"}
    assert (await stack.client.get("/.well-known/jwks.json")).status_code == 200
    assert (await stack.client.get("/api/savings/v1/x")).status_code == 401  # the API still needs a token
    for path in ("/api", "/api/", "/api/nowhere/v1/x", "/metrics/extra", "/ops/dead-letters"):
        answer = await stack.client.get(path)
        assert answer.status_code == 404 and answer.headers["content-type"] == "application/problem+json", path
    assert seen == []
    ready = (await stack.client.get("/readyz")).json()
    assert set(ready["backends"]) == {"savings", "property", "safeguarding", "comms"}  # pages are not readiness


async def test_a_method_the_gateways_own_path_does_not_answer_is_405_with_allow(
        web: Served, start_stack: Callable[..., Awaitable[Stack]]) -> None:
    """The catch-all for pages must not turn the gateway's own 405s into 404s (schemathesis: ST204)."""
    stack = await start_stack(web_url=web.url)
    for path in ("/healthz", "/readyz", "/metrics", "/.well-known/jwks.json", "/openapi.json"):
        answer = await stack.client.put(path, json={})
        assert answer.status_code == 405, (path, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert "PUT" not in answer.headers["allow"] and "GET" in answer.headers["allow"], path
    assert seen == []


async def test_without_a_web_app_there_are_no_pages(start_stack: Callable[..., Awaitable[Stack]]) -> None:
    stack = await start_stack()
    answer = await stack.client.get("/savings/initiatives")
    assert answer.status_code == 404 and answer.headers["content-type"] == "application/problem+json"


async def test_a_web_app_that_is_down_is_a_503_that_changes_nothing(start_stack: Callable[..., Awaitable[Stack]]) -> None:
    stopped = Served(Starlette())
    stack = await start_stack(web_url=stopped.url)  # nothing listens there
    answer = await stack.client.get("/")
    assert answer.status_code == 503 and answer.json()["service"] == "web"
