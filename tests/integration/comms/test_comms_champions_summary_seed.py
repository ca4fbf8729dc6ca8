"""Change champions and their coverage gap, the dashboard summary, and the demo data (twice)."""

from __future__ import annotations

from typing import Any

import pytest
from civic_comms.demo import COMMITMENTS, COUNTY, DISTRICTS, council_services
from civic_comms.seed import seed

from tests.conftest import first_version

from .conftest import problem, soon, unique

pytestmark = pytest.mark.integration


async def test_champions_and_the_coverage_gap(author, db):
    gap = unique("Registrars")
    covered = unique("Libraries")
    assert (
        await author.post("/v1/services", json={"name": gap, "directorate": "Corporate"})
    ).status_code == 201
    problem(await author.post("/v1/services", json={"name": gap.upper(), "directorate": "Corporate"}), 409)
    champion = first_version(
        await author.post(
            "/v1/champions", json={"name": "Hannah Clarke", "service": covered, "directorate": "Communities"}
        )
    )
    report = (await author.get("/v1/reports/champion-coverage")).json()
    missing = [s["name"] for s in report["services_without_champion"]]
    assert gap in missing and covered not in missing  # the champion's service was registered with them
    assert report["champions_needed"] == len(missing)
    listed = (await author.get("/v1/champions", params={"service": covered.lower()})).json()["items"]
    assert [c["name"] for c in listed] == ["Hannah Clarke"]
    removed = await author.delete(f"/v1/champions/{champion['id']}")
    assert removed.status_code == 204
    report = (await author.get("/v1/reports/champion-coverage")).json()
    assert covered in [s["name"] for s in report["services_without_champion"]]
    before = await db["champions"].count_documents({})
    problem(await author.post("/v1/champions", json={"name": " ", "service": "x", "directorate": "y"}), 422)
    assert await db["champions"].count_documents({}) == before


async def test_summary(author, approver, new_content, new_consultation, move, reader):
    content = await new_content(publish_at=soon(minutes=30))
    await move(author, content["id"], "in_review")
    await move(approver, content["id"], "approved")
    await move(author, content["id"], "scheduled")
    k = await new_consultation()
    await author.post(f"/v1/consultations/{k['id']}/responses", json={"answers": {"vision": "agree"}})
    summary = (await reader.get("/v1/summary")).json()
    open_ones = {c["consultation_id"]: c for c in summary["open_consultations"]}
    assert open_ones[k["id"]]["responses"] == 1
    # scheduled for 30 minutes on: in this week unless the test runs in the last half hour of Sunday
    assert set(summary) == {"scheduled_this_week", "open_consultations"}


async def test_seed_twice_creates_nothing_new(author, approver, db):
    await seed(author, approver)
    counts = {
        c: await db[c].count_documents({})
        for c in (
            "content",
            "campaigns",
            "consultations",
            "responses",
            "champions",
            "council_services",
            "media_coverage",
            "consultation_outcomes",
        )
    }
    await seed(author, approver)
    assert {c: await db[c].count_documents({}) for c in counts} == counts
    consultations = (await author.get("/v1/consultations", params={"limit": 500})).json()["items"]
    plan = next(c for c in consultations if c["title"].startswith("Corporate plan 2021-25"))
    results = (await author.get(f"/v1/consultations/{plan['id']}/results")).json()
    assert results["responses"] == 612
    assert results["questions"][0]["agreement_percentage"] == 81.5  # over 600, over 80% agreeing
    # one closed consultation with its outcome published (illustrative), once however often the seed runs
    hours = next(c for c in consultations if c["title"].startswith("Library opening hours"))
    assert hours["state"] == "closed"
    outcome = (await author.get(f"/v1/consultation-outcomes/{hours['id']}")).json()
    assert outcome["status"] == "published" and outcome["decision_reference"] == "CAB-2023-041"
    assert outcome["results"]["responses"] == 240 and outcome["results"]["headline"][0]["agreement_percentage"] == 70.0
    published = (await author.get("/v1/consultation-outcomes", params={"limit": 500})).json()["items"]
    assert [o["consultation_id"] for o in published].count(hours["id"]) == 1
    logo = next(c for c in consultations if c["title"].startswith("Our new logo"))
    assert (await author.get(f"/v1/consultations/{logo['id']}")).json()["responses"] == 1272
    # seed 002: the corporate plan's six commitments, by their names
    question = next(q for q in (await author.get(f"/v1/consultations/{plan['id']}")).json()["questions"]
                    if q["id"] == "priority")  # fmt: skip
    assert question["options"][0] == "Active, fulfilled lives"
    assert set(question["options"]) == set(COMMITMENTS) and len(COMMITMENTS) == 6

    # seed 003: 332 champions across the 8 councils, 71 more needed, 8 services to explore. Tests share
    # the database, so the figures are counted over the seed's own services (a fresh stack's report has
    # exactly these: tests/e2e/test_seeded_demo.py)
    seeded = {s["name"]: s for s in council_services()}
    registered = {s["name"] for s in await _all(author, "/v1/services")}
    assert set(seeded) <= registered and len(seeded) == 136
    appointed = [c for c in await _all(author, "/v1/champions") if c["council"] in (COUNTY, *DISTRICTS)]
    assert len(appointed) == 332
    assert len({c["council"] for c in appointed}) == 8
    report = (await author.get("/v1/reports/champion-coverage")).json()
    gap = [s["name"] for s in report["services_without_champion"] if s["name"] in seeded]
    explore = [s["name"] for s in report.get("services_to_explore", []) if s["name"] in seeded]
    assert len(gap) == 71
    assert len(explore) == 8
    assert report["champions"] >= 332 and report["champions_needed"] >= 71 and report["to_explore"] >= 8
    # per council (seed 003 counts them across the eight): each council's services with and without a champion
    by_council = {c["council"]: c for c in (await author.get("/v1/reports/champion-coverage/by-council")).json()
                  ["councils"]}
    assert {COUNTY, *DISTRICTS} <= set(by_council)
    assert sum(by_council[c]["champions"] for c in (COUNTY, *DISTRICTS)) == 332
    assert sum(by_council[c]["champions_needed"] for c in (COUNTY, *DISTRICTS)) == 71
    county = by_council[COUNTY]
    assert county["champions"] == 20 * 10 and county["champions_needed"] == 1
    assert [s["name"] for s in county["services_without_champion"]] == [f"Country Parks ({COUNTY})"]
    assert all(s["champions"] == 10 for s in county["services_with_champion"])


async def _all(client: Any, path: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = (await client.get(path, params={"limit": 500, **({"cursor": cursor} if cursor else {})})).json()
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items
