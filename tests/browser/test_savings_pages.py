"""The savings reports and an initiative's progress in a real Chromium, through the gateway and the real services.

A finance officer reads the theme x year report (its table, the chart's text alternative) for a programme of
their own, downloads it as a spreadsheet and reads the programme against its target; they record a delivered
saving and a RAG status on an initiative's page, a refused status keeping what they chose. Every figure is
checked against what the API answers; the operator, who may only read, is offered none of the changes; every
page passes axe-core with no serious or critical violation.

The data is the test's own (a programme and years no other test uses), so the demo's published figures,
checked by tests/e2e, are untouched.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from civic_web.vocabulary import pounds
from openpyxl import load_workbook

from tests.browser.conftest import Api, NewPage, demo, no_accessibility_problems

pytestmark = [pytest.mark.browser]

FINANCE = demo("finance.officer")
APPROVER = demo("programme.approver")
OPERATOR = demo("operator")
YEARS = ("2028/29", "2029/30")


async def propose(api: Api, programme: str, theme: str, amounts: tuple[int, int]) -> dict[str, Any]:
    answer = await api(FINANCE).post("/api/savings/v1/initiatives", json={
        "title": f"{theme} {uuid.uuid4().hex[:6]}", "directorate": "Place", "theme": theme,
        "category": "transformation", "programme": programme,
        "profile": [{"year": year, "planned_pence": amount} for year, amount in zip(YEARS, amounts, strict=True)]})
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def table_cells(table: Any) -> list[list[str]]:
    """A table's body as the officer reads it, row by row (header cells included)."""
    cells: list[list[str]] = await table.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.querySelectorAll('th, td')].map(c => c.textContent.trim()))")
    return cells


async def test_a_finance_officer_reads_the_theme_report_downloads_it_and_reads_the_programme_against_its_target(
        new_page: NewPage, api: Api, tmp_path: Path) -> None:
    programme = f"Waste review {uuid.uuid4().hex[:8]}"
    titles = [(await propose(api, programme, "demand_prevention", (1_250_000_00, 300_000_00)))["title"],
              (await propose(api, programme, "charging_income", (75_500_50, 0)))["title"]]
    target = await api(FINANCE).put(f"/api/savings/v1/targets/{programme}", json={"amount_pence": 1_000_000_00})
    assert target.status_code == 201, target.text
    page = await new_page(FINANCE)
    await page.goto("/savings/initiatives")
    await page.get_by_role("navigation", name="Savings pages").get_by_role("link", name="Reports").click()
    await page.get_by_role("link", name="Savings by theme and year").first.click()
    await page.get_by_label("Financial years").fill(",".join(YEARS))
    await page.get_by_label("Programme").fill(programme)
    await page.get_by_role("button", name="Show the report").click()
    await page.get_by_role("heading", name="Planned savings", exact=True).wait_for()

    # the table is the API's report, figure for figure
    report = (await api(FINANCE).get("/api/savings/v1/reports/themes",
                                     params={"years": ",".join(YEARS), "programme": programme})).json()
    expected = [[row["label"], *(pounds(row["by_year"][y]["planned_pence"]) for y in YEARS), pounds(row["planned_pence"])]
                for row in report["rows"]]
    expected.append(["Total", *(pounds(report["totals"]["by_year"][y]["planned_pence"]) for y in YEARS),
                     pounds(report["totals"]["planned_pence"])])
    planned = page.locator("table", has=page.locator("caption", has_text="Planned savings by theme"))
    assert await table_cells(planned) == expected
    assert expected[-1][-1] == "£1,625,500.50"
    # the chart is an image named in words, with the figures' gist in its description
    chart = page.get_by_role("img", name="Planned savings by theme and year")
    assert await chart.count() == 1
    description = await chart.locator("desc").text_content()
    assert "£1,625,500.50" in (description or "") and "Demand & Prevention" in (description or "")
    await no_accessibility_problems(page)

    # the spreadsheet holds the same figures, as numbers in pounds
    async with page.expect_download() as started:
        await page.get_by_role("link", name="Download these tables as a spreadsheet (.xlsx)").click()
    download = await started.value
    assert download.suggested_filename == "savings-by-theme.xlsx"
    saved = tmp_path / "themes.xlsx"
    await download.save_as(saved)
    sheet = load_workbook(saved)["Planned"]
    rows = {row[0]: list(row[1:]) for row in sheet.iter_rows(min_row=5, values_only=True) if row[0]}
    assert rows["Demand & Prevention"] == [1_250_000, 300_000, 1_550_000]
    assert rows["Charging & Income"] == [75_500.5, 0, 75_500.5]
    assert rows["Total"] == [report["totals"]["by_year"][YEARS[0]]["planned_pence"] / 100,
                             report["totals"]["by_year"][YEARS[1]]["planned_pence"] / 100,
                             report["totals"]["planned_pence"] / 100]

    # the programme against its target, as the API reckons it
    await page.get_by_role("navigation", name="Savings pages").get_by_role("link", name="Reports").click()
    await page.get_by_role("link", name=programme, exact=True).click()
    await page.get_by_role("heading", name=f"{programme} against its target").wait_for()
    position = (await api(FINANCE).get(f"/api/savings/v1/reports/target/{programme}")).json()
    summary = page.locator(".govuk-summary-list")
    for key, field in (("Target", "target_pence"), ("Delivered and anticipated", "total_pence")):
        row = summary.locator(".govuk-summary-list__row", has=page.locator("dt", has_text=key)).first
        assert (await row.locator("dd").inner_text()).strip() == pounds(position[field]), key
    over = position["excess_pence"] >= 0
    gap = summary.locator(".govuk-summary-list__row",
                          has=page.locator("dt", has_text="Over the target by" if over else "Short of the target by"))
    assert (await gap.locator("dd").inner_text()).strip() == pounds(abs(position["excess_pence"]))
    assert await page.get_by_role("img", name=f"{programme}: savings by year against the target").count() == 1
    await no_accessibility_problems(page)

    # variance by year for the programme, and the month's highlights naming its new initiatives
    await page.get_by_role("navigation", name="Savings pages").get_by_role("link", name="Reports").click()
    await page.get_by_role("link", name="Variance by year").click()
    await page.get_by_label("Financial years").fill(",".join(YEARS))
    await page.get_by_label("Programme").fill(programme)
    await page.get_by_role("button", name="Show the report").click()
    variance = (await api(FINANCE).get("/api/savings/v1/reports/variance",
                                       params={"years": ",".join(YEARS), "programme": programme})).json()
    table = page.locator("table", has=page.locator("caption", has_text="planned, slipped, delivered and variance"))
    totals = (await table_cells(table))[-1]
    assert totals[0] == "Total" and totals[3:5] == [pounds(variance["totals"]["planned_pence"]),
                                                    pounds(variance["totals"]["delivered_pence"])]
    await no_accessibility_problems(page)
    await page.get_by_role("navigation", name="Savings pages").get_by_role("link", name="Reports").click()
    await page.get_by_role("link", name="Monthly highlight report").click()
    proposed = page.locator("table", has=page.locator("caption", has_text="Proposed"))
    for title in titles:
        assert await proposed.get_by_role("link", name=title).count() == 1, title
    await no_accessibility_problems(page)


async def test_a_finance_officer_records_a_rag_status_and_a_delivered_saving_and_the_operator_is_offered_neither(
        new_page: NewPage, api: Api) -> None:
    initiative = await propose(api, f"Libraries {uuid.uuid4().hex[:8]}", "process_policy", (400_000_00, 100_000_00))
    approved = await api(APPROVER).post(f"/api/savings/v1/initiatives/{initiative['id']}/transitions",
                                        json={"to": "approved"}, headers={"If-Match": f'"{initiative["version"]}"'})
    assert approved.status_code == 200, approved.text
    page = await new_page(FINANCE)
    await page.goto(f"/savings/initiatives/{initiative['id']}")

    # red without a reason: the API refuses, the summary links to the reason, the choice is kept
    await page.locator("#rag-rag").select_option(value="red")
    await page.get_by_role("button", name="Set the RAG status").click()
    summary = page.locator(".govuk-error-summary")
    await summary.wait_for()
    assert [await a.get_attribute("href") for a in await summary.get_by_role("link").all()] == ["#rag-rag_reason"]
    assert await page.locator("#rag-rag").input_value() == "red"
    await no_accessibility_problems(page)
    unchanged = (await api(FINANCE).get(f"/api/savings/v1/initiatives/{initiative['id']}")).json()
    assert unchanged["rag"] is None and unchanged["version"] == approved.json()["version"]

    await page.locator("#rag-rag_reason").fill("The library consultation has slipped a quarter")
    await page.get_by_role("button", name="Set the RAG status").click()
    await page.get_by_text("The RAG status is now red.").wait_for()
    await page.locator("#actual-year").select_option(value=YEARS[0])
    await page.locator("#actual-amount").fill("£12,345.67")
    await page.get_by_role("button", name="Record the saving").click()
    await page.get_by_text(f"The saving delivered in {YEARS[0]} is recorded.").wait_for()
    stored = (await api(FINANCE).get(f"/api/savings/v1/initiatives/{initiative['id']}")).json()
    assert (stored["rag"], stored["rag_reason"]) == ("red", "The library consultation has slipped a quarter")
    assert {"year": YEARS[0], "delivered_pence": 1_234_567} in stored["actuals"]
    profile = page.locator("table", has=page.locator("caption", has_text="Profile and actuals"))
    assert await table_cells(profile) == [[YEARS[0], "£400,000", "£12,345.67"], [YEARS[1], "£100,000", "None recorded"]]
    await no_accessibility_problems(page)

    # the operator reads the same page and its reports, and is offered no change
    reader = await new_page(OPERATOR)
    await reader.goto(f"/savings/initiatives/{initiative['id']}")
    await reader.get_by_role("heading", name=initiative["title"]).wait_for()
    for name in ("Set the RAG status", "Record the saving", "Record a slip", "Start delivery"):
        assert await reader.get_by_role("button", name=name).count() == 0, name
    assert await reader.locator("main form[method=post]").count() == 0
    await reader.goto("/savings/reports/themes")
    assert await reader.get_by_role("img", name="Planned savings by theme and year").count() == 1
    await no_accessibility_problems(reader)


async def test_a_programme_approver_rejects_a_proposal_with_a_reason_and_a_finance_officer_is_not_offered_it(
        new_page: NewPage, api: Api) -> None:
    initiative = await propose(api, f"Leisure {uuid.uuid4().hex[:8]}", "process_policy", (50_000_00, 0))
    officer = await new_page(FINANCE)
    await officer.goto(f"/savings/initiatives/{initiative['id']}")
    await officer.get_by_role("heading", name=initiative["title"]).wait_for()
    assert await officer.get_by_role("button", name="Reject the proposal").count() == 0

    page = await new_page(APPROVER)
    await page.goto(f"/savings/initiatives/{initiative['id']}")
    # without a reason the API refuses: the summary links to the reason, and nothing changes
    await page.get_by_role("button", name="Reject the proposal").click()
    summary = page.locator(".govuk-error-summary")
    await summary.wait_for()
    assert [await a.get_attribute("href") for a in await summary.get_by_role("link").all()] == ["#rejected-reason"]
    unchanged = (await api(APPROVER).get(f"/api/savings/v1/initiatives/{initiative['id']}")).json()
    assert (unchanged["status"], unchanged["version"]) == ("proposed", initiative["version"])
    await no_accessibility_problems(page)

    await page.locator("#rejected-reason").fill("Duplicates the leisure contract review")
    await page.get_by_role("button", name="Reject the proposal").click()
    await page.get_by_text("Reject the proposal: done.").wait_for()
    stored = (await api(APPROVER).get(f"/api/savings/v1/initiatives/{initiative['id']}")).json()
    assert (stored["status"], stored["rejection_reason"]) == ("rejected", "Duplicates the leisure contract review")
    assert stored["rejected_by"] == APPROVER.key
    shown = page.locator(".govuk-summary-list__value", has_text="Duplicates the leisure contract review")
    assert f"by {APPROVER.key}" in await shown.inner_text()  # the profile's "Rejected" row
    # a rejected proposal is final: no move is offered any more
    assert await page.get_by_role("heading", name="What you can do").count() == 0
    for name in ("Approve", "Reject the proposal"):
        assert await page.get_by_role("button", name=name).count() == 0, name
    await no_accessibility_problems(page)
