"""Delivery plans over HTTP: an initiative's milestones added, changed (If-Match), completed with evidence,
dropped; each refusal with the state unchanged and nothing published; the overdue ones (due before the
council's today) on the initiative, its programme (the target report and the overdue report) and the
dashboard's summary; an initiative that ends takes its plan with it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from civic.calendar import today

from tests.conftest import first_version, unique

pytestmark = pytest.mark.integration


def days_from_today(days: int) -> str:
    return (today() + timedelta(days=days)).isoformat()


def milestones_of(initiative: dict) -> str:
    return f"/v1/initiatives/{initiative['id']}/milestones"


async def add(api, initiative: dict, **fields) -> dict:
    body = {"title": unique("Staff consultation closes"), "owner": "Head of HR", "due": days_from_today(30)}
    return first_version(await api.post(milestones_of(initiative), json={**body, **fields}))


async def stored(db, milestone_id: str) -> dict:
    doc = await db["milestones"].find_one({"_id": milestone_id})
    assert doc is not None
    return dict(doc)


async def test_a_plan_is_made_changed_and_completed(api, db, new_initiative, outbox):
    initiative = await new_initiative("approved", "in_delivery")
    milestone = await add(api, initiative, title="Contracts novated", owner="Head of Procurement")
    assert milestone["status"] == "planned" and milestone["overdue"] is False
    assert milestone["initiative_id"] == initiative["id"] and milestone["history"][0]["kind"] == "planned"
    url = f"{milestones_of(initiative)}/{milestone['id']}"

    changed = await api.patch(url, json={"due": days_from_today(60)}, headers={"If-Match": '"1"'})
    assert changed.status_code == 200 and changed.headers["ETag"] == '"2"', changed.text
    assert changed.json()["due"] == days_from_today(60)
    assert changed.json()["history"][-1]["due_was"] == days_from_today(30)

    done = await api.post(f"{url}/completion", json={"evidence": "Deeds of novation signed"},
                          headers={"If-Match": '"2"'})  # fmt: skip
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["evidence"], done.json()["completed_on"]) == (
        "done", "Deeds of novation signed", today().isoformat())  # fmt: skip

    second = await add(api, initiative)
    listed = (await api.get(milestones_of(initiative))).json()["items"]
    assert [m["id"] for m in listed] == [milestone["id"], second["id"]]
    planned = (await api.get(milestones_of(initiative), params={"status": "planned"})).json()["items"]
    assert [m["id"] for m in planned] == [second["id"]]
    one = await api.get(url)
    assert one.status_code == 200 and one.headers["ETag"] == '"3"' and one.json()["status"] == "done"
    # a plan publishes nothing: the initiative's events are its lifecycle's
    assert await outbox(initiative["id"]) == ["savings.initiative.proposed", "savings.initiative.approved"]


async def test_dropping_a_milestone(api, db, new_initiative):
    initiative = await new_initiative("approved")
    milestone = await add(api, initiative, due=days_from_today(-3))
    url = f"{milestones_of(initiative)}/{milestone['id']}"
    dropped = await api.post(f"{url}/drop", json={"reason": "superseded by the new operating model"})
    assert dropped.status_code == 200 and dropped.json()["status"] == "dropped", dropped.text
    assert dropped.json()["overdue"] is False  # a dropped milestone is never overdue
    assert (await api.get(f"/v1/initiatives/{initiative['id']}")).json()["overdue_milestone_count"] == 0


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"title": " "}, "title"),
        ({"owner": None}, "owner"),
        ({"due": "31/03/2031"}, "due"),
        ({"due": 1_900_000_000}, "due"),
        ({"due": None}, "due"),
        ({"status": "done"}, "status"),
    ],
)
async def test_bad_milestones_are_refused_and_change_nothing(api, db, new_initiative, sent, field):
    initiative = await new_initiative("approved")
    milestone = await add(api, initiative)
    before = await stored(db, milestone["id"])
    body = {"title": "Consultation closes", "owner": "Head of HR", "due": days_from_today(5), **sent}
    refused = await api.post(milestones_of(initiative), json=body)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"].endswith(field), refused.text
    changed = await api.patch(f"{milestones_of(initiative)}/{milestone['id']}", json=sent)
    assert changed.status_code == 422, changed.text
    assert await stored(db, milestone["id"]) == before
    assert await db["milestones"].count_documents({"initiative_id": initiative["id"]}) == 1


async def test_refusals_change_nothing(api, db, new_initiative, outbox):
    initiative = await new_initiative("approved", "in_delivery")
    milestone = await add(api, initiative)
    url = f"{milestones_of(initiative)}/{milestone['id']}"
    before = await stored(db, milestone["id"])

    stale = await api.patch(url, json={"owner": "someone else"}, headers={"If-Match": '"7"'})
    assert stale.status_code == 412
    no_evidence = await api.post(f"{url}/completion", json={"evidence": "  "})
    assert no_evidence.status_code == 422 and no_evidence.json()["errors"][0]["field"] == "evidence"
    no_reason = await api.post(f"{url}/drop", json={})
    assert no_reason.status_code == 422
    elsewhere = await new_initiative("approved")
    wrong_initiative = await api.get(f"{milestones_of(elsewhere)}/{milestone['id']}")
    assert wrong_initiative.status_code == 404
    moved = await api.patch(f"{milestones_of(elsewhere)}/{milestone['id']}", json={"owner": "x"})
    assert moved.status_code == 404
    assert (await api.post("/v1/initiatives/nothing/milestones", json={
        "title": "t", "owner": "o", "due": days_from_today(1)})).status_code == 404  # fmt: skip
    assert (await api.get("/v1/initiatives/nothing/milestones")).status_code == 404
    assert await stored(db, milestone["id"]) == before

    done = await api.post(f"{url}/completion", json={"evidence": "Cabinet minute 12"})
    assert done.status_code == 200
    after_done = await stored(db, milestone["id"])
    for method, path, body in (("post", f"{url}/completion", {"evidence": "again"}),
                               ("post", f"{url}/drop", {"reason": "no longer needed"}),
                               ("patch", url, {"due": days_from_today(90)})):  # fmt: skip
        refused = await getattr(api, method)(path, json=body)
        assert refused.status_code == 409, refused.text
        assert refused.json()["current_status"] == "done" and "final" in refused.json()["detail"]
    assert await stored(db, milestone["id"]) == after_done
    assert await outbox(initiative["id"]) == ["savings.initiative.proposed", "savings.initiative.approved"]


async def test_overdue_milestones_show_on_the_initiative_its_programme_and_the_summary(api, db, new_initiative):
    programme = unique("Overdue")
    target = await api.put(f"/v1/targets/{programme}", json={"amount_pence": 10_000_000})
    assert target.status_code == 201
    before = (await api.get("/v1/summary")).json()["overdue_milestone_count"]
    late = await new_initiative("approved", "in_delivery", programme=programme)
    on_time = await new_initiative("approved", programme=programme)
    elsewhere = await new_initiative("approved")
    overdue = [await add(api, late, due=days_from_today(-10)), await add(api, late, due=days_from_today(-1))]
    await add(api, late, due=today().isoformat())  # due today: not overdue yet
    await add(api, on_time, due=days_from_today(1))
    done = await add(api, on_time, due=days_from_today(-5))
    await api.post(f"{milestones_of(on_time)}/{done['id']}/completion", json={"evidence": "done late"})
    await add(api, elsewhere, due=days_from_today(-2))

    shown = (await api.get(f"/v1/initiatives/{late['id']}")).json()
    assert shown["overdue_milestone_count"] == 2
    assert [(m["id"], m["days_overdue"]) for m in shown["overdue_milestones"]] == [
        (overdue[0]["id"], 10), (overdue[1]["id"], 1)]  # fmt: skip
    listed = (await api.get("/v1/initiatives", params={"programme": programme})).json()["items"]
    assert {i["id"]: i["overdue_milestone_count"] for i in listed} == {late["id"]: 2, on_time["id"]: 0}
    one = (await api.get(f"{milestones_of(late)}/{overdue[0]['id']}")).json()
    assert one["overdue"] is True

    report = (await api.get(f"/v1/reports/target/{programme}")).json()
    assert report["overdue_milestone_count"] == 2
    assert [m["id"] for m in report["overdue_milestones"]] == [m["id"] for m in overdue]
    by_programme = (await api.get("/v1/reports/milestones/overdue", params={"programme": programme})).json()
    assert by_programme["on"] == today().isoformat() and by_programme["overdue_milestone_count"] == 2
    assert {m["initiative_title"] for m in by_programme["overdue_milestones"]} == {late["title"]}
    everywhere = (await api.get("/v1/reports/milestones/overdue")).json()
    assert everywhere["overdue_milestone_count"] >= 3

    assert (await api.get("/v1/summary")).json()["overdue_milestone_count"] == before + 3
    # a change to the initiative answers with its overdue milestones too
    amended = await api.patch(f"/v1/initiatives/{late['id']}", json={"owner": "Director of Place"})
    assert amended.json()["overdue_milestone_count"] == 2


@pytest.mark.parametrize("ending", ["rejected", "undeliverable", "delivered"])
async def test_an_initiative_that_ends_takes_its_plan_with_it(api, db, new_initiative, ending):
    steps = {"rejected": (), "undeliverable": ("approved",), "delivered": ("approved", "in_delivery")}[ending]
    initiative = await new_initiative(*steps)
    overdue = await add(api, initiative, due=days_from_today(-4))
    before = (await api.get("/v1/summary")).json()["overdue_milestone_count"]
    ended = await new_initiative_step(api, initiative, ending)
    assert ended["status"] == ending and ended["overdue_milestone_count"] == 0
    dropped = (await api.get(f"{milestones_of(initiative)}/{overdue['id']}")).json()
    assert (dropped["status"], dropped["dropped_reason"]) == ("dropped", f"the initiative is {ending}")
    assert (await api.get("/v1/summary")).json()["overdue_milestone_count"] == before - 1
    refused = await api.post(milestones_of(initiative), json={"title": "t", "owner": "o", "due": days_from_today(9)})
    assert refused.status_code == 409 and refused.json()["initiative_status"] == ending
    assert await db["milestones"].count_documents({"initiative_id": initiative["id"]}) == 1


async def new_initiative_step(api, initiative: dict, to: str) -> dict:
    url = f"/v1/initiatives/{initiative['id']}"
    if to == "delivered":
        for year in initiative["profile"]:
            await api.post(f"{url}/actuals", json={"year": year["year"], "delivered_pence": year["planned_pence"]})
    moved = await api.post(f"{url}/transitions", json={"to": to, "reason": "the board decided"})
    assert moved.status_code == 200, moved.text
    return dict(moved.json())


async def test_a_milestone_added_while_its_initiative_ends_is_refused_or_dropped_never_left_planned(
    api, db, new_initiative
):
    """The two changes write different documents (the new milestone; the initiative and its open milestones), so
    only the milestone's claim on its initiative makes them conflict: without it a milestone added in the moment
    the proposal was rejected stayed planned on a rejected initiative."""
    proposals = [await new_initiative() for _ in range(8)]
    body = {"title": "Business case to board", "owner": "Programme manager", "due": days_from_today(-1)}
    for proposal in proposals:
        added, rejected = await asyncio.gather(
            api.post(milestones_of(proposal), json=body),
            api.post(f"/v1/initiatives/{proposal['id']}/transitions", json={"to": "rejected", "reason": "Not viable"}),
        )
        assert rejected.status_code == 200, rejected.text
        assert added.status_code in (201, 409), added.text  # before the rejection (then dropped) or after it
    ids = [p["id"] for p in proposals]
    assert await db["milestones"].count_documents({"initiative_id": {"$in": ids}, "status": "planned"}) == 0
    for proposal in proposals:
        shown = (await api.get(f"/v1/initiatives/{proposal['id']}")).json()
        assert shown["overdue_milestone_count"] == 0 and "_plan_changes" not in shown
