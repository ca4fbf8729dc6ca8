"""Buildings over HTTP: registration, listing, amendments, the lifecycle and its events."""

from __future__ import annotations

import re

import pytest

from tests.conftest import first_version, unique

pytestmark = pytest.mark.integration


async def test_register_a_building(api, db):
    body = {
        "name": unique("The Abbey Centre"),
        "town": "Daventry",
        "kind": "locality_hub",
        "desks": 90,
        "tenure": "freehold",
        "annual_running_cost_pence": 26_000_000,
        "annual_utility_cost_pence": 7_000_000,
        "annual_carbon_kg": 95_000,
        "floor_area_m2": 2100,
        "partners": [{"name": "Voluntary group", "annual_rent_pence": 1_200_000}],
        "energy_measures": [
            {"kind": "led", "expected_annual_saving_pence": 300_000, "expected_carbon_saving_kg": 2_000}
        ],
        "notes": "illustrative",
    }
    created = first_version(await api.post("/v1/buildings", json=body))
    assert created["status"] == "operational" and created["version"] == 1
    assert created["partners"] == body["partners"]
    assert "_name_key" not in created
    fetched = await api.get(f"/v1/buildings/{created['id']}")
    assert fetched.status_code == 200 and fetched.json()["name"] == body["name"]
    assert await db["buildings"].count_documents({"_id": created["id"]}) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"desks": -1}, "desks"),
        ({"annual_running_cost_pence": -100}, "annual_running_cost_pence"),
        ({"annual_carbon_kg": -1}, "annual_carbon_kg"),
        ({"kind": "castle"}, "kind"),
        ({"tenure": "borrowed"}, "tenure"),
        ({"annual_utility_cost_pence": 50_000_001}, "annual_utility_cost_pence"),
        ({"partners": [{"name": "X", "annual_rent_pence": -1}]}, "partners.0.annual_rent_pence"),
        ({"desks": "many"}, "desks"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
async def test_a_bad_building_is_refused_and_nothing_is_stored(api, db, change, field):
    name = unique("Bad House")
    body = {
        "name": name,
        "town": "Towcester",
        "kind": "office",
        "desks": 10,
        "tenure": "freehold",
        "annual_running_cost_pence": 50_000_000,
        "annual_carbon_kg": 1,
        **change,
    }
    response = await api.post("/v1/buildings", json=body)
    assert response.status_code == 422
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert problem["status"] == 422 and problem["title"]
    assert field in [e["field"] for e in problem["errors"]]
    assert await db["buildings"].count_documents({"name": name}) == 0


async def test_malformed_json_is_400(api):
    response = await api.post(
        "/v1/buildings", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400


async def test_the_same_building_twice_is_refused(api, new_building, db):
    first = await new_building()
    again = await api.post(
        "/v1/buildings",
        json={
            "name": first["name"].upper(),
            "town": "northampton",
            "kind": "office",
            "desks": 1,
            "tenure": "freehold",
            "annual_running_cost_pence": 1,
            "annual_carbon_kg": 1,
        },
    )
    assert again.status_code == 409
    assert again.json()["building_id"] == first["id"]
    same = {"name": {"$regex": f"^{re.escape(first['name'])}$", "$options": "i"}}
    assert await db["buildings"].count_documents(same) == 1


async def test_unknown_building_is_404(api):
    response = await api.get("/v1/buildings/nope")
    assert response.status_code == 404
    assert response.json()["status"] == 404
    transition = await api.post("/v1/buildings/nope/transitions", json={"to": "closed"})
    assert transition.status_code == 404


async def test_list_is_paginated_and_filtered(api, new_building):
    town = unique("Pagetown")
    ids = [(await new_building(town=town))["id"] for _ in range(3)]
    seen, cursor = [], None
    while True:
        params = {"town": town, "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await api.get("/v1/buildings", params=params)).json()
        seen += [b["id"] for b in page["items"]]
        assert len(page["items"]) <= 2
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids
    assert (await api.get("/v1/buildings", params={"limit": 501})).status_code == 422


async def test_amend_with_if_match(api, new_building, db):
    b = await new_building()
    stale = await api.patch(f"/v1/buildings/{b['id']}", json={"desks": 80}, headers={"If-Match": '"7"'})
    assert stale.status_code == 412
    assert (await db["buildings"].find_one({"_id": b["id"]}))["desks"] == 100
    ok = await api.patch(f"/v1/buildings/{b['id']}", json={"desks": 80}, headers={"If-Match": '"1"'})
    assert ok.status_code == 200 and ok.headers["ETag"] == '"2"'
    assert ok.json()["desks"] == 80
    bad = await api.patch(f"/v1/buildings/{b['id']}", json={"desks": -2})
    assert bad.status_code == 422
    lifecycle = await api.patch(f"/v1/buildings/{b['id']}", json={"status": "closed"})
    assert lifecycle.status_code == 422
    doc = await db["buildings"].find_one({"_id": b["id"]})
    assert (doc["desks"], doc["status"], doc["version"]) == (80, "operational", 2)


async def test_the_lifecycle_from_operational_to_disposed_publishes_its_events(
    api, new_building, new_team, outbox, broker_events
):
    b = await new_building(annual_running_cost_pence=50_000_000, annual_carbon_kg=185_000)
    team = await new_team(b["id"], directorate="Place", fixed=3)
    url = f"/v1/buildings/{b['id']}/transitions"

    planned = await api.post(url, json={"to": "closure_planned", "on": "2023-03-31"})
    assert planned.status_code == 200 and planned.json()["closure_date"] == "2023-03-31"

    # a team is still there: closing is refused, naming it, and nothing changes
    refused = await api.post(url, json={"to": "closed", "on": "2023-03-31"})
    assert refused.status_code == 409
    assert refused.json()["teams"] == [team["name"]]
    assert team["name"] in refused.json()["detail"]
    assert (await api.get(f"/v1/buildings/{b['id']}")).json()["status"] == "closure_planned"
    assert await outbox(b["id"]) == ["property.building.closure_planned"]

    other = await new_building(desks=50)
    move = (
        await api.post(
            "/v1/moves",
            json={"team_id": team["id"], "to_building_id": other["id"], "planned_for": "2023-03-01"},
        )
    ).json()
    done = await api.post(f"/v1/moves/{move['id']}/transitions", json={"to": "completed", "on": "2023-03-02"})
    assert done.status_code == 200

    closed = await api.post(url, json={"to": "closed", "on": "2023-03-31"}, headers={"If-Match": '"2"'})
    assert closed.status_code == 200, closed.text
    assert closed.json()["closed_on"] == "2023-03-31" and closed.headers["ETag"] == '"3"'
    assert (await api.post(url, json={"to": "for_disposal"})).status_code == 200
    disposed = await api.post(
        url, json={"to": "disposed", "on": "2024-06-30", "method": "sale", "receipt_pence": 120_000_000}
    )
    assert disposed.status_code == 200 and disposed.json()["status"] == "disposed"
    assert await outbox(b["id"]) == [
        "property.building.closure_planned",
        "property.building.closed",
        "property.building.disposed",
    ]

    (closure,) = await broker_events("property.building.closure_planned", b["id"])
    assert closure["data"]["teams"] == [{"team_id": team["id"], "name": team["name"], "directorate": "Place"}]
    assert closure["data"]["closure_date"] == "2023-03-31"
    (closed_event,) = await broker_events("property.building.closed", b["id"])
    assert closed_event["data"] == {
        "building_id": b["id"],
        "name": b["name"],
        "town": "Northampton",
        "closed_on": "2023-03-31",
        "annual_running_cost_pence": 50_000_000,
        "annual_carbon_kg": 185_000,
    }
    assert closed_event["specversion"] == "1.0" and closed_event["source"]
    (sold,) = await broker_events("property.building.disposed", b["id"])
    assert (sold["data"]["method"], sold["data"]["receipt_pence"]) == ("sale", 120_000_000)
    assert sold["data"]["disposed_on"] == "2024-06-30"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"to": "disposed", "method": "sale", "receipt_pence": 1}, 409),  # out of order
        ({"to": "closed"}, 409),  # not planned first
        ({"to": "for_disposal"}, 409),
        ({"to": "closure_planned"}, 422),  # no date
        ({"to": "demolished"}, 422),
        ({"to": "closure_planned", "on": "2023-02-30"}, 422),
    ],
)
async def test_refused_transitions_change_nothing(api, new_building, db, outbox, body, status):
    b = await new_building()
    response = await api.post(f"/v1/buildings/{b['id']}/transitions", json=body)
    assert response.status_code == status
    assert response.json()["status"] == status and response.json()["detail"]
    doc = await db["buildings"].find_one({"_id": b["id"]})
    assert (doc["status"], doc["version"]) == ("operational", 1)
    assert await outbox(b["id"]) == []


async def test_disposal_needs_method_and_receipt(api, new_building, db, outbox):
    b = await new_building()
    url = f"/v1/buildings/{b['id']}/transitions"
    await api.post(url, json={"to": "closure_planned", "on": "2023-01-31"})
    await api.post(url, json={"to": "closed", "on": "2023-01-31"})
    await api.post(url, json={"to": "for_disposal"})
    response = await api.post(url, json={"to": "disposed", "method": "gift", "receipt_pence": -1})
    assert response.status_code == 422
    # the OpenAPI states both rules (method one of the domain's DISPOSAL_METHODS, receipt not negative), so
    # the request is refused at the edge, each broken field named, before the domain runs
    errors = response.json()["errors"]
    assert {e["field"] for e in errors} == {"method", "receipt_pence"}
    assert all(e["in"] == "body" for e in errors)
    assert "'sale', 'lease' or 'transfer'" in next(e["message"] for e in errors if e["field"] == "method")
    assert (await db["buildings"].find_one({"_id": b["id"]}))["status"] == "for_disposal"
    assert "property.building.disposed" not in await outbox(b["id"])


async def test_market_engagement_then_disposal_counts_as_closing(api, new_building, outbox):
    b = await new_building(name=unique("County Hall"))
    url = f"/v1/buildings/{b['id']}/transitions"
    assert (await api.post(url, json={"to": "market_engagement", "on": "2023-04-17"})).status_code == 200
    response = await api.post(url, json={"to": "for_disposal", "on": "2023-09-01"})
    assert response.status_code == 200 and response.json()["closed_on"] == "2023-09-01"
    assert await outbox(b["id"]) == ["property.building.closed"]


async def test_scopes_are_checked(service_client, new_building):
    b = await new_building()
    reader = await service_client("property", scopes="property:read")
    assert (await reader.get(f"/v1/buildings/{b['id']}")).status_code == 200
    response = await reader.post(f"/v1/buildings/{b['id']}/transitions", json={"to": "market_engagement"})
    assert response.status_code == 403
    other = await service_client("property", scopes="savings:read")
    assert (await other.get("/v1/summary")).status_code == 403
    anonymous = await service_client("property", scopes="property:read")
    anonymous.headers.pop("Authorization", None)
    assert (await anonymous.get("/v1/buildings")).status_code == 401
