"""Teams, desk ratios and moves over HTTP."""

from __future__ import annotations

import pytest

from tests.conftest import first_version, unique

pytestmark = pytest.mark.integration


async def test_create_and_amend_a_team(api, new_building, db):
    b = await new_building()
    body = {
        "name": "Planning",
        "directorate": "Place",
        "building_id": b["id"],
        "workforce": {"fixed": 20, "part_flexible": 40, "flexible": 30, "field": 10},
    }
    team = first_version(await api.post("/v1/teams", json=body))
    assert team["workforce"] == body["workforce"] and team["building_id"] == b["id"]
    listed = (await api.get("/v1/teams", params={"building_id": b["id"]})).json()["items"]
    assert [t["id"] for t in listed] == [team["id"]]
    stale = await api.patch(f"/v1/teams/{team['id']}", json={"name": "X"}, headers={"If-Match": '"5"'})
    assert stale.status_code == 412
    changed = await api.patch(
        f"/v1/teams/{team['id']}", json={"workforce": {"fixed": 1}}, headers={"If-Match": '"1"'}
    )
    assert changed.status_code == 200 and changed.json()["workforce"]["fixed"] == 1
    moved = await api.patch(f"/v1/teams/{team['id']}", json={"building_id": "elsewhere"})
    assert moved.status_code == 422  # the home building changes only by a move
    assert (await db["teams"].find_one({"_id": team["id"]}))["building_id"] == b["id"]
    assert (await api.get("/v1/teams/nobody")).status_code == 404


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"building_id": "no-such-building"}, 422, "building_id"),
        ({"workforce": {"fixed": -3}}, 422, "workforce.fixed"),
        ({"workforce": {}}, 422, "workforce"),
        ({"name": " "}, 422, "name"),
    ],
)
async def test_bad_teams_are_refused_and_nothing_is_stored(api, new_building, db, change, status, field):
    b = await new_building()
    body = {
        "name": "Doomed",
        "directorate": "Nowhere-" + b["id"],
        "building_id": b["id"],
        "workforce": {"fixed": 1},
        **change,
    }
    response = await api.post("/v1/teams", json=body)
    assert response.status_code == status
    assert field in [e["field"] for e in response.json()["errors"]]
    assert await db["teams"].count_documents({"directorate": "Nowhere-" + b["id"]}) == 0


async def test_no_team_can_be_based_in_a_closed_building(api, new_building, db):
    b = await new_building()
    url = f"/v1/buildings/{b['id']}/transitions"
    await api.post(url, json={"to": "closure_planned", "on": "2023-01-31"})
    await api.post(url, json={"to": "closed", "on": "2023-01-31"})
    response = await api.post(
        "/v1/teams",
        json={"name": "Late", "directorate": "Place", "building_id": b["id"], "workforce": {"fixed": 1}},
    )
    assert response.status_code == 409
    assert await db["teams"].count_documents({"building_id": b["id"]}) == 0


async def test_desk_ratios_are_configurable(api):
    current = await api.get("/v1/desk-ratios")
    assert current.status_code == 200
    bad = await api.put(
        "/v1/desk-ratios", json={"fixed": 1.5, "part_flexible": 0.6, "flexible": 0.3, "field": 0.1}
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "fixed"
    missing = await api.put("/v1/desk-ratios", json={"fixed": 1})
    assert missing.status_code == 422
    stale = await api.put(
        "/v1/desk-ratios",
        json={"fixed": 1.0, "part_flexible": 0.6, "flexible": 0.3, "field": 0.1},
        headers={"If-Match": '"999"'},
    )
    assert stale.status_code == 412
    ok = await api.put(
        "/v1/desk-ratios", json={"fixed": 1.0, "part_flexible": 0.6, "flexible": 0.3, "field": 0.1}
    )
    assert ok.status_code == 200 and ok.json()["part_flexible"] == 0.6
    assert (await api.get("/v1/desk-ratios")).json()["version"] == ok.json()["version"]


async def test_plan_and_complete_a_move(api, new_building, new_team, db, outbox, broker_events):
    source = await new_building(name=unique("Lodge Road"), desks=50)
    destination = await new_building(desks=40)
    team = await new_team(source["id"], directorate="Place", fixed=20, part_flexible=10)  # 20 + 6 = 26 desks
    planned = await api.post(
        "/v1/moves",
        json={"team_id": team["id"], "to_building_id": destination["id"], "planned_for": "2023-09-01"},
    )
    assert planned.status_code == 201, planned.text
    move = planned.json()
    assert (move["status"], move["from_building_id"], move["team_name"]) == (
        "planned",
        source["id"],
        team["name"],
    )
    assert (await api.get(f"/v1/moves/{move['id']}")).status_code == 200

    # a second team of 15 desks would need 26 + 15 = 41 of 40: refused with the numbers
    other = await new_team(source["id"], fixed=15)
    refused = await api.post(
        "/v1/moves",
        json={"team_id": other["id"], "to_building_id": destination["id"], "planned_for": "2023-09-01"},
    )
    assert refused.status_code == 409
    assert (refused.json()["needed"], refused.json()["available"]) == (41, 40)
    assert await db["moves"].count_documents({"team_id": other["id"]}) == 0
    assert await outbox(destination["id"]) == []

    twice = await api.post(
        "/v1/moves",
        json={"team_id": team["id"], "to_building_id": destination["id"], "planned_for": "2023-10-01"},
    )
    assert twice.status_code == 409  # already based there once the first completes; planned move pending now

    done = await api.post(f"/v1/moves/{move['id']}/transitions", json={"to": "completed", "on": "2023-09-04"})
    assert done.status_code == 200 and done.json()["status"] == "completed"
    assert (await api.get(f"/v1/teams/{team['id']}")).json()["building_id"] == destination["id"]
    again = await api.post(f"/v1/moves/{move['id']}/transitions", json={"to": "cancelled"})
    assert again.status_code == 409
    assert await outbox(move["id"]) == ["property.move.planned", "property.move.completed"]
    (completed,) = await broker_events("property.move.completed", move["id"])
    assert completed["data"]["completed_on"] == "2023-09-04"
    assert completed["data"]["from_building_name"] == source["name"]
    assert completed["data"]["to_building_id"] == destination["id"]
    (planned_event,) = await broker_events("property.move.planned", move["id"])
    assert planned_event["data"]["planned_for"] == "2023-09-01"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"team_id": "nobody"}, "team_id"),
        ({"to_building_id": "nowhere"}, "to_building_id"),
        ({"planned_for": "soon"}, "planned_for"),
    ],
)
async def test_moves_with_bad_references_are_422(api, new_building, new_team, db, body, field):
    a = await new_building()
    b = await new_building()
    team = await new_team(a["id"])
    full = {"team_id": team["id"], "to_building_id": b["id"], "planned_for": "2023-09-01", **body}
    response = await api.post("/v1/moves", json=full)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert await db["moves"].count_documents({"team_id": team["id"]}) == 0


async def test_moving_into_a_closing_building_or_the_same_one_is_refused(api, new_building, new_team, db):
    a = await new_building()
    closing = await new_building()
    await api.post(
        f"/v1/buildings/{closing['id']}/transitions", json={"to": "closure_planned", "on": "2030-01-01"}
    )
    team = await new_team(a["id"])
    for destination in (closing["id"], a["id"]):
        response = await api.post(
            "/v1/moves",
            json={"team_id": team["id"], "to_building_id": destination, "planned_for": "2023-09-01"},
        )
        assert response.status_code == 409
    assert await db["moves"].count_documents({"team_id": team["id"]}) == 0


async def test_a_cancelled_move_leaves_the_team_and_frees_the_desks(api, new_building, new_team, db):
    a = await new_building()
    b = await new_building(desks=10)
    t1 = await new_team(a["id"], fixed=10)
    t2 = await new_team(a["id"], fixed=10)
    m1 = (
        await api.post(
            "/v1/moves", json={"team_id": t1["id"], "to_building_id": b["id"], "planned_for": "2023-09-01"}
        )
    ).json()
    blocked = await api.post(
        "/v1/moves", json={"team_id": t2["id"], "to_building_id": b["id"], "planned_for": "2023-09-01"}
    )
    assert blocked.status_code == 409
    stale = await api.post(
        f"/v1/moves/{m1['id']}/transitions", json={"to": "cancelled"}, headers={"If-Match": '"9"'}
    )
    assert stale.status_code == 412
    cancelled = await api.post(f"/v1/moves/{m1['id']}/transitions", json={"to": "cancelled"})
    assert cancelled.status_code == 200
    assert (await db["teams"].find_one({"_id": t1["id"]}))["building_id"] == a["id"]
    freed = await api.post(
        "/v1/moves", json={"team_id": t2["id"], "to_building_id": b["id"], "planned_for": "2023-09-01"}
    )
    assert freed.status_code == 201
    listed = (await api.get("/v1/moves", params={"to_building_id": b["id"], "status": "planned"})).json()
    assert [m["team_id"] for m in listed["items"]] == [t2["id"]]
    assert (await api.post("/v1/moves/nope/transitions", json={"to": "completed"})).status_code == 404
