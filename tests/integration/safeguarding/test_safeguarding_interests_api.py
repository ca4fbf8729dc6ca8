"""The register of members' interests over HTTP: entries, amendment and withdrawal (If-Match), the yearly
review and the overdue report, confidential details, and the register at a meeting (pre-filled declarations,
a vote refused unless the member declares the interest not prejudicial). Every refusal: the problem, and
nothing changed (the records and the outbox)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from civic.calendar import today

from tests.conftest import first_version

from .conftest import ok, stored

pytestmark = pytest.mark.integration

AGE_UK = "Age UK Northamptonshire"
SECRET = "SECRET-INTEREST-7c2e: spouse's shareholding"
ENTRY = {"kind": "pecuniary", "description": "Trustee (paid)", "concerns": [AGE_UK, "Advocacy services"],
         "held_from": "2026-01-01"}


async def _register(api, member, **overrides):
    return first_version(await api.post(f"/v1/members/{member['id']}/interests", json={**ENTRY, **overrides}))


async def _snapshot(db, collection, id):
    return await stored(db, collection, id), await db["outbox"].count_documents({})


async def test_an_interest_is_registered_listed_and_read_with_its_details_only_for_cleared_callers(
    api, writer, new_board
):
    board, members = await new_board()
    entry = await _register(api, members["council"], details=SECRET, held_from="2026-04-01")
    assert (entry["status"], entry["held_from"], entry["member_id"], entry["board_id"], entry["details"]) == (
        "registered", "2026-04-01", members["council"]["id"], board["id"], SECRET,
    )  # fmt: skip
    one = await writer.get(f"/v1/interests/{entry['id']}")
    assert one.status_code == 200 and one.headers["ETag"] == '"1"'
    assert "details" not in one.json() and one.json()["confidential_withheld"] is True and SECRET not in one.text
    # a writer not cleared registers a sensitive interest but does not see its details come back
    second = await writer.post(f"/v1/members/{members['police']['id']}/interests",
                               json={**ENTRY, "concerns": ["Police Federation"], "details": SECRET})  # fmt: skip
    assert second.status_code == 201 and SECRET not in second.text
    for client, shown in ((api, True), (writer, False)):
        listed = await ok(await client.get(f"/v1/boards/{board['id']}/interests"))
        assert len(listed["items"]) == 2 and (SECRET in str(listed)) is shown
        register = await ok(await client.get(f"/v1/members/{members['council']['id']}/interests"))
        assert [i["id"] for i in register["interests"]] == [entry["id"]] and (SECRET in str(register)) is shown
        report = await ok(await client.get(f"/v1/boards/{board['id']}/reports/interests"))
        assert (SECRET in str(report)) is shown
    assert register["name"] == "Dee Dass" and register["reviews"] == [] and register["review_overdue"] is False


async def test_register_refusals_change_nothing(api, db, new_board):
    _, members = await new_board()
    count = await db["interests"].count_documents({})
    url = f"/v1/members/{members['council']['id']}/interests"
    blank = await api.post(url, json={**ENTRY, "concerns": []})
    assert blank.status_code == 422 and blank.json()["errors"][0]["field"].startswith("concerns")
    backwards = await api.post(url, json={**ENTRY, "held_from": "2026-04-01", "held_until": "2026-03-31"})
    assert backwards.status_code == 422 and [e["field"] for e in backwards.json()["errors"]] == ["held_until"]
    nobody = await api.post("/v1/members/nobody/interests", json=ENTRY)
    assert nobody.status_code == 404 and nobody.json()["detail"]
    assert await db["interests"].count_documents({}) == count


async def test_amend_and_withdraw_with_if_match(api, db, new_board):
    board, members = await new_board()
    entry = await _register(api, members["council"])
    url = f"/v1/interests/{entry['id']}"
    stale = await api.patch(url, json={"description": "Trustee (unpaid)"}, headers={"If-Match": '"7"'})
    assert stale.status_code == 412
    backwards = await api.patch(url, json={"held_until": "2000-01-01"}, headers={"If-Match": '"1"'})
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["field"] == "held_until"
    assert (await stored(db, "interests", entry["id"]))["version"] == 1
    amended = await api.patch(url, json={"description": "Trustee (unpaid)", "concerns": [AGE_UK]},
                              headers={"If-Match": '"1"'})  # fmt: skip
    assert amended.status_code == 200 and amended.headers["ETag"] == '"2"'
    assert (amended.json()["description"], amended.json()["concerns"], amended.json()["kind"]) == (
        "Trustee (unpaid)", [AGE_UK], "pecuniary",
    )  # fmt: skip
    withdrawn = await ok(await api.post(f"{url}/withdrawal", json={"reason": "Stood down"}, headers={"If-Match": '"2"'}))
    assert (withdrawn["status"], withdrawn["withdrawn_on"], withdrawn["withdrawal_reason"]) == (
        "withdrawn", today().isoformat(), "Stood down",
    )  # fmt: skip
    before = await _snapshot(db, "interests", entry["id"])
    again = await api.post(f"{url}/withdrawal", json={})
    assert again.status_code == 409 and "already withdrawn" in again.json()["detail"]
    changed = await api.patch(url, json={"description": "x"})
    assert changed.status_code == 409 and "register it again" in changed.json()["detail"]
    assert await _snapshot(db, "interests", entry["id"]) == before
    assert [i["id"] for i in (await ok(await api.get(f"/v1/boards/{board['id']}/interests?status=withdrawn")))["items"]] == [
        entry["id"]
    ]  # fmt: skip
    report = await ok(await api.get(f"/v1/boards/{board['id']}/reports/interests"))
    assert all(m["interests"] == [] for m in report["members"])  # withdrawn entries are not on the board's register


async def test_yearly_review_and_the_members_whose_review_is_overdue(api, db, new_board):
    board, members = await new_board()
    day = today()
    long_ago = (day - timedelta(days=400)).isoformat()
    review = await api.post(f"/v1/members/{members['police']['id']}/interest-reviews",
                            json={"reviewed_on": long_ago, "reviewed_by": "NSAB Business Manager"})  # fmt: skip
    assert first_version(review)["reviewed_by"] == "NSAB Business Manager"
    await ok(await api.post(f"/v1/members/{members['council']['id']}/interest-reviews",
                            json={"reviewed_by": "NSAB Business Manager"}), 201)  # fmt: skip
    report = await ok(await api.get(f"/v1/boards/{board['id']}/reports/interests"))
    assert [m["member_id"] for m in report["overdue_reviews"]] == [members["police"]["id"]]
    police = next(m for m in report["members"] if m["member_id"] == members["police"]["id"])
    assert (police["last_reviewed_on"], police["review_overdue"]) == (long_ago, True)
    council = await ok(await api.get(f"/v1/members/{members['council']['id']}/interests"))
    assert (council["last_reviewed_on"], council["review_overdue"]) == (day.isoformat(), False)
    assert council["review_due_on"] == day.replace(year=day.year + 1).isoformat()

    count = await db["interest_reviews"].count_documents({})
    future = await api.post(f"/v1/members/{members['police']['id']}/interest-reviews",
                            json={"reviewed_on": (day + timedelta(days=1)).isoformat(), "reviewed_by": "X"})  # fmt: skip
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "reviewed_on"
    assert await db["interest_reviews"].count_documents({}) == count


async def _interest_meeting(api, board, members, day="2026-06-11"):
    agenda = [{"title": "Advocacy contract award", "kind": "decision", "matters": ["age uk  northamptonshire"]},
              {"title": "Annual report", "kind": "decision"}]  # fmt: skip
    meeting = first_version(await api.post(f"/v1/boards/{board['id']}/meetings",
                                           json={"scheduled_for": day, "agenda": agenda}))  # fmt: skip
    register = [{"member_id": m["id"], "status": "present"} for m in members.values()]
    return await ok(await api.put(f"/v1/meetings/{meeting['id']}/attendance", json=register))


VOTES = {"council": "for", "police": "for", "icb": "against"}


async def test_the_register_prefills_declarations_and_keeps_the_member_out_of_the_vote(api, db, new_board):
    board, members = await new_board()
    entry = await _register(api, members["council"], details=SECRET)
    meeting = await _interest_meeting(api, board, members)
    item = meeting["agenda"][1]
    assert item["matters"] == ["age uk northamptonshire"]
    [declared] = meeting["declarations"]
    assert (declared["member_id"], declared["item_id"], declared["source"], declared["interest_id"]) == (
        members["council"]["id"], item["id"], "register", entry["id"],
    )  # fmt: skip
    assert declared["prejudicial"] is True and SECRET not in str(meeting)

    votes = [{"member_id": members[k]["id"], "vote": v} for k, v in VOTES.items()]
    url = f"/v1/meetings/{meeting['id']}/items/{item['id']}/decision"
    before = await _snapshot(db, "meetings", meeting["id"])
    decisions = await db["decisions"].count_documents({"board_id": board["id"]})
    refused = await api.post(url, json={"method": "vote", "votes": votes})
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert "registered interest" in problem["detail"] and "not prejudicial" in problem["detail"]
    assert (problem["member_id"], problem["interest_id"]) == (members["council"]["id"], entry["id"])
    assert await _snapshot(db, "meetings", meeting["id"]) == before
    assert await db["decisions"].count_documents({"board_id": board["id"]}) == decisions

    # declaring otherwise: a reason is needed, then the member's declaration takes the pre-fill's place
    declarations = f"/v1/meetings/{meeting['id']}/declarations"
    body = {"member_id": members["council"]["id"], "item_id": item["id"], "nature": "Trustee (paid)",
            "prejudicial": False}  # fmt: skip
    no_reason = await api.post(declarations, json=body)
    assert no_reason.status_code == 422 and {e["field"] for e in no_reason.json()["errors"]} >= {"reason"}
    assert await _snapshot(db, "meetings", meeting["id"]) == before
    otherwise = await ok(await api.post(declarations, json={**body, "reason": "Another branch holds the contract"}), 201)
    assert (otherwise["id"], otherwise["source"], otherwise["prejudicial"], otherwise["interest_id"]) == (
        declared["id"], "member", False, entry["id"],
    )  # fmt: skip
    decided = await ok(await api.post(url, json={"method": "vote", "votes": votes}), 201)
    assert (decided["outcome"], decided["votes_for"], decided["votes_against"]) == ("carried", 2, 1)


async def test_an_interest_registered_after_the_meeting_was_scheduled_still_keeps_the_member_out(api, db, new_board):
    board, members = await new_board()
    meeting = await _interest_meeting(api, board, members)
    assert meeting["declarations"] == []
    await _register(api, members["police"])
    item = meeting["agenda"][1]
    votes = [{"member_id": members[k]["id"], "vote": v} for k, v in VOTES.items()]
    before = await _snapshot(db, "meetings", meeting["id"])
    refused = await api.post(f"/v1/meetings/{meeting['id']}/items/{item['id']}/decision",
                             json={"method": "vote", "votes": votes})  # fmt: skip
    assert refused.status_code == 409 and refused.json()["member_id"] == members["police"]["id"]
    assert await _snapshot(db, "meetings", meeting["id"]) == before
    # a consensus needs nobody's vote: the pre-fill is recorded with the decision
    await ok(await api.post(f"/v1/meetings/{meeting['id']}/items/{item['id']}/decision", json={"method": "consensus"}), 201)
    after = await ok(await api.get(f"/v1/meetings/{meeting['id']}"))
    assert [(d["member_id"], d["source"]) for d in after["declarations"]] == [(members["police"]["id"], "register")]
