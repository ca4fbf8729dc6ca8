"""The estate's leases, asset register and rationalisation target in a real Chromium, through the gateway and the
real services.

An estates officer records the lease of a leasehold building (one without its expiry refused on the date, what
was typed kept, nothing recorded), finds its break in the lease report and flags it by a review; downloads the
asset register as CSV and as a workbook; and sets the rationalisation target (an amount that is not one refused,
nothing set). Every result is checked through the API; the operator, who may only read, is offered none of the
changes; every page passes axe-core with no serious or critical violation. The building is the test's own; the
target is the one the estate has, restored as it was at the end.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import Api, NewPage, demo, no_accessibility_problems, summary_links, type_date

pytestmark = [pytest.mark.browser]

ESTATES = demo("estates.officer")
OPERATOR = demo("operator")
API = "/api/property/v1"


async def leasehold_building(api: Api) -> dict[str, Any]:
    answer = await api(ESTATES).post(f"{API}/buildings", json={
        "name": f"Riverside House {uuid.uuid4().hex[:6]}", "town": "Daventry", "kind": "office", "desks": 40,
        "tenure": "leasehold", "annual_running_cost_pence": 30_000_000, "annual_carbon_kg": 9_000})  # fmt: skip
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_an_estates_officer_records_a_lease_reviews_the_leases_downloads_the_register_and_sets_the_target(
    new_page: NewPage, api: Api, tmp_path: Path
) -> None:
    building = await leasehold_building(api)
    today = date.today()
    expiry, break_on = date(today.year + 3, 3, 31), date(today.year + 1, 3, 31)
    page = await new_page(ESTATES)
    await page.goto(f"/property/buildings/{building['id']}")
    await page.get_by_role("link", name="Its lease").click()
    await page.locator("#landlord").fill("Nene Estates Ltd")
    await page.locator("#rent").fill("60,000")
    await page.locator("#break-0-on").fill(break_on.isoformat())
    await page.locator("#break-0-notice_months").fill("6")
    await page.get_by_role("button", name="Save the lease").click()
    assert await summary_links(page) == ["#expires_on-day"]
    assert (await page.locator("#landlord").input_value(), await page.locator("#break-0-on").input_value()) == (
        "Nene Estates Ltd",
        break_on.isoformat(),
    )
    await no_accessibility_problems(page)
    assert (await api(ESTATES).get(f"{API}/buildings/{building['id']}")).json()["lease"] is None
    await type_date(page, "expires_on", expiry)
    await page.get_by_role("button", name="Save the lease").click()
    await page.get_by_text("The lease is recorded.").wait_for()
    lease = (await api(ESTATES).get(f"{API}/buildings/{building['id']}")).json()["lease"]
    assert (lease["landlord"], lease["annual_rent_pence"], lease["expires_on"]) == (
        "Nene Estates Ltd",
        6_000_000,
        expiry.isoformat(),
    )
    assert [(b["on"], b["notice_months"]) for b in lease["breaks"]] == [(break_on.isoformat(), 6)]

    # the break in the lease report, flagged by a review
    await page.goto("/property/leases")
    due = page.locator("table", has=page.locator("caption", has_text="Breaks and expiries due")).locator(
        "tr", has_text=building["name"]
    )
    assert await due.count() >= 1
    await page.get_by_role("button", name="Review the leases now").click()
    await page.get_by_text("The leases are reviewed:").wait_for()
    report = (await api(ESTATES).get(f"{API}/reports/leases")).json()
    flagged = [d for d in report["due"] if d["building_id"] == building["id"] and d["kind"] == "break"]
    assert flagged and flagged[0]["flagged_on"] is not None
    await no_accessibility_problems(page)

    # the asset register, and as the API publishes it
    await page.goto("/property/asset-register")
    assert await page.get_by_role("link", name=building["name"]).count() >= 1
    await no_accessibility_problems(page)
    async with page.expect_download() as started:
        await page.get_by_role("link", name="Download the register as CSV").click()
    saved = tmp_path / "register.csv"
    await (await started.value).save_as(saved)
    assert building["name"] in saved.read_text(encoding="utf-8-sig")
    async with page.expect_download() as started:
        await page.get_by_role("link", name="Download the register as a spreadsheet (.xlsx)").click()
    workbook = tmp_path / "register.xlsx"
    await (await started.value).save_as(workbook)
    cells = [str(c) for row in load_workbook(workbook).active.iter_rows(values_only=True) for c in row if c]
    assert building["name"] in cells

    # the rationalisation target: an amount that is not one refused, nothing set; then set
    before = await api(ESTATES).get(f"{API}/rationalisation-target")
    await page.goto("/property/rationalisation-target")
    year = f"{today.year + 20}/{(today.year + 21) % 100:02d}"
    await page.locator("#step-0-year").fill(year)
    await page.locator("#step-0-annual_saving_pence").fill("a lot")
    await page.get_by_role("button", name="Set the target").click()
    assert await summary_links(page) == ["#step-0-annual_saving_pence"]
    assert await page.locator("#step-0-year").input_value() == year
    await no_accessibility_problems(page)
    assert (await api(ESTATES).get(f"{API}/rationalisation-target")).json() == before.json()
    # the form holds the target's own steps first: the new one goes in the first empty row
    rows = len(before.json()["steps"])
    await page.goto("/property/rationalisation-target")
    await page.locator(f"#step-{rows}-year").fill(year)
    await page.locator(f"#step-{rows}-annual_saving_pence").fill("1,500,000")
    await page.get_by_role("button", name="Set the target").click()
    await page.get_by_text("The rationalisation target is set.").wait_for()
    target = (await api(ESTATES).get(f"{API}/rationalisation-target")).json()
    assert target["steps"][-1]["year"] == year and target["steps"][-1]["annual_saving_pence"] == 150_000_000
    await no_accessibility_problems(page)
    restored = await api(ESTATES).put(
        f"{API}/rationalisation-target",
        json={"steps": before.json()["steps"], "source": before.json()["source"]},
        headers={"If-Match": f'"{target["version"]}"'},
    )
    assert restored.status_code == 200, restored.text

    # the operator reads them and is offered no change
    reader = await new_page(OPERATOR)
    for address in (f"/property/buildings/{building['id']}/lease", "/property/leases", "/property/rationalisation-target"):
        await reader.goto(address)
        assert await reader.locator("main form[method=post]").count() == 0, address
    await no_accessibility_problems(reader)
