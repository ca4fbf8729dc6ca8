"""A programme's monthly highlight report over HTTP: generated from its initiatives, milestones and RAID log (RAG
and its direction of travel, savings delivered and at risk, milestones done and due next month, top risks and
issues, decisions needed); issued once (savings.highlight_report.issued in that transaction), then read back
unchanged whatever changes later; every refusal with the state and the outbox unchanged."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from civic.calendar import today
from civic_savings.highlight_reports.domain import month_after, month_before, month_of

from tests.conftest import first_version, unique

pytestmark = pytest.mark.integration

ISSUED = "savings.highlight_report.issued"
THIS_MONTH = month_of(today())
LAST_MONTH = month_before(THIS_MONTH)
NEXT_MONTH = month_after(THIS_MONTH)


def url(programme: str, month: str = THIS_MONTH) -> str:
    return f"/v1/programmes/{quote(programme)}/highlight-reports/{month}"


def raid(**fields) -> dict:
    return {"kind": "risk", "title": unique("Legal challenge"), "owner": "Monitoring Officer", "likelihood": 3,
            "impact": 3, "review_on": "2031-04-30", **fields}  # fmt: skip


async def set_rag(api, initiative: dict, rag: str) -> dict:
    changed = await api.patch(f"/v1/initiatives/{initiative['id']}",
                              json={"rag": rag, "rag_reason": None if rag == "green" else f"now {rag}"})  # fmt: skip
    assert changed.status_code == 200, changed.text
    return changed.json()


async def reports_of(db, programme: str) -> list[dict]:
    return await db["highlight_reports"].find({"programme": programme}).to_list()


async def test_the_report_gathers_what_a_board_reads(api, new_initiative):
    amber = await new_initiative("approved", "in_delivery", rag="amber", rag_reason="Consultation slipping")
    programme = amber["programme"]
    red = await new_initiative("approved", programme=programme, rag="red", rag_reason="Demand outstrips it",
                               profile=[{"year": "2030/31", "planned_pence": 4_000_000}])  # fmt: skip
    await new_initiative("approved", programme=programme, rag="green")
    await new_initiative(programme=programme, rag="red", rag_reason="only proposed")  # not yet in the plan
    actual = await api.post(f"/v1/initiatives/{amber['id']}/actuals",
                            json={"year": "2030/31", "delivered_pence": 250_000})  # fmt: skip
    assert actual.status_code == 200, actual.text

    plan = f"/v1/initiatives/{amber['id']}/milestones"
    done = first_version(await api.post(plan, json={"title": "Staff consulted", "owner": "HR",
                                                    "due": f"{THIS_MONTH}-01"}))  # fmt: skip
    completed = await api.post(f"{plan}/{done['id']}/completion", json={"evidence": "Minute 12"})
    assert completed.status_code == 200, completed.text
    due = first_version(await api.post(plan, json={"title": "Restructure live", "owner": "HR",
                                                   "due": f"{NEXT_MONTH}-15"}))  # fmt: skip
    later = first_version(await api.post(plan, json={"title": "Review", "owner": "HR",
                                                     "due": f"{month_after(NEXT_MONTH)}-01"}))  # fmt: skip

    items = f"/v1/programmes/{quote(programme)}/raid"
    risks = [first_version(await api.post(items, json=raid(likelihood=likelihood, impact=3)))
             for likelihood in (1, 5, 2, 4, 3, 5)]  # fmt: skip
    issue = first_version(await api.post(items, json=raid(kind="issue", likelihood=4, impact=4)))
    closed = first_version(await api.post(items, json=raid(kind="issue", likelihood=5, impact=5)))
    assert (await api.post(f"/v1/raid/{closed['id']}/closure", json={"reason": "resolved"})).status_code == 200
    decision = first_version(await api.post(items, json=raid(kind="dependency", decision_needed=True,
                                                             decision="Agree the consultation period")))  # fmt: skip

    report = (await api.get(url(programme))).json()
    assert (report["programme"], report["month"], report["issued"]) == (programme, THIS_MONTH, False)
    assert report["rag"] == "red"  # its reddest delivering initiative's; the red proposal is not in the plan
    assert report["previous"] == {"month": LAST_MONTH, "rag": None, "source": "generated"}  # nothing last month
    assert report["direction"] is None
    savings = report["savings"]
    assert savings["at_risk_pence"] == 1_500_000 + 4_000_000
    assert (savings["at_risk_amber_pence"], savings["at_risk_red_pence"]) == (1_500_000, 4_000_000)
    assert [i["initiative_id"] for i in savings["initiatives_at_risk"]] == [red["id"], amber["id"]]
    assert (savings["delivered_pence"], savings["delivered_in_month_pence"]) == (250_000, 250_000)
    assert [m["id"] for m in report["milestones"]["done"]] == [done["id"]]
    assert report["milestones"]["next_month"] == NEXT_MONTH
    assert [m["id"] for m in report["milestones"]["due_next_month"]] == [due["id"]]
    assert later["id"] not in str(report)
    # highest score first, the earlier recorded first on a tie; five at most
    assert [r["id"] for r in report["top_risks"]] == [risks[i]["id"] for i in (1, 5, 3, 4, 2)]
    assert [r["id"] for r in report["top_issues"]] == [issue["id"]]  # the closed one is not open
    assert [(d["id"], d["decision"]) for d in report["decisions_needed"]] == [
        (decision["id"], "Agree the consultation period")]


async def test_an_issued_report_stays_as_the_board_saw_it(api, db, new_initiative, outbox):
    initiative = await new_initiative("approved", rag="amber", rag_reason="Consultation slipping")
    programme = initiative["programme"]
    risk = first_version(await api.post(f"/v1/programmes/{quote(programme)}/raid", json=raid(likelihood=4)))

    answer = await api.post(url(programme) + "/issue", headers={"Idempotency-Key": unique("issue")})
    assert answer.status_code == 201, answer.text
    issued = answer.json()
    assert (issued["issued"], issued["issued_by"], issued["rag"], issued["version"]) == (
        True, "test-officer", "amber", 1)  # fmt: skip
    assert [r["id"] for r in issued["top_risks"]] == [risk["id"]]
    event = await db["outbox"].find_one({"key": issued["id"], "type": ISSUED})
    assert event["envelope"]["data"] == {"report_id": issued["id"], "programme": programme, "month": THIS_MONTH,
                                         "rag": "amber", "direction": None}  # fmt: skip

    # the initiatives, milestones and RAID log change afterwards
    await set_rag(api, initiative, "red")
    closing = await api.post(f"/v1/raid/{risk['id']}/closure", json={"reason": "passed"})
    assert closing.status_code == 200
    milestone = await api.post(f"/v1/initiatives/{initiative['id']}/milestones",
                               json={"title": "New step", "owner": "HR", "due": f"{NEXT_MONTH}-02"})  # fmt: skip
    assert milestone.status_code == 201

    again = (await api.get(url(programme))).json()
    assert again == issued
    listed = (await api.get(f"/v1/programmes/{quote(programme)}/highlight-reports")).json()
    assert listed["items"] == [issued]
    # next month's (not issued) is generated now, so it shows the change, against this month's issued report
    coming = (await api.get(url(programme, NEXT_MONTH))).json()
    assert (coming["issued"], coming["rag"], coming["top_risks"]) == (False, "red", [])
    assert coming["previous"] == {"month": THIS_MONTH, "rag": "amber", "source": "issued"}
    assert coming["direction"] == "worsening"


async def test_direction_of_travel_against_last_months_issued_report(api, new_initiative, outbox):
    initiative = await new_initiative("approved", rag="red", rag_reason="Demand outstrips it")
    programme = initiative["programme"]
    last = await api.post(url(programme, LAST_MONTH) + "/issue")
    assert last.status_code == 201, last.text
    assert last.json()["rag"] == "red"
    await set_rag(api, initiative, "amber")

    report = (await api.get(url(programme))).json()
    assert report["previous"] == {"month": LAST_MONTH, "rag": "red", "source": "issued"}
    assert (report["rag"], report["direction"]) == ("amber", "improving")
    issued = (await api.post(url(programme) + "/issue")).json()
    event = await outbox(issued["id"])
    assert event == [ISSUED]
    listed = (await api.get(f"/v1/programmes/{quote(programme)}/highlight-reports")).json()["items"]
    assert [(r["month"], r["direction"]) for r in listed] == [(LAST_MONTH, None), (THIS_MONTH, "improving")]


async def test_without_last_months_issued_report_last_months_rag_comes_from_history(api, new_initiative):
    initiative = await new_initiative("approved", rag="green")
    programme = initiative["programme"]
    await set_rag(api, initiative, "red")
    # at the end of this month it is red: next month's report compares with that
    coming = (await api.get(url(programme, NEXT_MONTH))).json()
    assert coming["previous"] == {"month": THIS_MONTH, "rag": "red", "source": "generated"}
    assert coming["direction"] == "unchanged"
    # at the end of last month it did not exist
    assert (await api.get(url(programme))).json()["previous"]["rag"] is None


async def test_issuing_a_month_twice_is_refused(api, db, new_initiative, outbox):
    programme = (await new_initiative("approved", rag="green"))["programme"]
    first = (await api.post(url(programme) + "/issue")).json()
    before = await reports_of(db, programme)

    again = await api.post(url(programme) + "/issue")
    assert again.status_code == 409, again.text
    assert again.headers["content-type"].startswith("application/problem+json")
    assert again.json()["type"].endswith("/refused") and "issued" in again.json()["detail"]
    assert await reports_of(db, programme) == before
    assert await outbox(first["id"]) == [ISSUED]


async def test_the_same_idempotency_key_replays_the_issue(api, db, new_initiative, outbox):
    programme = (await new_initiative("approved", rag="green"))["programme"]
    key = {"Idempotency-Key": unique("issue")}
    first = await api.post(url(programme) + "/issue", headers=key)
    replay = await api.post(url(programme) + "/issue", headers=key)
    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.headers.get("Idempotent-Replayed") == "true" and replay.json() == first.json()
    assert await outbox(first.json()["id"]) == [ISSUED]


async def test_a_month_not_yet_begun_cannot_be_issued(api, db, new_initiative, outbox):
    programme = (await new_initiative("approved", rag="green"))["programme"]
    refused = await api.post(url(programme, NEXT_MONTH) + "/issue")
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["type"].endswith("/validation-failed") and problem["errors"][0]["field"] == "month"
    assert await reports_of(db, programme) == []
    assert await db["outbox"].count_documents({"type": ISSUED, "envelope.data.programme": programme}) == 0


async def test_the_registers_first_and_last_months_are_reports_too(api, new_initiative):
    programme = (await new_initiative("approved", rag="green"))["programme"]
    first = (await api.get(url(programme, "2000-01"))).json()
    assert first["previous"] == {"month": "1999-12", "rag": None, "source": "generated"}
    last = await api.get(url(programme, "2099-12"))
    assert last.status_code == 200 and last.json()["milestones"]["next_month"] == "2100-01", last.text


async def test_an_unknown_programme_is_not_found(api, db):
    programme = unique("No such programme")
    for response in (await api.post(url(programme) + "/issue"), await api.get(url(programme)),
                     await api.get(f"/v1/programmes/{quote(programme)}/highlight-reports")):  # fmt: skip
        assert response.status_code == 404, response.text
        assert response.json()["type"].endswith("/not-found")
    assert await reports_of(db, programme) == []
    assert await db["outbox"].count_documents({"type": ISSUED, "envelope.data.programme": programme}) == 0


async def test_a_decision_needed_is_said_and_amended(api, db, new_initiative):
    programme = (await new_initiative("approved"))["programme"]
    items = f"/v1/programmes/{quote(programme)}/raid"
    refused = await api.post(items, json=raid(decision_needed=True))
    assert refused.status_code == 422, refused.text
    not_a_bool = await api.post(items, json=raid(decision_needed=0, decision="Agree it"))
    assert not_a_bool.status_code == 422, not_a_bool.text
    assert await db["raid_items"].count_documents({"programme": programme}) == 0

    item = first_version(await api.post(items, json=raid()))
    assert (item["decision_needed"], item["decision"]) == (False, None)
    blank = await api.patch(f"/v1/raid/{item['id']}", json={"decision_needed": True}, headers={"If-Match": '"1"'})
    assert blank.status_code == 422, blank.text
    assert (await db["raid_items"].find_one({"_id": item["id"]}))["version"] == 1
    asked = await api.patch(f"/v1/raid/{item['id']}", json={"decision_needed": True, "decision": "Approve the spend"},
                            headers={"If-Match": '"1"'})  # fmt: skip
    assert asked.status_code == 200 and asked.json()["decision"] == "Approve the spend", asked.text
    assert [d["id"] for d in (await api.get(url(programme))).json()["decisions_needed"]] == [item["id"]]
    decided = await api.patch(f"/v1/raid/{item['id']}", json={"decision_needed": False}, headers={"If-Match": '"2"'})
    assert decided.status_code == 200, decided.text
    assert (await api.get(url(programme))).json()["decisions_needed"] == []
