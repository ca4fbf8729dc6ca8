"""The safeguarding board's governance from the browser alone, in a real Chromium, through the gateway and the real
services: the board business manager records a sub-group's terms of reference review from the board's page, takes
the annual report from its draft to approval (by one of the board's decisions) and publication, records a
dispute between partners through its joint meeting to its resolution, keeps a member's register of interests and
its yearly review, and the board's forward plan of key decisions. Each form's refusal is shown as the error
summary linked to its field, what was typed kept and nothing changed (checked through the API); what each form did
is checked through the API; every new page passes axe-core; an officer who only reads is offered none of it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from civic.calendar import financial_year_of

from tests.browser.conftest import Api, NewPage, demo, no_accessibility_problems, summary_links, type_date
from tests.conftest import created, unique

pytestmark = [pytest.mark.browser]

MANAGER = demo("board.manager")
READER = demo("operator")  # reads the boards, runs none of their business
SG = "/api/safeguarding/v1"


async def a_board(client: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A board with its independent chair and a statutory partner: (board, chair, partner)."""
    board = await created(client, f"{SG}/boards", {"name": unique("Testshire Safeguarding Adults Board"),
                                                   "statutory_partners": ["Testshire Council"]})
    chair = await created(client, f"{SG}/boards/{board['id']}/members", {
        "name": "Ivy Chair", "organisation": "Independent", "role": "independent_chair"})
    partner = await created(client, f"{SG}/boards/{board['id']}/members", {
        "name": "Pat Partner", "organisation": "Testshire Council", "role": "statutory_partner", "statutory": True})
    return board, chair, partner


async def followed_from_the_board(new_page: NewPage, board: dict[str, Any], link: str, empty: str) -> Any:
    """The manager's page reached by ``link`` on the board's page: headed as the link, saying ``empty`` while the
    board has nothing there, passing axe-core."""
    page = await new_page(MANAGER)
    await page.goto(f"/safeguarding/boards/{board['id']}")
    await page.get_by_role("link", name=link).click()
    await page.get_by_role("heading", name=link).wait_for()
    await page.get_by_text(empty).wait_for()
    await no_accessibility_problems(page)
    return page


async def test_the_board_business_manager_records_a_sub_groups_terms_of_reference_review(
        new_page: NewPage, api: Api) -> None:
    client = api(MANAGER)
    board, chair, _ = await a_board(client)
    group = await created(client, f"{SG}/boards/{board['id']}/sub-groups", {
        "name": "Learning and Development", "chair_member_id": chair["id"]})
    prefix = f"tor-{group['id']}"
    page = await new_page(MANAGER)
    await page.goto(f"/safeguarding/boards/{board['id']}")
    await no_accessibility_problems(page)
    today = date.today()
    assert await page.locator(f"#{prefix}-day").input_value() == str(today.day)  # today, unless changed
    assert await page.locator(f"#{prefix}-year").input_value() == str(today.year)

    # a day that is not one: refused on the date, as typed, nothing recorded
    await type_date_text(page, prefix, "31", "2", str(today.year))
    button = page.get_by_role("button", name="Record the terms of reference review for Learning and Development")
    await button.click()
    assert await summary_links(page) == [f"#{prefix}-day"]
    assert (await page.title()).startswith("Error: ")
    assert await page.locator(f"#{prefix}-month").input_value() == "2"
    await no_accessibility_problems(page)
    assert (await client.get(f"{SG}/sub-groups/{group['id']}")).json()["tor_reviewed_on"] == []

    await type_date(page, prefix, today)
    await button.click()
    await page.get_by_text("The Learning and Development sub-group's terms of reference review is recorded.").wait_for()
    found = (await client.get(f"{SG}/sub-groups/{group['id']}")).json()
    assert found["tor_reviewed_on"] == [today.isoformat()]
    assert found["terms_of_reference"]["status"] == "reviewed"
    assert await button.count() == 0  # reviewed this year: no second review offered
    row = await page.locator("tr", has=page.get_by_role("cell", name="Learning and Development")).inner_text()
    assert f"Reviewed for {financial_year_of(today)}" in row, row
    await no_accessibility_problems(page)


async def type_date_text(page: Any, prefix: str, day: str, month: str, year: str) -> None:
    for part, value in (("day", day), ("month", month), ("year", year)):
        await page.locator(f"#{prefix}-{part}").fill(value)


async def test_the_board_business_manager_approves_and_publishes_the_annual_report(
        new_page: NewPage, api: Api) -> None:
    client = api(MANAGER)
    board, chair, partner = await a_board(client)
    year = financial_year_of(date.today())
    report = await created(client, f"{SG}/boards/{board['id']}/annual-reports",
                           {"year": year, "title": f"Annual report {year}"})
    decided_on = date.today() - timedelta(days=3)
    decision = await created(client, f"{SG}/boards/{board['id']}/decisions", {
        "item_title": f"Agree the annual report {year}", "decided_by": chair["id"], "consulted": [partner["id"]],
        "decided_on": decided_on.isoformat()})
    # in effect once its statutory partner has confirmed it: only then does it approve anything (issue 21)
    confirmed = await client.post(f"{SG}/decisions/{decision['id']}/confirmations", json={
        "organisation": "Testshire Council", "member_id": partner["id"], "confirmed_on": decided_on.isoformat()})
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "in_effect"

    page = await new_page(MANAGER)
    await page.goto(f"/safeguarding/boards/{board['id']}")
    await page.get_by_role("link", name=f"Annual report {year}", exact=True).click()
    await page.get_by_role("heading", name=f"Annual report {year}").wait_for()
    await no_accessibility_problems(page)
    assert await page.get_by_role("button", name="Publish the annual report").count() == 0  # a draft is approved first

    # no decision chosen: refused on the select, nothing approved
    await page.get_by_role("button", name="Approve the annual report").click()
    assert await summary_links(page) == ["#decision_id"]
    await no_accessibility_problems(page)
    assert (await client.get(f"{SG}/annual-reports/{report['id']}")).json()["status"] == "draft"

    label = f"Agree the annual report {year}, {decided_on.day} {decided_on:%B %Y} (agreed)"
    await page.get_by_label("The board's decision").select_option(label=label)
    await page.get_by_role("button", name="Approve the annual report").click()
    await page.get_by_text("The annual report is approved.").wait_for()
    found = (await client.get(f"{SG}/annual-reports/{report['id']}")).json()
    assert (found["status"], found["approved_by_decision_id"]) == ("approved", decision["id"])
    await page.get_by_text(f"By the board's decision: Agree the annual report {year}").wait_for()
    await no_accessibility_problems(page)

    # published on a day that is not one: refused on the date, as typed, still approved
    await type_date_text(page, "on", "30", "2", str(date.today().year))
    await page.get_by_role("button", name="Publish the annual report").click()
    assert await summary_links(page) == ["#on-day"]
    assert await page.locator("#on-day").input_value() == "30"
    assert (await client.get(f"{SG}/annual-reports/{report['id']}")).json()["status"] == "approved"
    await type_date(page, "on", date.today())
    await page.get_by_role("button", name="Publish the annual report").click()
    await page.get_by_text("The annual report is published.").wait_for()
    found = (await client.get(f"{SG}/annual-reports/{report['id']}")).json()
    assert (found["status"], found["published_on"]) == ("published", date.today().isoformat())
    assert await page.locator("form[action$='/steps']").count() == 0  # published: no step after it
    await no_accessibility_problems(page)


async def test_the_board_business_manager_records_a_dispute_to_its_resolution(new_page: NewPage, api: Api) -> None:
    client = api(MANAGER)
    board, _, _ = await a_board(client)
    page = await new_page(MANAGER, javascript=False)  # every form works without JavaScript
    checker = await new_page(MANAGER)  # axe-core needs JavaScript: it checks each page as the same officer sees it

    async def no_accessibility_problems_at(address: str) -> None:
        await checker.goto(address)
        await no_accessibility_problems(checker)

    await page.goto(f"/safeguarding/boards/{board['id']}")
    await page.get_by_text("No disputes are recorded.").wait_for()
    await page.get_by_role("link", name="Record a dispute").click()
    await page.get_by_role("heading", name="Record a dispute").wait_for()
    await no_accessibility_problems_at(page.url)

    # one party is not a dispute: refused on the parties, what was typed kept, nothing recorded
    determined = date.today() - timedelta(days=2)
    await page.get_by_label("Testshire Council").check()
    await page.get_by_label("What the dispute is about").fill("Funding of the multi-agency training programme")
    await type_date(page, "determined", determined)
    await page.get_by_role("button", name="Record the dispute").click()
    assert await summary_links(page) == ["#parties"]
    assert await page.get_by_label("Testshire Council").is_checked()
    assert await page.get_by_label("What the dispute is about").input_value() == (
        "Funding of the multi-agency training programme")
    assert await page.locator("#determined-day").input_value() == str(determined.day)
    assert (await client.get(f"{SG}/boards/{board['id']}/disputes")).json()["items"] == []

    await page.get_by_label("Independent").check()
    await page.get_by_role("button", name="Record the dispute").click()
    await page.get_by_text("The dispute is recorded").wait_for()
    disputes = (await client.get(f"{SG}/boards/{board['id']}/disputes")).json()["items"]
    assert len(disputes) == 1
    dispute = disputes[0]
    assert sorted(dispute["parties"]) == ["Independent", "Testshire Council"]
    assert (dispute["status"], dispute["determined_on"]) == ("open", determined.isoformat())
    assert page.url.endswith(f"/safeguarding/disputes/{dispute['id']}")
    await no_accessibility_problems_at(page.url)

    # a joint meeting before the dispute was determined: refused on its date, still open
    await type_date(page, "on", determined - timedelta(days=1))
    await page.get_by_role("button", name="Record the joint meeting").click()
    assert await summary_links(page) == ["#on-day"]
    assert (await client.get(f"{SG}/disputes/{dispute['id']}")).json()["status"] == "open"
    await type_date(page, "on", date.today())
    await page.get_by_role("button", name="Record the joint meeting").click()
    await page.get_by_text("The dispute is at its next step: joint meeting held.").wait_for()
    found = (await client.get(f"{SG}/disputes/{dispute['id']}")).json()
    assert (found["status"], found["joint_meeting_on"]) == ("joint_meeting_held", date.today().isoformat())

    # resolved without saying how: refused on the resolution, still at its joint meeting
    await page.get_by_role("button", name="Record the resolution").click()
    assert await summary_links(page) == ["#resolution"]
    assert (await client.get(f"{SG}/disputes/{dispute['id']}")).json()["status"] == "joint_meeting_held"
    await no_accessibility_problems_at(page.url)
    await page.get_by_label("How it was resolved").fill("The partners share the cost in proportion to their budgets.")
    await page.get_by_role("button", name="Record the resolution").click()
    await page.get_by_text("The dispute is at its next step: resolved.").wait_for()
    found = (await client.get(f"{SG}/disputes/{dispute['id']}")).json()
    assert (found["status"], found["resolution"]) == (
        "resolved", "The partners share the cost in proportion to their budgets.")
    await page.goto(f"/safeguarding/boards/{board['id']}")
    row = await page.locator("tr", has=page.get_by_role("link", name="Funding of the multi-agency")).inner_text()
    assert "Resolved" in row, row
    await no_accessibility_problems_at(page.url)


async def test_an_officer_who_reads_the_board_is_offered_none_of_its_governance(new_page: NewPage, api: Api) -> None:
    client = api(MANAGER)
    board, _, _ = await a_board(client)
    await created(client, f"{SG}/boards/{board['id']}/sub-groups", {"name": "Quality Assurance"})
    report = await created(client, f"{SG}/boards/{board['id']}/annual-reports",
                           {"year": financial_year_of(date.today()), "title": "A year of the board"})
    dispute = await created(client, f"{SG}/boards/{board['id']}/disputes", {
        "parties": ["Independent", "Testshire Council"], "subject": "Who chairs the sub-group"})
    page = await new_page(READER)
    await page.goto(f"/safeguarding/boards/{board['id']}")
    await page.get_by_role("cell", name="Quality Assurance").wait_for()
    assert await page.locator("form[method='post']:not([action='/sign-out'])").count() == 0
    assert await page.get_by_role("link", name="Record a dispute").count() == 0
    for address in (f"/safeguarding/annual-reports/{report['id']}", f"/safeguarding/disputes/{dispute['id']}"):
        await page.goto(address)
        await page.get_by_role("heading", level=1).wait_for()
        assert await page.locator("form[action$='/steps']").count() == 0, address
        await no_accessibility_problems(page)
    assert (await page.goto(f"/safeguarding/boards/{board['id']}/disputes/new")).status == 403


CONFIDENTIAL = demo("board.manager.confidential")


async def test_the_board_business_manager_keeps_a_members_register_of_interests(new_page: NewPage, api: Api) -> None:
    client = api(MANAGER)
    board, _, partner = await a_board(client)
    page = await followed_from_the_board(new_page, board, "Pat Partner", "No interests are registered.")

    await page.get_by_role("link", name="Register an interest").click()
    await page.get_by_role("heading", name="Register an interest").wait_for()
    await no_accessibility_problems(page)
    assert await page.locator("#details").count() == 0  # a sensitive interest's details: confidential access only
    # no description: refused on its box, what was typed kept, nothing registered
    await page.locator("input[name=kind][value=non_pecuniary]").check()
    await page.get_by_label("What it concerns").fill("Testshire Carers\nCarers' respite")
    await page.get_by_role("button", name="Register the interest").click()
    assert await summary_links(page) == ["#description"]
    assert await page.get_by_label("What it concerns").input_value() == "Testshire Carers\nCarers' respite"
    assert await page.locator("input[name=kind][value=non_pecuniary]").is_checked()
    await no_accessibility_problems(page)
    register = (await client.get(f"{SG}/members/{partner['id']}/interests")).json()
    assert register["interests"] == []
    await page.get_by_label("What the interest is").fill("Trustee of Testshire Carers")
    await page.get_by_role("button", name="Register the interest").click()
    await page.get_by_text("The interest is on the member's register.").wait_for()
    entries = (await client.get(f"{SG}/members/{partner['id']}/interests")).json()["interests"]
    assert [(e["kind"], e["description"], e["concerns"], e["status"]) for e in entries] == [
        ("non_pecuniary", "Trustee of Testshire Carers", ["Testshire Carers", "Carers' respite"], "registered")]
    await page.get_by_role("cell", name="Trustee of Testshire Carers").wait_for()

    # the yearly review: a day to come is refused on its date, who reviewed it kept, nothing recorded
    await type_date(page, "review", date.today() + timedelta(days=3))
    await page.get_by_label("Reviewed by").fill("Gareth Lloyd, board business manager")
    await page.get_by_role("button", name="Record the yearly review").click()
    assert await summary_links(page) == ["#review-day"]
    assert await page.get_by_label("Reviewed by").input_value() == "Gareth Lloyd, board business manager"
    await no_accessibility_problems(page)
    assert (await client.get(f"{SG}/members/{partner['id']}/interests")).json()["reviews"] == []
    await type_date(page, "review", date.today())
    await page.get_by_role("button", name="Record the yearly review").click()
    await page.get_by_text("The yearly review of the register is recorded.").wait_for()
    register = (await client.get(f"{SG}/members/{partner['id']}/interests")).json()
    assert [(r["reviewed_on"], r["reviewed_by"]) for r in register["reviews"]] == [
        (date.today().isoformat(), "Gareth Lloyd, board business manager")]
    assert register["last_reviewed_on"] == date.today().isoformat() and register["review_overdue"] is False
    await no_accessibility_problems(page)

    # with confidential access a sensitive interest's details are offered, and shown back to that officer only
    cleared = await new_page(CONFIDENTIAL)
    await cleared.goto(f"/safeguarding/members/{partner['id']}/interests/new")
    await cleared.get_by_role("heading", name="Register an interest").wait_for()
    await cleared.locator("input[name=kind][value=pecuniary]").check()
    await cleared.get_by_label("What the interest is").fill("Shareholding in a care provider")
    await cleared.get_by_label("What it concerns").fill("Testshire Care Homes Ltd")
    await cleared.get_by_label("Details of a sensitive interest").fill("Held through a family trust")
    await cleared.get_by_role("button", name="Register the interest").click()
    await cleared.get_by_text("The interest is on the member's register.").wait_for()
    await cleared.get_by_role("cell", name="Held through a family trust").wait_for()
    await no_accessibility_problems(cleared)
    await page.reload()
    await page.get_by_role("cell", name="Shareholding in a care provider").wait_for()
    assert await page.get_by_text("Held through a family trust").count() == 0


async def test_the_board_business_manager_keeps_the_forward_plan_of_key_decisions(new_page: NewPage, api: Api) -> None:
    client = api(MANAGER)
    board, _, _ = await a_board(client)
    page = await followed_from_the_board(new_page, board, "Forward plan of key decisions", "No key decisions are planned")

    # a period that ends before it starts: refused on its boxes
    await type_date(page, "from", date.today() + timedelta(days=20))
    await type_date(page, "to", date.today() + timedelta(days=5))
    await page.get_by_role("button", name="Show the plan").click()
    assert "#to-day" in await summary_links(page)
    assert await page.locator("#to-day").input_value() == str((date.today() + timedelta(days=5)).day)
    await no_accessibility_problems(page)

    await page.get_by_role("link", name="Add a key decision").click()
    await page.get_by_role("heading", name="Add a key decision to the forward plan").wait_for()
    await no_accessibility_problems(page)
    # ten days' notice, not urgent: refused on the day, what was typed kept, nothing planned
    soon = date.today() + timedelta(days=10)
    await page.get_by_label("What will be decided").fill("Commission the thematic review of self-neglect")
    await page.get_by_label("Who decides").fill("The independent chair with the statutory partners")
    await type_date(page, "taken", soon)
    await page.get_by_label("Documents to be considered (optional)").fill("Scoping paper\nCosts")
    await page.get_by_role("button", name="Add the key decision").click()
    assert await summary_links(page) == ["#taken-day"]
    assert await page.get_by_label("Who decides").input_value() == "The independent chair with the statutory partners"
    assert await page.locator("#taken-day").input_value() == str(soon.day)
    await no_accessibility_problems(page)
    plan = (await client.get(f"{SG}/boards/{board['id']}/forward-plan")).json()
    assert plan["key_decisions"] == []

    await page.get_by_label("Urgent: it cannot have 28 clear days' notice").check()
    await page.get_by_label("Why it cannot wait (when urgent)").fill("The author is free only this month.")
    await page.get_by_role("button", name="Add the key decision").click()
    await page.get_by_text("Commission the thematic review of self-neglect is in the forward plan.").wait_for()
    plan = (await client.get(f"{SG}/boards/{board['id']}/forward-plan")).json()
    assert [(k["title"], k["to_be_taken_on"], k["urgent"], k["documents"]) for k in plan["key_decisions"]] == [
        ("Commission the thematic review of self-neglect", soon.isoformat(), True, ["Scoping paper", "Costs"])]
    row = await page.locator("tr", has=page.get_by_text("Commission the thematic review")).inner_text()
    assert "Urgent" in row and "The author is free only this month." in row, row
    await no_accessibility_problems(page)
