"""The gateway's own endpoints: health, readiness, metrics, the JWKS, merged OpenAPI and docs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from civic_contracts import SERVICES
from conftest import Stack


async def test_healthz(stack: Stack) -> None:
    response = await stack.client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "alive"}


async def test_ready_with_backends(stack: Stack) -> None:
    body = (await stack.client.get("/readyz")).json()
    assert body["ready"] is True
    assert body["backends"] == dict.fromkeys(SERVICES, "ready")


async def test_not_ready_when_no_backend_is(start_stack: Callable[..., Awaitable[Stack]]) -> None:
    stack = await start_stack()
    for served in stack.backends.values():
        await served.stop()
    response = await stack.client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["ready"] is False


async def test_metrics_are_prometheus_text(stack: Stack) -> None:
    await stack.client.get("/api/savings/v1/x", headers=stack.auth("savings:read"))
    response = await stack.client.get("/metrics")
    assert response.status_code == 200
    assert "civic_gateway_backend_requests_total" in response.text
    assert (
        'civic_http_requests_total{method="GET"' in response.text
        or "civic_http_requests_total" in response.text
    )


async def test_jwks_serves_public_keys_only(stack: Stack) -> None:
    response = await stack.client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    keys = response.json()["keys"]
    assert keys and all(k["kty"] == "RSA" and "n" in k and "d" not in k and "p" not in k for k in keys)
    assert keys[0]["kid"] == (stack.keys.directory / "kid").read_text().strip()


async def test_openapi_merges_the_services_under_their_prefixes(stack: Stack) -> None:
    spec = (await stack.client.get("/openapi.json")).json()
    paths = spec["paths"]
    assert "/api/dashboard" in paths and "/api/buildings/{building_id}/story" in paths
    assert "/api/property/v1/buildings/{building_id}" in paths
    assert "/api/savings/v1/summary" in paths
    assert not any(p.startswith("/api/savings/readyz") for p in paths)
    schemas = spec["components"]["schemas"]
    assert {"property.HTTPValidationError", "property.ValidationError", "HTTPValidationError"} <= set(schemas)
    ref = paths["/api/property/v1/buildings/{building_id}"]["get"]["responses"]["422"]["content"]
    assert ref["application/json"]["schema"]["$ref"] == "#/components/schemas/property.HTTPValidationError"
    assert "x-civic-missing-services" not in spec


async def test_docs_page(stack: Stack) -> None:
    response = await stack.client.get("/docs")
    assert response.status_code == 200 and "swagger" in response.text.lower()
