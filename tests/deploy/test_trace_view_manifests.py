"""The gateway's trace view in Kubernetes: it reads Jaeger's query API, and only the gateway reaches it."""

from __future__ import annotations

from tests.deploy.test_manifests import COMPONENTS, SERVICES, flow, needs_kubectl, objects, overlay

__all__ = ["overlay"]  # the fixture, parametrised by overlay


@needs_kubectl
def test_the_gateway_reads_traces_from_jaegers_query_api_and_nothing_else_does(overlay: str) -> None:
    gateway_env = objects(overlay, "ConfigMap")["gateway-config"]["data"]
    assert gateway_env["CIVIC_JAEGER_QUERY_URL"] == "http://jaeger:16686"
    assert flow(overlay, "gateway", "jaeger", 16686)
    assert not flow(overlay, "web", "jaeger", 16686)  # the web asks the gateway, as for everything
    for service in SERVICES:
        assert not flow(overlay, service, "jaeger", 16686)
    assert COMPONENTS["gateway"] == 8080
