"""A savings programme's own pages in a real Chromium, through the gateway and the real services: its investment
and payback, its RAID log and its highlight reports.

A finance officer records an investment line (an amount that is not one refused, nothing recorded) and reads the
payback as the API reckons it; raises a risk on the programme (one without a title refused, what was typed kept,
nothing raised), rates it higher and closes it with the reason (none refused); issues a month's highlight report
(a month the API refuses said on its box) and reads it as kept. Every result is checked through the API; the
operator, who may only read, is offered none of the changes; every page passes axe-core with no serious or
critical violation. The programme is the test's own, under a unique name.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from civic_web.vocabulary import pounds

from tests.browser.conftest import Api, NewPage, demo, no_accessibility_problems, summary_links

pytestmark = [pytest.mark.browser]

FINANCE = demo("finance.officer")
OPERATOR = demo("operator")
API = "/api/savings/v1"
YEAR = "2028/29"


async def programme_with_an_initiative(api: Api) -> str:
    name = f"Adults {uuid.uuid4().hex[:8]}"
    answer = await api(FINANCE).post(
        f"{API}/initiatives",
        json={
            "title": f"Reablement {uuid.uuid4().hex[:6]}",
            "directorate": "People",
            "theme": "demand_prevention",
            "category": "transformation",
            "programme": name,
            "profile": [{"year": YEAR, "planned_pence": 300_000_00}],
        },
    )
    assert answer.status_code == 201, answer.text
    return name


async def raid_items(api: Api, programme: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await api(FINANCE).get(f"{API}/raid", params={"programme": programme})).json()["items"]
    return items


async def test_a_finance_officer_records_investment_keeps_the_raid_log_and_issues_a_highlight_report(
    new_page: NewPage, api: Api
) -> None:
    name = await programme_with_an_initiative(api)
    page = await new_page(FINANCE)
    await page.goto(f"/savings/programmes/{name}")
    await page.get_by_role("heading", name=name, exact=True).wait_for()
    await no_accessibility_problems(page)

    # an investment line: an amount that is not one is refused on its box, nothing recorded, what was typed kept
    await page.get_by_role("link", name="Record an investment line").click()
    await page.locator("#category").select_option(value="staff")
    await page.locator("#year").fill(YEAR)
    await page.locator("#amount").fill("lots")
    await page.get_by_role("button", name="Record the line").click()
    assert await summary_links(page) == ["#amount"]
    assert (await page.locator("#year").input_value(), await page.locator("#amount").input_value()) == (YEAR, "lots")
    await no_accessibility_problems(page)
    assert (await api(FINANCE).get(f"{API}/programmes/{name}/investment")).json()["items"] == []
    await page.locator("#amount").fill("£120,000")
    await page.get_by_role("button", name="Record the line").click()
    await page.get_by_text(f"£120,000 of staff in {YEAR} is recorded.").wait_for()
    lines = (await api(FINANCE).get(f"{API}/programmes/{name}/investment")).json()["items"]
    assert [(line["category"], line["year"], line["amount_pence"]) for line in lines] == [("staff", YEAR, 120_000_00)]
    payback = (await api(FINANCE).get(f"{API}/reports/payback/{name}")).json()
    net = page.locator(".govuk-summary-list__row", has=page.locator("dt", has_text="Net benefit"))
    assert (await net.locator("dd").inner_text()).strip() == pounds(payback["net_benefit_pence"])
    year_row = page.locator("table", has=page.locator("caption", has_text="Investment against savings")).locator(
        "tbody tr", has=page.locator("th, td", has_text=YEAR)
    )
    assert pounds(120_000_00) in await year_row.inner_text()

    # a risk raised on the programme: without a title refused, nothing raised, the choices kept
    await page.goto(f"/savings/programmes/{name}/raid/new")
    await page.locator("#kind").check()  # the first kind, a risk
    await page.locator("#owner").fill("Head of Adult Social Care")
    await page.locator("#likelihood-3").check()
    await page.locator("#impact-4").check()
    await page.locator("#review_on-day").fill("31")
    await page.locator("#review_on-month").fill("3")
    await page.locator("#review_on-year").fill("2029")
    await page.get_by_role("button", name="Raise the item").click()
    assert await summary_links(page) == ["#title"]
    assert await page.locator("#owner").input_value() == "Head of Adult Social Care"
    assert await page.locator("#impact-4").is_checked()
    await no_accessibility_problems(page)
    assert await raid_items(api, name) == []
    await page.locator("#title").fill("Hospital discharge demand outstrips the saving")
    await page.get_by_role("button", name="Raise the item").click()
    await page.get_by_text("Risk raised: Hospital discharge demand outstrips the saving.").wait_for()
    [item] = await raid_items(api, name)
    assert (item["kind"], item["score"], item["rating"], item["status"]) == ("risk", 12, "amber", "open")
    await page.get_by_text("Amber (12)").wait_for()

    # rated higher, then closed: without a reason refused and still open
    await page.locator("#likelihood-5").check()
    await page.get_by_role("button", name="Save the changes").click()
    await page.get_by_text("The item is updated.").wait_for()
    await page.get_by_text("Red (20)").wait_for()
    await page.get_by_role("button", name="Close the item").click()
    assert await summary_links(page) == ["#close-reason"]
    await no_accessibility_problems(page)
    [item] = await raid_items(api, name)
    assert (item["rating"], item["status"], item["version"]) == ("red", "open", 2)
    await page.locator("#close-reason").fill("Discharge to assess funded by the ICB")
    await page.get_by_role("button", name="Close the item").click()
    await page.get_by_text("The item is closed.").wait_for()
    [item] = await raid_items(api, name)
    assert (item["status"], item["closed_reason"]) == ("closed", "Discharge to assess funded by the ICB")
    assert await page.get_by_role("button", name="Save the changes").count() == 0
    await page.goto(f"/savings/raid?programme={name}&status=closed")
    assert await page.get_by_role("link", name="Hospital discharge demand outstrips the saving").count() == 1
    await no_accessibility_problems(page)

    # a highlight report: a month the API refuses is said on its box, nothing issued; then issued and kept
    await page.goto(f"/savings/programmes/{name}/highlight-reports")
    await page.locator("#month").fill("2029-13")
    await page.get_by_role("button", name="Issue the report").click()
    assert await summary_links(page) == ["#month"]
    assert await page.locator("#month").input_value() == "2029-13"
    assert (await api(FINANCE).get(f"{API}/programmes/{name}/highlight-reports")).json()["items"] == []
    await no_accessibility_problems(page)
    month = (date.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")  # last month: one that has begun
    await page.locator("#month").fill(month)
    await page.get_by_role("button", name="Issue the report").click()
    await page.get_by_role("heading", name=f"Highlight report, {month}").wait_for()
    kept = (await api(FINANCE).get(f"{API}/programmes/{name}/highlight-reports/{month}")).json()
    assert kept["issued"] is True and kept["issued_by"] == FINANCE.key
    assert "Issued on" in await page.locator("#report-state").inner_text()
    planned = page.locator(".govuk-summary-list__row", has=page.locator("dt", has_text="Planned savings"))
    assert (await planned.locator("dd").inner_text()).strip() == pounds(kept["savings"]["planned_pence"])
    await no_accessibility_problems(page)

    # the operator reads the same pages and is offered none of the changes
    reader = await new_page(OPERATOR)
    await reader.goto(f"/savings/programmes/{name}")
    await reader.get_by_role("heading", name=name, exact=True).wait_for()
    for link in ("Record an investment line", "Raise a RAID item"):
        assert await reader.get_by_role("link", name=link).count() == 0, link
    await reader.goto(f"/savings/raid/{item['id']}")
    assert await reader.locator("main form[method=post]").count() == 0
    await reader.goto(f"/savings/programmes/{name}/highlight-reports")
    await reader.get_by_role("link", name=month).wait_for()
    assert await reader.locator("main form[method=post]").count() == 0
    await reader.goto(f"/savings/programmes/{name}/investment/{lines[0]['id']}")
    assert await reader.locator("main form[method=post]").count() == 0
    await no_accessibility_problems(reader)
