"""Leases, the asset register and the rationalisation target over HTTP, with the real database and outbox.

Each refusal is checked twice: the problem details, and that nothing changed (the stored building or target,
and the outbox)."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from civic.leases import LEASES
from civic_property.leases.service import REVIEW_JOB, review_leases, reviewer
from openpyxl import load_workbook

from tests.conftest import unique

pytestmark = pytest.mark.integration

K = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def uprn() -> str:
    return str(int(uuid.uuid4().hex[:10], 16) % 10**11 + 10**11)


def far_lease(**overrides) -> dict:
    """A lease whose dates fall in the 2040s, which the background review (on today's date) never reaches."""
    body = {
        "landlord": "Moat Lane Estates",
        "annual_rent_pence": 100_000 * K,
        "starts_on": "2030-04-01",
        "expires_on": "2042-03-31",
        "breaks": [{"on": "2041-03-31", "notice_months": 6}],
    }
    body.update(overrides)
    return body


async def stored(db, building_id: str) -> dict:
    return await db["buildings"].find_one({"_id": building_id})


# --- the register's fields and the lease on a building ---------------------------------------


async def test_a_leasehold_building_is_registered_with_its_lease_and_register_fields(api, new_building):
    number = uprn()
    b = await new_building(
        tenure="leasehold", uprn=number, asset_ref=unique("A"), street_number="1", street_name="Angel Street",
        postcode="NN1 1ED", map_reference={"easting": 475390, "northing": 260230}, interests_granted=["licence"],
        lease=far_lease(breaks=[{"on": "2041-03-31", "notice_months": 6}]),
    )
    assert b["uprn"] == number and b["map_reference"] == {"easting": 475390, "northing": 260230}
    assert b["lease"]["breaks"] == [{"on": "2041-03-31", "notice_months": 6, "notice_by": "2040-09-30"}]
    fetched = (await api.get(f"/v1/buildings/{b['id']}")).json()
    assert fetched["lease"] == b["lease"] and fetched["interests_granted"] == ["licence"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"tenure": "freehold", "lease": far_lease()}, "lease"),
        ({"tenure": "leasehold", "lease": far_lease(annual_rent_pence=500_000 * K)}, "lease.annual_rent_pence"),
        ({"tenure": "leasehold", "lease": far_lease(breaks=[{"on": "2043-01-01"}])}, "lease.breaks.0.on"),
        ({"postcode": "nn1 1ed"}, "postcode"),
        ({"uprn": "0123"}, "uprn"),
        ({"map_reference": {"easting": 1}}, "map_reference.northing"),
    ],
)
async def test_a_building_with_bad_register_fields_or_lease_is_refused_and_nothing_stored(api, db, overrides, field):
    name = unique("Refused House")
    body = {"name": name, "town": "Northampton", "kind": "office", "desks": 10, "annual_running_cost_pence": 40_000_000,
            "annual_carbon_kg": 1, "tenure": "freehold", **overrides}
    refused = problem(await api.post("/v1/buildings", json=body), 422)
    assert field in {e["field"] for e in refused["errors"]}
    assert await db["buildings"].count_documents({"name": name}) == 0


async def test_a_uprn_names_one_building_and_a_clash_changes_nothing(api, db, new_building, outbox):
    number = uprn()
    first = await new_building(uprn=number)
    clash = problem(await api.post("/v1/buildings", json={
        "name": unique("Second"), "town": "Northampton", "kind": "office", "desks": 1, "tenure": "freehold",
        "annual_running_cost_pence": 1, "annual_carbon_kg": 1, "uprn": number}), 409)
    assert clash["building_id"] == first["id"] and number in clash["detail"]
    other = await new_building()
    before = await stored(db, other["id"])
    problem(await api.patch(f"/v1/buildings/{other['id']}", json={"uprn": number}), 409)
    assert await stored(db, other["id"]) == before
    assert await outbox(other["id"]) == []


async def test_buildings_registered_at_once_with_one_uprn_make_one_entry(api, db):
    """The check before the write cannot see a registration still in flight: the unique index refuses the
    second, so six callers at once with one UPRN make one building, and the others are told why."""
    number = uprn()

    def register(i: int):
        return api.post("/v1/buildings", json={
            "name": unique(f"Rival {i}"), "town": "Northampton", "kind": "office", "desks": 1, "tenure": "freehold",
            "annual_running_cost_pence": 1, "annual_carbon_kg": 1, "uprn": number})

    answers = await asyncio.gather(*(register(i) for i in range(6)))
    assert sorted(a.status_code for a in answers) == [201] + [409] * 5, [a.text for a in answers]
    for refused in (a for a in answers if a.status_code == 409):
        problem(refused, 409)
    assert await db["buildings"].count_documents({"uprn": number}) == 1


async def test_a_lease_is_amended_and_emptied_with_the_tenure(api, db, new_building):
    b = await new_building(tenure="leasehold", lease=far_lease())
    # freehold while the lease is still there: refused, nothing changed
    before = await stored(db, b["id"])
    refused = problem(await api.patch(f"/v1/buildings/{b['id']}", json={"tenure": "freehold"}), 422)
    assert [e["field"] for e in refused["errors"]] == ["lease"]
    assert await stored(db, b["id"]) == before
    changed = await api.patch(f"/v1/buildings/{b['id']}", json={"tenure": "freehold", "lease": None},
                              headers={"If-Match": '"1"'})
    assert changed.status_code == 200 and changed.json()["lease"] is None and changed.json()["version"] == 2


# --- the asset register ------------------------------------------------------------------------


async def test_the_asset_register_as_json_csv_and_workbook(api, new_building):
    number = uprn()
    b = await new_building(
        name=unique("Register House"), uprn=number, asset_ref=unique("R"), street_name="George Row", postcode="NN1 1DN",
        map_reference={"easting": 475470, "northing": 260420}, interests_granted=["lease"],
    )
    report = (await api.get("/v1/reports/asset-register")).json()
    [asset] = [a for a in report["assets"] if a["building_id"] == b["id"]]
    assert (asset["uprn"], asset["post_town"], asset["tenure"], asset["tenure_category"]) == (
        number, "Northampton", "Freehold", "Occupied by the local authority; Leasehold")
    assert report["columns"][0] == {"key": "organisation", "heading": "Organisation"}

    as_csv = await api.get("/v1/reports/asset-register.csv")
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in as_csv.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(as_csv.text)))
    assert rows[0] == [c["heading"] for c in report["columns"]]
    [row] = [r for r in rows if r[1] == number]
    assert row[3] == b["name"] and row[8:10] == ["475470", "260420"]

    workbook = await api.get("/v1/reports/asset-register.xlsx")
    assert workbook.status_code == 200 and workbook.headers["content-type"] == XLSX
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    table = list(sheet.iter_rows(values_only=True))
    assert list(table[0]) == rows[0]
    [cells] = [r for r in table if r[1] == number]
    assert cells[3] == b["name"] and cells[8:10] == (475470, 260420)


# --- the lease review and report ---------------------------------------------------------------


async def test_the_lease_review_flags_each_date_once_as_it_comes_within_18_months(api, new_building, outbox,
                                                                                  service_runtime):
    b = await new_building(tenure="leasehold", lease=far_lease())
    runtime = await service_runtime("property")
    first = await review_leases(runtime, date(2039, 1, 1))  # the break of March 2041 is 26 months away
    assert b["id"] not in {d["building_id"] for d in first["due"]}
    assert await outbox(b["id"]) == []
    review = await review_leases(runtime, date(2039, 10, 1))  # 18 months before April 2041
    [due] = [d for d in review["due"] if d["building_id"] == b["id"]]
    assert (due["kind"], due["on"], due["notice_by"], due["flagged_now"]) == ("break", "2041-03-31", "2040-09-30", True)
    again = await review_leases(runtime, date(2039, 10, 2))
    assert [d["flagged_now"] for d in again["due"] if d["building_id"] == b["id"]] == [False]
    assert await outbox(b["id"]) == ["property.lease.break_flagged"]
    await review_leases(runtime, date(2040, 10, 1))  # the expiry (31 March 2042) comes within 18 months
    assert await outbox(b["id"]) == ["property.lease.break_flagged", "property.lease.expiry_flagged"]


async def test_two_replicas_reviewing_at_once_flag_each_date_once(new_building, outbox, db, service_runtime):
    """The background review runs on the replica holding its lease: of two replicas' reviewers starting a round
    together, one reviews and the other stands by, round after round, and the date is flagged once."""
    soon = date.today().replace(day=1)
    break_on = date(soon.year + 1, soon.month, 1)  # about a year ahead: within 18 months of today's review
    b = await new_building(tenure="leasehold", lease=far_lease(
        starts_on="2020-01-01", expires_on="2045-01-01", breaks=[{"on": break_on.isoformat(), "notice_months": 3}]))
    runtime = await service_runtime("property")
    # the running app's own reviewer took the lease at its start: it stops renewing it, as a replica gone away
    await db[LEASES].update_one({"_id": REVIEW_JOB}, {"$set": {"expires_at": datetime.now(UTC) - timedelta(seconds=1)}})
    first, second = reviewer(runtime), reviewer(runtime)
    try:
        ran = await asyncio.gather(first.round(), second.round())
        assert sorted(ran) == [False, True]
        assert await asyncio.gather(first.round(), second.round()) == ran  # the holder keeps the job
    finally:
        await first.lease.release()
        await second.lease.release()
    assert await outbox(b["id"]) == ["property.lease.break_flagged"]
    assert await db["lease_flags"].count_documents({"building_id": b["id"]}) == 1


async def test_the_lease_review_route_and_the_lease_report(api, new_building, db):
    soon = date.today().replace(day=1)
    break_on = date(soon.year + 1, soon.month, 1)  # about a year ahead: within 18 months
    b = await new_building(tenure="leasehold", lease=far_lease(
        starts_on="2020-01-01", expires_on="2045-01-01", breaks=[{"on": break_on.isoformat(), "notice_months": 3}]))
    leasehold_only = await new_building(tenure="leasehold")
    reviewed = await api.post("/v1/lease-reviews")
    assert reviewed.status_code == 200
    [due] = [d for d in reviewed.json()["due"] if d["building_id"] == b["id"]]
    assert due["kind"] == "break"  # flagged now, or already by the background review: once either way
    assert await db["lease_flags"].count_documents({"building_id": b["id"]}) == 1
    report = (await api.get("/v1/reports/leases")).json()
    [row] = [d for d in report["due"] if d["building_id"] == b["id"]]
    assert row["on"] == break_on.isoformat() and row["flagged_on"] is not None and report["months"] == 18
    assert {"building_id": leasehold_only["id"], "name": leasehold_only["name"], "town": "Northampton"} in report[
        "leasehold_without_lease"]
    [held] = [lease for lease in report["leases"] if lease["building_id"] == b["id"]]
    assert held["next_break_on"] == break_on.isoformat()
    short = (await api.get("/v1/reports/leases", params={"months": 1})).json()
    assert b["id"] not in {d["building_id"] for d in short["due"]}
    refused = problem(await api.get("/v1/reports/leases", params={"months": 0}), 422)
    assert refused["errors"][0]["field"].endswith("months")


# --- the rationalisation target ----------------------------------------------------------------

# years 2011/12 to 2013/14 are this file's alone: no other test closes a building or moves a partner in then
TARGET = {
    "steps": [
        {"year": "2011/12", "annual_saving_pence": 400_000 * K},
        {"year": "2012/13", "annual_saving_pence": 700_000 * K, "by": "2012-12-31"},
    ],
    "source": "test",
}


async def test_the_target_is_set_and_a_bad_or_stale_one_changes_nothing(api, db):
    current = await api.get("/v1/rationalisation-target")
    assert current.status_code == 200
    etag = current.headers["ETag"]
    put = await api.put("/v1/rationalisation-target", json=TARGET, headers={"If-Match": etag})
    assert put.status_code == 200, put.text
    saved = put.json()
    assert saved["steps"][1] == {"year": "2012/13", "annual_saving_pence": 70_000_000, "by": "2012-12-31"}
    before = await db["settings"].find_one({"_id": "rationalisation_target"})
    backwards = {"steps": [TARGET["steps"][1], TARGET["steps"][0]]}
    assert problem(await api.put("/v1/rationalisation-target", json=backwards), 422)["errors"][0]["field"] == (
        "steps.1.year")
    outside = {"steps": [{"year": "2012/13", "annual_saving_pence": 1, "by": "2013-04-01"}]}
    assert problem(await api.put("/v1/rationalisation-target", json=outside), 422)["errors"][0]["field"] == (
        "steps.0.by")
    problem(await api.put("/v1/rationalisation-target", json=TARGET, headers={"If-Match": etag}), 412)
    assert await db["settings"].find_one({"_id": "rationalisation_target"}) == before


async def test_the_target_report_against_closures_and_partners_moving_in(api, new_building, new_team):
    put = await api.put("/v1/rationalisation-target", json=TARGET)
    assert put.status_code == 200
    closing = await new_building(annual_running_cost_pence=400_000 * K)
    await new_building(annual_running_cost_pence=900_000 * K,
                       partners=[{"name": "Partner", "annual_rent_pence": 300_000 * K, "since": "2012-11-01"}])
    url = f"/v1/buildings/{closing['id']}/transitions"
    assert (await api.post(url, json={"to": "closure_planned", "on": "2012-03-31"})).status_code == 200
    assert (await api.post(url, json={"to": "closed", "on": "2012-03-31"})).status_code == 200
    report = (await api.get("/v1/reports/rationalisation-target", params={"to_year": "2013/14"})).json()
    y11, y12, y13 = report["years"]
    assert (y11["year"], y11["measured_on"], y11["delivered_annual_saving_pence"], y11["met"]) == (
        "2011/12", "2012-03-31", 40_000_000, True)
    assert (y12["measured_on"], y12["running_cost_saved_pence"], y12["partner_rent_gained_pence"]) == (
        "2012-12-31", 40_000_000, 30_000_000)
    assert (y12["delivered_annual_saving_pence"], y12["shortfall_pence"], y12["met"]) == (70_000_000, 0, True)
    assert [d["kind"] for d in y12["delivered_by"]] == ["closure", "partner_moved_in"]
    assert (y13["target_year"], y13["target_annual_saving_pence"]) == ("2012/13", 70_000_000)
    problem(await api.get("/v1/reports/rationalisation-target", params={"from_year": "2013/14", "to_year": "2011/12"}),
            422)


async def test_the_demo_sets_seed_001s_target_and_flags_the_forums_break(api):
    from civic_property.seed import seed

    await seed(api)
    target = (await api.get("/v1/rationalisation-target")).json()
    assert target["version"] >= 1
    forum = [b for b in (await api.get("/v1/buildings", params={"limit": 500})).json()["items"]
             if b["name"] == "The Forum"]
    assert forum[0]["tenure"] == "leasehold" and forum[0]["lease"]["breaks"]
    report = (await api.get("/v1/reports/leases")).json()
    assert forum[0]["id"] in {d["building_id"] for d in report["due"]}
