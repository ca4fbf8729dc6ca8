"""The RAID log over HTTP: items of a programme and of an initiative recorded, listed (by programme, initiative,
kind, status), read (ETag), amended (If-Match) and closed with a reason; savings.risk.raised_to_red when one's
rating reaches red; each refusal with the state and the outbox unchanged."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.conftest import first_version, unique

pytestmark = pytest.mark.integration

RED = "savings.risk.raised_to_red"


def body(**fields) -> dict:
    return {"kind": "risk", "title": unique("Legal challenge"), "owner": "Monitoring Officer", "likelihood": 3,
            "impact": 4, "review_on": "2031-04-30", **fields}  # fmt: skip


async def stored(db, item_id: str) -> dict:
    doc = await db["raid_items"].find_one({"_id": item_id})
    assert doc is not None
    return dict(doc)


async def test_a_programme_and_an_initiative_keep_their_log(api, db, new_initiative, outbox):
    initiative = await new_initiative("approved")
    programme = initiative["programme"]
    risk = first_version(await api.post(f"/v1/programmes/{quote(programme)}/raid",
                                        json=body(mitigation="Legal advice sought")))  # fmt: skip
    assert (risk["programme"], risk["initiative_id"], risk["score"], risk["rating"], risk["status"]) == (
        programme, None, 12, "amber", "open")  # fmt: skip
    issue = first_version(await api.post(f"/v1/initiatives/{initiative['id']}/raid",
                                         json=body(kind="issue", likelihood=5, impact=5)))  # fmt: skip
    assert (issue["programme"], issue["initiative_id"], issue["rating"]) == (programme, initiative["id"], "red")
    assert await outbox(risk["id"]) == [] and await outbox(issue["id"]) == [RED]  # recorded red: said at once

    listed = (await api.get("/v1/raid", params={"programme": programme})).json()["items"]
    assert [i["id"] for i in listed] == [risk["id"], issue["id"]]
    only = (await api.get("/v1/raid", params={"initiative_id": initiative["id"]})).json()["items"]
    assert [i["id"] for i in only] == [issue["id"]]
    kinds = (await api.get("/v1/raid", params={"programme": programme, "kind": "risk"})).json()["items"]
    assert [i["id"] for i in kinds] == [risk["id"]]

    url = f"/v1/raid/{risk['id']}"
    raised = await api.patch(url, json={"likelihood": 4}, headers={"If-Match": '"1"'})
    assert raised.status_code == 200 and raised.headers["ETag"] == '"2"', raised.text
    assert (raised.json()["score"], raised.json()["rating"]) == (16, "red")
    assert await outbox(risk["id"]) == [RED]
    event = await db["outbox"].find_one({"key": risk["id"], "type": RED})
    assert event["envelope"]["data"] == {
        "risk_id": risk["id"], "kind": "risk", "programme": programme, "initiative_id": None, "likelihood": 4,
        "impact": 4, "score": 16, "previous_rating": "amber",
    }  # fmt: skip
    still = await api.patch(url, json={"impact": 5, "review_on": "2031-05-31"}, headers={"If-Match": '"2"'})
    assert still.status_code == 200 and await outbox(risk["id"]) == [RED]  # red to red: said once

    closed = await api.post(f"{url}/closure", json={"reason": "Legal advice: challenge unlikely"},
                            headers={"If-Match": '"3"'})  # fmt: skip
    assert closed.status_code == 200 and closed.json()["status"] == "closed", closed.text
    assert closed.json()["closed_reason"] == "Legal advice: challenge unlikely"
    open_now = (await api.get("/v1/raid", params={"programme": programme, "status": "open"})).json()["items"]
    assert [i["id"] for i in open_now] == [issue["id"]]
    one = await api.get(url)
    assert one.status_code == 200 and one.headers["ETag"] == '"4"' and one.json()["status"] == "closed"


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"likelihood": 0}, "likelihood"),
        ({"impact": 6}, "impact"),
        ({"impact": 2.5}, "impact"),
        ({"title": " "}, "title"),
        ({"owner": None}, "owner"),
        ({"review_on": "30/04/2031"}, "review_on"),
        ({"kind": "threat"}, "kind"),
        ({"status": "closed"}, "status"),
    ],
)
async def test_bad_items_are_refused_and_change_nothing(api, db, sent, field):
    programme = unique("Programme")
    item = first_version(await api.post(f"/v1/programmes/{quote(programme)}/raid", json=body()))
    before = await stored(db, item["id"])
    refused = await api.post(f"/v1/programmes/{quote(programme)}/raid", json=body(**sent))
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"].endswith(field), refused.text
    changed = await api.patch(f"/v1/raid/{item['id']}", json=sent, headers={"If-Match": '"1"'})
    assert changed.status_code == 422, changed.text
    assert await stored(db, item["id"]) == before
    assert await db["raid_items"].count_documents({"programme": programme}) == 1


async def test_refusals_change_nothing(api, db, outbox):
    programme = unique("Programme")
    item = first_version(await api.post(f"/v1/programmes/{quote(programme)}/raid", json=body()))
    url = f"/v1/raid/{item['id']}"
    before = await stored(db, item["id"])

    stale = await api.patch(url, json={"likelihood": 5}, headers={"If-Match": '"7"'})
    assert stale.status_code == 412
    for reason in ({}, {"reason": "  "}):
        no_reason = await api.post(f"{url}/closure", json=reason)
        assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason", no_reason.text
    assert await stored(db, item["id"]) == before and await outbox(item["id"]) == []
    assert (await api.post("/v1/initiatives/nothing/raid", json=body())).status_code == 404
    assert (await api.patch("/v1/raid/nothing", json={"likelihood": 1})).status_code == 404
    assert await db["raid_items"].count_documents({"initiative_id": "nothing"}) == 0

    closed = await api.post(f"{url}/closure", json={"reason": "Mitigated"})
    assert closed.status_code == 200
    after_close = await stored(db, item["id"])
    again = await api.post(f"{url}/closure", json={"reason": "again"})
    assert again.status_code == 409 and again.json()["current_status"] == "closed", again.text
    amended = await api.patch(url, json={"likelihood": 5, "impact": 5})
    assert amended.status_code == 409
    assert await stored(db, item["id"]) == after_close and await outbox(item["id"]) == []
