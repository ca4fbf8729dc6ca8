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


def test_a_target_survives_the_round_trip() -> None:
    t = Target.set(None, "LGR", 1_753_000_000, "inherited")
    t.check(2_000_000_000, 0, date(2023, 5, 1))
    assert target_to_model(target_to_document(t)) == t


def test_cell_ids_tell_shards_apart() -> None:
    cell = ("process_policy", "2023/24", "Finance", "", "transformation")
    assert cell_id(cell, 0) != cell_id(cell, 1)
    assert cell_id(cell, 0) == cell_id(cell, 0)
