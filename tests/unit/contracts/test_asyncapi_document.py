"""contracts/asyncapi.yaml is a valid AsyncAPI 3.0.0 document, by the standard's own schema.

The AsyncAPI Initiative's JSON Schema for 3.0.0 (contracts/asyncapi-schema/3.0.0.json, from
``@asyncapi/specs``: what the AsyncAPI parsers validate a document against) validates the whole
document: info, channels, operations, messages and their Kafka bindings. Beside it, what a parser
resolves: every ``$ref`` of the document points at something in it, every operation's channel holds the
messages it names, and every message payload is a valid JSON Schema. The checks are shown to refuse broken
documents, so a pass means something.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

CONTRACTS = Path(__file__).resolve().parents[3] / "contracts"
DOCUMENT = CONTRACTS / "asyncapi.yaml"
OFFICIAL_SCHEMA = CONTRACTS / "asyncapi-schema" / "3.0.0.json"


def load() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(DOCUMENT.read_text())
    return document


def schema_errors(document: dict[str, Any]) -> list[str]:
    schema = json.loads(OFFICIAL_SCHEMA.read_text())
    validator = jsonschema.Draft7Validator(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in validator.iter_errors(document)]


def refs(node: Any, at: str = "#") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield at, value
            else:
                yield from refs(value, f"{at}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from refs(value, f"{at}/{index}")


def resolve(document: dict[str, Any], reference: str) -> Any:
    """What a ``$ref`` points at: inside the document (``#/...``), or a file beside it (a payload's schema,
    ``schemas/<type>.json``, with an optional ``#/...`` inside that file)."""
    location, _, pointer = reference.partition("#")
    node: Any = document
    if location:
        node = json.loads((DOCUMENT.parent / location).read_text())
    for part in [p for p in pointer.split("/") if p]:
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def reference_errors(document: dict[str, Any]) -> list[str]:
    errors = []
    for where, reference in refs(document):
        try:
            resolve(document, reference)
        except (KeyError, IndexError, TypeError, OSError, ValueError):
            errors.append(f"{where}: $ref {reference} points at nothing")
    for name, operation in (document.get("operations") or {}).items():
        channel = resolve(document, operation["channel"]["$ref"])
        own = {m["$ref"] for m in (channel.get("messages") or {}).values() if "$ref" in m}
        errors += [f"operation {name}: message {m['$ref']} is not one of its channel's"
                   for m in operation.get("messages") or [] if m.get("$ref") not in own]
    return errors


def payload_errors(document: dict[str, Any]) -> list[str]:
    errors = []
    for name, message in (document.get("components", {}).get("messages") or {}).items():
        payload = message.get("payload")
        if isinstance(payload, dict) and "$ref" in payload:
            payload = resolve(document, payload["$ref"])
        try:
            jsonschema.Draft202012Validator.check_schema(payload)
        except jsonschema.SchemaError as exc:
            errors.append(f"message {name}: payload is not a JSON Schema: {exc.message[:200]}")
    return errors


def test_the_document_is_valid_by_the_official_asyncapi_schema() -> None:
    document = load()
    assert document["asyncapi"] == "3.0.0"
    assert json.loads(OFFICIAL_SCHEMA.read_text())["title"] == "AsyncAPI 3.0.0 schema."
    assert schema_errors(document) == []


def test_every_reference_resolves_and_every_payload_is_a_schema() -> None:
    document = load()
    assert len(list(refs(document))) > 50
    assert reference_errors(document) == []
    assert payload_errors(document) == []


@pytest.mark.parametrize("break_it", [
    pytest.param(lambda d: d["info"].pop("title"), id="no title"),
    pytest.param(lambda d: d.update(chanels=d.pop("channels")), id="a misspelt section"),
    pytest.param(lambda d: next(iter(d["components"]["messages"].values()))["bindings"]["kafka"].update(key=3),
                 id="a Kafka binding that is not one"),
    pytest.param(lambda d: next(iter(d["operations"].values())).update(action="publish"), id="a 2.x action"),
])
def test_the_official_schema_refuses_a_broken_document(break_it: Any) -> None:
    document = copy.deepcopy(load())
    break_it(document)
    assert schema_errors(document)


def test_a_dangling_reference_is_found() -> None:
    document = copy.deepcopy(load())
    channel = next(iter(document["channels"].values()))
    first = next(iter(channel["messages"]))
    channel["messages"][first] = {"$ref": "#/components/messages/no_such_message"}
    assert reference_errors(document)
