"""How an event type declares itself: its type and aggregate id in the class statement, its summary in
its docstring, a family's leading fields and aggregate id in a shared base."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from civic_contracts import REGISTRY, EventData


@pytest.fixture
def registry() -> Iterator[dict[str, type[EventData]]]:
    """The registry, with whatever a test declares taken out again (other tests read every event type)."""
    before = dict(REGISTRY)
    yield REGISTRY
    REGISTRY.clear()
    REGISTRY.update(before)


def test_the_class_statement_declares_and_registers_an_event_type(registry) -> None:
    class ExampleDeclared(EventData, event_type="savings.example.declared", aggregate_id_field="example_id"):
        """An example was declared: its summary is this docstring,
        its lines joined into one."""

        example_id: str
        note: str

    assert registry["savings.example.declared"] is ExampleDeclared
    assert ExampleDeclared.event_type == "savings.example.declared"
    assert ExampleDeclared.aggregate_id_field == "example_id"
    assert ExampleDeclared.summary == "An example was declared: its summary is this docstring, its lines joined into one."
    assert ExampleDeclared(example_id="e1", note="n").aggregate_id == "e1"
    assert "description" not in ExampleDeclared.model_json_schema(mode="serialization")


def test_a_family_base_gives_its_events_their_leading_fields_and_aggregate_id(registry) -> None:
    class _ExampleEvent(EventData, aggregate_id_field="example_id"):
        """Fields shared by every example event (not itself an event type)."""

        example_id: str

    class ExampleClosed(_ExampleEvent, event_type="savings.example.closed"):
        """An example was closed."""

        closed_by: str

    assert "" not in registry and _ExampleEvent.summary == ""
    assert registry["savings.example.closed"] is ExampleClosed
    assert ExampleClosed.aggregate_id_field == "example_id"
    assert list(ExampleClosed.model_fields) == ["example_id", "closed_by"]
    assert ExampleClosed.summary == "An example was closed."
