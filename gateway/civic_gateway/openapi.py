"""One OpenAPI document for the whole platform, as a caller of the gateway sees it.

Each service's paths are re-prefixed under ``/api/<service>``; its components are renamed
``<service>.<Name>`` (and every ``$ref`` and security requirement rewritten to match) so two
services may both have a ``Problem`` or ``Page`` schema without clashing. Operation ids and tags are
prefixed too, so the docs group operations by service, and so are the operation ids links name. Every
forwarded operation also lists what the gateway itself can answer on the way (``GATEWAY_ANSWERS``).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from civic.problems import PROBLEM_SCHEMA, problem_response

from civic_gateway.routing import ROUTED_PREFIXES

_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
#: what the gateway answers itself on a forwarded call, whatever the service would have said
GATEWAY_ANSWERS = {
    400: "The gateway will not pass the request on as it is (e.g. a Content-Length that is not a number)",
    401: "No token or a bad token (checked by the gateway, then again by the service)",
    403: "The token lacks the service's read or write scope",
    429: "Over the rate limit for this caller (Retry-After)",
    502: "The service's answer was not a valid HTTP answer",
    503: "The service is unreachable or its circuit is open; nothing was changed",
    504: "The service did not answer in time",
}


def _rewrite_refs(node: Any, service: str) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/components/"):
                section, _, name = value[len("#/components/") :].partition("/")
                out[key] = f"#/components/{section}/{service}.{name}"
            else:
                out[key] = _rewrite_refs(value, service)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(item, service) for item in node]
    return node


def _rename_security(requirements: Iterable[Mapping[str, Any]], service: str) -> list[dict[str, Any]]:
    return [{f"{service}.{name}": scopes for name, scopes in req.items()} for req in requirements]


def namespaced(spec: Mapping[str, Any], service: str) -> dict[str, Any]:
    """One service's spec as seen through the gateway (paths, components, ids and tags prefixed)."""
    spec = _rewrite_refs(copy.deepcopy(dict(spec)), service)
    paths: dict[str, Any] = {}
    for path, item in (spec.get("paths") or {}).items():
        if not path.lstrip("/").startswith(ROUTED_PREFIXES):
            continue  # health, metrics and docs of a service are not routed
        item = dict(item)
        for method in _HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            if "operationId" in operation:
                operation["operationId"] = f"{service}.{operation['operationId']}"
            operation["tags"] = [f"{service}: {tag}" for tag in operation.get("tags") or []] or [service]
            if "security" in operation:
                operation["security"] = _rename_security(operation["security"], service)
            elif "security" in spec:
                operation["security"] = _rename_security(spec["security"], service)
            responses = operation.setdefault("responses", {})
            for answer in responses.values():
                for link in (answer.get("links") or {}).values() if isinstance(answer, dict) else ():
                    if "operationId" in link:
                        link["operationId"] = f"{service}.{link['operationId']}"
            for status, description in GATEWAY_ANSWERS.items():
                responses.setdefault(str(status), problem_response(status, description))
        paths[f"/api/{service}{path if path.startswith('/') else '/' + path}"] = item
    components = {
        section: {f"{service}.{name}": value for name, value in entries.items()}
        for section, entries in (spec.get("components") or {}).items()
        if isinstance(entries, dict)
    }
    return {"paths": paths, "components": components}


def merge(
    gateway_spec: Mapping[str, Any], services: Mapping[str, Mapping[str, Any] | None]
) -> dict[str, Any]:
    """The gateway's own spec plus every reachable service's; a missing service is noted, not fatal."""
    merged = copy.deepcopy(dict(gateway_spec))
    merged.setdefault("paths", {})
    merged.setdefault("components", {})
    merged["components"].setdefault("schemas", {}).setdefault("Problem", PROBLEM_SCHEMA)  # the gateway's answers
    missing = []
    for service, spec in services.items():
        if spec is None:
            missing.append(service)
            continue
        part = namespaced(spec, service)
        merged["paths"].update(part["paths"])
        for section, entries in part["components"].items():
            merged["components"].setdefault(section, {}).update(entries)
    if missing:
        info = merged.setdefault("info", {})
        note = "Not included (service unreachable when this document was built): " + ", ".join(missing) + "."
        info["description"] = (info.get("description", "") + "\n\n" + note).strip()
        merged["x-civic-missing-services"] = missing
    return merged
