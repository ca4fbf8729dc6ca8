"""The lifecycle over HTTP: approval, delivery, slippage, failure and actuals, with their events."""

from __future__ import annotations

import pytest

from .conftest import snapshot

pytestmark = pytest.mark.integration


async def move(api, initiative_id, **body):
    return await api.post(f"/v1/initiatives/{initiative_id}/transitions", json=body)


async def test_pipeline_to_delivery(api, db, new_initiative, outbox, broker_events):
    created = await new_initiative()
    approved = await move(api, created["id"], to="approved", reason="Star Chamber, May")
    assert approved.status_code == 200 and approved.headers["ETag"] == '"2"'
    assert approved.json()["approved_by"] and approved.json()["approved_on"]
    assert (await move(api, created["id"], to="in_delivery")).status_code == 200
    actual = await api.post(
        f"/v1/initiatives/{created['id']}/actuals", json={"year": "2030/31", "delivered_pence": 900_000}
    )
    assert actual.status_code == 200
    assert actual.json()["actuals"] == [{"year": "2030/31", "delivered_pence": 900_000}]
    await api.post(f"/v1/initiatives/{created['id']}/actuals", json={"year": "2031/32", "delivered_pence": 0})
    delivered = await move(api, created["id"], to="delivered")
    assert delivered.status_code == 200 and delivered.json()["status"] == "delivered"
    assert [h.get("to") for h in delivered.json()["history"] if h["kind"] == "status"] == [
        "proposed", "approved", "in_delivery", "delivered",
    ]  # fmt: skip
    assert await outbox(created["id"]) == [
        "savings.initiative.proposed", "savings.initiative.approved", "savings.initiative.delivered",
    ]  # fmt: skip
    events = await broker_events("savings.initiative.delivered", created["id"])
    assert events and events[0]["data"]["delivered_pence"] == 900_000
    assert events[0]["data"]["building_id"] is None


async def test_approval_needs_the_approve_scope(writer, db, new_initiative, outbox):
    created = await new_initiative()
    before = await snapshot(db, created["id"])
    response = await move(writer, created["id"], to="approved")
    assert response.status_code == 403
    assert "savings:approve" in response.json()["detail"]
    assert await snapshot(db, created["id"]) == before
    assert await outbox(created["id"]) == ["savings.initiative.proposed"]


@pytest.mark.parametrize(
    ("steps", "to"),
    [
        ((), "in_delivery"),
        ((), "delivered"),
        ((), "slipped"),
        ((), "undeliverable"),
        (("approved",), "approved"),
        (("approved",), "delivered"),
        (("approved",), "proposed"),
        (("approved", "in_delivery"), "approved"),
        (("approved", "in_delivery", "delivered"), "in_delivery"),
        (("approved", "in_delivery", "delivered"), "undeliverable"),
        (("approved", "undeliverable"), "in_delivery"),
    ],
)
async def test_disallowed_moves_are_refused_and_change_nothing(api, db, new_initiative, outbox, steps, to):
    created = await new_initiative(*steps)
    before = await snapshot(db, created["id"])
    emitted = await outbox(created["id"])
    response = await move(api, created["id"], to=to, reason="why not", to_year="2033/34")
    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["status"] == 409 and created["status"] in problem["detail"]
    assert problem["current_status"] == created["status"]
    assert await snapshot(db, created["id"]) == before
    assert await outbox(created["id"]) == emitted


async def test_an_unknown_status_is_invalid(api, db, new_initiative):
    created = await new_initiative()
    response = await move(api, created["id"], to="cancelled")
    assert response.status_code == 422
    assert (await snapshot(db, created["id"]))["status"] == "proposed"


async def test_slipping_moves_the_unmet_part_to_a_later_year(api, db, new_initiative, outbox, broker_events):
    created = await new_initiative("approved", "in_delivery")
    await api.post(
        f"/v1/initiatives/{created['id']}/actuals", json={"year": "2030/31", "delivered_pence": 600_000}
    )
    response = await move(api, created["id"], to="slipped", to_year="2032/33", reason="a profile issue")
    assert response.status_code == 200, response.text
    slipped = response.json()
    assert slipped["status"] == "slipped"
    assert slipped["profile"] == [
        {"year": "2030/31", "planned_pence": 600_000},
        {"year": "2031/32", "planned_pence": 500_000},
        {"year": "2032/33", "planned_pence": 400_000},
    ]
    assert slipped["planned_pence"] == 1_500_000
    assert slipped["slippages"][0]["amount_pence"] == 400_000
    assert await outbox(created["id"]) == [
        "savings.initiative.proposed", "savings.initiative.approved", "savings.initiative.slipped",
    ]  # fmt: skip
    event = (await broker_events("savings.initiative.slipped", created["id"]))[0]["data"]
    assert (event["from_year"], event["to_year"], event["amount_pence"]) == ("2030/31", "2032/33", 400_000)
    # a slipped initiative goes on being delivered
    assert (await move(api, created["id"], to="in_delivery")).status_code == 200


@pytest.mark.parametrize(
    ("slip", "status"),
    [
        ({}, 422),  # to which year?
        ({"to_year": "2032/34"}, 422),
        ({"to_year": "2030/31"}, 409),  # nothing before 2030/31
        ({"to_year": "2030/31", "from_year": "2031/32"}, 409),  # backwards
        ({"to_year": "2035/36", "from_year": "2029/30"}, 409),  # not in the profile
    ],
)
async def test_bad_slips_change_nothing(api, db, new_initiative, outbox, slip, status):
    created = await new_initiative("approved", "in_delivery")
    before = await snapshot(db, created["id"])
    response = await move(api, created["id"], to="slipped", **slip)
    assert response.status_code == status, response.text
    assert await snapshot(db, created["id"]) == before
    assert "savings.initiative.slipped" not in await outbox(created["id"])


async def test_undeliverable_needs_a_reason(api, db, new_initiative, outbox, broker_events):
    created = await new_initiative("approved")
    missing = await move(api, created["id"], to="undeliverable")
    assert missing.status_code == 422
    assert "reason" in [e["field"] for e in missing.json()["errors"]]
    assert (await snapshot(db, created["id"]))["status"] == "approved"
    response = await move(api, created["id"], to="undeliverable", reason="demand outstripped the saving")
    assert response.status_code == 200
    assert response.json()["undeliverable_reason"] == "demand outstripped the saving"
    event = (await broker_events("savings.initiative.marked_undeliverable", created["id"]))[0]
    assert event["data"]["reason"] == "demand outstripped the saving"


@pytest.mark.parametrize(
    ("actual", "status", "field"),
    [
        ({"year": "2029/30", "delivered_pence": 1}, 422, "year"),  # outside the profile
        ({"year": "2030/32", "delivered_pence": 1}, 422, "year"),
        ({"year": "2030/31", "delivered_pence": -1}, 422, "delivered_pence"),
        ({"year": "2030/31", "delivered_pence": 2.5}, 422, "delivered_pence"),
        ({"year": "2030/31"}, 422, "delivered_pence"),
    ],
)
async def test_bad_actuals_change_nothing(api, db, new_initiative, actual, status, field):
    created = await new_initiative("approved")
    before = await snapshot(db, created["id"])
    response = await api.post(f"/v1/initiatives/{created['id']}/actuals", json=actual)
    assert response.status_code == status
    assert field in [e["field"] for e in response.json()["errors"]]
    assert await snapshot(db, created["id"]) == before


async def test_no_actuals_before_approval(api, db, new_initiative):
    created = await new_initiative()
    response = await api.post(
        f"/v1/initiatives/{created['id']}/actuals", json={"year": "2030/31", "delivered_pence": 1}
    )
    assert response.status_code == 409
    assert (await snapshot(db, created["id"]))["actuals"] == []


async def test_if_match_on_transitions(api, db, new_initiative, outbox):
    created = await new_initiative()
    stale = await api.post(
        f"/v1/initiatives/{created['id']}/transitions", json={"to": "approved"}, headers={"If-Match": '"2"'}
    )
    assert stale.status_code == 412
    assert (await snapshot(db, created["id"]))["status"] == "proposed"
    assert await outbox(created["id"]) == ["savings.initiative.proposed"]
    fresh = await api.post(
        f"/v1/initiatives/{created['id']}/transitions", json={"to": "approved"}, headers={"If-Match": '"1"'}
    )
    assert fresh.status_code == 200 and fresh.headers["ETag"] == '"2"'
    garbled = await api.post(
        f"/v1/initiatives/{created['id']}/actuals",
        json={"year": "2030/31", "delivered_pence": 1},
        headers={"If-Match": "yesterday"},
    )
    assert garbled.status_code == 422
