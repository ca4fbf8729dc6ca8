"""Generates the checked-in contract documents from the models, and checks compatibility.

``python -m civic_contracts.generate``            write schemas/*.json and asyncapi.yaml
``python -m civic_contracts.generate --publish``  also record today's schemas as published (baseline
                                                  that the compatibility test protects consumers with)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import yaml

from civic_contracts import REGISTRY, SERVICES, Envelope, topic_for

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
PUBLISHED = ROOT / "published"
ASYNCAPI = ROOT / "asyncapi.yaml"


def contract_types() -> dict[str, Any]:
    """Only the contracts package's own events (tests may register throwaway ones)."""
    return {t: m for t, m in sorted(REGISTRY.items()) if m.__module__.startswith("civic_contracts.")}


def event_schema(event_type: str) -> dict[str, Any]:
    schema: dict[str, Any] = contract_types()[event_type].model_json_schema(mode="serialization")
    schema["$id"] = f"https://civic.example/schemas/{event_type}.json"
    schema["x-event-type"] = event_type
    schema["x-topic"] = topic_for(event_type)
    return schema


def render_schemas() -> dict[str, str]:
    files = {f"{t}.json": json.dumps(event_schema(t), indent=2, sort_keys=True) + "\n" for t in contract_types()}
    files["envelope.json"] = json.dumps(Envelope.model_json_schema(mode="serialization"), indent=2, sort_keys=True) + "\n"
    return files


def render_asyncapi() -> str:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for service in SERVICES:
        topic = f"{service}.events.v1"
        channel_messages = {}
        for event_type, model in contract_types().items():
            if topic_for(event_type) != topic:
                continue
            name = event_type.replace(".", "_")
            messages[name] = {
                "name": event_type,
                "title": model.__name__,
                "summary": model.summary or event_type,
                "contentType": "application/cloudevents+json",
                "headers": {
                    "type": "object",
                    "properties": {
                        "traceparent": {"type": "string"},
                        "ce_id": {"type": "string"},
                        "ce_type": {"type": "string", "const": event_type},
                    },
                },
                "payload": {"$ref": f"schemas/{event_type}.json"},
                "bindings": {
                    "kafka": {"key": {"type": "string", "description": f"the aggregate id ({model.aggregate_id_field})"}}
                },
            }
            channel_messages[name] = {"$ref": f"#/components/messages/{name}"}
        channels[topic] = {
            "address": topic,
            "description": (
                f"Domain events published by the {service} service "
                "(CloudEvents 1.0 envelope; data as in each message's payload)."
            ),
            "messages": channel_messages,
        }
        operations[f"publish_{service}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{topic.replace('/', '~1')}"},
            "summary": f"{service} publishes its events from its transactional outbox",
        }
        channels[f"{service}.deadletter.v1"] = {
            "address": f"{service}.deadletter.v1",
            "description": (
                f"Events the {service} service could not process after retries; original headers "
                "plus civic-error, civic-original-topic, civic-original-offset."
            ),
        }
    document = {
        "asyncapi": "3.0.0",
        "info": {
            "title": "civic domain events",
            "version": "1.0.0",
            "description": (
                "Every event the civic services publish. Generated from contracts/civic_contracts "
                "by `make contracts`; a test keeps it in sync."
            ),
        },
        "defaultContentType": "application/cloudevents+json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }
    return str(yaml.safe_dump(document, sort_keys=False, width=120))


# ---- compatibility: what would break a consumer of a published event type --------------------
def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if ref and ref.startswith("#/$defs/"):
        return dict(schema.get("$defs", {}).get(ref.split("/")[-1], {}))
    return node


def _types(schema: dict[str, Any], node: dict[str, Any]) -> set[str]:
    node = _resolve(schema, node)
    if "anyOf" in node:
        return set().union(*(_types(schema, n) for n in node["anyOf"]))
    if "type" in node:
        return {node["type"]} if isinstance(node["type"], str) else set(node["type"])
    if "$ref" in node:
        return {"ref:" + node["$ref"]}
    return {"object"} if "properties" in node else set()


def breaking_changes(old: dict[str, Any], new: dict[str, Any], path: str = "") -> list[str]:
    """Consumers read fields: removing one, making a required one optional, changing its type or
    adding enum values they do not know breaks them. Adding optional fields does not."""
    problems: list[str] = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    for name, old_field in old_props.items():
        where = f"{path}{name}"
        if name not in new_props:
            problems.append(f"{where}: removed")
            continue
        if name in old_required and name not in new_required:
            problems.append(f"{where}: no longer required")
        old_types, new_types = _types(old, old_field), _types(new, new_props[name])
        if not new_types <= old_types:
            problems.append(f"{where}: type {sorted(old_types)} became {sorted(new_types)}")
        old_node, new_node = _resolve(old, old_field), _resolve(new, new_props[name])
        if "enum" in old_node and not set(new_node.get("enum", old_node["enum"])) <= set(old_node["enum"]):
            problems.append(f"{where}: new enum values {sorted(set(new_node['enum']) - set(old_node['enum']))}")
        if old_node.get("properties"):
            problems.extend(
                breaking_changes(
                    {**old_node, "$defs": old.get("$defs", {})}, {**new_node, "$defs": new.get("$defs", {})}, f"{where}."
                )
            )
    return problems


def write(publish: bool) -> None:
    SCHEMAS.mkdir(exist_ok=True)
    wanted = render_schemas()
    for stale in SCHEMAS.glob("*.json"):
        if stale.name not in wanted:
            stale.unlink()
    for name, text in wanted.items():
        (SCHEMAS / name).write_text(text)
    ASYNCAPI.write_text(render_asyncapi())
    if publish:
        PUBLISHED.mkdir(exist_ok=True)
        for name, text in wanted.items():
            if name != "envelope.json" and not (PUBLISHED / name).exists():
                (PUBLISHED / name).write_text(text)
    print(f"wrote {len(wanted)} schemas and asyncapi.yaml")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--publish", action="store_true", help="record new event types as published")
    write(parser.parse_args().publish)


if __name__ == "__main__":
    main()
