"""Occupancy readings, bulk imports, utilisation and the under-use review over HTTP."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

pytestmark = pytest.mark.integration

YESTERDAY = date.today() - timedelta(days=1)


async def test_record_and_correct_a_reading(api, new_building, db):
    b = await new_building(desks=50)
    url = f"/v1/buildings/{b['id']}/occupancy"
    first = await api.post(url, json={"date": "2023-05-02", "occupied_desks": 20})
    assert first.status_code == 201
    assert first.json() | {"created_at": None, "updated_at": None} == {
        "id": f"{b['id']}:2023-05-02",
        "building_id": b["id"],
        "date": "2023-05-02",
        "occupied_desks": 20,
        "desks": 50,
        "version": 1,
        "created_at": None,
        "updated_at": None,
    }
    corrected = await api.post(url, json={"date": "2023-05-02", "occupied_desks": 25})
    assert corrected.status_code == 200 and corrected.json()["version"] == 2
    assert await db["occupancy"].count_documents({"building_id": b["id"]}) == 1
    month = await db["occupancy_months"].find_one({"_id": f"{b['id']}:2023-05"})
    assert month["days"] == {"02": [25, 50]}
    listed = (await api.get(url, params={"from": "2023-05-01", "to": "2023-05-31"})).json()
    assert [r["occupied_desks"] for r in listed["items"]] == [25]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"date": "2023-05-02", "occupied_desks": 51}, "occupied_desks"),  # above capacity
        ({"date": "2023-05-02", "occupied_desks": -1}, "occupied_desks"),
        ({"date": (date.today() + timedelta(days=2)).isoformat(), "occupied_desks": 1}, "date"),
        ({"date": "not a date", "occupied_desks": 1}, "date"),
        ({"occupied_desks": 1}, "date"),
    ],
)
async def test_bad_readings_are_refused_and_nothing_is_stored(api, new_building, db, body, field):
    b = await new_building(desks=50)
    response = await api.post(f"/v1/buildings/{b['id']}/occupancy", json=body)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert await db["occupancy"].count_documents({"building_id": b["id"]}) == 0
    assert await db["occupancy_months"].count_documents({"building_id": b["id"]}) == 0


async def test_a_reading_for_an_unknown_building_is_404(api):
    response = await api.post(
        "/v1/buildings/nowhere/occupancy", json={"date": "2023-05-02", "occupied_desks": 1}
    )
    assert response.status_code == 404


async def test_utilisation_against_hand_computed_figures(api, new_building):
    b = await new_building(desks=50)
    # ten working days at 5, 10, ..., 50 occupied desks: 10% .. 100%
    days = [
        date(2023, 6, 1) + timedelta(days=i)
        for i in range(14)
        if (date(2023, 6, 1) + timedelta(days=i)).weekday() < 5
    ]
    rows = [
        {"building_id": b["id"], "date": d.isoformat(), "occupied_desks": 5 * (i + 1)}
        for i, d in enumerate(days)
    ]
    imported = await api.post("/v1/occupancy/import", json=rows)
    assert imported.status_code == 200, imported.text
    assert imported.json()["imported"] == 10 and imported.json()["created"] == 10
    u = (
        await api.get(
            f"/v1/buildings/{b['id']}/utilisation", params={"from": "2023-06-01", "to": "2023-06-30"}
        )
    ).json()
    assert (u["days"], u["mean"], u["peak"], u["p90"]) == (10, 0.55, 1.0, 0.9)
    assert (u["peak_occupied_desks"], u["under_used"], u["threshold"]) == (50, False, 0.4)
    # the first three days only: 10%, 20%, 30% -> under-used at the default threshold
    part = (
        await api.get(
            f"/v1/buildings/{b['id']}/utilisation", params={"from": "2023-06-01", "to": days[2].isoformat()}
        )
    ).json()
    assert (part["days"], part["mean"], part["under_used"]) == (3, 0.2, True)
    strict = (
        await api.get(
            f"/v1/buildings/{b['id']}/utilisation",
            params={"from": "2023-06-01", "to": "2023-06-30", "threshold": 0.6},
        )
    ).json()
    assert strict["under_used"] is True
    backwards = await api.get(
        f"/v1/buildings/{b['id']}/utilisation", params={"from": "2023-06-30", "to": "2023-06-01"}
    )
    assert backwards.status_code == 422
    assert (await api.get("/v1/buildings/nowhere/utilisation")).status_code == 404


async def test_csv_import_as_a_body_and_as_an_upload(api, new_building, db):
    a = await new_building(desks=10)
    b = await new_building(desks=20)
    text = f"building_id,date,occupied_desks\n{a['id']},2023-07-03,4\n{b['id']},2023-07-03,15\n"
    response = await api.post(
        "/v1/occupancy/import", content=text.encode(), headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 200, response.text
    assert response.json() | {} == {
        "imported": 2,
        "created": 2,
        "replaced": 0,
        "buildings": 2,
        "from": "2023-07-03",
        "to": "2023-07-03",
    }
    upload = f"building_id,date,occupied_desks\n{a['id']},2023-07-03,5\n{a['id']},2023-07-04,6\n"
    response = await api.post(
        "/v1/occupancy/import", files={"file": ("july.csv", upload.encode(), "text/csv")}
    )
    assert response.status_code == 200, response.text
    assert (response.json()["created"], response.json()["replaced"]) == (1, 1)
    doc = await db["occupancy"].find_one({"_id": f"{a['id']}:2023-07-03"})
    assert doc["occupied_desks"] == 5


async def test_a_csv_with_bad_rows_imports_nothing_and_lists_every_bad_line(api, new_building, db):
    b = await new_building(desks=10)
    future = (date.today() + timedelta(days=3)).isoformat()
    text = "\n".join(
        [
            "building_id,date,occupied_desks",
            f"{b['id']},2023-07-03,4",
            f"{b['id']},2023-07-04,11",
            "unknown-building,2023-07-04,1",
            f"{b['id']},{future},1",
            f"{b['id']},2023-07-05,4",
            f"{b['id']},2023-07-03,3",
        ]
    )
    response = await api.post(
        "/v1/occupancy/import", content=text.encode(), headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["bad_lines"] == [3, 4, 5, 7]
    assert {(e["line"], e["field"]) for e in problem["errors"]} == {
        (3, "occupied_desks"),
        (4, "building_id"),
        (5, "date"),
        (7, "date"),
    }
    assert await db["occupancy"].count_documents({"building_id": b["id"]}) == 0
    assert await db["occupancy_months"].count_documents({"building_id": b["id"]}) == 0


async def test_imports_in_other_shapes_are_refused(api):
    no_header = await api.post(
        "/v1/occupancy/import", content=b"a,b\n1,2\n", headers={"Content-Type": "text/csv"}
    )
    assert no_header.status_code == 422
    wrong_type = await api.post(
        "/v1/occupancy/import", content=b"<xml/>", headers={"Content-Type": "application/xml"}
    )
    assert wrong_type.status_code == 415
    not_a_list = await api.post("/v1/occupancy/import", json={"readings": "none"})
    assert not_a_list.status_code == 422
    broken = await api.post(
        "/v1/occupancy/import", content=b"[{", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 400


async def test_the_under_use_review_reports_each_building_once_per_period(
    api, new_building, db, outbox, broker_events
):
    quiet = await new_building(desks=100)
    busy = await new_building(desks=100)
    day = YESTERDAY - timedelta(days=400)  # a period no other test reads
    rows = [
        {"building_id": quiet["id"], "date": day.isoformat(), "occupied_desks": 10},
        {"building_id": busy["id"], "date": day.isoformat(), "occupied_desks": 90},
    ]
    assert (await api.post("/v1/occupancy/import", json=rows)).status_code == 200
    period = {"from": day.isoformat(), "to": day.isoformat()}
    first = await api.post("/v1/utilisation-reviews", json=period)
    assert first.status_code == 200, first.text
    found = {u["building_id"] for u in first.json()["under_used"]}
    assert quiet["id"] in found and busy["id"] not in found
    again = await api.post("/v1/utilisation-reviews", json=period)
    assert again.status_code == 200
    assert quiet["id"] in {u["building_id"] for u in again.json()["under_used"]}
    assert await outbox(quiet["id"]) == ["property.building.low_utilisation_detected"]
    assert await outbox(busy["id"]) == []
    (event,) = await broker_events("property.building.low_utilisation_detected", quiet["id"])
    assert event["data"]["mean_utilisation"] == 0.1 and event["data"]["threshold"] == 0.4
    assert event["data"]["period_from"] == day.isoformat()

    unfinished = await api.post(
        "/v1/utilisation-reviews", json={"from": day.isoformat(), "to": date.today().isoformat()}
    )
    assert unfinished.status_code == 422


async def test_the_threshold_is_configurable(api):
    current = await api.get("/v1/utilisation-settings")
    assert current.status_code == 200
    bad = await api.put("/v1/utilisation-settings", json={"threshold": 1.5})
    assert bad.status_code == 422
    stale = await api.put("/v1/utilisation-settings", json={"threshold": 0.4}, headers={"If-Match": '"999"'})
    assert stale.status_code == 412
    ok = await api.put("/v1/utilisation-settings", json={"threshold": 0.4})
    assert ok.status_code == 200 and ok.json()["threshold"] == 0.4
