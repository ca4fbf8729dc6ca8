"""The property events match the cross-service contract (types, aggregate ids, fields)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from civic_contracts import REGISTRY, Envelope
from civic_contracts.property import AffectedTeam, BuildingClosed, BuildingClosurePlanned, BuildingDisposed

MOVE_FIELDS = {
    "move_id",
    "team_id",
    "team_name",
    "directorate",
    "from_building_id",
    "from_building_name",
    "to_building_id",
    "to_building_name",
    "planned_for",
}
CONTRACT = {
    "property.building.closure_planned": (
        "building_id",
        {"building_id", "name", "town", "closure_date", "teams"},
    ),
    "property.building.closed": (
        "building_id",
        {"building_id", "name", "town", "closed_on", "annual_running_cost_pence", "annual_carbon_kg"},
    ),
    "property.building.disposed": (
        "building_id",
        {
            "building_id",
            "name",
            "town",
            "disposed_on",
            "method",
            "receipt_pence",
            "annual_running_cost_pence",
            "annual_carbon_kg",
        },
    ),
    "property.move.planned": ("move_id", MOVE_FIELDS),
    "property.move.completed": ("move_id", MOVE_FIELDS | {"completed_on"}),
    "property.building.low_utilisation_detected": (
        "building_id",
        {"building_id", "name", "period_from", "period_to", "mean_utilisation", "threshold"},
    ),
}


@pytest.mark.parametrize("event_type", sorted(CONTRACT))
def test_each_event_has_the_contract_fields(event_type):
    model = REGISTRY[event_type]
    aggregate, fields = CONTRACT[event_type]
    assert model.aggregate_id_field == aggregate
    assert set(model.model_fields) == fields
    assert model.summary


#: the building the events below are about
LODGE_ROAD: dict[str, Any] = {"building_id": "b1", "name": "Lodge Road", "town": "Daventry"}


def test_a_closed_building_travels_in_a_cloudevent_keyed_by_the_building():
    event = BuildingClosed(
        **LODGE_ROAD,
        closed_on=date(2023, 3, 31),
        annual_running_cost_pence=50_000_000,
        annual_carbon_kg=185_000,
    )
    envelope = Envelope.wrap(event, source="/civic/property")
    assert (envelope.type, envelope.subject, envelope.topic) == (
        "property.building.closed",
        "b1",
        "property.events.v1",
    )
    assert envelope.data["closed_on"] == "2023-03-31"
    assert envelope.parsed() == event


def test_closure_planned_lists_the_affected_teams_and_disposal_methods_are_fixed():
    event = BuildingClosurePlanned(
        **LODGE_ROAD,
        closure_date=date(2023, 3, 31),
        teams=[AffectedTeam(team_id="t1", name="Planning", directorate="Place")],
    )
    assert event.model_dump(mode="json")["teams"] == [
        {"team_id": "t1", "name": "Planning", "directorate": "Place"}
    ]
    with pytest.raises(ValueError):
        BuildingDisposed(
            building_id="b1",
            name="x",
            town="y",
            disposed_on=date(2023, 1, 1),
            method="gift",
            receipt_pence=0,
            annual_running_cost_pence=0,
            annual_carbon_kg=0,
        )
