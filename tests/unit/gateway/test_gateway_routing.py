"""The route table: what is routed, with which scope and timeout."""

from __future__ import annotations

import pytest
from civic.errors import NotFound
from civic_gateway.routing import RouteTimeouts, TimeoutRule, resolve, scope_for

TIMEOUTS = RouteTimeouts(10.0, [TimeoutRule("savings", "/v1/reports", 30.0), TimeoutRule("savings", "", 5.0)])


@pytest.mark.parametrize(
    ("service", "path", "method", "backend_path", "scope"),
    [
        ("savings", "v1/initiatives", "GET", "/v1/initiatives", "savings:read"),
        ("savings", "v1/initiatives", "HEAD", "/v1/initiatives", "savings:read"),
        ("savings", "v1/initiatives", "POST", "/v1/initiatives", "savings:write"),
        ("property", "v1/buildings/b1/transitions", "POST", "/v1/buildings/b1/transitions", "property:write"),
        (
            "safeguarding",
            "v1/meetings/m1/attendance",
            "PUT",
            "/v1/meetings/m1/attendance",
            "safeguarding:write",
        ),
        ("comms", "v1/content/c1", "DELETE", "/v1/content/c1", "comms:write"),
        ("comms", "v1/content/c1", "PATCH", "/v1/content/c1", "comms:write"),
        ("comms", "ops/dead-letters", "GET", "/ops/dead-letters", "ops"),
        ("savings", "ops/outbox/replay", "POST", "/ops/outbox/replay", "ops"),
    ],
)
def test_routed_paths(service: str, path: str, method: str, backend_path: str, scope: str) -> None:
    route = resolve(service, path, method, TIMEOUTS)
    assert (route.service, route.path, route.scope) == (service, backend_path, scope)


@pytest.mark.parametrize(
    ("service", "path"),
    [
        ("housing", "v1/anything"),  # not a service
        ("savings", "healthz"),  # a service's own health stays inside the network
        ("savings", "metrics"),
        ("savings", "openapi.json"),
        ("savings", ""),
        ("savings", "v1/../metrics"),
        ("savings", "v1/./initiatives"),
        ("savings", "v2/initiatives"),
    ],
)
def test_unrouted_paths_are_not_found(service: str, path: str) -> None:
    with pytest.raises(NotFound) as refused:
        resolve(service, path, "GET", TIMEOUTS)
    assert refused.value.status == 404
    assert f"/api/{service}/{path}" in refused.value.detail


def test_scope_is_coarse_by_method() -> None:
    assert scope_for("savings", "get", "/v1/x") == "savings:read"
    assert scope_for("savings", "OPTIONS", "/v1/x") == "savings:read"


def test_most_specific_timeout_wins() -> None:
    assert resolve("savings", "v1/reports/themes", "GET", TIMEOUTS).timeout_seconds == 30.0
    assert resolve("savings", "v1/initiatives", "GET", TIMEOUTS).timeout_seconds == 5.0
    assert resolve("comms", "v1/content", "GET", TIMEOUTS).timeout_seconds == 10.0


def test_timeouts_parse_from_configuration() -> None:
    timeouts = RouteTimeouts.parse(10.0, " savings/v1/reports=30 ; comms=2.5;")
    assert timeouts.for_path("savings", "/v1/reports/target/x") == 30.0
    assert timeouts.for_path("savings", "/v1/initiatives") == 10.0
    assert timeouts.for_path("comms", "/v1/content") == 2.5
    assert RouteTimeouts.parse(7.0, "").for_path("comms", "/v1/x") == 7.0


@pytest.mark.parametrize("spec", ["savings", "savings=0", "savings=-1", "housing=3", "savings=abc"])
def test_bad_timeout_configuration_is_refused(spec: str) -> None:
    with pytest.raises(ValueError):
        RouteTimeouts.parse(10.0, spec)
