"""A council's month of property and savings from the browser alone, in a real Chromium through the gateway and
the real services.

An estates officer, without JavaScript, registers a building (a first try refused by the API against its
fields, kept as typed, nothing registered), changes its details, imports a file of occupancy readings (a bad
file refused by its lines, nothing imported), adds a team based there and changes its workers, and saves the
desk ratios and the under-use share (a ratio out of range refused, nothing changed), and reviews the estate's
utilisation over a month (a period not yet ended refused). A finance officer sets a programme's target and
changes it, records cost avoided (a first try refused, nothing recorded), which the cost avoidance page then
lists, and keeps an initiative's delivery plan: milestones added (a first try refused, nothing added), one
overdue and listed by the overdue report, one recorded done with its evidence, one changed and dropped. Every
result is checked through the API; the operator, who only reads, is offered none of these forms and refused them;
every new page passes axe-core with no serious or critical violation (in a browser that runs it, as the officer
who may use it sees it).

The records are the test's own under unique names, and the estate's standards are saved as they were, so the
demo's figures and the other tests' desk demand are untouched.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from civic_web.officers import Officer

from tests.browser.conftest import Api, NewPage, demo, no_accessibility_problems, summary_links, type_date
from tests.conftest import unique

pytestmark = [pytest.mark.browser]

ESTATES = demo("estates.officer")
FINANCE = demo("finance.officer")
OPERATOR = demo("operator")
PROPERTY = "/api/property/v1"
SAVINGS = "/api/savings/v1"


async def every_page_accessible(new_page: NewPage, officer: Officer, addresses: tuple[str, ...], form: str,
                                button: str, dates: dict[str, date] | None = None) -> None:
    """Every new page, and the ``form``, as ``officer`` has them, in a browser that runs axe-core (the test's own page
    runs without JavaScript); then the form sent empty but for ``dates`` (by their boxes' prefix): refused, its error
    summary still accessible."""
    checker = await new_page(officer)
    for address in (*addresses, form):
        await checker.goto(address)
        await no_accessibility_problems(checker)
    for prefix, day in (dates or {}).items():
        await type_date(checker, prefix, day)
    await checker.get_by_role("button", name=button).click()
    await summary_links(checker)
    await no_accessibility_problems(checker)


async def test_an_estates_officer_registers_a_building_imports_its_readings_adds_a_team_and_saves_the_ratios(
        new_page: NewPage, api: Api) -> None:
    estates = api(ESTATES)
    name = unique("Brackley Depot")
    page = await new_page(ESTATES, javascript=False)
    await page.goto("/property/buildings")
    await page.get_by_role("link", name="Register a building").click()

    # refused by the API against its fields (no kind, desks below none): kept as typed, nothing registered
    await page.get_by_label("Name", exact=True).fill(name)
    await page.get_by_label("Town", exact=True).fill("Brackley")
    await page.get_by_label("Tenure").select_option(value="freehold")
    await page.get_by_label("Desks", exact=True).fill("-3")
    await page.get_by_label("Running cost a year").fill("£120,000")
    await page.get_by_label("Carbon a year").fill("35000")
    await page.get_by_label("Partner 1", exact=True).fill("NHS Northamptonshire")
    await page.get_by_label("Rent a year, partner 1").fill("18,000")
    await page.get_by_role("button", name="Register the building").click()
    links = await summary_links(page)
    assert "#kind" in links and "#desks" in links, links
    assert await page.get_by_label("Desks", exact=True).input_value() == "-3"
    assert await page.get_by_label("Rent a year, partner 1").input_value() == "18,000"
    found = (await estates.get(f"{PROPERTY}/buildings", params={"town": "Brackley", "limit": "500"})).json()["items"]
    assert name not in [b["name"] for b in found]

    # put right: registered with its partner and an energy measure, in pence as the API keeps them
    await page.get_by_label("Kind of building").select_option(value="office")
    await page.get_by_label("Desks", exact=True).fill("60")
    await page.get_by_label("Measure 1", exact=True).select_option(value="solar")
    await page.get_by_label("Saving a year, measure 1").fill("4,500")
    await page.get_by_label("Carbon saved a year, measure 1").fill("1200")
    await page.get_by_role("button", name="Register the building").click()
    await page.get_by_text(f"{name} is on the register.").wait_for()
    building_id = page.url.rsplit("/", 1)[1]
    building = (await estates.get(f"{PROPERTY}/buildings/{building_id}")).json()
    assert (building["name"], building["kind"], building["desks"], building["annual_running_cost_pence"],
            building["annual_carbon_kg"]) == (name, "office", 60, 12_000_000, 35_000)
    assert [(p["name"], p["annual_rent_pence"]) for p in building["partners"]] == [("NHS Northamptonshire", 1_800_000)]
    assert [(m["kind"], m["expected_annual_saving_pence"]) for m in building["energy_measures"]] == [("solar", 450_000)]

    # its details changed at the version the page showed
    await page.get_by_role("link", name="Change its details").click()
    assert await page.get_by_label("Running cost a year").input_value() == "120,000"
    await page.get_by_label("Desks", exact=True).fill("70")
    await page.get_by_label("Notes (optional)").fill("Desks counted in the spring survey")
    await page.get_by_role("button", name="Save the details").click()
    await page.get_by_text(f"The details of {name} are saved.").wait_for()
    changed = (await estates.get(f"{PROPERTY}/buildings/{building_id}")).json()
    assert (changed["desks"], changed["notes"], changed["version"]) == \
        (70, "Desks counted in the spring survey", building["version"] + 1)
    assert changed["partners"] == building["partners"]

    # a file of readings: a bad row refused by its line, nothing imported; then the file put right
    days = [date.today() - timedelta(days=back) for back in (2, 1)]
    await page.goto("/property/buildings")
    await page.get_by_role("link", name="Import occupancy readings from a file").click()
    bad = f"building_id,date,occupied_desks\n{building_id},{days[0]},40\n{building_id},{days[1]},90\n"
    await page.set_input_files("#file", files=[{"name": "readings.csv", "mimeType": "text/csv", "buffer": bad.encode()}])
    await page.get_by_role("button", name="Import the readings").click()
    assert await summary_links(page) == ["#file"]
    assert "Line 3, desks occupied: 90 is above the capacity of 70 desks" in \
        await page.locator(".govuk-error-summary").inner_text()
    readings = f"{PROPERTY}/buildings/{building_id}/occupancy"
    assert (await estates.get(readings)).json()["items"] == []
    good = bad.replace(",90\n", ",52\n")
    await page.set_input_files("#file", files=[{"name": "readings.csv", "mimeType": "text/csv", "buffer": good.encode()}])
    await page.get_by_role("button", name="Import the readings").click()
    await page.get_by_text("2 readings imported for 1 buildings").wait_for()
    assert [(r["date"], r["occupied_desks"]) for r in (await estates.get(readings)).json()["items"]] == \
        [(days[0].isoformat(), 40), (days[1].isoformat(), 52)]

    # a team based there, then its workers changed
    team_name = unique("Trading Standards")
    await page.goto("/property/teams")
    await page.get_by_role("link", name="Add a team").click()
    await page.get_by_label("Name", exact=True).fill(team_name)
    await page.get_by_label("Directorate").fill("Place")
    await page.get_by_label("Based at").select_option(value=building_id)
    await page.get_by_label("Fixed", exact=True).fill("12")
    await page.get_by_label("Flexible", exact=True).fill("6")
    await page.get_by_role("button", name="Add the team").click()
    await page.get_by_text(f"{team_name} is on the register.").wait_for()
    team_id = page.url.rsplit("/", 1)[1]
    team = (await estates.get(f"{PROPERTY}/teams/{team_id}")).json()
    assert (team["building_id"], team["workforce"]) == \
        (building_id, {"fixed": 12, "part_flexible": 0, "flexible": 6, "field": 0})
    await page.get_by_label("Flexible", exact=True).fill("9")
    await page.get_by_role("button", name="Save the details").click()
    await page.get_by_text(f"The details of {team_name} are saved.").wait_for()
    assert (await estates.get(f"{PROPERTY}/teams/{team_id}")).json()["workforce"]["flexible"] == 9

    # the desk ratios: one out of range refused and kept, nothing changed; then saved as they were
    ratios = (await estates.get(f"{PROPERTY}/desk-ratios")).json()
    await page.goto("/property/teams")
    await page.get_by_role("navigation", name="Property pages").get_by_role("link", name="Desk ratios and under-use").click()
    await page.get_by_label("Fixed", exact=True).fill("1.5")
    await page.get_by_role("button", name="Save the desk ratios").click()
    assert await summary_links(page) == ["#ratio-fixed"]
    assert await page.get_by_label("Fixed", exact=True).input_value() == "1.5"
    assert (await estates.get(f"{PROPERTY}/desk-ratios")).json() == ratios
    await page.get_by_label("Fixed", exact=True).fill(str(ratios["fixed"]))
    await page.get_by_role("button", name="Save the desk ratios").click()
    await page.get_by_text("The desk ratios are saved").wait_for()
    saved = (await estates.get(f"{PROPERTY}/desk-ratios")).json()
    assert saved == {**ratios, "version": ratios["version"] + 1}
    settings = (await estates.get(f"{PROPERTY}/utilisation-settings")).json()
    await page.get_by_role("button", name="Save the under-use share").click()
    await page.get_by_text("A building is now under-used below").wait_for()
    saved = (await estates.get(f"{PROPERTY}/utilisation-settings")).json()
    assert (saved["threshold"], saved["version"]) == (settings["threshold"], settings["version"] + 1)

    await every_page_accessible(new_page, ESTATES, (
        f"/property/buildings/{building_id}/details", "/property/occupancy/import", "/property/teams/new",
        f"/property/teams/{team_id}", "/property/desk-ratios"), "/property/buildings/new", "Register the building")


async def test_an_estates_officer_reviews_the_estates_utilisation_over_a_month(new_page: NewPage, api: Api) -> None:
    estates = api(ESTATES)
    name = unique("Moulton Annexe")
    registered = await estates.post(f"{PROPERTY}/buildings", json={
        "name": name, "town": "Moulton", "kind": "office", "desks": 50, "tenure": "leasehold",
        "annual_running_cost_pence": 4_000_000, "annual_carbon_kg": 9_000})
    assert registered.status_code == 201, registered.text
    building_id = registered.json()["id"]
    # a month long past, so the review's period is the test's own: 10 of 50 desks occupied, well under-used
    for reading_day in (date(2019, 6, 3), date(2019, 6, 4)):
        answer = await estates.post(f"{PROPERTY}/buildings/{building_id}/occupancy",
                                    json={"date": reading_day.isoformat(), "occupied_desks": 10})
        assert answer.status_code == 201, answer.text
    page = await new_page(ESTATES, javascript=False)
    await page.goto("/property/desk-ratios")
    await page.get_by_role("link", name="Review the estate's utilisation over a period").click()
    await page.get_by_role("heading", name="Review the estate's utilisation").wait_for()

    # a period that has not ended is refused against its end, kept as typed
    await type_date(page, "from", date(2019, 6, 1))
    await type_date(page, "to", date.today())
    await page.get_by_role("button", name="Review the period").click()
    assert await summary_links(page) == ["#to-day"]
    assert await page.locator("#to-year").input_value() == str(date.today().year)

    # the month reviewed: the building is found under-used and reported, once
    await type_date(page, "to", date(2019, 6, 30))
    await page.get_by_role("button", name="Review the period").click()
    found = page.locator(".govuk-notification-banner", has_text="The review of 1 June 2019 to 30 June 2019")
    await found.wait_for()
    said = await found.inner_text()
    assert f"{name} 20%" in said and "1 reported for the first time" in said, said
    await type_date(page, "from", date(2019, 6, 1))
    await type_date(page, "to", date(2019, 6, 30))
    await page.get_by_role("button", name="Review the period").click()
    again = page.locator(".govuk-notification-banner", has_text="0 reported for the first time")
    await again.wait_for()
    assert name in await again.inner_text()

    await every_page_accessible(new_page, ESTATES, (), "/property/utilisation-review", "Review the period",
                                dates={"to": date.today()})


async def test_a_finance_officer_sets_and_changes_a_target_and_records_cost_avoided(
        new_page: NewPage, api: Api) -> None:
    finance = api(FINANCE)
    programme = unique("Waste review")
    page = await new_page(FINANCE, javascript=False)
    await page.goto("/savings/reports")

    # a new programme's target, then changed at the version the page showed
    await page.get_by_role("link", name="Set a target").click()
    await page.get_by_label("Programme").fill(programme)
    await page.get_by_label("Target").fill("2,500,000")
    await page.get_by_role("button", name="Set the target").click()
    await page.get_by_text(f"The target of {programme} is set at £2,500,000.").wait_for()
    await page.get_by_role("heading", name=f"{programme} against its target").wait_for()
    targets = (await finance.get(f"{SAVINGS}/targets", params={"limit": "100"})).json()["items"]
    [target] = [t for t in targets if t["name"] == programme]
    assert target["amount_pence"] == 250_000_000
    await page.get_by_role("link", name="Change the target").click()
    assert await page.get_by_label("Target").input_value() == "2,500,000"
    await page.get_by_label("Target").fill("3,000,000")
    await page.get_by_label("Description (optional)").fill("Agreed at cabinet in March")
    await page.get_by_role("button", name="Change the target").click()
    await page.get_by_text(f"The target of {programme} is now £3,000,000.").wait_for()
    targets = (await finance.get(f"{SAVINGS}/targets", params={"limit": "100"})).json()["items"]
    [changed] = [t for t in targets if t["name"] == programme]
    assert (changed["amount_pence"], changed["description"], changed["version"]) == \
        (300_000_000, "Agreed at cabinet in March", target["version"] + 1)

    # "Set a target" for a programme that has one never replaces it: refused, what was typed kept, unchanged
    await page.goto("/savings/reports")
    await page.get_by_role("link", name="Set a target").click()
    await page.get_by_label("Programme").fill(programme)
    await page.get_by_label("Target").fill("1")
    await page.get_by_role("button", name="Set the target").click()
    await page.get_by_text(f"{programme} already has a target").first.wait_for()
    assert await page.get_by_label("Target").input_value() == "1"
    assert (await finance.get(f"{SAVINGS}/targets/{programme}")).json()["amount_pence"] == 300_000_000
    await page.goto("/savings/reports")

    # cost avoided: refused by the API (no directorate, a year that is not one), kept as typed, nothing recorded
    title = unique("Agency staff panel")
    await page.get_by_role("navigation", name="Savings pages").get_by_role("link", name="Cost avoidance").click()
    await page.get_by_role("link", name="Record cost avoided").click()
    await page.get_by_label("Title").fill(title)
    await page.get_by_label("Financial year").fill("2031-32")
    await page.get_by_label("Cost avoided").fill("£48,250.50")
    await page.get_by_label("Programme (optional)").fill(programme)
    await page.get_by_role("button", name="Record the cost avoided").click()
    links = await summary_links(page)
    assert "#directorate" in links and "#year" in links, links
    assert await page.get_by_label("Cost avoided").input_value() == "£48,250.50"
    assert await page.get_by_label("Financial year").input_value() == "2031-32"
    recorded = f"{SAVINGS}/cost-avoidance"
    assert (await finance.get(recorded, params={"title": title})).json()["items"] == []

    # put right: recorded, and listed for its year
    await page.get_by_label("Directorate").fill("People")
    await page.get_by_label("Financial year").fill("2031/32")
    await page.get_by_role("button", name="Record the cost avoided").click()
    await page.get_by_text(f"£48,250.50 of cost avoided in 2031/32 is recorded: {title}.").wait_for()
    [record] = (await finance.get(recorded, params={"title": title})).json()["items"]
    assert (record["directorate"], record["year"], record["amount_pence"], record["programme"]) == \
        ("People", "2031/32", 4_825_050, programme)
    await page.get_by_label("Financial year").fill("2031/32")
    await page.get_by_role("button", name="Show that year").click()
    row = await page.locator("tr", has=page.get_by_text(title, exact=True)).inner_text()
    assert "People" in row and "£48,250.50" in row

    await every_page_accessible(new_page, FINANCE, (
        "/savings/targets/set", f"/savings/targets/set?name={programme}", "/savings/cost-avoidance"),
        "/savings/cost-avoidance/new", "Record the cost avoided")


async def test_a_finance_officer_keeps_an_initiatives_delivery_plan_and_reads_the_overdue_milestones(
        new_page: NewPage, api: Api) -> None:
    finance = api(FINANCE)
    programme = unique("Libraries review")
    proposed = await finance.post(f"{SAVINGS}/initiatives", json={
        "title": unique("Library opening hours"), "directorate": "Place", "theme": "redesign_reorganisation",
        "category": "transformation", "programme": programme,
        "profile": [{"year": "2029/30", "planned_pence": 40_000_000}]})
    assert proposed.status_code == 201, proposed.text
    initiative = proposed.json()
    plan = f"{SAVINGS}/initiatives/{initiative['id']}/milestones"
    page = await new_page(FINANCE, javascript=False)
    await page.goto(f"/savings/initiatives/{initiative['id']}")
    await page.get_by_text("No milestones yet.").wait_for()

    # refused by the API (no milestone named, a day that is not one): kept as typed, nothing added
    await page.get_by_role("link", name="Add a milestone").click()
    await page.get_by_label("Owner").fill("Head of Libraries")
    await type_date(page, "due", date(2027, 1, 1))
    await page.locator("#due-day").fill("31")
    await page.locator("#due-month").fill("2")
    await page.get_by_role("button", name="Add the milestone").click()
    links = await summary_links(page)
    assert "#title" in links and "#due-day" in links, links
    assert await page.get_by_label("Owner").input_value() == "Head of Libraries"
    assert await page.locator("#due-day").input_value() == "31"
    assert (await finance.get(plan)).json()["items"] == []

    # put right, due yesterday: in the plan and overdue; a second one due next year
    yesterday = date.today() - timedelta(days=1)
    await page.get_by_label("Milestone").fill("Consultation with staff closes")
    await type_date(page, "due", yesterday)
    await page.get_by_role("button", name="Add the milestone").click()
    await page.get_by_text("Consultation with staff closes is in the delivery plan.").wait_for()
    row = await page.locator("tr", has=page.get_by_role("link", name="Consultation with staff closes")).inner_text()
    assert "Overdue" in row and "Head of Libraries" in row, row
    await page.get_by_role("link", name="Add a milestone").click()
    await page.get_by_label("Milestone").fill("New opening hours start")
    await page.get_by_label("Owner").fill("Libraries manager")
    await type_date(page, "due", date(date.today().year + 1, 4, 1))
    await page.get_by_role("button", name="Add the milestone").click()
    await page.get_by_text("New opening hours start is in the delivery plan.").wait_for()
    first, second = (await finance.get(plan)).json()["items"]
    assert (first["status"], first["overdue"], first["due"], second["overdue"]) == \
        ("planned", True, yesterday.isoformat(), False)

    # the overdue milestones of the programme, linked from the savings pages
    await page.goto("/savings/reports")
    await page.get_by_role("navigation", name="Savings pages").get_by_role("link", name="Overdue milestones").click()
    await page.get_by_label("Programme").fill(programme)
    await page.get_by_role("button", name="Show its milestones").click()
    row = await page.locator("tr", has=page.get_by_role("link", name="Consultation with staff closes")).inner_text()
    assert initiative["title"] in row and "1" in row, row
    assert await page.get_by_role("link", name="New opening hours start").count() == 0

    # done with its evidence: refused without it (nothing changed), then recorded
    await page.get_by_role("link", name="Consultation with staff closes").click()
    await page.get_by_role("heading", name="Consultation with staff closes").wait_for()
    await page.get_by_role("button", name="Record it as done").click()
    assert await summary_links(page) == ["#complete-evidence"]
    assert (await finance.get(f"{plan}/{first['id']}")).json()["status"] == "planned"
    await page.get_by_label("Evidence").fill("Consultation report to Cabinet, minute 42")
    await page.get_by_role("button", name="Record it as done").click()
    await page.get_by_text("The milestone is done.").wait_for()
    done = (await finance.get(f"{plan}/{first['id']}")).json()
    assert (done["status"], done["evidence"], done["overdue"]) == \
        ("done", "Consultation report to Cabinet, minute 42", False)

    # the second moved to a later date, then dropped with the reason
    await page.get_by_role("link", name="New opening hours start").click()
    await page.locator("#change-due-year").fill(str(date.today().year + 2))
    await page.get_by_role("button", name="Save the changes").click()
    await page.get_by_text("The milestone is changed.").wait_for()
    assert (await finance.get(f"{plan}/{second['id']}")).json()["due"] == f"{date.today().year + 2}-04-01"
    await page.get_by_role("link", name="New opening hours start").click()
    await page.get_by_label("Reason").fill("Hours agreed with the community groups instead")
    await page.get_by_role("button", name="Drop the milestone").click()
    await page.get_by_text("The milestone is dropped from the plan.").wait_for()
    dropped = (await finance.get(f"{plan}/{second['id']}")).json()
    assert (dropped["status"], dropped["dropped_reason"]) == \
        ("dropped", "Hours agreed with the community groups instead")
    overdue = (await finance.get(f"{SAVINGS}/reports/milestones/overdue", params={"programme": programme})).json()
    assert overdue["overdue_milestone_count"] == 0

    await every_page_accessible(new_page, FINANCE, (
        f"/savings/initiatives/{initiative['id']}", f"/savings/initiatives/{initiative['id']}/milestones/{first['id']}",
        f"/savings/reports/overdue-milestones?programme={programme}", "/savings/reports/overdue-milestones"),
        f"/savings/initiatives/{initiative['id']}/milestones/new", "Add the milestone")
    # the operator reads the plan and is offered none of its changes
    operator = await new_page(OPERATOR)
    await operator.goto(f"/savings/initiatives/{initiative['id']}")
    await operator.get_by_role("link", name="Consultation with staff closes").click()
    await operator.get_by_role("heading", name="Consultation with staff closes").wait_for()
    assert await operator.locator("main form[method=post]").count() == 0
    await operator.goto(f"/savings/initiatives/{initiative['id']}")
    assert await operator.get_by_role("link", name="Add a milestone").count() == 0
    answer = await operator.goto(f"/savings/initiatives/{initiative['id']}/milestones/new")
    assert answer is not None and answer.status == 403


async def test_the_operator_who_only_reads_is_offered_none_of_the_forms_and_refused_them(new_page: NewPage) -> None:
    page = await new_page(OPERATOR)
    await page.goto("/property/buildings")
    assert await page.get_by_role("link", name="Register a building").count() == 0
    assert await page.get_by_role("link", name="Import occupancy readings from a file").count() == 0
    await page.goto("/property/teams")
    assert await page.get_by_role("link", name="Add a team").count() == 0
    await page.goto("/property/desk-ratios")  # the standards are theirs to read, not to set
    await page.get_by_role("heading", name="Desks for each worker").wait_for()
    assert await page.locator("main form[method=post]").count() == 0
    assert await page.get_by_role("link", name="Review the estate's utilisation over a period").count() == 0
    await no_accessibility_problems(page)
    await page.goto("/savings/reports")
    assert await page.get_by_role("link", name="Set a target").count() == 0
    await page.goto("/savings/cost-avoidance")
    assert await page.get_by_role("link", name="Record cost avoided").count() == 0
    await no_accessibility_problems(page)
    for address in ("/property/buildings/new", "/property/occupancy/import", "/property/teams/new",
                    "/property/utilisation-review", "/savings/targets/set", "/savings/cost-avoidance/new"):
        answer = await page.goto(address)
        assert answer is not None and answer.status == 403, address
