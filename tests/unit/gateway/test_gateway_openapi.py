"""The merged OpenAPI document: paths under /api/<service>, components namespaced, refs rewritten."""

from __future__ import annotations

from typing import Any

from civic_gateway.openapi import merge, namespaced


def service_spec(schema_title: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "svc", "version": "1"},
        "paths": {
            "/v1/things": {
                "post": {
                    "operationId": "create_thing",
                    "tags": ["things"],
                    "requestBody": {
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}
                    },
                    "responses": {
                        "422": {
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                            }
                        }
                    },
                    "security": [{"HTTPBearer": []}],
                },
                "parameters": [{"$ref": "#/components/parameters/Limit"}],
            },
            "/healthz": {"get": {"operationId": "healthz"}},
            "/metrics": {"get": {"operationId": "metrics"}},
            "/ops/dead-letters": {"get": {"operationId": "dead_letters"}},
        },
        "components": {
            "schemas": {
                "Thing": {
                    "title": schema_title,
                    "properties": {"part": {"$ref": "#/components/schemas/Part"}},
                },
                "Part": {"type": "object"},
                "Problem": {"type": "object"},
            },
            "parameters": {"Limit": {"name": "limit", "in": "query"}},
            "securitySchemes": {"HTTPBearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def test_paths_are_prefixed_and_only_routed_ones_kept() -> None:
    part = namespaced(service_spec("T"), "savings")
    assert sorted(part["paths"]) == ["/api/savings/ops/dead-letters", "/api/savings/v1/things"]


def test_components_and_refs_are_namespaced() -> None:
    part = namespaced(service_spec("T"), "savings")
    op = part["paths"]["/api/savings/v1/things"]["post"]
    assert (
        op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        == "#/components/schemas/savings.Thing"
    )
    assert part["components"]["schemas"]["savings.Thing"]["properties"]["part"]["$ref"] == (
        "#/components/schemas/savings.Part"
    )
    assert (
        part["paths"]["/api/savings/v1/things"]["parameters"][0]["$ref"]
        == "#/components/parameters/savings.Limit"
    )
    assert op["operationId"] == "savings.create_thing"
    assert op["tags"] == ["savings: things"]
    assert op["security"] == [{"savings.HTTPBearer": []}]
    assert "savings.HTTPBearer" in part["components"]["securitySchemes"]


def test_two_services_with_the_same_schema_names_do_not_clash() -> None:
    gateway = {
        "openapi": "3.1.0",
        "info": {"title": "civic", "version": "1"},
        "paths": {"/api/dashboard": {"get": {}}},
        "components": {"schemas": {"Dashboard": {}}},
    }
    merged = merge(gateway, {"savings": service_spec("savings thing"), "comms": service_spec("comms thing")})
    schemas = merged["components"]["schemas"]
    assert schemas["savings.Thing"]["title"] == "savings thing"
    assert schemas["comms.Thing"]["title"] == "comms thing"
    assert "Dashboard" in schemas
    assert {"/api/dashboard", "/api/savings/v1/things", "/api/comms/v1/things"} <= set(merged["paths"])
    assert "x-civic-missing-services" not in merged


def test_merge_does_not_change_its_inputs() -> None:
    spec = service_spec("T")
    gateway: dict[str, Any] = {"info": {"title": "civic"}, "paths": {}}
    merge(gateway, {"savings": spec})
    assert spec == service_spec("T")
    assert gateway == {"info": {"title": "civic"}, "paths": {}}


def test_an_unreachable_service_is_noted_not_fatal() -> None:
    merged = merge(
        {"info": {"title": "civic", "description": "Gateway."}}, {"savings": service_spec("T"), "comms": None}
    )
    assert merged["x-civic-missing-services"] == ["comms"]
    assert "comms" in merged["info"]["description"]
    assert "/api/savings/v1/things" in merged["paths"]
