"""Authorisation at the front door, table-driven: route x scope set -> expected status.

The gateway checks the coarse scope per route (read for GET/HEAD, write otherwise, ops for
/ops); a refused call never reaches the service.
"""

from __future__ import annotations

import time

import pytest
from civic.auth import LocalSigningKey
from civic_contracts import SERVICES
from conftest import Stack

# (method, path, scope that opens it)
ROUTES = [
    *[("GET", f"/api/{s}/v1/things", f"{s}:read") for s in SERVICES],
    *[("HEAD", f"/api/{s}/v1/things", f"{s}:read") for s in SERVICES],
    *[("POST", f"/api/{s}/v1/things", f"{s}:write") for s in SERVICES],
    *[("PUT", f"/api/{s}/v1/things/1", f"{s}:write") for s in SERVICES],
    *[("PATCH", f"/api/{s}/v1/things/1", f"{s}:write") for s in SERVICES],
    *[("DELETE", f"/api/{s}/v1/things/1", f"{s}:write") for s in SERVICES],
    *[("GET", f"/api/{s}/ops/dead-letters", "ops") for s in SERVICES],
    *[("POST", f"/api/{s}/ops/outbox/replay", "ops") for s in SERVICES],
    ("GET", "/api/buildings/b1/story", "property:read"),
    ("GET", "/api/dashboard", "savings:read"),  # any one read scope opens the dashboard
    ("GET", "/api/dashboard", "comms:read"),
]

EVERY_SCOPE = (
    "savings:read savings:write savings:approve property:read property:write safeguarding:read "
    "safeguarding:write safeguarding:confidential comms:read comms:write comms:approve ops"
)


def scope_sets(needed: str) -> list[tuple[str, str | None, int]]:
    """(label, scopes or None for no token, expected status)."""
    service = needed.split(":")[0]
    neighbour = "comms" if service != "comms" else "savings"
    wrong_verb = f"{service}:write" if needed.endswith(":read") else f"{service}:read"
    cases = [
        ("no token", None, 401),
        ("no scopes", "", 403),
        ("another service's scopes", f"{neighbour}:read {neighbour}:write", 403),
        ("exactly the scope", needed, 200),
        ("every scope", EVERY_SCOPE, 200),
    ]
    if needed != "ops":
        cases.append(("the other verb only", wrong_verb, 403))
    if needed.startswith(("savings", "comms")) and ":" in needed:
        cases.append(("approve is not write", f"{service}:approve", 403))
    return cases


TABLE = [
    pytest.param(method, path, scopes, expected, id=f"{method} {path} [{label}]")
    for method, path, needed in ROUTES
    for label, scopes, expected in scope_sets(needed)
    if not (path == "/api/dashboard" and label in ("another service's scopes", "the other verb only"))
]


@pytest.mark.parametrize(("method", "path", "scopes", "expected"), TABLE)
async def test_route_by_scope(
    stack: Stack, method: str, path: str, scopes: str | None, expected: int
) -> None:
    headers = {} if scopes is None else stack.auth(scopes)
    response = await stack.client.request(method, path, headers=headers, json={} if method != "GET" else None)
    assert response.status_code == expected, response.text
    if expected in (401, 403):
        assert response.headers["content-type"].startswith("application/problem+json")
        if method != "HEAD":
            assert response.json()["status"] == expected
        reached = [seen for b in stack.behaviour.values() for seen in b.seen]
        assert reached == [], "a refused call reached a service"
    if expected == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")


# --- bad tokens: every one is 401 and reaches nothing ---


def _bad_tokens(stack: Stack, stranger: LocalSigningKey) -> dict[str, str]:
    good = stack.token("savings:read")
    header, payload, signature = good.split(".")
    return {
        "expired": stack.token("savings:read", ttl_seconds=-3600),
        "signed by another key": stranger.mint("mallory", ["savings:read"]),
        "wrong issuer": stack.keys.mint("x", ["savings:read"], issuer="https://elsewhere.example"),
        "wrong audience": stack.keys.mint("x", ["savings:read"], audience="another-app"),
        "not yet valid": stack.keys.mint("x", ["savings:read"], extra={"nbf": int(time.time()) + 3600}),
        "tampered payload": f"{header}.{payload[:-4]}AAAA.{signature}",
        "alg none": "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + payload + ".",
        "garbage": "not-a-jwt",
        "two parts": f"{header}.{payload}",
    }


@pytest.mark.parametrize(
    "case",
    [
        "expired",
        "signed by another key",
        "wrong issuer",
        "wrong audience",
        "not yet valid",
        "tampered payload",
        "alg none",
        "garbage",
        "two parts",
    ],
)
async def test_bad_tokens_are_refused(stack: Stack, other_key: LocalSigningKey, case: str) -> None:
    token = _bad_tokens(stack, other_key)[case]
    response = await stack.client.get("/api/savings/v1/things", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert stack.behaviour["savings"].seen == []


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Token abc", "Bearer a b"])
async def test_malformed_authorization_headers_are_refused(stack: Stack, header: str) -> None:
    response = await stack.client.get("/api/savings/v1/things", headers={"Authorization": header})
    assert response.status_code == 401
    assert stack.behaviour["savings"].seen == []


@pytest.mark.parametrize(
    "path",
    [
        "/api/housing/v1/things",
        "/api/savings/healthz",
        "/api/savings/metrics",
        "/api/savings/openapi.json",
        "/api/savings/v1/%2e%2e/metrics",
        "/api/savings",
        "/nowhere",
    ],
)
async def test_unknown_routes_are_not_found_and_reach_nothing(stack: Stack, path: str) -> None:
    response = await stack.client.get(path, headers=stack.auth(EVERY_SCOPE))
    assert response.status_code == 404, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [seen for b in stack.behaviour.values() for seen in b.seen] == []
