"""Officers at work in the web app, in a real Chromium, through the gateway and the real services.

Each demo officer signs in at the gateway's address and sees only what the role allows; a finance officer
proposes an initiative (without JavaScript) and finds it in the register by a filter; the programme approver
approves it with the keyboard alone; a refused move and someone else's change show the error summary and
change nothing. What a page did is checked through the API; every page passes axe-core with no serious or
critical violation.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from civic.cli.stack import Stack
from civic_web.officers import DEMO_OFFICERS, Officer

from tests.browser.conftest import Api, NewPage, demo, no_accessibility_problems
from tests.conftest import unique

pytestmark = [pytest.mark.browser]

FINANCE = demo("finance.officer")
APPROVER = demo("programme.approver")


async def propose_through_the_api(api: Api, title: str, programme: str) -> dict[str, Any]:
    answer = await api(FINANCE).post("/api/savings/v1/initiatives", json={
        "title": title, "directorate": "Corporate Services", "theme": "technology_innovation",
        "category": "transformation", "programme": programme,
        "profile": [{"year": "2026/27", "planned_pence": 2_500_000}, {"year": "2027/28", "planned_pence": 1_000_000}]})
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


@pytest.mark.parametrize("officer", DEMO_OFFICERS, ids=lambda o: o.key)
async def test_each_officer_signs_in_at_the_gateways_address_and_sees_only_their_part(
        officer: Officer, new_page: NewPage, platform: Stack) -> None:
    page = await new_page(officer)
    assert page.url == platform.gateway_url() + "/"
    await page.get_by_role("heading", name="Today across the programme").wait_for()
    header = page.locator("header")
    assert await header.get_by_text("West Northamptonshire Council").count() == 1
    assert await page.locator("svg.govuk-header__logotype, .govuk-header__logotype-crown").count() == 0  # no crown
    navigation = page.get_by_role("navigation", name="Menu")
    reads_savings = "savings:read" in officer.scopes
    assert (await navigation.get_by_role("link", name="Savings").count()) == (1 if reads_savings else 0)
    main = page.locator("main")
    for service, heading in (("savings", "Savings"), ("property", "Property"), ("safeguarding", "Safeguarding"),
                             ("comms", "Communications")):
        shown = await main.get_by_role("heading", name=heading, exact=True).count()
        if f"{service}:read" not in officer.scopes:
            assert shown == 0, (service, officer.key)  # never shown, not even as missing
        elif not shown:  # a part slower than the dashboard's budget on a busy machine is named, not hidden
            assert await page.get_by_text(f"{heading} is not answering; shown without it.").count() == 1
    assert await page.get_by_text(officer.name).count() >= 1
    await no_accessibility_problems(page)
    if reads_savings:
        await navigation.get_by_role("link", name="Savings").click()
        await page.get_by_role("heading", name="Savings initiatives").wait_for()
        proposes = "savings:write" in officer.scopes
        assert await page.get_by_role("button", name="Propose an initiative").count() == (1 if proposes else 0)
        await no_accessibility_problems(page)
    else:
        await page.goto("/savings/initiatives")
        assert await page.get_by_role("heading", name="You do not have access to this page").count() == 1
    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_url("**/sign-in")
    await page.goto("/")
    assert page.url.endswith("/sign-in")


async def test_a_finance_officer_proposes_an_initiative_without_javascript_and_finds_it_by_a_filter(
        new_page: NewPage, api: Api) -> None:
    page = await new_page(FINANCE, javascript=False)  # everything works without JavaScript
    await page.goto("/savings/initiatives")
    await page.get_by_role("button", name="Propose an initiative").click()
    title, programme = unique("Shared digital mailroom"), unique("Digital by default")
    await page.get_by_label("Title").fill(title)
    await page.get_by_label("Directorate").fill("Corporate Services")
    await page.get_by_label("Theme").select_option(label="Technology & Innovation")
    await page.get_by_label("Category").select_option(value="transformation")
    await page.get_by_label("Programme (optional)").fill(programme)
    await page.get_by_label("Year, row 1").fill("2026/27")
    await page.get_by_label("Planned saving, row 1").fill("£120,000")
    await page.get_by_label("Year, row 2").fill("2027/28")
    await page.get_by_label("Planned saving, row 2").fill("45000.50")
    await page.get_by_role("button", name="Propose initiative").click()
    await page.get_by_role("heading", name=title).wait_for()
    assert await page.get_by_text(f"{title} is proposed.").count() == 1
    initiative_id = page.url.rsplit("/", 1)[1]
    # through the API: what the page sent is what the register holds
    stored = (await api(FINANCE).get(f"/api/savings/v1/initiatives/{initiative_id}")).json()
    assert stored["status"] == "proposed" and stored["programme"] == programme
    assert stored["profile"] == [{"year": "2026/27", "planned_pence": 12_000_000},
                                 {"year": "2027/28", "planned_pence": 4_500_050}]
    assert stored["history"][0]["by"] == FINANCE.key
    # a finance officer may not approve: the move is not offered
    assert await page.get_by_role("button", name="Approve").count() == 0
    # the register, filtered by programme and status, finds it and nothing else
    await page.goto("/savings/initiatives")
    await page.get_by_label("Programme").fill(programme)
    await page.get_by_label("Status").select_option(value="proposed")
    await page.get_by_role("button", name="Apply filters").click()
    await page.wait_for_url(re.compile(r".*programme=.*"))
    rows = page.locator("table tbody tr")
    assert await rows.count() == 1
    assert await rows.first.get_by_role("link", name=title).count() == 1
    await page.get_by_role("link", name="Clear filters").click()
    assert "programme" not in page.url


async def test_the_programme_approver_approves_with_the_keyboard_alone(new_page: NewPage, api: Api) -> None:
    initiative = await propose_through_the_api(api, unique("Libraries self-service"), unique("LGR"))
    page = await new_page(APPROVER)
    await page.goto(f"/savings/initiatives/{initiative['id']}")
    await no_accessibility_problems(page)
    # from the top of the page, Tab until the approve button has the focus, then Enter
    for _ in range(80):
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement && document.activeElement.id") == "approved-submit":
            break
    else:
        pytest.fail("the Approve button cannot be reached with the Tab key")
    await page.keyboard.press("Enter")
    await page.get_by_text("Approve: done.").wait_for()
    stored = (await api(APPROVER).get(f"/api/savings/v1/initiatives/{initiative['id']}")).json()
    assert stored["status"] == "approved" and stored["approved_by"] == APPROVER.key
    # the page now offers what an approved initiative may become, and no second approval
    assert await page.get_by_role("button", name="Approve").count() == 0
    assert await page.get_by_role("button", name="Start delivery").count() == 1
    await no_accessibility_problems(page)


async def test_a_refused_move_shows_the_error_summary_linked_to_the_field_and_changes_nothing(
        new_page: NewPage, api: Api) -> None:
    initiative = await propose_through_the_api(api, unique("Fleet review"), unique("LGR"))
    approved = await api(APPROVER).post(f"/api/savings/v1/initiatives/{initiative['id']}/transitions",
                                        json={"to": "approved"}, headers={"If-Match": '"1"'})
    assert approved.status_code == 200, approved.text
    page = await new_page(FINANCE)
    await page.goto(f"/savings/initiatives/{initiative['id']}")
    # a slip with no year to move the saving to: the API refuses, naming to_year
    await page.locator("#slipped-reason").fill("Supplier delays")
    await page.get_by_role("button", name="Record a slip").click()
    summary = page.locator(".govuk-error-summary")
    await summary.wait_for()
    link = summary.get_by_role("link")
    assert await link.count() == 1 and await link.get_attribute("href") == "#slipped-to_year"
    assert await page.locator("#slipped-reason").input_value() == "Supplier delays"  # kept as typed
    await no_accessibility_problems(page)
    after = (await api(FINANCE).get(f"/api/savings/v1/initiatives/{initiative['id']}")).json()
    assert after["status"] == "approved" and after["version"] == approved.json()["version"]
    await link.click()
    assert await page.evaluate("document.activeElement.id") == "slipped-to_year"


async def test_someone_elses_change_since_the_page_was_opened_is_said_and_nothing_changes(
        new_page: NewPage, api: Api) -> None:
    initiative = await propose_through_the_api(api, unique("Print room"), unique("LGR"))
    page = await new_page(APPROVER)
    await page.goto(f"/savings/initiatives/{initiative['id']}")
    # meanwhile someone amends it through the API (a new version)
    amended = await api(FINANCE).patch(f"/api/savings/v1/initiatives/{initiative['id']}", json={"owner": "Jo Bloggs"},
                                       headers={"If-Match": '"1"'})
    assert amended.status_code == 200, amended.text
    await page.get_by_role("button", name="Approve").click()
    await page.locator(".govuk-error-summary").get_by_text("Someone else changed this").wait_for()
    after = (await api(FINANCE).get(f"/api/savings/v1/initiatives/{initiative['id']}")).json()
    assert after["status"] == "proposed" and after["version"] == amended.json()["version"]
    assert await page.locator(".govuk-summary-list").get_by_text("Jo Bloggs").count() == 1  # shown as it is now


async def test_a_refused_proposal_keeps_what_was_typed_and_creates_nothing(new_page: NewPage, api: Api) -> None:
    page = await new_page(FINANCE)
    await page.goto("/savings/initiatives/new")
    directorate = unique("Adults")
    await page.get_by_label("Directorate").fill(directorate)
    await page.get_by_label("Year, row 1").fill("2026-27")
    await page.get_by_label("Planned saving, row 1").fill("10,000")
    await page.get_by_role("button", name="Propose initiative").click()
    summary = page.locator(".govuk-error-summary")
    await summary.wait_for()
    hrefs = {await a.get_attribute("href") for a in await summary.get_by_role("link").all()}
    assert {"#title", "#theme", "#category", "#profile-0-year"} <= hrefs
    assert await page.get_by_label("Directorate").input_value() == directorate
    assert await page.get_by_label("Planned saving, row 1").input_value() == "10,000"
    await no_accessibility_problems(page)
    found = (await api(FINANCE).get("/api/savings/v1/initiatives", params={"directorate": directorate})).json()
    assert found["items"] == []


async def test_assets_come_through_the_gateway_fingerprinted_and_cached_and_pages_are_not(
        new_page: NewPage, platform: Stack) -> None:
    page = await new_page(FINANCE)
    addresses = await page.eval_on_selector_all("link[rel=stylesheet], script[src]",
                                                "els => els.map(e => e.getAttribute('href') || e.getAttribute('src'))")
    assert addresses and all(re.search(r"\.[0-9a-f]{12}\.(css|js)$", a) for a in addresses), addresses
    async with httpx.AsyncClient(base_url=platform.gateway_url()) as client:
        for address in addresses:
            asset = await client.get(address)
            assert asset.status_code == 200 and "immutable" in asset.headers["cache-control"], address
        sign_in_page = await client.get("/sign-in")
        assert sign_in_page.headers["cache-control"] == "no-store"
        # the gateway's own endpoints are still its own, and the API still needs a token
        assert (await client.get("/healthz")).json() == {"status": "alive"}
        assert (await client.get("/api/savings/v1/initiatives")).status_code == 401
        assert (await client.get("/api/nowhere")).status_code == 404
