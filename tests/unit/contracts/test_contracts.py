"""The checked-in contract documents match the models, and no change breaks a published event's consumers."""

from __future__ import annotations

import copy
import json

import pytest
import yaml
from civic_contracts import REGISTRY, SERVICES, Envelope, topic_for
from civic_contracts.generate import (
    ASYNCAPI,
    PUBLISHED,
    SCHEMAS,
    breaking_changes,
    contract_types,
    event_schema,
    render_asyncapi,
    render_schemas,
)


def test_checked_in_schemas_match_the_models() -> None:
    wanted = render_schemas()
    on_disk = {p.name: p.read_text() for p in SCHEMAS.glob("*.json")}
    assert sorted(on_disk) == sorted(wanted), "run `make contracts` and commit contracts/schemas"
    for name, text in wanted.items():
        assert on_disk[name] == text, f"{name} is stale: run `make contracts`"


def test_checked_in_asyncapi_matches_the_models() -> None:
    assert ASYNCAPI.read_text() == render_asyncapi(), "run `make contracts` and commit contracts/asyncapi.yaml"
    document = yaml.safe_load(ASYNCAPI.read_text())
    assert document["asyncapi"].startswith("3.")
    assert set(document["channels"]) >= {f"{s}.events.v1" for s in SERVICES}


def test_every_event_type_is_named_service_aggregate_verb_and_published() -> None:
    for event_type in contract_types():
        service, aggregate, verb = event_type.split(".")
        assert topic_for(event_type) == f"{service}.events.v1"
        assert aggregate and verb
        assert (PUBLISHED / f"{event_type}.json").exists(), f"{event_type} not published: make contracts-publish"


@pytest.mark.parametrize("event_type", sorted(p.stem for p in PUBLISHED.glob("*.json")))
def test_no_published_event_type_is_broken_for_its_consumers(event_type: str) -> None:
    assert event_type in REGISTRY, f"{event_type} was published and has been removed: consumers depend on it"
    old = json.loads((PUBLISHED / f"{event_type}.json").read_text())
    problems = breaking_changes(old, event_schema(event_type))
    assert not problems, f"{event_type} would break consumers (publish a .v2 type instead): {problems}"


def _sample() -> dict:
    return {
        "type": "object",
        "properties": {
            "building_id": {"type": "string"},
            "annual_running_cost_pence": {"type": "integer"},
            "method": {"enum": ["sale", "lease"], "type": "string"},
            "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
        "required": ["building_id", "annual_running_cost_pence", "method"],
    }


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s["properties"].pop("annual_running_cost_pence"), "removed"),
        (lambda s: s["required"].remove("building_id"), "no longer required"),
        (lambda s: s["properties"]["annual_running_cost_pence"].update(type="string"), "type"),
        (lambda s: s["properties"]["method"]["enum"].append("gift"), "new enum values"),
    ],
)
def test_the_compatibility_check_catches_breaking_changes(change, expected) -> None:
    new = copy.deepcopy(_sample())
    change(new)
    problems = breaking_changes(_sample(), new)
    assert problems and expected in problems[0]


def test_adding_an_optional_field_is_compatible() -> None:
    new = copy.deepcopy(_sample())
    new["properties"]["town"] = {"type": "string"}
    assert breaking_changes(_sample(), new) == []


def test_envelope_round_trip_keeps_cloudevents_attributes_and_traceparent() -> None:
    model = next(iter(contract_types().values()))
    assert model.event_type
    envelope = Envelope(source="/civic/test", type=model.event_type, subject="x", data={"a": 1},
                        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
    again = Envelope.model_validate_json(envelope.model_dump_json())
    assert again.specversion == "1.0" and again.traceparent == envelope.traceparent and again.id == envelope.id
