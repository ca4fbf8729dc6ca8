"""The property pages in a real Chromium, through the gateway and the real services.

An estates officer, without JavaScript, finds a building by its status, reads its utilisation (chart and
table), records a day's occupancy (one above its desks refused) and plans its closure from its page, a step
its state does not allow being refused in the API's words; they plan a move over capacity (refused with its
numbers, nothing planned), then one that fits, and record it as completed. Every result is checked through
the API; the operator, who may only read, is offered no change; every page is checked by axe-core with no
serious or critical violation (pages without JavaScript cannot run axe, so those are checked as the operator
sees them).

The buildings and teams are the test's own, under unique names, and no closure lands in the demo's years, so
the demo's published figures, checked by tests/e2e, are untouched.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from civic_web.vocabulary import pounds, share

from tests.browser.conftest import Api, NewPage, demo, no_accessibility_problems, type_date

pytestmark = [pytest.mark.browser]

ESTATES = demo("estates.officer")
OPERATOR = demo("operator")
API = "/api/property/v1"


async def register(api: Api, name: str, desks: int) -> dict[str, Any]:
    answer = await api(ESTATES).post(f"{API}/buildings", json={
        "name": f"{name} {uuid.uuid4().hex[:6]}", "town": "Towcester", "kind": "office", "desks": desks,
        "tenure": "leasehold", "annual_running_cost_pence": 12_000_000, "annual_carbon_kg": 40_000})
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_an_estates_officer_reads_a_buildings_utilisation_and_plans_its_closure_without_javascript(
        new_page: NewPage, api: Api) -> None:
    building = await register(api, "Sunnyside Depot", 80)
    today = date.today()
    for back, occupied in ((3, 20), (2, 44), (1, 36)):
        reading = await api(ESTATES).post(f"{API}/buildings/{building['id']}/occupancy",
                                          json={"date": (today - timedelta(days=back)).isoformat(),
                                                "occupied_desks": occupied})
        assert reading.status_code == 201, reading.text
    page = await new_page(ESTATES, javascript=False)
    await page.get_by_role("navigation", name="Menu").get_by_role("link", name="Property").click()
    operational = page.locator("#status-operational")
    await operational.get_by_role("link", name=building["name"]).click()
    await page.get_by_role("heading", name=building["name"]).wait_for()

    # its utilisation as the API reckons it: the sentence, the chart's name, a row a day
    utilisation = (await api(ESTATES).get(f"{API}/buildings/{building['id']}/utilisation")).json()
    assert f"on average {share(utilisation['mean'])} of its 80 desks" in await page.locator("main").inner_text()
    assert await page.get_by_role("img", name=f"{building['name']}: desks occupied each day").count() == 1
    days = page.locator("table", has=page.locator("caption", has_text="Desks occupied each day")).locator("tbody tr")
    assert await days.count() == 3
    assert [t.split("\t")[1] for t in await days.all_inner_texts()] == ["20", "44", "36"]

    # a day's reading: one above its desks refused against the field and kept as typed, then today's recorded
    await type_date(page, "reading", today)
    await page.get_by_label("Desks occupied", exact=True).fill("90")
    await page.get_by_role("button", name="Record the reading").click()
    summary = page.locator(".govuk-error-summary")
    await summary.wait_for()
    assert [await a.get_attribute("href") for a in await summary.get_by_role("link").all()] == ["#occupied"]
    assert "above the capacity of 80 desks" in await summary.inner_text()
    assert await page.get_by_label("Desks occupied", exact=True).input_value() == "90"
    await page.get_by_label("Desks occupied", exact=True).fill("52")
    await page.get_by_role("button", name="Record the reading").click()
    await page.get_by_text("desks occupied.").wait_for()
    assert await days.count() == 4
    readings = (await api(ESTATES).get(f"{API}/buildings/{building['id']}/occupancy",
                                       params={"from": today.isoformat()})).json()["items"]
    assert [(r["date"], r["occupied_desks"]) for r in readings] == [(today.isoformat(), 52)]

    # its closure planned for a day to come, from its page
    closing = today + timedelta(days=90)
    await page.get_by_label("Plan its closure").check()
    await type_date(page, "on", closing)
    await page.get_by_role("button", name="Record the step").click()
    await page.get_by_text(f"{building['name']} is now closure planned.").wait_for()
    planned = (await api(ESTATES).get(f"{API}/buildings/{building['id']}")).json()
    assert (planned["status"], planned["closure_date"]) == ("closure_planned", closing.isoformat())

    # a step its state does not allow: refused in the API's words, with the steps it does allow; nothing changed
    await page.get_by_label("Record its disposal").check()
    await page.get_by_label("How it was disposed of (disposal only)").select_option(value="sale")
    await page.get_by_label("Receipt (disposal only)").fill("250,000")
    await page.get_by_role("button", name="Record the step").click()
    await summary.wait_for()
    assert "From here you can: Record it as closed, or Bring back into use" in await summary.inner_text()
    assert await page.get_by_label("Receipt (disposal only)").input_value() == "250,000"
    after = (await api(ESTATES).get(f"{API}/buildings/{building['id']}")).json()
    assert (after["status"], after["version"]) == ("closure_planned", planned["version"])
    # the page with its forms, as the estates officer has it, checked by axe in a browser that runs it
    checker = await new_page(ESTATES)
    await checker.goto(f"/property/buildings/{building['id']}")
    assert await checker.get_by_role("button", name="Record the step").count() == 1
    await no_accessibility_problems(checker)

    # the operator reads the same pages, is offered no step, and every page passes axe
    reader = await new_page(OPERATOR)
    await reader.goto("/property/buildings")
    assert await reader.locator("#status-closure_planned").get_by_role("link", name=building["name"]).count() == 1
    await no_accessibility_problems(reader)
    await reader.goto(f"/property/buildings/{building['id']}")
    await reader.get_by_role("heading", name="Utilisation").wait_for()
    assert await reader.get_by_role("heading", name="Its next step").count() == 0
    assert await reader.locator("main form[method=post]").count() == 0
    await no_accessibility_problems(reader)
    await reader.get_by_role("navigation", name="Property pages").get_by_role("link", name="Rationalisation").click()
    report = (await api(OPERATOR).get(f"{API}/reports/rationalisation")).json()
    years = reader.locator("table", has=reader.locator("caption", has_text="The estate by financial year"))
    rows = await years.locator("tbody tr").all_inner_texts()
    assert [(r.split("\t")[0], r.split("\t")[4]) for r in rows] == \
        [(y["year"], pounds(y["annual_saving_pence"])) for y in report["years"]]
    assert await reader.get_by_role("img", name="The estate's annual saving by financial year").count() == 1
    await no_accessibility_problems(reader)


async def test_a_move_over_capacity_is_refused_with_its_numbers_and_one_that_fits_is_planned_and_completed(
        new_page: NewPage, api: Api) -> None:
    home = await register(api, "Riverside House", 400)
    small = await register(api, "Old Library", 5)
    roomy = await register(api, "Market Square Hub", 1000)
    made = await api(ESTATES).post(f"{API}/teams", json={
        "name": f"Highways {uuid.uuid4().hex[:6]}", "directorate": "Place", "building_id": home["id"],
        "workforce": {"fixed": 200, "flexible": 30}})
    assert made.status_code == 201, made.text
    team = made.json()
    page = await new_page(ESTATES)
    await page.goto("/property/moves")
    when = date.today() + timedelta(days=30)

    # over capacity: the summary gives the API's numbers, the form keeps the choices, nothing is planned
    await page.get_by_label("Team", exact=True).select_option(value=team["id"])
    await page.get_by_label("Moving to").select_option(value=small["id"])
    await type_date(page, "planned_for", when)
    await page.get_by_role("button", name="Plan the move").click()
    summary = page.locator(".govuk-error-summary")
    await summary.wait_for()
    refused = await api(ESTATES).post(f"{API}/moves", json={"team_id": team["id"], "to_building_id": small["id"],
                                                             "planned_for": when.isoformat()})
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    text = await summary.inner_text()
    assert problem["detail"].rstrip(".") in text and f"That is {problem['shortfall']} desks more than it has" in text
    assert f"{small['name']} has 5 desks" in text
    assert await page.get_by_label("Team", exact=True).input_value() == team["id"]
    assert await page.locator("#planned_for-day").input_value() == str(when.day)
    await no_accessibility_problems(page)
    assert (await api(ESTATES).get(f"{API}/moves", params={"team_id": team["id"]})).json()["items"] == []

    # a building with room: planned, then recorded as completed from the planned moves
    await page.get_by_label("Moving to").select_option(value=roomy["id"])
    await page.get_by_role("button", name="Plan the move").click()
    await page.get_by_text(f"The move of {team['name']} to {roomy['name']} is planned.").wait_for()
    [move] = (await api(ESTATES).get(f"{API}/moves", params={"team_id": team["id"]})).json()["items"]
    assert (move["status"], move["to_building_id"], move["planned_for"]) == ("planned", roomy["id"], when.isoformat())
    await no_accessibility_problems(page)
    await page.get_by_role("button", name=f"Record as completed: {team['name']}").click()
    await page.get_by_text(f"The move of {team['name']} is completed.").wait_for()
    assert (await api(ESTATES).get(f"{API}/moves/{move['id']}")).json()["status"] == "completed"
    assert (await api(ESTATES).get(f"{API}/teams/{team['id']}")).json()["building_id"] == roomy["id"]

    # teams and desk demand: the team where it now is, the building's demand as the API reckons it
    await page.get_by_role("navigation", name="Property pages").get_by_role("link", name="Teams and desk demand").click()
    demand = (await api(ESTATES).get(f"{API}/reports/desk-demand")).json()
    [row] = [b for b in demand["buildings"] if b["building_id"] == roomy["id"]]
    cells = (await page.locator("tr", has=page.get_by_role("link", name=roomy["name"])).first.inner_text()).split("\t")
    assert cells[0] == roomy["name"] and cells[5] == str(row["desks_needed"])
    team_row = await page.locator("tr", has=page.get_by_text(team["name"], exact=True)).inner_text()
    assert roomy["name"] in team_row
    await no_accessibility_problems(page)

    # the operator reads the move plan and is offered no change
    reader = await new_page(OPERATOR)
    await reader.goto("/property/moves")
    await reader.get_by_role("heading", name="Move plan").wait_for()
    assert await reader.get_by_text(team["name"]).count() >= 1  # in its directorate's table
    assert await reader.get_by_role("heading", name="Plan a move").count() == 0
    assert await reader.locator("main form[method=post]").count() == 0
    await no_accessibility_problems(reader)
