"""Documents <-> models: what is stored comes back as the same initiative or target."""

from __future__ import annotations

from datetime import UTC, date, datetime

from civic_savings.initiatives.domain import Initiative
from civic_savings.programme.domain import Target
from civic_savings.repository import (
    api_form,
    cell_id,
    target_to_document,
    target_to_model,
    to_document,
    to_model,
    updated_document,
)

NOW = datetime(2024, 2, 1, tzinfo=UTC)


def test_an_initiative_survives_the_round_trip() -> None:
    i = Initiative.propose(
        id="abc", title="Early help", directorate="People", theme="demand_prevention",
        category="transformation",
        profile=[{"year": "2023/24", "planned_pence": 100}, {"year": "2024/25", "planned_pence": 50}],
        programme="LGR", rag="amber", rag_reason="recruitment", by="o", now=NOW,
    )  # fmt: skip
    i.transition("approved", by="chamber", now=NOW)
    i.record_actual("2023/24", 40, by="o", now=NOW)
    i.transition("slipped", by="o", now=NOW, to_year="2024/25", reason="profile")
    doc = to_document(i)
    assert "building_id" not in doc  # absent, so the partial unique index ignores it
    assert doc["approved_on"] == "2024-02-01" and doc["slippages"][0]["on"] == "2024-02-01"
    assert doc["planned_pence"] == 150 and doc["delivered_pence"] == 40
    assert to_model(doc) == i
    shown = api_form({**doc, "version": 3})
    assert shown["id"] == "abc" and shown["building_id"] is None and "_id" not in shown


def test_a_building_saving_keeps_its_building() -> None:
    i = Initiative.building_saving(
        id="b", building_id="bld", building_name="Lodge Road", town=None, on=date(2023, 3, 31),
        annual_running_cost_pence=10, by="event", now=NOW,
    )  # fmt: skip
    assert to_document(i)["building_id"] == "bld"
    assert to_model(to_document(i)) == i
    assert api_form({**to_document(i), "version": 1})["realisation"]["realised_pence"] == 10


def test_a_plan_naming_its_building_and_its_realisation_survive_the_round_trip() -> None:
    i = Initiative.propose(
        id="p", title="Office estate", directorate="Place", theme="redesign_reorganisation",
        category="transformation", profile=[{"year": "2023/24", "planned_pence": 100}],
        building_name="Lodge Road", building_town="Daventry", by="o", now=NOW,
    )  # fmt: skip
    doc = to_document(i)
    assert doc["_building_key"] == "lodge road|daventry" and "building_id" not in doc
    assert to_model(doc) == i
    i.realise(building_id="bld", building_name="Lodge Road", town="Daventry", on=date(2023, 3, 31),
              annual_running_cost_pence=40, by="event", now=NOW)  # fmt: skip
    doc = updated_document({**doc, "version": 1}, i)
    assert doc["building_id"] == "bld" and doc["version"] == 1
    assert to_model(doc) == i
    i2 = to_model(doc)
    i2.realisation = None
    i2.building_id = i2.building_name = i2.building_town = None
    cleared = updated_document(doc, i2)
    assert "building_id" not in cleared and "_building_key" not in cleared  # a cleared link leaves no key


def test_a_building_saving_stored_before_realisations_were_kept_counts_as_realised() -> None:
    old = to_document(Initiative.building_saving(
        id="b", building_id="bld", building_name="Lodge Road", town=None, on=date(2023, 3, 31),
        annual_running_cost_pence=10, by="event", now=NOW,
    ))  # fmt: skip
    del old["realisation"], old["building_name"], old["building_town"]
    model = to_model(old)
    assert model.realisation is not None and model.made_by_closure


def test_a_target_survives_the_round_trip() -> None:
    t = Target.set(None, "LGR", 1_753_000_000, "inherited")
    t.check(2_000_000_000, 0, date(2023, 5, 1))
    assert target_to_model(target_to_document(t)) == t


def test_cell_ids_tell_shards_apart() -> None:
    cell = ("process_policy", "2023/24", "Finance", "", "transformation")
    assert cell_id(cell, 0) != cell_id(cell, 1)
    assert cell_id(cell, 0) == cell_id(cell, 0)
