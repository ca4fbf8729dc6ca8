"""Minutes: draft -> submitted -> approved at a later meeting; then never changed, only corrected."""

from __future__ import annotations

import pytest

from .conftest import ok, stored

pytestmark = pytest.mark.integration


async def test_minutes_lifecycle_and_permanence(api, db, new_board, new_meeting, outbox, broker_events):
    board, members = await new_board()
    meeting = await new_meeting(board, members, day="2026-06-11", statuses={})
    url = f"/v1/meetings/{meeting['id']}/minutes"
    assert (await api.get(url)).status_code == 404
    assert (await api.post(url, json={"text": " "})).status_code == 422
    draft = await api.post(url, json={"text": "Present: all members."})
    assert draft.status_code == 201 and draft.json()["status"] == "draft"
    redraft = await ok(
        await api.post(
            url, json={"text": "Present: all members. Apologies: none."}, headers={"If-Match": '"1"'}
        )
    )
    assert redraft["version"] == 2

    too_soon = await api.post(f"{url}/approve")
    assert too_soon.status_code == 409 and "submit them to the chair first" in too_soon.json()["detail"]
    await ok(await api.post(f"{url}/submit"))
    no_later = await api.post(f"{url}/approve")
    assert no_later.status_code == 409 and "later meeting" in no_later.json()["detail"]
    same = await api.post(f"{url}/approve", json={"at_meeting_id": meeting["id"]})
    assert same.status_code == 409

    later = await new_meeting(board, members, day="2026-08-13", statuses={"police": "absent"})
    inquorate = await api.post(f"{url}/approve")
    assert inquorate.status_code == 409 and "not quorate" in inquorate.json()["detail"]
    assert (await stored(db, "minutes", draft.json()["id"]))["status"] == "submitted"
    assert await outbox(draft.json()["id"]) == []

    await ok(
        await api.put(
            f"/v1/meetings/{later['id']}/attendance",
            json=[{"member_id": m["id"], "status": "present"} for m in members.values()],
        )
    )
    approved = await ok(await api.post(f"{url}/approve"))
    assert (approved["status"], approved["approved_at_meeting_id"], approved["approved_on"]) == (
        "approved",
        later["id"],
        "2026-08-13",
    )
    [event] = await outbox(approved["id"])
    assert event["type"] == "safeguarding.minutes.approved"
    assert await broker_events("safeguarding.minutes.approved", approved["id"])

    before = await stored(db, "minutes", approved["id"])
    for attempt in (
        api.post(url, json={"text": "Rewritten"}),
        api.post(f"{url}/submit"),
        api.post(f"{url}/approve"),
    ):
        response = await attempt
        assert response.status_code == 409
    changed = await api.post(url, json={"text": "Rewritten"})
    assert "permanent record" in changed.json()["detail"] and "corrections" in changed.json()["detail"]
    assert await stored(db, "minutes", approved["id"]) == before

    correction = await ok(
        await api.post(
            f"{url}/corrections",
            json={"text": "Item 3: the police attended by deputy.", "reason": "Attendance misrecorded"},
        ),
        201,
    )
    assert correction["minutes_id"] == approved["id"] and correction["meeting_id"] == meeting["id"]
    read = await ok(await api.get(url))
    assert read["text"] == "Present: all members. Apologies: none." and read["version"] == before["version"]
    assert [c["id"] for c in read["corrections"]] == [correction["id"]]


async def test_correction_only_of_approved_minutes(api, new_board, new_meeting):
    board, members = await new_board()
    meeting = await new_meeting(board, members)
    url = f"/v1/meetings/{meeting['id']}/minutes"
    assert (await api.post(f"{url}/corrections", json={"text": "x", "reason": "y"})).status_code == 409
    await ok(await api.post(url, json={"text": "Draft"}), 201)
    refused = await api.post(f"{url}/corrections", json={"text": "x", "reason": "y"})
    assert refused.status_code == 409 and "change the draft" in refused.json()["detail"]
