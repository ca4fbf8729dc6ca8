"""A council's month of safeguarding and comms run from the browser alone, in a real Chromium, through the gateway
and the real services: the board business manager sets up a board (its members, a meeting with its agenda, a
review referred with confidential access), its sub-groups, budget and annual report; the comms officer sets up a
consultation with its questions, a campaign (its page, and content drafted under it) and a change champion, who
then stands down. One refusal per area is shown as the error
summary with what was typed kept and nothing changed; what each form did is checked through the API; every new
page passes axe-core.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from civic.calendar import financial_year_of

from tests.browser.conftest import Api, NewPage, demo, no_accessibility_problems, type_date
from tests.conftest import created, unique

pytestmark = [pytest.mark.browser]

MANAGER = demo("board.manager")
CONFIDENTIAL = demo("board.manager.confidential")
COMMS = demo("comms.officer")
SG = "/api/safeguarding/v1"
CM = "/api/comms/v1"


async def test_the_board_business_manager_sets_up_a_board_and_its_first_meeting(new_page: NewPage, api: Api) -> None:
    client = api(CONFIDENTIAL)
    name = unique("Testshire Safeguarding Adults Board")
    page = await new_page(CONFIDENTIAL, javascript=False)  # every form works without JavaScript
    checker = await new_page(CONFIDENTIAL)  # axe-core needs JavaScript: it checks each form as the same officer opens it

    async def no_accessibility_problems_at(address: str) -> None:
        await checker.goto(address)
        await no_accessibility_problems(checker)

    await page.goto("/safeguarding/boards")
    await page.get_by_role("button", name="Set up a board").click()
    await page.get_by_role("heading", name="Set up a board").wait_for()
    await no_accessibility_problems_at(page.url)
    await page.get_by_label("The board's name").fill(name)
    await page.get_by_label("Adults", exact=True).check()
    await page.get_by_label("Area (optional)").fill("Testshire")
    await page.get_by_label("Statutory partners (optional)").fill("Testshire Council\nTestshire Police\nTestshire ICB")
    await page.get_by_role("button", name="Set up the board").click()
    await page.get_by_role("heading", name=name).wait_for()
    board_id = page.url.rsplit("/", 1)[-1]
    board = (await client.get(f"{SG}/boards/{board_id}")).json()
    assert board["name"] == name and board["kind"] == "adults"
    assert board["statutory_partners"] == ["Testshire Council", "Testshire Police", "Testshire ICB"]

    # two members, as the API takes them: the independent chair, and a statutory partner with a named deputy
    for person, organisation, role, statutory, deputy in (
            ("Ivy Chair", "Independent", "Independent chair", False, ""),
            ("Dr Pat Partner", "Testshire ICB", "Statutory partner", True, "Dr Dee Puty")):
        await page.get_by_role("link", name="Add a member").click()
        if not statutory:
            await no_accessibility_problems_at(page.url)
        await page.get_by_label("Name", exact=True).fill(person)
        await page.get_by_label("Organisation").fill(organisation)
        await page.get_by_label("Role").select_option(label=role)
        if statutory:
            await page.get_by_label("A statutory partner").check()
        await page.get_by_label("Named deputy (optional)").fill(deputy)
        await page.get_by_role("button", name="Add the member").click()
        await page.get_by_text(f"{person} is a member of the board.").wait_for()
    members = {m["name"]: m for m in (await client.get(f"{SG}/boards/{board_id}/members")).json()["items"]}
    assert members["Ivy Chair"]["role"] == "independent_chair" and members["Ivy Chair"]["statutory"] is False
    icb = members["Dr Pat Partner"]
    assert (icb["organisation"], icb["role"], icb["statutory"], icb["deputy_name"]) == (
        "Testshire ICB", "statutory_partner", True, "Dr Dee Puty")

    # a meeting: an agenda item with a kind and no title is refused at that row, what was typed kept, nothing made
    when = date.today() + timedelta(days=21)
    await page.get_by_role("link", name="Schedule a meeting").click()
    await page.get_by_role("heading", name="Schedule a meeting").wait_for()
    await no_accessibility_problems_at(page.url)
    await type_date(page, "scheduled", when)
    await page.get_by_label("Item 1: title").fill("The board's budget")
    await page.get_by_label("Item 1: kind").select_option("decision")
    await page.get_by_label("Item 2: kind").select_option("information")
    await page.get_by_role("button", name="Schedule the meeting").click()
    summary = page.locator(".govuk-error-summary")
    link = summary.get_by_role("link").first
    await link.wait_for()
    assert await link.get_attribute("href") == "#agenda-1-title"
    assert (await page.title()).startswith("Error: ")
    assert await page.get_by_label("Item 1: title").input_value() == "The board's budget"
    assert await page.get_by_label("Item 2: kind").input_value() == "information"
    assert await page.locator("#scheduled-day").input_value() == str(when.day)
    assert (await client.get(f"{SG}/boards/{board_id}/meetings")).json()["items"] == []
    await page.get_by_label("Item 2: title").fill("Learning from reviews")
    await page.get_by_role("button", name="Schedule the meeting").click()
    await page.get_by_text("The meeting is scheduled").wait_for()
    meetings = (await client.get(f"{SG}/boards/{board_id}/meetings")).json()["items"]
    assert len(meetings) == 1 and meetings[0]["scheduled_for"].startswith(when.isoformat())
    assert [(i["title"], i["kind"]) for i in meetings[0]["agenda"][1:]] == [
        ("The board's budget", "decision"), ("Learning from reviews", "information")]

    # a review referred with its case details (confidential access), shown on its page
    await page.goto(f"/safeguarding/boards/{board_id}")
    await page.get_by_role("link", name="Refer a safeguarding adults review").click()
    await page.get_by_role("heading", name="Refer a safeguarding adults review").wait_for()
    await no_accessibility_problems_at(page.url)
    await page.get_by_label("Reference").fill("Adult T")
    await page.get_by_label("Referred by").fill("Testshire Police")
    await page.get_by_label("Case summary").fill("Self-neglect over two years; agencies did not share concerns.")
    await page.get_by_label("The adult's name").fill("Terry Testcase")
    await type_date(page, "born", date(1948, 6, 14))
    await page.get_by_role("button", name="Refer the review").click()
    await page.get_by_text("Adult T is referred to the board.").wait_for()
    sars = (await client.get(f"{SG}/boards/{board_id}/sars")).json()["items"]
    assert len(sars) == 1 and sars[0]["reference"] == "Adult T" and sars[0]["referred_by"] == "Testshire Police"
    assert sars[0]["person"]["name"] == "Terry Testcase" and sars[0]["person"]["date_of_birth"] == "1948-06-14"
    await no_accessibility_problems_at(f"/safeguarding/boards/{board_id}")  # the board with its new records


async def test_the_board_business_manager_records_sub_groups_the_budget_and_the_annual_report(
        new_page: NewPage, api: Api) -> None:
    client = api(MANAGER)
    board = await created(client, f"{SG}/boards", {"name": unique("Testshire Children's Partnership"),
                                                   "kind": "children", "statutory_partners": ["Testshire Council"]})
    chair = await created(client, f"{SG}/boards/{board['id']}/members", {
        "name": "Sam Subgroup", "organisation": "Testshire Council", "role": "sub_group_chair"})
    page = await new_page(MANAGER)
    await page.goto(f"/safeguarding/boards/{board['id']}")
    # without confidential access, a referral (its case details) is not offered, nor reachable
    assert await page.get_by_role("link", name="Refer a safeguarding adults review").count() == 0
    assert (await page.goto(f"/safeguarding/boards/{board['id']}/sars/new")).status == 403
    await page.goto(f"/safeguarding/boards/{board['id']}")

    await page.get_by_role("link", name="Form a sub-group").click()
    await page.get_by_role("heading", name="Form a sub-group").wait_for()
    await no_accessibility_problems(page)
    await page.get_by_label("Name", exact=True).fill("Learning and Development")
    await page.get_by_label("Chair (optional)").select_option(chair["id"])
    await page.get_by_label("Line 1: objective").fill("Multi-agency training on self-neglect")
    await page.get_by_label("Line 1: business plan priority").fill("Prevention")
    await page.get_by_label("Line 1: due (optional)").fill("31/3/2027")
    await page.get_by_role("button", name="Form the sub-group").click()
    await page.get_by_text("The Learning and Development sub-group is formed.").wait_for()
    groups = (await client.get(f"{SG}/boards/{board['id']}/sub-groups")).json()["items"]
    assert len(groups) == 1 and groups[0]["chair_member_id"] == chair["id"]
    assert groups[0]["work_plan"] == [{"objective": "Multi-agency training on self-neglect",
                                       "business_plan_priority": "Prevention", "due_on": "2027-03-31"}]
    assert await page.get_by_role("cell", name="Learning and Development").count() == 1

    # the budget: an amount that is not one is refused on its box, nothing set; then set
    year = financial_year_of(date.today())
    await page.get_by_role("link", name="Set a year's budget").click()
    await page.get_by_role("heading", name="Set a year's budget").wait_for()
    await no_accessibility_problems(page)
    assert await page.get_by_label("Financial year").input_value() == year
    await page.get_by_label("Row 1: what it is for").fill("Independent chair")
    await page.locator("#spend-0-amount").fill("twelve thousand")
    await page.get_by_label("Row 1: organisation").fill("Testshire Council")
    await page.locator("#share-0-amount").fill("£12,000")
    await page.get_by_role("button", name="Set the budget").click()
    link = page.locator(".govuk-error-summary").get_by_role("link").first
    await link.wait_for()
    assert await link.get_attribute("href") == "#spend-0-amount"
    assert await page.locator("#spend-0-amount").input_value() == "twelve thousand"
    assert await page.get_by_label("Row 1: organisation").input_value() == "Testshire Council"
    await no_accessibility_problems(page)
    assert (await client.get(f"{SG}/boards/{board['id']}/budgets")).json()["items"] == []
    await page.locator("#spend-0-amount").fill("12,500")
    await page.get_by_role("button", name="Set the budget").click()
    await page.get_by_text(f"The budget for {year} is set.").wait_for()
    budget = (await client.get(f"{SG}/boards/{board['id']}/budget/{year.replace('/', '-')}")).json()
    assert budget["expenditure"] == [{"name": "Independent chair", "amount_pence": 1_250_000}]
    assert budget["contributions"] == [{"organisation": "Testshire Council", "amount_pence": 1_200_000}]

    await page.get_by_role("link", name="Draft an annual report").click()
    await page.get_by_role("heading", name="Draft an annual report").wait_for()
    await no_accessibility_problems(page)
    await page.get_by_label("Title").fill(f"Annual report {year}")
    await page.get_by_label("Summary (optional)").fill("A year of learning from reviews.")
    await page.get_by_role("button", name="Draft the annual report").click()
    await page.get_by_text(f"The annual report for {year} is drafted.").wait_for()
    reports = (await client.get(f"{SG}/boards/{board['id']}/annual-reports")).json()["items"]
    assert [(r["year"], r["title"], r["status"]) for r in reports] == [(year, f"Annual report {year}", "draft")]
    await no_accessibility_problems(page)


async def test_the_comms_officer_sets_up_a_consultation_a_campaign_and_a_champion(new_page: NewPage, api: Api) -> None:
    client = api(COMMS)
    title = unique("Library opening hours")
    opens, closes = date.today() + timedelta(days=7), date.today() + timedelta(days=35)
    page = await new_page(COMMS)
    await page.goto("/comms/consultations")
    await page.get_by_role("button", name="New consultation").click()
    await page.get_by_role("heading", name="New consultation").wait_for()
    await no_accessibility_problems(page)
    await page.get_by_label("Title").fill(title)
    await page.get_by_label("Survey", exact=True).check()
    await type_date(page, "opens", opens)
    await type_date(page, "closes", closes)
    await page.get_by_label("Question 1: the question").fill("The new hours suit me")
    await page.get_by_label("Question 1: kind of answer").select_option("likert")
    await page.get_by_label("Question 1 must be answered").check()
    await page.get_by_label("Question 2: the question").fill("Which library do you use?")
    await page.get_by_label("Question 2: kind of answer").select_option("single_choice")
    await page.get_by_label("Question 2: options").fill("Abington")  # a choice needs two: the API refuses
    await page.get_by_role("button", name="Set up the consultation").click()
    summary = page.locator(".govuk-error-summary")
    await summary.get_by_role("link").first.wait_for()
    assert "#question-1-options" in [await a.get_attribute("href") for a in await summary.get_by_role("link").all()]
    assert await page.get_by_label("Question 2: options").input_value() == "Abington"
    assert await page.get_by_label("Question 1 must be answered").is_checked()
    assert await page.locator("#closes-month").input_value() == str(closes.month)
    await no_accessibility_problems(page)
    listed = (await client.get(f"{CM}/consultations", params={"limit": 100})).json()["items"]
    assert not [c for c in listed if c["title"] == title]
    await page.get_by_label("Question 2: options").fill("Abington\nDaventry\nTowcester")
    await page.get_by_role("button", name="Set up the consultation").click()
    await page.get_by_text(f"{title} is set up.").wait_for()
    consultation = (await client.get(f"{CM}/consultations/{page.url.rsplit('/', 1)[-1]}")).json()
    assert consultation["kind"] == "survey" and consultation["opens_on"] == opens.isoformat()
    assert consultation["closes_on"] == closes.isoformat()
    questions = [(q["text"], q["kind"], q.get("options") or [], q["required"]) for q in consultation["questions"]]
    assert questions == [("The new hours suit me", "likert", [], True),
                         ("Which library do you use?", "single_choice", ["Abington", "Daventry", "Towcester"], False)]

    # a campaign, which goes on the forward plan
    campaign = unique("Winter wellbeing")
    await page.goto("/comms/content")
    await page.get_by_role("link", name="campaigns").click()
    await page.get_by_role("button", name="New campaign").click()
    await page.get_by_role("heading", name="New campaign").wait_for()
    await no_accessibility_problems(page)
    await page.get_by_label("Title").fill(campaign)
    await page.get_by_label("Objectives").fill("More residents know where to get help\nFewer winter admissions")
    await type_date(page, "starts", opens)
    await type_date(page, "ends", closes)
    await page.get_by_role("button", name="Set up the campaign").click()
    await page.get_by_role("cell", name=campaign).wait_for()
    await no_accessibility_problems(page)
    listed = (await client.get(f"{CM}/campaigns", params={"limit": 100})).json()["items"]
    made = [c for c in listed if c["title"] == campaign]
    assert len(made) == 1 and made[0]["objectives"] == ["More residents know where to get help", "Fewer winter admissions"]
    assert (made[0]["starts_on"], made[0]["ends_on"]) == (opens.isoformat(), closes.isoformat())

    # the campaign's page, and content drafted under it, which its page then lists
    await page.get_by_role("link", name=campaign).click()
    await page.get_by_role("heading", name=campaign).wait_for()
    await no_accessibility_problems(page)
    await page.get_by_text("No content is drafted for this campaign yet.").wait_for()
    await page.get_by_role("link", name="Draft content for this campaign").click()
    await page.get_by_role("heading", name="Draft content").wait_for()
    assert await page.get_by_label("Campaign (optional)").input_value() == made[0]["id"]
    piece = unique("Where to get help this winter")
    await page.get_by_label("Title").fill(piece)
    await page.get_by_label("The words").fill("Warm spaces open in every library from December.")
    await page.get_by_label("Website", exact=True).check()
    await page.get_by_label("Residents", exact=True).check()
    await page.get_by_role("button", name="Save the draft").click()
    await page.get_by_text(f"{piece} is drafted.").wait_for()
    drafted = (await client.get(f"{CM}/campaigns/{made[0]['id']}/content")).json()["items"]
    assert [(c["title"], c["campaign_id"]) for c in drafted] == [(piece, made[0]["id"])]
    await page.goto(f"/comms/campaigns/{made[0]['id']}")
    row = await page.locator("tr", has=page.get_by_role("link", name=piece)).inner_text()
    assert "Draft" in row, row
    await no_accessibility_problems(page)

    # a change champion for a service without one
    service = unique("Bereavement services")
    await page.goto("/comms/champions")
    await no_accessibility_problems(page)
    await page.get_by_label("Service", exact=True).first.fill(service)
    await page.locator("#champion-name").fill("Chris Champion")
    await page.locator("#champion-directorate").fill("Communities")
    await page.get_by_role("button", name="Appoint the champion").click()
    await page.get_by_text(f"Chris Champion is the change champion for {service}.").wait_for()
    champions = (await client.get(f"{CM}/champions", params={"service": service})).json()["items"]
    assert [(c["name"], c["directorate"]) for c in champions] == [("Chris Champion", "Communities")]

    # the champion stands down: their service is without one again
    await page.get_by_role("button", name=f"Stand down: Chris Champion, {service}").click()
    await page.get_by_text("Chris Champion has stood down as a change champion.").wait_for()
    assert (await client.get(f"{CM}/champions", params={"service": service})).json()["items"] == []
    await page.get_by_role("table", name="Services without a champion").get_by_role(
        "cell", name=service, exact=True).wait_for()
    await no_accessibility_problems(page)
