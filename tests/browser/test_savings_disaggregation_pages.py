"""Disaggregation's pages in a real Chromium, through the gateway and the real services.

A finance officer registers a service one council hosts for the other (one with neither a planned date nor the
reason it is deferred refused on the date, what was typed kept, nothing registered), starts the split, defers it
(without a reason refused, nothing moved) and reads it in the report by host council. Every result is checked
through the API; the operator, who may only read, is offered none of the changes; every page passes axe-core with
no serious or critical violation. The host council is the test's own, under a unique name.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.browser.conftest import Api, NewPage, demo, no_accessibility_problems, summary_links

pytestmark = [pytest.mark.browser]

FINANCE = demo("finance.officer")
OPERATOR = demo("operator")
SHARED = "/api/savings/v1/shared-services"


async def services_hosted_by(api: Api, host: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (await api(FINANCE).get(SHARED, params={"host_council": host})).json()["items"]
    return found


async def test_a_finance_officer_registers_a_shared_service_starts_and_defers_its_split_and_reads_the_report(
    new_page: NewPage, api: Api
) -> None:
    host = f"Testshire {uuid.uuid4().hex[:8]}"
    page = await new_page(FINANCE)
    await page.goto("/savings/shared-services")
    await page.get_by_role("link", name="Register a shared service").click()
    await page.locator("#service").fill("Shared Lives")
    await page.locator("#host_council").fill(host)
    await page.locator("#other_council").fill("North Testshire")
    await page.locator("#host_share").fill("60")
    await page.locator("#other_share").fill("40")
    await page.locator("#annual_cost").fill("1,000,000")
    await page.get_by_role("button", name="Register the service").click()
    assert await summary_links(page) == ["#planned_on-day"]
    assert (await page.locator("#host_council").input_value(), await page.locator("#host_share").input_value()) == (
        host,
        "60",
    )
    await no_accessibility_problems(page)
    assert await services_hosted_by(api, host) == []
    await page.locator("#planned_on-day").fill("31")
    await page.locator("#planned_on-month").fill("3")
    await page.locator("#planned_on-year").fill("2031")
    await page.get_by_role("button", name="Register the service").click()
    await page.get_by_text("Shared Lives is registered.").wait_for()
    [shared] = await services_hosted_by(api, host)
    assert (shared["status"], shared["planned_on"], shared["cost_split"]) == (
        "planned",
        "2031-03-31",
        {"basis": "percent", "host_percent": 60, "other_percent": 40, "annual_cost_pence": 1_000_000_00},
    )
    await page.get_by_text("60% the host council, 40% the other of £1,000,000 a year").wait_for()

    # the split started, then deferred: without a reason refused and still in progress
    await page.get_by_role("button", name="Start the split").click()
    await page.get_by_text("Start the split: done.").wait_for()
    await page.get_by_role("button", name="Defer the split").click()
    assert await summary_links(page) == ["#deferred-reason"]
    await no_accessibility_problems(page)
    [shared] = await services_hosted_by(api, host)
    assert shared["status"] == "in_progress"
    await page.locator("#deferred-reason").fill("The care provider's contract runs to 2032")
    await page.get_by_role("button", name="Defer the split").click()
    await page.get_by_text("Defer the split: done.").wait_for()
    [shared] = await services_hosted_by(api, host)
    assert (shared["status"], shared["deferred_reason"]) == ("deferred", "The care provider's contract runs to 2032")
    await no_accessibility_problems(page)

    # the report by host council, as the API counts it
    await page.goto("/savings/reports/disaggregation")
    report = (await api(FINANCE).get("/api/savings/v1/reports/disaggregation")).json()
    [counts] = [row for row in report["by_host"] if row["host_council"] == host]
    row = page.locator("tbody tr", has=page.locator("td, th", has_text=host)).first
    assert (await row.inner_text()).split("\t")[1:3] == [str(counts["services"]), str(counts["due"])]
    # a planned split deferred has slipped, with the reason
    slipped = page.locator("table", has=page.locator("caption", has_text="Slipped")).locator("tr", has_text=host)
    assert "Deferred (first planned for 31 March 2031): The care provider's contract runs to 2032" in (
        await slipped.inner_text()
    )
    await no_accessibility_problems(page)
    await page.goto("/savings/reports/disaggregation?months=99")
    assert await summary_links(page) == ["#months"]

    # the operator reads it and is offered no change
    reader = await new_page(OPERATOR)
    await reader.goto("/savings/shared-services")
    assert await reader.get_by_role("link", name="Register a shared service").count() == 0
    await reader.goto(f"/savings/shared-services/{shared['id']}")
    await reader.get_by_role("heading", name="Shared Lives").wait_for()
    assert await reader.locator("main form[method=post]").count() == 0
    await no_accessibility_problems(reader)
