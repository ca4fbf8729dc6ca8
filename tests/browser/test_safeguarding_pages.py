"""The safeguarding board's business office at work in the web app, in a real Chromium, through the gateway and the
real services: the board business manager records a meeting's attendance, decision and minutes and marks it
held (refusals shown as the error summary, nothing changed); a review's case details show only with confidential
access; a reader is offered nothing to change. What a page did is checked through the API; every page passes axe-core.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from civic_web.vocabulary import day

from tests.browser.conftest import Api, NewPage, demo, no_accessibility_problems
from tests.conftest import created, unique

pytestmark = [pytest.mark.browser]

MANAGER = demo("board.manager")
CONFIDENTIAL = demo("board.manager.confidential")
OPERATOR = demo("operator")
SG = "/api/safeguarding/v1"
PARTNERS = ("West Northamptonshire Council", "Northamptonshire Police", "NHS Northamptonshire ICB")


async def a_board_with_a_meeting(client: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """A board (an independent chair and three statutory partners, every MoU signed, the ICB's member with a
    named deputy) and its next meeting, with one item for decision. Returns the board, the meeting and the
    members' ids by organisation."""
    board = await created(client, f"{SG}/boards", {"name": unique("Safeguarding Adults Board"), "kind": "adults",
                                                   "area": "Testshire", "statutory_partners": list(PARTNERS)})
    people = [("Independent Chair", "Independent", "independent_chair", False, None)] + [
        (f"Director, {org}", org, "statutory_partner", True, "Dr Dee Puty" if "ICB" in org else None) for org in PARTNERS]
    members: dict[str, str] = {}
    for name, organisation, role, statutory, deputy in people:
        member = await created(client, f"{SG}/boards/{board['id']}/members", {
            "name": name, "organisation": organisation, "role": role, "statutory": statutory, "deputy_name": deputy})
        signed = await client.post(f"{SG}/members/{member['id']}/mou", json={"signed_on": "2026-04-01"},
                                   headers={"If-Match": f'"{member["version"]}"'})
        assert signed.status_code == 200, signed.text
        members[organisation] = member["id"]
    meeting = await created(client, f"{SG}/boards/{board['id']}/meetings", {
        "scheduled_for": (date.today() + timedelta(days=14)).isoformat(),
        "agenda": [{"title": "Budget and partner contributions", "kind": "decision"}]})
    return board, meeting, members


async def test_the_board_business_manager_runs_a_meeting_from_register_to_minutes(new_page: NewPage, api: Api) -> None:
    client = api(MANAGER)
    board, meeting, members = await a_board_with_a_meeting(client)
    item = next(i for i in meeting["agenda"] if i["kind"] == "decision")
    page = await new_page(MANAGER)
    await page.get_by_role("navigation", name="Menu").get_by_role("link", name="Safeguarding").click()
    await page.get_by_role("heading", name="Safeguarding boards").wait_for()
    await no_accessibility_problems(page)
    await page.get_by_role("link", name=board["name"]).click()
    await page.get_by_role("heading", name=board["name"]).wait_for()
    assert await page.get_by_role("cell", name="Dr Dee Puty").count() == 1  # the ICB member's named deputy
    await no_accessibility_problems(page)
    await page.get_by_role("link", name=day(meeting["scheduled_for"]), exact=True).click()
    await page.get_by_text("Not quorate as the register stands").wait_for()
    await no_accessibility_problems(page)

    # an inquorate meeting cannot decide: the API refuses, the page says why, nothing is recorded
    await page.get_by_role("link", name=f"Record the decision on {item['title']}").click()
    await page.get_by_label("By consensus").check()
    await page.get_by_role("button", name="Record the decision").click()
    summary = page.locator(".govuk-error-summary")
    await summary.get_by_text("not quorate").wait_for()
    await no_accessibility_problems(page)
    stored = (await client.get(f"{SG}/meetings/{meeting['id']}")).json()
    assert stored["agenda"][-1]["decision_id"] is None and stored["version"] == meeting["version"]

    # the register: the ICB represented by a deputy, with no name given, is refused at the deputy's field
    await page.goto(f"/safeguarding/meetings/{meeting['id']}/attendance")
    for organisation, member_id in members.items():
        await page.locator(f"#attendance-{member_id}").select_option("deputy" if "ICB" in organisation else "present")
    await page.get_by_role("button", name="Record attendance").click()
    icb = members["NHS Northamptonshire ICB"]
    link = summary.get_by_role("link")
    await link.first.wait_for()
    assert await link.get_attribute("href") == f"#deputy-{icb}"
    assert await page.locator(f"#attendance-{icb}").input_value() == "deputy"  # kept as chosen
    await no_accessibility_problems(page)
    assert (await client.get(f"{SG}/meetings/{meeting['id']}")).json()["attendance"] == []
    await page.locator(f"#deputy-{icb}").fill("Dr Dee Puty")
    await page.get_by_role("button", name="Record attendance").click()
    await page.get_by_text("The attendance register is recorded.").wait_for()
    await page.get_by_text("Quorate as the register stands.").wait_for()
    assert await page.get_by_text("Chaired by Independent Chair.").count() == 1
    lines = (await client.get(f"{SG}/meetings/{meeting['id']}")).json()["attendance"]
    register = {line["member_id"]: line for line in lines}
    assert register[icb] == {"member_id": icb, "status": "deputy", "deputy_name": "Dr Dee Puty"}
    assert len(register) == 4

    # now quorate, the members vote: the API counts, the page shows the outcome
    await page.get_by_role("link", name=f"Record the decision on {item['title']}").click()
    await page.get_by_label("By a vote").check()
    for member_id in members.values():
        await page.locator(f"#vote-{member_id}").select_option("for")
    await page.get_by_role("button", name="Record the decision").click()
    await page.get_by_text("The decision is recorded: carried.").wait_for()
    await no_accessibility_problems(page)
    decided = (await client.get(f"{SG}/meetings/{meeting['id']}")).json()["agenda"][-1]
    assert decided["decision_id"]
    decision = (await client.get(f"{SG}/decisions/{decided['decision_id']}")).json()
    assert decision["method"] == "vote" and decision["outcome"] == "carried" and decision["votes_for"] == 4
    assert await page.get_by_role("link", name=f"Record the decision on {item['title']}").count() == 0

    # the minutes: refused without their text, then drafted and submitted to the chair; then the meeting is held
    await page.get_by_role("button", name="Save the draft minutes").click()
    await summary.get_by_role("link", name="The minutes").wait_for()
    assert await summary.get_by_role("link").first.get_attribute("href") == "#minutes-text"
    await no_accessibility_problems(page)
    await page.get_by_label("Draft minutes").fill("The board agreed the budget and partner contributions.")
    await page.get_by_role("button", name="Save the draft minutes").click()
    await page.get_by_text("The draft minutes are saved.").wait_for()
    await page.get_by_role("button", name="Submit the minutes to the chair").click()
    await page.get_by_text("The minutes are submitted to the chair.").wait_for()
    minutes = (await client.get(f"{SG}/meetings/{meeting['id']}/minutes")).json()
    assert minutes["status"] == "submitted" and minutes["text"].startswith("The board agreed the budget")
    await page.get_by_role("button", name="Mark the meeting as held").click()
    await page.get_by_text("The meeting is marked as held.").wait_for()
    held = (await client.get(f"{SG}/meetings/{meeting['id']}")).json()
    assert held["status"] == "held" and held["held_quorate"] is True
    assert await page.get_by_role("button", name="Record attendance").count() == 0  # its register is closed
    await no_accessibility_problems(page)


async def test_case_details_show_only_with_confidential_access_and_a_reader_is_offered_no_change(
        new_page: NewPage, api: Api, officers_url: str) -> None:
    board, meeting, _ = await a_board_with_a_meeting(api(MANAGER))
    summary, person = unique("Fictitious case: missed visits by"), unique("Fictitious Person")
    review = await created(api(CONFIDENTIAL), f"{SG}/boards/{board['id']}/sars", {
        "reference": "Adult Z", "case_summary": summary, "person": {"name": person, "date_of_birth": "1940-01-02"},
        "referred_by": "Northamptonshire Police", "referred_on": "2026-07-02"})

    # the board business manager without confidential access: the review, never its case details; and, without
    # JavaScript, a declaration of interest (refused until complete, then recorded)
    page = await new_page(MANAGER, javascript=False)
    await page.goto(f"/safeguarding/boards/{board['id']}")
    await page.get_by_role("heading", name="Adult Z").wait_for()
    html = await page.content()
    assert summary not in html and person not in html
    assert await page.get_by_text("Case details are confidential").count() == 1
    await page.get_by_role("link", name="Adult Z").click()
    await page.get_by_role("heading", name="Adult Z").wait_for()
    html = await page.content()
    assert summary not in html and person not in html
    await page.goto(f"/safeguarding/meetings/{meeting['id']}")
    await page.get_by_role("button", name="Record a declaration of interest").click()
    await page.get_by_label("The interest").fill("A family member works for a care provider")
    await page.get_by_role("button", name="Record the declaration").click()
    hrefs = {await a.get_attribute("href") for a in await page.locator(".govuk-error-summary").get_by_role("link").all()}
    assert {"#declaration-member", "#declaration-item"} <= hrefs, hrefs
    assert await page.get_by_label("The interest").input_value() == "A family member works for a care provider"
    assert (await api(MANAGER).get(f"{SG}/meetings/{meeting['id']}")).json()["declarations"] == []
    await page.get_by_label("Member").select_option(label=f"Director, {PARTNERS[1]}, {PARTNERS[1]}")
    await page.get_by_label("Agenda item").select_option(label="Budget and partner contributions")
    await page.get_by_role("button", name="Record the declaration").click()
    await page.get_by_text("The declaration of interest is recorded.").wait_for()
    (declared,) = (await api(MANAGER).get(f"{SG}/meetings/{meeting['id']}")).json()["declarations"]
    assert declared["nature"] == "A family member works for a care provider"
    assert await page.locator("#declarations ~ table").get_by_text("A family member works for a care provider").count() == 1

    # a member's named deputy: refused when blank, then named
    await page.goto(f"/safeguarding/boards/{board['id']}")
    await page.get_by_role("link", name=f"Director, {PARTNERS[0]}").click()
    await page.get_by_role("button", name="Name the deputy").click()
    assert await page.locator(".govuk-error-summary a").first.get_attribute("href") == "#deputy_name"
    await page.get_by_label("Deputy's name").fill("Assistant Director, Adults")
    await page.get_by_role("button", name="Name the deputy").click()
    await page.get_by_text("Assistant Director, Adults is the named deputy.").wait_for()
    member_id = page.url.rsplit("/", 1)[1]
    assert (await api(MANAGER).get(f"{SG}/members/{member_id}")).json()["deputy_name"] == "Assistant Director, Adults"

    # with confidential access: the case summary and the person
    page = await new_page(CONFIDENTIAL)
    await page.goto(f"/safeguarding/boards/{board['id']}")
    await page.get_by_text(summary).wait_for()
    assert await page.get_by_text(person).count() == 1
    assert await page.get_by_text("Case details are confidential").count() == 0
    await no_accessibility_problems(page)
    await page.goto(f"/safeguarding/meetings/{meeting['id']}/declarations/new")
    await no_accessibility_problems(page)
    await page.goto(f"/safeguarding/members/{member_id}")
    await no_accessibility_problems(page)

    # the review's next step, with confidential access: refused until complete, then recorded
    await page.goto(f"/safeguarding/sars/{review['id']}")
    assert await page.get_by_text(summary).count() == 1
    await page.get_by_role("button", name="Record the decision on the section 44 criteria").click()
    hrefs = {await a.get_attribute("href") for a in await page.locator(".govuk-error-summary").get_by_role("link").all()}
    assert {"#criteria_met", "#reasons"} <= hrefs, hrefs
    await no_accessibility_problems(page)
    await page.get_by_label("Yes").check()
    await page.get_by_label("Reasons").fill("The adult died; agencies could have worked together more effectively.")
    await page.get_by_role("button", name="Record the decision on the section 44 criteria").click()
    await page.get_by_text("The review is at its next step: decision.").wait_for()
    decided = (await api(CONFIDENTIAL).get(f"{SG}/sars/{review['id']}")).json()
    assert decided["status"] == "decision" and decided["criteria_met"] is True
    assert await page.get_by_role("button", name="Record the commissioning of an independent author").count() == 1
    await no_accessibility_problems(page)

    # a reader (the operator): the meeting, its pack and calendar, and nothing offered to change
    page = await new_page(OPERATOR)
    await page.goto(f"/safeguarding/meetings/{meeting['id']}")
    await page.get_by_role("heading", name="Quorum").wait_for()
    for offered in ("Record attendance", "Record a declaration of interest"):
        assert await page.get_by_role("button", name=offered).count() == 0, offered
    assert await page.get_by_role("link", name="Record the decision on").count() == 0
    await no_accessibility_problems(page)
    await page.get_by_role("link", name="The agenda pack, to print").click()
    await page.get_by_role("heading", name="Agenda pack").wait_for()
    await page.emulate_media(media="print")  # printed: the pack without the site's navigation
    assert not await page.get_by_role("navigation", name="Menu").is_visible()
    await page.emulate_media(media="screen")
    await no_accessibility_problems(page)
    pdf = await page.request.get(f"/safeguarding/meetings/{meeting['id']}/pack.pdf")  # the same page, as a PDF
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert (await pdf.body()).startswith(b"%PDF-")
    calendar = await page.request.get(f"/safeguarding/boards/{board['id']}/meetings.ics")
    assert calendar.status == 200 and calendar.headers["content-type"].startswith("text/calendar")
    text = await calendar.text()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and f"UID:{meeting['id']}@" in text
    assert f"DTSTART;VALUE=DATE:{meeting['scheduled_for'].replace('-', '')}" in text
    # each meeting links to its page at the officers' one address, the gateway's
    assert f"URL:{officers_url}/safeguarding/meetings/{meeting['id']}\r\n" in text.replace("\r\n ", "")
    await page.goto(f"/safeguarding/meetings/{meeting['id']}/attendance")
    assert await page.get_by_role("heading", name="You do not have access to this page").count() == 1
