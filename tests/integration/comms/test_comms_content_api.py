"""Content over HTTP: the workflow, four eyes, sign-offs, scheduling, If-Match, idempotency, pages."""

from __future__ import annotations

import pytest
from civic_comms.content import service

from .conftest import problem, soon, unique

pytestmark = pytest.mark.integration


async def test_create_returns_201_with_etag_and_draft(new_content, author):
    created = await new_content(audience="residents")
    assert created["status"] == "draft" and created["version"] == 1
    assert created["author"] == "amira-comms-officer" and created["audience"] == ["residents"]
    got = await author.get(f"/v1/content/{created['id']}")
    assert got.status_code == 200 and got.headers["etag"] == '"1"'


@pytest.mark.parametrize(
    "body",
    [
        {"channels": ["website", "fax"]},
        {"channels": []},
        {"channels": ["social:"]},
        {"audience": ["aliens"]},
        {"title": "   "},
        {"publish_at": "2026-12-01T09:00:00"},
        {"requires_approval_by": "The Board!"},
        {"campaign_id": "no-such-campaign"},
    ],
)
async def test_bad_content_is_refused_and_nothing_is_stored(author, db, body):
    full = {"title": unique("Bad"), "body": "x", "channels": ["website"], "audience": "residents", **body}
    before = await db["content"].count_documents({})
    response = await author.post("/v1/content", json=full)
    assert problem(response, 422)["errors"]
    assert await db["content"].count_documents({}) == before


async def test_malformed_json_and_missing_token(author, service_client):
    response = await author.post(
        "/v1/content", content=b"{not json", headers={"content-type": "application/json"}
    )
    problem(response, 400)
    nobody = await service_client("comms", scopes="savings:read", sub="x")
    assert (await nobody.get("/v1/content")).status_code == 403


async def test_full_workflow_with_events(new_content, author, approver, move, outbox):
    content = await new_content()
    cid = content["id"]
    assert (await move(author, cid, "in_review")).status_code == 200
    approved = await move(approver, cid, "approved")
    assert approved.status_code == 200 and approved.json()["approved_by"] == "ben-head-of-comms"
    published = await move(author, cid, "published")
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert await outbox(cid) == ["comms.content.approved", "comms.content.published"]


async def test_author_cannot_approve_own_content(new_content, author, move, outbox, db):
    content = await new_content()
    await move(author, content["id"], "in_review")
    body = problem(await move(author, content["id"], "approved"), 403)
    assert "someone else" in body["detail"]
    doc = await db["content"].find_one({"_id": content["id"]})
    assert doc["status"] == "in_review" and doc["version"] == 2
    assert await outbox(content["id"]) == []


async def test_approval_needs_the_approve_scope(new_content, author, writer, move, outbox):
    content = await new_content()
    await move(author, content["id"], "in_review")
    problem(await move(writer, content["id"], "approved"), 403)
    assert (await author.get(f"/v1/content/{content['id']}")).json()["status"] == "in_review"
    assert await outbox(content["id"]) == []


async def test_moves_outside_the_workflow_are_409(new_content, author, move):
    content = await new_content()
    body = problem(await move(author, content["id"], "published"), 409)
    assert body["allowed"] == ["in_review"]
    problem(await move(author, content["id"], "live"), 422)
    assert (await author.get(f"/v1/content/{content['id']}")).json()["version"] == 1


async def test_rejection_back_to_draft_needs_a_reason(new_content, author, approver, move):
    content = await new_content()
    await move(author, content["id"], "in_review")
    problem(await move(approver, content["id"], "draft"), 422)
    rejected = await move(approver, content["id"], "draft", reason="The bid deadline is wrong")
    assert rejected.json()["status"] == "draft"
    assert rejected.json()["rejection_reason"] == "The bid deadline is wrong"


async def test_scheduling_in_the_past_is_refused(new_content, author, approver, move, outbox, db):
    content = await new_content()
    await move(author, content["id"], "in_review")
    await move(approver, content["id"], "approved")
    before = await db["content"].find_one({"_id": content["id"]})
    body = problem(await move(author, content["id"], "scheduled", publish_at=soon(minutes=-5)), 422)
    assert body["errors"][0]["field"] == "publish_at"
    problem(await move(author, content["id"], "scheduled"), 422)  # no time at all
    assert await db["content"].find_one({"_id": content["id"]}) == before
    assert await outbox(content["id"]) == ["comms.content.approved"]


async def test_the_scheduler_publishes_each_due_item_once(
    new_content, author, approver, move, outbox, service_runtime
):
    content = await new_content()
    cid = content["id"]
    await move(author, cid, "in_review")
    await move(approver, cid, "approved")
    scheduled = await move(author, cid, "scheduled", publish_at=soon(hours=1))
    assert scheduled.json()["status"] == "scheduled"
    runtime = await service_runtime("comms")
    from datetime import UTC, datetime, timedelta

    later = datetime.now(UTC) + timedelta(hours=2)
    # two replicas' rounds at the same moment: the item is claimed once
    first = await service.publish_due(runtime, later)
    second = await service.publish_due(runtime, later)
    assert first >= 1 and second == 0
    got = (await author.get(f"/v1/content/{cid}")).json()
    assert got["status"] == "published" and got["history"][-1]["by"] == "civic-comms"
    assert await outbox(cid) == ["comms.content.approved", "comms.content.published"]


async def test_sign_off_gates_approval_and_publication(new_content, author, approver, move, outbox):
    """A body whose sign-off the comms team records (the safeguarding board's comes from its own decision:
    tests/integration/comms/test_comms_board_sign_off.py)."""
    content = await new_content(
        channels=["press_release"], audience=["media"], requires_approval_by="monitoring_officer"
    )
    cid = content["id"]
    await move(author, cid, "in_review")
    body = problem(await move(approver, cid, "approved"), 409)
    assert body["requires_approval_by"] == "monitoring_officer"
    assert f"POST /v1/content/{cid}/sign-offs" in body["detail"]
    assert await outbox(cid) == []
    problem(
        await author.post(
            f"/v1/content/{cid}/sign-offs", json={"body": "children_partnership", "signed_by": "x"}
        ),
        409,
    )
    signed = await author.post(
        f"/v1/content/{cid}/sign-offs", json={"body": "monitoring_officer", "signed_by": "Monitoring Officer"}
    )
    assert signed.status_code == 201 and signed.headers["etag"] == '"3"'
    [sign_off] = signed.json()["sign_offs"]
    assert (sign_off["body"], sign_off["signed_by"], sign_off["decision_id"]) == (
        "monitoring_officer",
        "Monitoring Officer",
        None,
    )
    problem(
        await author.post(
            f"/v1/content/{cid}/sign-offs", json={"body": "monitoring_officer", "signed_by": "Again"}
        ),
        409,
    )
    assert (await move(approver, cid, "approved")).status_code == 200
    assert (await move(approver, cid, "published")).status_code == 200


async def test_if_match(new_content, author, move):
    content = await new_content()
    stale = await author.post(
        f"/v1/content/{content['id']}/transitions", json={"to": "in_review"}, headers={"If-Match": '"7"'}
    )
    problem(stale, 412)
    edited = await author.patch(
        f"/v1/content/{content['id']}", json={"title": "Better title"}, headers={"If-Match": '"1"'}
    )
    assert edited.status_code == 200 and edited.headers["etag"] == '"2"'
    problem(
        await author.patch(
            f"/v1/content/{content['id']}", json={"title": "Lost update"}, headers={"If-Match": '"1"'}
        ),
        412,
    )
    assert (await author.get(f"/v1/content/{content['id']}")).json()["title"] == "Better title"


async def test_only_drafts_can_be_edited(new_content, author, move):
    content = await new_content()
    await move(author, content["id"], "in_review")
    problem(await author.patch(f"/v1/content/{content['id']}", json={"title": "Changed"}), 409)


async def test_unknown_content_is_404(author, move):
    problem(await author.get("/v1/content/nope"), 404)
    problem(await move(author, "nope", "in_review"), 404)


async def test_pagination_and_filters(author, new_content):
    campaign = (
        await author.post(
            "/v1/campaigns",
            json={
                "title": unique("City Status bid"),
                "objectives": ["Win city status"],
                "starts_on": "2026-01-01",
                "ends_on": "2026-12-31",
            },
        )
    ).json()
    ids = [(await new_content(campaign_id=campaign["id"]))["id"] for _ in range(3)]
    first = (await author.get("/v1/content", params={"campaign_id": campaign["id"], "limit": 2})).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = (
        await author.get(
            "/v1/content", params={"campaign_id": campaign["id"], "limit": 2, "cursor": first["next_cursor"]}
        )
    ).json()
    assert [i["id"] for i in first["items"] + rest["items"]] == ids and rest["next_cursor"] is None
    under = (await author.get(f"/v1/campaigns/{campaign['id']}/content")).json()
    assert len(under["items"]) == 3
    got = (await author.get(f"/v1/campaigns/{campaign['id']}")).json()
    assert got["content_by_status"] == {"draft": 3}
    problem(await author.get("/v1/content", params={"limit": 501}), 422)


async def test_campaign_validation_and_forward_plan(author, approver, new_content, move, db):
    before = await db["campaigns"].count_documents({})
    problem(
        await author.post(
            "/v1/campaigns",
            json={"title": "x", "objectives": ["a"], "starts_on": "2026-02-01", "ends_on": "2026-01-01"},
        ),
        422,
    )
    assert await db["campaigns"].count_documents({}) == before
    content = await new_content(publish_at=soon(days=400))
    await move(author, content["id"], "in_review")
    await move(approver, content["id"], "approved")
    await move(author, content["id"], "scheduled")
    from datetime import date, datetime

    day = datetime.fromisoformat(content["publish_at"]).date()
    plan = (
        await author.get("/v1/forward-plan", params={"from": day.isoformat(), "to": day.isoformat()})
    ).json()
    entries = [e for d in plan["days"] for e in d["items"]]
    assert content["id"] in [e["id"] for e in entries]
    problem(await author.get("/v1/forward-plan", params={"from": "2026-02-01", "to": "2026-01-01"}), 422)
    assert isinstance(date.fromisoformat(plan["from"]), date)


async def test_the_forward_plan_names_each_kind_of_entry(author, new_consultation):
    from datetime import datetime, timedelta

    consultation = await new_consultation()
    opens, closes = (datetime.fromisoformat(consultation[k]).date() for k in ("opens_at", "closes_at"))
    campaign = (await author.post("/v1/campaigns", json={
        "title": unique("Plan kinds"), "objectives": ["Be seen"],
        "starts_on": opens.isoformat(), "ends_on": closes.isoformat(),
    })).json()
    around = {"from": (opens - timedelta(days=1)).isoformat(), "to": (closes + timedelta(days=1)).isoformat()}
    plan = (await author.get("/v1/forward-plan", params=around)).json()
    kinds = {(e["id"], e["kind"]) for d in plan["days"] for e in d["items"]}
    assert {(consultation["id"], "consultation_opens"), (consultation["id"], "consultation_closes"),
            (campaign["id"], "campaign_starts"), (campaign["id"], "campaign_ends")} <= kinds
