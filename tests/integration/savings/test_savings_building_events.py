"""A building closed or disposed of in property becomes one realised saving, however often told."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from civic_contracts import Envelope
from civic_contracts.property import BuildingClosed, BuildingDisposed

from .conftest import unique

pytestmark = pytest.mark.integration


def closed(building_id: str, name: str, on: date = date(2031, 3, 31), cost: int = 12_300_000) -> Envelope:
    data = BuildingClosed(
        building_id=building_id, name=name, town="Daventry", closed_on=on, annual_running_cost_pence=cost,
        annual_carbon_kg=40_000,
    )  # fmt: skip
    return Envelope.wrap(data, source="/civic/property")


def disposed(building_id: str, name: str, on: date = date(2031, 6, 1), cost: int = 12_300_000) -> Envelope:
    data = BuildingDisposed(
        building_id=building_id, name=name, town="Daventry", disposed_on=on, method="sale",
        receipt_pence=95_000_000, annual_running_cost_pence=cost, annual_carbon_kg=40_000,
    )  # fmt: skip
    return Envelope.wrap(data, source="/civic/property")


async def savings_for(api, building_id):
    return (await api.get("/v1/initiatives", params={"building_id": building_id})).json()["items"]


async def test_a_closure_becomes_one_delivered_saving(api, db, deliver, outbox, broker_events):
    building_id = uuid.uuid4().hex
    name = unique("Lodge Road")
    event = closed(building_id, name)
    assert await deliver(event) == "applied"
    assert await deliver(event) == "duplicate"  # the same event again: the inbox has it
    [saving] = await savings_for(api, building_id)
    assert name in saving["title"]
    assert saving["theme"] == "redesign_reorganisation" and saving["status"] == "delivered"
    assert saving["programme"] == "Property rationalisation"
    # the year's saving is the running cost, in the financial year of the closure (31 March 2031: 2030/31)
    assert saving["profile"] == [{"year": "2030/31", "planned_pence": 12_300_000}]
    assert saving["actuals"] == [{"year": "2030/31", "delivered_pence": 12_300_000}]
    assert await outbox(saving["id"]) == ["savings.initiative.delivered"]
    [published] = await broker_events("savings.initiative.delivered", saving["id"])
    assert published["data"]["building_id"] == building_id
    assert published["data"]["delivered_pence"] == 12_300_000


async def test_disposal_after_closure_adds_nothing(api, db, deliver, outbox):
    building_id = uuid.uuid4().hex
    name = unique("County Hall")
    await deliver(closed(building_id, name))
    assert await deliver(disposed(building_id, name)) == "applied"  # a new event, but the same building
    assert await deliver(disposed(building_id, name)) == "applied"
    [saving] = await savings_for(api, building_id)
    assert await outbox(saving["id"]) == ["savings.initiative.delivered"]
    assert await db["initiatives"].count_documents({"building_id": building_id}) == 1


async def test_a_disposal_alone_is_a_saving_in_its_year(api, deliver):
    building_id = uuid.uuid4().hex
    await deliver(disposed(building_id, unique("Depot"), on=date(2031, 4, 1), cost=5_000_000))
    [saving] = await savings_for(api, building_id)
    assert saving["profile"] == [{"year": "2031/32", "planned_pence": 5_000_000}]


async def test_the_building_saving_counts_in_the_reports(api, deliver):
    building_id = uuid.uuid4().hex
    before = await api.get(
        "/v1/reports/themes", params={"years": "2034/35", "programme": "Property rationalisation"}
    )
    await deliver(closed(building_id, unique("The Forum"), on=date(2034, 9, 1), cost=7_000_000))
    after = await api.get(
        "/v1/reports/themes", params={"years": "2034/35", "programme": "Property rationalisation"}
    )
    gain = after.json()["totals"]["delivered_pence"] - before.json()["totals"]["delivered_pence"]
    assert gain == 7_000_000
