"""A proposal rejected over HTTP: by savings:approve, with a reason, from proposed only; it publishes
savings.initiative.rejected and leaves the pipeline, the theme report and the target position; the status
counts move. And delivered needs its actuals. Each refusal with the state unchanged and nothing published."""

from __future__ import annotations

import pytest

from bench import invariants
from tests.conftest import unique

from .conftest import snapshot

pytestmark = pytest.mark.integration


async def move(api, initiative_id, **body):
    return await api.post(f"/v1/initiatives/{initiative_id}/transitions", json=body)


async def test_a_rejected_proposal_leaves_the_reports(api, db, new_initiative, outbox, broker_events):
    directorate, programme = unique("Rejections"), unique("Rejected programme")
    await api.put(f"/v1/targets/{programme}", json={"amount_pence": 5_000_000})
    kept = await new_initiative("approved", directorate=directorate, programme=programme)
    proposal = await new_initiative(directorate=directorate, programme=programme)
    themes = {"years": "2030/31,2031/32", "directorate": directorate}
    before = (await api.get("/v1/reports/themes", params=themes)).json()["totals"]["planned_pence"]
    variance = (await api.get("/v1/reports/variance", params=themes)).json()["totals"]
    assert before == 3_000_000 and variance["pipeline_pence"] == 1_500_000
    counts = (await api.get("/v1/summary")).json()["initiatives_by_status"]

    rejected = await move(api, proposal["id"], to="rejected", reason="Duplicates the contracts review")
    assert rejected.status_code == 200, rejected.text
    body = rejected.json()
    assert (body["status"], body["rejection_reason"], body["next_statuses"]) == (
        "rejected", "Duplicates the contracts review", [])  # fmt: skip
    assert body["rejected_by"] and body["rejected_on"]

    assert (await api.get("/v1/reports/themes", params=themes)).json()["totals"]["planned_pence"] == 1_500_000
    after = (await api.get("/v1/reports/variance", params=themes)).json()["totals"]
    assert after["pipeline_pence"] == 0 and after["planned_pence"] == 1_500_000
    position = (await api.get(f"/v1/reports/target/{programme}")).json()
    assert position["pipeline_pence"] == 0 and position["anticipated_pence"] == 1_500_000
    moved = (await api.get("/v1/summary")).json()["initiatives_by_status"]
    assert moved.get("rejected", 0) == counts.get("rejected", 0) + 1
    assert moved.get("proposed", 0) == counts["proposed"] - 1  # a status none is in is not listed
    listed = (await api.get("/v1/initiatives", params={"status": "rejected", "directorate": directorate})).json()
    assert [i["id"] for i in listed["items"]] == [proposal["id"]]
    assert kept["status"] == "approved"

    assert await outbox(proposal["id"]) == ["savings.initiative.proposed", "savings.initiative.rejected"]
    event = (await broker_events("savings.initiative.rejected", proposal["id"]))[0]["data"]
    assert event["reason"] == "Duplicates the contracts review" and event["planned_pence"] == 1_500_000
    assert event["rejected_on"] == body["rejected_on"]
    assert await invariants.savings_read_model_matches_initiatives(db) == []


async def test_rejecting_needs_the_approve_scope(writer, db, new_initiative, outbox):
    proposal = await new_initiative()
    before = await snapshot(db, proposal["id"])
    refused = await move(writer, proposal["id"], to="rejected", reason="no")
    assert refused.status_code == 403 and "savings:approve" in refused.json()["detail"]
    assert await snapshot(db, proposal["id"]) == before
    assert await outbox(proposal["id"]) == ["savings.initiative.proposed"]


@pytest.mark.parametrize("steps", [("approved",), ("approved", "in_delivery"), ("rejected",)])
async def test_only_a_proposal_is_rejected(api, db, new_initiative, outbox, steps):
    initiative = await new_initiative(*steps)
    before, emitted = await snapshot(db, initiative["id"]), await outbox(initiative["id"])
    refused = await move(api, initiative["id"], to="rejected", reason="too late")
    assert refused.status_code == 409 and refused.json()["current_status"] == initiative["status"]
    assert await snapshot(db, initiative["id"]) == before
    assert await outbox(initiative["id"]) == emitted


async def test_rejecting_needs_a_reason(api, db, new_initiative, outbox):
    proposal = await new_initiative()
    refused = await move(api, proposal["id"], to="rejected")
    assert refused.status_code == 422 and [e["field"] for e in refused.json()["errors"]] == ["reason"]
    assert (await snapshot(db, proposal["id"]))["status"] == "proposed"
    assert await outbox(proposal["id"]) == ["savings.initiative.proposed"]


async def test_delivered_needs_its_actuals(api, db, new_initiative, outbox):
    initiative = await new_initiative("approved", "in_delivery")
    url = f"/v1/initiatives/{initiative['id']}"
    await api.post(f"{url}/actuals", json={"year": "2030/31", "delivered_pence": 1_000_000})
    before, emitted = await snapshot(db, initiative["id"]), await outbox(initiative["id"])
    refused = await move(api, initiative["id"], to="delivered")
    assert refused.status_code == 409, refused.text
    assert refused.json()["missing_years"] == ["2031/32"] and "actuals" in refused.json()["detail"]
    assert await snapshot(db, initiative["id"]) == before
    assert await outbox(initiative["id"]) == emitted
    await api.post(f"{url}/actuals", json={"year": "2031/32", "delivered_pence": 250_000})
    delivered = await move(api, initiative["id"], to="delivered")
    assert delivered.status_code == 200 and delivered.json()["delivered_pence"] == 1_250_000
