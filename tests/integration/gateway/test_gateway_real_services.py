"""The gateway in front of the four real services, as processes (the runtime's ephemeral stack).

Authorisation table against real backends (the gateway's coarse scope check, then the service's
own), many keep-alive callers of which half send bodies the service refuses unread (the probe that
found the gateway desynchronising its connections), and a killed service degrading the dashboard.
Slow to start (embedded MongoDB-wire servers and broker), so marked e2e as well.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from civic.cli.stack import Stack, StackConfig
from civic_contracts import SERVICES
from gateway_probe import misanswered, probe

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]
READ = "savings:read property:read safeguarding:read comms:read"


@pytest.fixture(scope="module")
def platform_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    state: Path = tmp_path_factory.mktemp("gateway-real")
    stack = Stack(StackConfig.ephemeral(state, extra_env={"CIVIC_DASHBOARD_BUDGET_SECONDS": "2"}))
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


TABLE = [
    # (method, path, body, scopes or None, expected)
    *[("GET", f"/api/{s}/v1/summary", None, f"{s}:read", 200) for s in SERVICES],
    *[("GET", f"/api/{s}/v1/summary", None, f"{s}:write", 403) for s in SERVICES],
    *[("GET", f"/api/{s}/v1/summary", None, None, 401) for s in SERVICES],
    ("GET", "/api/savings/v1/initiatives", None, "savings:read", 200),
    ("POST", "/api/savings/v1/initiatives", {}, "savings:read", 403),
    ("POST", "/api/savings/v1/initiatives", {}, "savings:write", 422),  # reached the service
    ("POST", "/api/property/v1/buildings", {}, "property:read", 403),
    ("POST", "/api/property/v1/buildings", {}, "property:write", 422),
    ("GET", "/api/safeguarding/v1/boards", None, "safeguarding:read", 200),
    ("GET", "/api/safeguarding/v1/boards", None, "comms:read", 403),
    ("GET", "/api/comms/v1/content", None, "comms:read", 200),
    ("POST", "/api/comms/v1/content", {}, "comms:read", 403),
    ("GET", "/api/savings/ops/dead-letters", None, "savings:read savings:write", 403),
    ("GET", "/api/dashboard", None, READ, 200),
    ("GET", "/api/dashboard", None, "ops", 403),
    ("GET", "/api/savings/healthz", None, READ, 404),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "scopes", "expected"),
    TABLE,
    ids=[f"{m} {p} [{s}]" for m, p, _, s, _ in TABLE],
)
def test_authorisation_through_the_gateway(
    platform_stack: Stack,
    method: str,
    path: str,
    body: dict[str, object] | None,
    scopes: str | None,
    expected: int,
) -> None:
    headers = {} if scopes is None else {"Authorization": f"Bearer {platform_stack.token(scopes.split())}"}
    response = httpx.request(
        method, platform_stack.gateway_url() + path, json=body, headers=headers, timeout=30
    )
    assert response.status_code == expected, response.text
    assert response.headers.get("x-trace-id")
    if expected >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")


def test_ops_routes_reach_the_service_with_the_ops_scope(platform_stack: Stack) -> None:
    headers = {"Authorization": f"Bearer {platform_stack.token(['ops'])}"}
    response = httpx.get(
        platform_stack.gateway_url() + "/api/savings/ops/dead-letters", headers=headers, timeout=30
    )
    assert response.status_code == 200, response.text


def test_keep_alive_callers_get_their_own_answers_when_the_service_refuses_bodies_unread(
    platform_stack: Stack,
) -> None:
    gateway = platform_stack.gateway_url()
    writer = {"Authorization": f"Bearer {platform_stack.token(['savings:read', 'savings:write'])}"}
    ids = []
    for n in range(6):
        created = httpx.post(
            gateway + "/api/savings/v1/initiatives",
            json={"title": f"Keep-alive probe {n}", "directorate": "Resources", "theme": "process_policy",
                  "category": "transformation", "profile": [{"year": "2030/31", "planned_pence": 1_000}]},
            headers=writer,
            timeout=30,
        )
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    tokens = [platform_stack.token(["savings:read", "savings:write"], sub=f"caller-{n}") for n in range(8)]

    # the collection takes GET and POST: DELETE, PUT and PATCH are answered 405 before the body is read
    outcomes = asyncio.run(probe(
        gateway, tokens, refusing_path="/api/savings/v1/initiatives", reads=[f"/api/savings/v1/initiatives/{i}" for i in ids]
    ))

    assert len(outcomes) == 8 * 60
    wrong = misanswered(outcomes, lambda outcome: outcome.json()["id"])
    assert wrong == [], "\n".join(wrong[:20])


def test_killing_a_service_degrades_the_dashboard(platform_stack: Stack) -> None:
    headers = {"Authorization": f"Bearer {platform_stack.token(READ.split())}"}
    url = platform_stack.gateway_url() + "/api/dashboard"
    assert httpx.get(url, headers=headers, timeout=30).json()["degraded"] == []
    platform_stack.kill("property")
    response = httpx.get(url, headers=headers, timeout=30)
    assert response.status_code == 200
    body = response.json()
    assert body["degraded"] == ["property"]
    assert body["property"] is None
    assert {"targets", "planned_pence"} <= set(body["savings"])
    assert "next_meetings" in body["safeguarding"] and "open_consultations" in body["comms"]
