"""Missed milestones over HTTP and from the check itself: a planned milestone due yesterday announced once
(``savings.milestone.missed`` in the outbox once however often checked), a done or dropped one never, a
re-dated one again for its new date; the announcement leaves the milestone's ETag as it was (an officer's
If-Match still holds); ``POST /v1/milestone-checks`` needs ``savings:write``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from civic.calendar import today
from civic_savings.milestones.missed import check_milestones

from tests.conftest import first_version, unique

pytestmark = pytest.mark.integration

MISSED = "savings.milestone.missed"


def days_from_today(days: int) -> str:
    return (today() + timedelta(days=days)).isoformat()


async def add(api, initiative: dict, **fields) -> tuple[dict, str]:
    body = {"title": unique("Staff consultation closes"), "owner": "Head of HR", "due": days_from_today(-1)}
    url = f"/v1/initiatives/{initiative['id']}/milestones"
    milestone = first_version(await api.post(url, json={**body, **fields}))
    return milestone, f"{url}/{milestone['id']}"


async def missed_events(db, milestone_id: str) -> list[dict]:
    return await db["outbox"].find({"key": milestone_id, "type": MISSED}).sort([("created_at", 1)]).to_list()


async def test_a_milestone_due_yesterday_is_announced_once_and_keeps_its_etag(api, db, new_initiative,
                                                                                runtime_of):
    programme = unique("Programme")
    initiative = await new_initiative("approved", programme=programme)
    milestone, url = await add(api, initiative, title="Contracts novated")
    loaded = await api.get(url)  # an officer's page, loaded before the check
    etag = loaded.headers["ETag"]
    checked = await api.post("/v1/milestone-checks")
    assert checked.status_code == 200, checked.text
    assert checked.json()["on"] == today().isoformat() and checked.json()["newly_announced"] >= 0
    await check_milestones(await runtime_of("savings"))  # a second check (or the background's): nothing more
    [event] = await missed_events(db, milestone["id"])
    data = event["envelope"]["data"]
    assert data == {"milestone_id": milestone["id"], "initiative_id": initiative["id"], "programme": programme,
                    "title": "Contracts novated", "due_on": days_from_today(-1), "days_overdue": 1}
    again = await api.post("/v1/milestone-checks")
    assert milestone["id"] not in {a["milestone_id"] for a in again.json()["announced"]}
    # bookkeeping only: the same version and time, and the API does not show the flag
    shown = await api.get(url)
    assert shown.headers["ETag"] == etag == '"1"'
    assert shown.json()["updated_at"] == loaded.json()["updated_at"]
    assert not any("missed" in key for key in shown.json())
    done = await api.post(f"{url}/completion", json={"evidence": "Deeds signed"}, headers={"If-Match": etag})
    assert done.status_code == 200, done.text


async def test_done_and_dropped_milestones_are_never_announced(api, db, new_initiative, runtime_of):
    initiative = await new_initiative("approved")
    done, done_url = await add(api, initiative, due=days_from_today(5))
    dropped, dropped_url = await add(api, initiative, due=days_from_today(5))
    assert (await api.post(f"{done_url}/completion", json={"evidence": "Signed"})).status_code == 200
    assert (await api.post(f"{dropped_url}/drop", json={"reason": "Superseded"})).status_code == 200
    runtime = await runtime_of("savings")
    await check_milestones(runtime, today() + timedelta(days=10))  # both would be overdue by then
    assert await missed_events(db, done["id"]) == []
    assert await missed_events(db, dropped["id"]) == []


async def test_a_re_dated_milestone_is_announced_again_for_its_new_date(api, db, new_initiative, runtime_of):
    initiative = await new_initiative("approved")
    milestone, url = await add(api, initiative)
    runtime = await runtime_of("savings")
    await check_milestones(runtime)
    assert len(await missed_events(db, milestone["id"])) == 1
    moved = await api.patch(url, json={"due": days_from_today(3)}, headers={"If-Match": '"1"'})
    assert moved.status_code == 200, moved.text
    await check_milestones(runtime)  # not yet due again
    assert len(await missed_events(db, milestone["id"])) == 1
    later = today() + timedelta(days=5)
    first = await check_milestones(runtime, later)
    second = await check_milestones(runtime, later)
    assert milestone["id"] in {a["milestone_id"] for a in first["announced"]}
    assert milestone["id"] not in {a["milestone_id"] for a in second["announced"]}
    events = await missed_events(db, milestone["id"])
    assert len(events) == 2
    data = events[1]["envelope"]["data"]
    assert (data["due_on"], data["days_overdue"]) == (days_from_today(3), 2)


async def test_the_check_needs_savings_write_and_a_refusal_changes_nothing(api, db, new_initiative, reader, writer,
                                                                         runtime_of):
    initiative = await new_initiative("approved")
    milestone, url = await add(api, initiative)
    await check_milestones(await runtime_of("savings"))
    moved = await api.patch(url, json={"due": days_from_today(-2)}, headers={"If-Match": '"1"'})
    assert moved.status_code == 200, moved.text  # re-dated: not announced for its new date yet
    before = await db["milestones"].find_one({"_id": milestone["id"]})
    refused = await reader.post("/v1/milestone-checks")
    assert refused.status_code == 403, refused.text
    assert await db["milestones"].find_one({"_id": milestone["id"]}) == before
    assert len(await missed_events(db, milestone["id"])) == 1
    allowed = await writer.post("/v1/milestone-checks")
    assert allowed.status_code == 200
    assert len(await missed_events(db, milestone["id"])) == 2
