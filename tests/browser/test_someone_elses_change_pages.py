"""Someone else's change between opening a record's page and sending its form, in a real Chromium through the
gateway and the real services: a milestone changed, a building's details amended, a member's deputy named, a
content's step taken.

Each record's page is opened, then another officer changes the record through the API at the version the page
showed (If-Match); the officer sends the page's form as they typed it. The page says someone else changed it and
shows the record as it is now (the other officer's value in the form, not what was typed), and the record still
holds the other officer's value: a second click on the same button could not overwrite it. Sent again from the
page shown, the officer's change is made at the new version.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import httpx
import pytest
from civic_web.officers import Officer

from tests.browser.conftest import Api, NewPage, demo
from tests.conftest import created, unique

pytestmark = [pytest.mark.browser]

FINANCE = demo("finance.officer")
APPROVER = demo("programme.approver")
ESTATES = demo("estates.officer")
MANAGER = demo("board.manager")
COMMS_APPROVER = demo("comms.approver")
COMMS_OFFICER = demo("comms.officer")
SAVINGS, PROPERTY, SG, CM = "/api/savings/v1", "/api/property/v1", "/api/safeguarding/v1", "/api/comms/v1"


def colleague(officer: Officer) -> Officer:
    """Another officer in the same role: the one who changes the record meanwhile."""
    return replace(officer, key=f"{officer.key}.colleague", name=f"Colleague of {officer.name}")


async def changed_meanwhile(client: httpx.AsyncClient, method: str, url: str, read: str,
                            body: dict[str, Any]) -> dict[str, Any]:
    """The other officer's change, at the version the record has (as the page showed it): the record it made."""
    shown = await client.get(read)
    assert shown.status_code == 200, shown.text
    answer = await client.request(method, url, json=body, headers={"If-Match": shown.headers["etag"]})
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


async def sent_after_the_change(page: Any, client: httpx.AsyncClient, address: str, *, box: Any, typed: str,
                                button: str, shown: str, kept: tuple[str, Any], theirs: dict[str, Any],
                                done: str, made: Any) -> None:
    """The page's form sent as ``typed`` after the other officer's change (``theirs``): refused as someone else's
    change, its ``box`` as it is now (``shown``), the record's field ``kept`` at their version; sent again from
    the page shown, ``done``, and the field ``made``."""
    field, value = kept
    await box.fill(typed)
    await page.get_by_role("button", name=button).click()
    await page.locator(".govuk-error-summary").get_by_text("Someone else changed this").wait_for()
    assert await box.input_value() == shown  # the record as it is now, not as typed
    record = (await client.get(address)).json()
    assert (record[field], record["version"]) == (value, theirs["version"])
    await box.fill(typed)
    await page.get_by_role("button", name=button).click()
    await page.get_by_text(done).wait_for()
    assert (await client.get(address)).json()[field] == made


async def test_a_milestone_changed_meanwhile_is_shown_as_it_is_now_and_not_overwritten(
        new_page: NewPage, api: Api) -> None:
    finance = api(FINANCE)
    initiative = await created(finance, f"{SAVINGS}/initiatives", {
        "title": unique("Mobile library route"), "directorate": "Place", "theme": "redesign_reorganisation",
        "category": "transformation", "programme": unique("Libraries review"),
        "profile": [{"year": "2029/30", "planned_pence": 5_000_000}]})
    milestone = await created(finance, f"{SAVINGS}/initiatives/{initiative['id']}/milestones", {
        "title": "New route agreed", "owner": "Head of Libraries", "due": date(date.today().year + 1, 4, 1).isoformat()})
    address = f"{SAVINGS}/initiatives/{initiative['id']}/milestones/{milestone['id']}"
    page = await new_page(FINANCE, javascript=False)
    await page.goto(f"/savings/initiatives/{initiative['id']}/milestones/{milestone['id']}")
    await page.get_by_role("heading", name="New route agreed").wait_for()

    theirs = await changed_meanwhile(api(colleague(APPROVER)), "PATCH", address, address, {"owner": "Libraries manager"})
    await sent_after_the_change(page, finance, address, box=page.locator("#change-owner"), typed="Mobile services lead",
                                button="Save the changes", shown="Libraries manager",
                                kept=("owner", "Libraries manager"), theirs=theirs,
                                done="The milestone is changed.", made="Mobile services lead")


async def test_a_buildings_details_amended_meanwhile_are_shown_as_they_are_now_and_not_overwritten(
        new_page: NewPage, api: Api) -> None:
    estates = api(ESTATES)
    building = await created(estates, f"{PROPERTY}/buildings", {
        "name": unique("Daventry Annexe"), "town": "Daventry", "kind": "office", "desks": 40, "tenure": "leasehold",
        "annual_running_cost_pence": 9_000_000, "annual_carbon_kg": 20_000})
    address = f"{PROPERTY}/buildings/{building['id']}"
    page = await new_page(ESTATES, javascript=False)
    await page.goto(f"/property/buildings/{building['id']}/details")
    await page.get_by_label("Notes (optional)").wait_for()

    theirs = await changed_meanwhile(api(colleague(ESTATES)), "PATCH", address, address,
                                     {"notes": "Lease break agreed with the landlord"})
    await sent_after_the_change(page, estates, address, box=page.get_by_label("Notes (optional)"),
                                typed="Desks counted in the spring survey", button="Save the details",
                                shown="Lease break agreed with the landlord",
                                kept=("notes", "Lease break agreed with the landlord"), theirs=theirs,
                                done=f"The details of {building['name']} are saved.",
                                made="Desks counted in the spring survey")


async def test_a_members_deputy_named_meanwhile_is_shown_as_it_is_now_and_not_overwritten(
        new_page: NewPage, api: Api) -> None:
    manager = api(MANAGER)
    board = await created(manager, f"{SG}/boards", {"name": unique("Safeguarding Adults Board"), "kind": "adults",
                                                    "area": "Testshire",
                                                    "statutory_partners": ["West Northamptonshire Council"]})
    member = await created(manager, f"{SG}/boards/{board['id']}/members", {
        "name": "Director of Adult Services", "organisation": "West Northamptonshire Council",
        "role": "statutory_partner", "statutory": True})
    address = f"{SG}/members/{member['id']}"
    page = await new_page(MANAGER, javascript=False)
    await page.goto(f"/safeguarding/members/{member['id']}")
    await page.get_by_label("Deputy's name").wait_for()

    theirs = await changed_meanwhile(api(colleague(MANAGER)), "PUT", f"{address}/deputy", address,
                                     {"deputy_name": "Ms Ann Other"})
    await sent_after_the_change(page, manager, address, box=page.get_by_label("Deputy's name"), typed="Mr Typed Deputy",
                                button="Name the deputy", shown="Ms Ann Other", kept=("deputy_name", "Ms Ann Other"),
                                theirs=theirs, done="Mr Typed Deputy is the named deputy.", made="Mr Typed Deputy")


async def test_a_content_approved_meanwhile_is_shown_as_it_is_now_and_not_sent_back_by_the_stale_page(
        new_page: NewPage, api: Api) -> None:
    author = api(COMMS_OFFICER)
    content = await created(author, f"{CM}/content", {
        "title": unique("Bin collection days"), "body": "Bin collection days change from March.",
        "channels": ["website"], "audience": ["residents"]})
    address = f"{CM}/content/{content['id']}"
    await changed_meanwhile(author, "POST", f"{address}/transitions", address, {"to": "in_review"})
    page = await new_page(COMMS_APPROVER, javascript=False)
    await page.goto(f"/comms/content/{content['id']}")
    await page.locator("#draft-reason").wait_for()

    theirs = await changed_meanwhile(api(colleague(COMMS_APPROVER)), "POST", f"{address}/transitions", address,
                                     {"to": "approved"})
    # the reason box as a first visit shows it (empty), on approved content, which is still sent back from here
    await sent_after_the_change(page, author, address, box=page.locator("#draft-reason"),
                                typed="The dates are not confirmed yet", button="Send back to draft", shown="",
                                kept=("status", "approved"), theirs=theirs, done="Send back to draft: done.",
                                made="draft")
