"""Disaggregation over HTTP: shared services registered (planned or deferred, their cost split adding up),
listed (by status, host council, kind, due before a day), read (ETag), amended (If-Match) and moved along their
lifecycle; savings.service.disaggregated and savings.disaggregation.slipped, ids only; the report of what is
due, slipped and done by host council; each refusal with the state and the outbox unchanged."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from civic.calendar import today
from civic.cli.seeding import every
from civic_savings.disaggregation.demo import SHARED_SERVICES, seed_shared_services

from tests.conftest import first_version, unique

pytestmark = pytest.mark.integration

DONE = "savings.service.disaggregated"
SLIPPED = "savings.disaggregation.slipped"
URL = "/v1/shared-services"
DEMO_NAMES = {entry["body"]["service"] for entry in SHARED_SERVICES}


def body(host: str, **fields) -> dict:
    return {"service": unique("Shared Lives"), "directorate": "People - Adults", "kind": "hosted",
            "host_council": host, "other_council": "West Northamptonshire", "planned_on": "2031-03-31",
            **fields}  # fmt: skip


async def stored(db, shared_service_id: str) -> dict:
    doc = await db["shared_services"].find_one({"_id": shared_service_id})
    assert doc is not None
    return dict(doc)


async def test_a_hosted_service_is_planned_slips_and_is_disaggregated(api, db, outbox):
    host = unique("North Northamptonshire")
    split = {"basis": "percent", "host_percent": 55, "other_percent": 45, "annual_cost_pence": 20_000_000}
    shared = first_version(await api.post(URL, json=body(host, cost_split=split)))
    assert (shared["status"], shared["planned_on"], shared["first_planned_on"], shared["slipped"]) == (
        "planned", "2031-03-31", "2031-03-31", None)  # fmt: skip
    assert shared["cost_split"] == split and shared["next_statuses"] == ["in_progress", "disaggregated", "deferred",
                                                                         "cancelled"]  # fmt: skip
    url = f"{URL}/{shared['id']}"
    assert await outbox(shared["id"]) == []

    moved = await api.patch(url, json={"planned_on": "2032-03-31"}, headers={"If-Match": '"1"'})
    assert moved.status_code == 200 and moved.headers["ETag"] == '"2"', moved.text
    assert (moved.json()["planned_on"], moved.json()["first_planned_on"]) == ("2032-03-31", "2031-03-31")
    assert moved.json()["slipped"] == {"why": "moved_later", "days_late": 366}
    assert await outbox(shared["id"]) == [SLIPPED]
    event = await db["outbox"].find_one({"key": shared["id"], "type": SLIPPED})
    assert event["envelope"]["data"] == {"shared_service_id": shared["id"]}  # ids only
    earlier = await api.patch(url, json={"planned_on": "2031-12-31"}, headers={"If-Match": '"2"'})
    assert earlier.status_code == 200 and await outbox(shared["id"]) == [SLIPPED]  # earlier: no slip said

    started = await api.post(f"{url}/transitions", json={"to": "in_progress", "on": "2022-10-03"},
                             headers={"If-Match": '"3"'})  # fmt: skip
    assert started.status_code == 200 and started.json()["started_on"] == "2022-10-03", started.text
    done = await api.post(f"{url}/transitions", json={"to": "disaggregated"}, headers={"If-Match": '"4"'})
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["actual_on"], done.json()["next_statuses"]) == (
        "disaggregated", today().isoformat(), [])  # fmt: skip
    assert await outbox(shared["id"]) == [SLIPPED, DONE]
    event = await db["outbox"].find_one({"key": shared["id"], "type": DONE})
    assert event["envelope"]["data"] == {"shared_service_id": shared["id"]}
    one = await api.get(url)
    assert one.status_code == 200 and one.headers["ETag"] == '"5"' and one.json()["status"] == "disaggregated"


async def test_a_deferred_split_is_a_slip_and_is_planned_again(api, db, outbox):
    host = unique("West Northamptonshire")
    never_dated = first_version(await api.post(URL, json=body(host, planned_on=None, other_council="North",
                                                              deferred_reason="Deferred until safe & legal")))  # fmt: skip
    assert (never_dated["status"], never_dated["planned_on"], never_dated["slipped"]) == ("deferred", None, None)
    shared = first_version(await api.post(URL, json=body(host, other_council="North", kind="lead")))
    url = f"{URL}/{shared['id']}"
    deferred = await api.post(f"{url}/transitions", json={"to": "deferred",
                                                          "reason": "£150k additional cost to WNC to split"})  # fmt: skip
    assert deferred.status_code == 200, deferred.text
    assert (deferred.json()["planned_on"], deferred.json()["first_planned_on"]) == (None, "2031-03-31")
    assert deferred.json()["slipped"] == {"why": "deferred"}
    assert await outbox(shared["id"]) == [SLIPPED] and await outbox(never_dated["id"]) == []
    again = await api.post(f"{url}/transitions", json={"to": "planned", "planned_on": "2033-03-31"})
    assert again.status_code == 200 and again.json()["status"] == "planned", again.text
    assert again.json()["slipped"] == {"why": "moved_later", "days_late": 731}
    assert await outbox(shared["id"]) == [SLIPPED]  # said once, when it was deferred

    listed = (await api.get(URL, params={"host_council": host})).json()["items"]
    assert [i["id"] for i in listed] == [never_dated["id"], shared["id"]]
    by_status = (await api.get(URL, params={"host_council": host, "status": "deferred"})).json()["items"]
    assert [i["id"] for i in by_status] == [never_dated["id"]]
    leads = (await api.get(URL, params={"host_council": host, "kind": "lead"})).json()["items"]
    assert [i["id"] for i in leads] == [shared["id"]]
    due = (await api.get(URL, params={"host_council": host, "due_before": "2033-03-31"})).json()["items"]
    assert due == []  # before that day, not on it
    due = (await api.get(URL, params={"host_council": host, "due_before": "2033-04-01"})).json()["items"]
    assert [i["id"] for i in due] == [shared["id"]]


async def test_the_report_says_what_is_due_slipped_and_done_by_host_council(api):
    host = unique("Host Council")
    as_of = date(2031, 1, 15)
    in_pence = {"basis": "pence", "annual_cost_pence": 9_000, "host_pence": 5_000, "other_pence": 4_000}
    due = first_version(await api.post(URL, json=body(host, planned_on="2031-03-31", cost_split=in_pence)))
    later = first_version(await api.post(URL, json=body(host, planned_on="2032-03-31")))
    passed = first_version(await api.post(URL, json=body(host, planned_on="2030-12-31", cost_split={
        "basis": "percent", "host_percent": 50, "other_percent": 50, "annual_cost_pence": 1_001})))  # fmt: skip
    done = first_version(await api.post(URL, json=body(host, planned_on="2022-03-31")))
    finished = await api.post(f"{URL}/{done['id']}/transitions", json={"to": "disaggregated", "on": "2022-04-01"})
    assert finished.status_code == 200, finished.text

    answer = await api.get("/v1/reports/disaggregation", params={"as_of": as_of.isoformat()})
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert (report["as_of"], report["months"], report["until"]) == ("2031-01-15", 6, "2031-07-15")
    mine = {section: [line["id"] for line in report[section] if line["host_council"] == host]
            for section in ("due", "slipped", "done", "deferred")}  # fmt: skip
    assert mine == {"due": [due["id"]], "slipped": [passed["id"]], "done": [done["id"]], "deferred": []}
    [slip] = [line for line in report["slipped"] if line["id"] == passed["id"]]
    assert slip["slipped"] == {"why": "passed", "days_late": 15}
    [row] = [row for row in report["by_host"] if row["host_council"] == host]
    assert row == {"host_council": host, "services": 4, "due": 1, "slipped": 1, "done": 1, "deferred": 0,
                   "still_shared": {"services": 3, "annual_cost_pence": 10_001, "host_pence": 5_501,
                                    "other_pence": 4_500, "without_cost": 1}}  # fmt: skip
    longer = (await api.get("/v1/reports/disaggregation", params={"as_of": "2031-01-15", "months": 18})).json()
    assert {later["id"], due["id"]} <= {line["id"] for line in longer["due"]}
    bad = await api.get("/v1/reports/disaggregation", params={"months": 0})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"cost_split": {"basis": "percent", "host_percent": 60, "other_percent": 30}}, "cost_split"),
        ({"cost_split": {"basis": "pence", "annual_cost_pence": 100, "host_pence": 60, "other_pence": 30}},
         "cost_split"),
        ({"cost_split": {"basis": "percent", "host_percent": 101, "other_percent": 0}}, "cost_split"),
        ({"kind": "shared"}, "kind"),
        ({"service": " "}, "service"),
        ({"other_council": "the host"}, "other_council"),
        ({"planned_on": "31/03/2031"}, "planned_on"),
        ({"status": "disaggregated"}, "status"),
    ],
)
async def test_bad_shared_services_are_refused_and_change_nothing(api, db, outbox, sent, field):
    host = "the host"
    shared = first_version(await api.post(URL, json=body(unique(host))))
    before = await stored(db, shared["id"])
    fields = {**body(host), **sent}
    count = await db["shared_services"].count_documents({"host_council": host})
    refused = await api.post(URL, json=fields)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert any(e["field"].startswith(field) for e in refused.json()["errors"]), refused.text
    assert await db["shared_services"].count_documents({"host_council": host}) == count
    if field != "other_council":  # an amendment's other council is compared with the stored host
        changed = await api.patch(f"{URL}/{shared['id']}", json=sent, headers={"If-Match": '"1"'})
        assert changed.status_code == 422, changed.text
    assert await stored(db, shared["id"]) == before and await outbox(shared["id"]) == []


async def test_neither_or_both_of_a_date_and_a_deferral_is_refused(api, db):
    host = unique("Host Council")
    for fields in ({"planned_on": None}, {"deferred_reason": "and a date"}):
        refused = await api.post(URL, json=body(host, **fields))
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] in ("planned_on", "deferred_reason")
    assert await db["shared_services"].count_documents({"host_council": host}) == 0


async def test_refusals_change_nothing(api, db, outbox):
    host = unique("Host Council")
    shared = first_version(await api.post(URL, json=body(host)))
    url = f"{URL}/{shared['id']}"
    before = await stored(db, shared["id"])

    stale = await api.patch(url, json={"planned_on": "2035-03-31"}, headers={"If-Match": '"7"'})
    assert stale.status_code == 412 and stale.headers["content-type"].startswith("application/problem+json")
    stale = await api.post(f"{url}/transitions", json={"to": "disaggregated"}, headers={"If-Match": '"7"'})
    assert stale.status_code == 412
    tomorrow = (today() + timedelta(days=1)).isoformat()
    for step, field in (({"to": "deferred"}, "reason"), ({"to": "cancelled", "reason": " "}, "reason"),
                        ({"to": "disaggregated", "on": tomorrow}, "on"),
                        ({"to": "in_progress", "planned_on": "2035-03-31"}, "planned_on"),
                        ({"to": "split"}, "to")):  # fmt: skip
        refused = await api.post(f"{url}/transitions", json=step)
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == field, refused.text
    not_allowed = await api.post(f"{url}/transitions", json={"to": "planned", "planned_on": "2035-03-31"})
    assert not_allowed.status_code == 409, not_allowed.text
    assert not_allowed.json()["current_status"] == "planned" and "in_progress" in not_allowed.json()["allowed"]
    no_reason = await api.patch(url, json={"deferred_reason": "not deferred"})
    assert no_reason.status_code == 409 and no_reason.json()["current_status"] == "planned", no_reason.text
    assert await stored(db, shared["id"]) == before and await outbox(shared["id"]) == []
    assert (await api.get(f"{URL}/nothing")).status_code == 404
    assert (await api.patch(f"{URL}/nothing", json={"notes": "x"})).status_code == 404
    assert (await api.post(f"{URL}/nothing/transitions", json={"to": "in_progress"})).status_code == 404

    cancelled = await api.post(f"{url}/transitions", json={"to": "cancelled", "reason": "the split costs too much"})
    assert cancelled.status_code == 200, cancelled.text
    after = await stored(db, shared["id"])
    for step in ({"to": "disaggregated"}, {"to": "cancelled", "reason": "again"}):
        final = await api.post(f"{url}/transitions", json=step)
        assert final.status_code == 409 and final.json()["allowed"] == [], final.text
    fixed = await api.patch(url, json={"planned_on": "2035-03-31"})
    assert fixed.status_code == 409 and fixed.json()["current_status"] == "cancelled", fixed.text
    assert await stored(db, shared["id"]) == after and await outbox(shared["id"]) == []


async def test_a_replayed_transition_makes_one_change(api, outbox):
    shared = first_version(await api.post(URL, json=body(unique("Host Council"))))
    url = f"{URL}/{shared['id']}/transitions"
    headers = {"Idempotency-Key": unique("disaggregated").replace(" ", "-"), "If-Match": '"1"'}
    first = await api.post(url, json={"to": "disaggregated"}, headers=headers)
    again = await api.post(url, json={"to": "disaggregated"}, headers=headers)
    assert first.status_code == again.status_code == 200, again.text
    assert again.headers.get("Idempotent-Replayed") == "true" and again.json() == first.json()
    assert await outbox(shared["id"]) == [DONE]


async def test_the_demo_loads_seed_001s_shared_services_once(api, db, outbox):
    await seed_shared_services(api)
    count = await db["shared_services"].count_documents({})
    await seed_shared_services(api)  # idempotent: nothing new, nothing moved
    assert await db["shared_services"].count_documents({}) == count
    demo = {item["service"]: item for item in await every(api, URL) if item["service"] in DEMO_NAMES}
    assert len(demo) == 28  # seed 001: 12 host services still waiting in October 2022, 16 lead services
    assert sum(item["kind"] == "lead" for item in demo.values()) == 16
    at = demo["Assistive Technology Service"]  # "moved to align to new contract procurement"
    assert (at["planned_on"], at["first_planned_on"]) == ("2024-03-31", "2023-03-31")
    assert await outbox(at["id"]) == [SLIPPED]
    assert demo["Libraries support services"]["deferred_reason"] == (
        "£90k additional cost to WNC to split - requested deferred")
    done = demo["Learning and Development Phase 2"]
    assert (done["status"], done["actual_on"]) == ("disaggregated", "2023-03-31") and await outbox(done["id"]) == [DONE]
    assert all("illustrative" in (item["notes"] or "") for item in demo.values() if item["host_council"] ==
               "North Northamptonshire Council")  # fmt: skip
    report = (await api.get("/v1/reports/disaggregation", params={"as_of": "2022-11-01"})).json()
    west = next(row for row in report["by_host"] if row["host_council"] == "West Northamptonshire Council")
    assert (west["services"], west["deferred"], west["due"]) == (8, 6, 2)  # DTI and the LGSS systems
