"""A building closed or disposed of in property realises one saving, however often told: the saving of the
initiative that named the building, or a new initiative when none did; booked by the closure rule (the
part-year in the closure year, the rest of the full amount in the next)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from civic.auth import Caller
from civic.errors import Refused
from civic_contracts import Envelope
from civic_contracts.property import BuildingClosed, BuildingDisposed
from civic_savings.initiatives import service as initiatives

from bench import invariants

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
    # closed on 31 March 2031, its last day in use: nothing of 2030/31 is saved, the full amount from 2031/32
    assert saving["profile"] == [{"year": "2031/32", "planned_pence": 12_300_000}]
    assert saving["actuals"] == [{"year": "2031/32", "delivered_pence": 12_300_000}]
    assert saving["realisation"]["planned"] is False and saving["realisation"]["building_id"] == building_id
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


async def test_a_disposal_alone_is_a_saving_from_its_day(api, deliver):
    building_id = uuid.uuid4().hex
    await deliver(disposed(building_id, unique("Depot"), on=date(2031, 4, 1), cost=5_000_000))
    [saving] = await savings_for(api, building_id)
    # 2031/32 holds 29 February 2032: 365 of its 366 days come after 1 April, the rest in 2032/33
    part = 5_000_000 * 365 // 366
    assert saving["profile"] == [
        {"year": "2031/32", "planned_pence": part},
        {"year": "2032/33", "planned_pence": 5_000_000 - part},
    ]
    assert saving["delivered_pence"] == 5_000_000


async def test_the_building_saving_counts_in_the_reports(api, deliver):
    building_id = uuid.uuid4().hex
    params = {"years": "2034/35,2035/36", "programme": "Property rationalisation"}
    before = (await api.get("/v1/reports/themes", params=params)).json()["totals"]
    await deliver(closed(building_id, unique("The Forum"), on=date(2034, 9, 1), cost=7_000_000))
    after = (await api.get("/v1/reports/themes", params=params)).json()["totals"]
    gain = {y: after["by_year"][y]["delivered_pence"] - before["by_year"][y]["delivered_pence"] for y in after["by_year"]}
    # 211 of 2034/35's 365 days come after 1 September 2034; the rest of the year's cost in 2035/36
    assert gain == {"2034/35": 7_000_000 * 211 // 365, "2035/36": 7_000_000 - 7_000_000 * 211 // 365}
    assert after["delivered_pence"] - before["delivered_pence"] == 7_000_000


# ---------------------------------------------------------------- a closure an initiative planned


async def plan(rt, **building):
    """An approved, in-delivery initiative naming a building (through the service layer the create route
    calls: the building fields are the domain's; see the API test below for the route)."""
    caller = Caller(sub="test-officer", scopes=frozenset({"savings:read", "savings:write", "savings:approve"}))
    body = {
        "title": unique("Rationalisation of buildings: office estate plan"),
        "directorate": unique("Place"),
        "theme": "redesign_reorganisation",
        "category": "transformation",
        "programme": unique("LGR"),
        "profile": [{"year": "2031/32", "planned_pence": 150_000_000}, {"year": "2032/33", "planned_pence": 600_000_000}],
        **building,
    }
    created = await initiatives.propose(rt, body, caller)
    for step in ("approved", "in_delivery"):
        created = await initiatives.transition(rt, created["id"], {"to": step}, caller, None)
    return created


async def test_a_closure_realises_the_initiative_that_named_its_building(api, db, deliver, outbox, runtime_of):
    rt = await runtime_of("savings")
    building_id = uuid.uuid4().hex
    planned = await plan(rt, building_id=building_id)
    name = unique("Lodge Road")
    assert await deliver(closed(building_id, name, on=date(2032, 3, 31), cost=50_000_000)) == "applied"
    assert await deliver(disposed(building_id, name, on=date(2032, 9, 1), cost=50_000_000)) == "applied"

    [saving] = await savings_for(api, building_id)  # the plan, and no new initiative
    assert saving["id"] == planned["id"] and saving["status"] == "in_delivery"
    # closed on 31 March 2032: the full running cost is delivered in 2032/33, the plan's figures unchanged
    assert saving["actuals"] == [{"year": "2032/33", "delivered_pence": 50_000_000}]
    assert saving["profile"] == planned["profile"]
    assert saving["realisation"]["planned"] is True and saving["realisation"]["building_name"] == name
    assert await db["initiatives"].count_documents({"building_id": building_id}) == 1
    rationalisation = {"limit": 500, "programme": "Property rationalisation"}
    made = (await api.get("/v1/initiatives", params=rationalisation)).json()["items"]
    assert not [i for i in made if name in i["title"]]
    assert await outbox(saving["id"]) == [
        "savings.initiative.proposed", "savings.initiative.approved", "savings.initiative.saving_realised",
    ]  # fmt: skip
    report = (await api.get("/v1/reports/themes", params={"years": "2032/33", "programme": saving["programme"]})).json()
    assert report["totals"]["delivered_pence"] == 50_000_000
    assert report["totals"]["planned_pence"] == 600_000_000
    assert await invariants.savings_read_model_matches_initiatives(db) == []


async def test_a_closure_finds_the_plan_that_named_the_building_by_name_and_town(api, deliver, outbox, runtime_of):
    rt = await runtime_of("savings")
    name = unique("County Hall")
    planned = await plan(rt, building_name=f" {name.upper()} ", building_town="Daventry")
    building_id = uuid.uuid4().hex
    assert await deliver(closed(building_id, name, on=date(2031, 9, 30), cost=36_600_000)) == "applied"
    [saving] = await savings_for(api, building_id)
    assert saving["id"] == planned["id"] and saving["building_id"] == building_id
    # 30 September 2031: 183 of 2031/32's 366 days come after it (29 February 2032), the rest in 2032/33
    part = 36_600_000 * 183 // 366
    assert saving["actuals"] == [
        {"year": "2031/32", "delivered_pence": part}, {"year": "2032/33", "delivered_pence": 36_600_000 - part},
    ]  # fmt: skip
    assert (await outbox(saving["id"]))[-1] == "savings.initiative.saving_realised"


async def test_a_building_is_named_by_one_initiative_only(runtime_of):
    rt = await runtime_of("savings")
    building_id = uuid.uuid4().hex
    first = await plan(rt, building_id=building_id)
    with pytest.raises(Refused) as refused:
        await plan(rt, building_id=building_id)
    assert refused.value.extra["initiative_id"] == first["id"]


async def test_the_create_route_names_a_building_when_the_api_carries_it(api, deliver):
    building_id = uuid.uuid4().hex
    body = {
        "title": unique("Office estate"), "directorate": unique("Place"), "theme": "redesign_reorganisation",
        "category": "transformation", "profile": [{"year": "2033/34", "planned_pence": 1_000}],
        "building_id": building_id,
    }  # fmt: skip
    created = await api.post("/v1/initiatives", json=body)
    assert created.status_code == 201 and created.json()["building_id"] == building_id
    clash = await api.post("/v1/initiatives", json={**body, "title": unique("Another")})
    assert clash.status_code == 409 and clash.json()["initiative_id"] == created.json()["id"]
