"""The communications team at work in the web app, in a real Chromium, through the gateway and the real services:
content is drafted and goes from draft to review to approved to scheduled, approval offered only to an approver
and never on their own words, a refused step shown as the error summary with nothing changed; the forward plan,
a consultation's live results, its responses as a spreadsheet and its early close, the councillor briefing to
print. What a page did is checked through the API; every page passes axe-core.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from civic_web.vocabulary import LONDON
from openpyxl import load_workbook

from tests.browser.conftest import Api, NewPage, demo, no_accessibility_problems
from tests.conftest import created, unique

pytestmark = [pytest.mark.browser]

OFFICER = demo("comms.officer")
APPROVER = demo("comms.approver")
CM = "/api/comms/v1"


async def drafted(client: httpx.AsyncClient, title: str, *, in_review: bool = False, **more: Any) -> dict[str, Any]:
    content = await created(client, f"{CM}/content", {
        "title": title, "body": "The library opening hours change from January.\n\nAsk at the desk.",
        "channels": ["website", "social:instagram"], "audience": ["residents"], **more})
    if in_review:
        moved = await client.post(f"{CM}/content/{content['id']}/transitions", json={"to": "in_review"},
                                  headers={"If-Match": f'"{content["version"]}"'})
        assert moved.status_code == 200, moved.text
        content = moved.json()
    return content


async def test_content_goes_from_draft_to_scheduled_approved_only_by_someone_else(new_page: NewPage, api: Api) -> None:
    # the comms officer drafts content (refused until complete, what was typed kept) and sends it for review;
    # approving is not theirs to do
    page = await new_page(OFFICER)
    await page.get_by_role("navigation", name="Menu").get_by_role("link", name="Comms").click()
    await page.get_by_role("heading", name="Content for approval").wait_for()
    await no_accessibility_problems(page)
    await page.get_by_role("button", name="Draft content").click()
    title = unique("Library opening hours")
    await page.get_by_label("Title").fill(title)
    await page.get_by_role("button", name="Save the draft").click()
    summary = page.locator(".govuk-error-summary")
    await summary.wait_for()
    hrefs = {await a.get_attribute("href") for a in await summary.get_by_role("link").all()}
    assert {"#body", "#channels", "#audience"} <= hrefs, hrefs
    assert await page.get_by_label("Title").input_value() == title
    await no_accessibility_problems(page)
    await page.get_by_label("The words").fill("The library opening hours change from January.\n\nAsk at the desk.")
    await page.get_by_label("Website", exact=True).check()
    await page.get_by_label("Social networks (optional)").fill("instagram")
    await page.get_by_label("Residents", exact=True).check()
    await page.get_by_role("button", name="Save the draft").click()
    await page.get_by_text(f"{title} is drafted.").wait_for()
    content = (await api(OFFICER).get(f"{CM}/content/{page.url.rsplit('/', 1)[1]}")).json()
    assert (content["title"], content["status"], content["author"]) == (title, "draft", OFFICER.key)
    assert content["channels"] == ["website", "social:instagram"] and content["audience"] == ["residents"]
    await page.get_by_role("button", name="Send for review").click()
    await page.get_by_text("Send for review: done.").wait_for()
    assert await page.get_by_role("button", name="Approve").count() == 0
    await no_accessibility_problems(page)
    assert (await api(OFFICER).get(f"{CM}/content/{content['id']}")).json()["status"] == "in_review"

    # the approver approves it, then a time in the past is refused at the date, and a time to come is taken
    page = await new_page(APPROVER)
    summary = page.locator(".govuk-error-summary")
    await page.goto("/comms/content")
    await page.locator("#in_review ~ table").first.get_by_role("link", name=content["title"]).click()
    await page.get_by_role("button", name="Approve").click()
    await page.get_by_text("Approve: done.").wait_for()
    past = datetime.now(LONDON) - timedelta(days=2)
    await page.get_by_label("Day").fill(str(past.day))
    await page.get_by_label("Month").fill(str(past.month))
    await page.get_by_label("Year").fill(str(past.year))
    await page.get_by_label("Time").fill("9:30am")
    await page.get_by_role("button", name="Schedule").click()
    await summary.wait_for()
    assert await summary.get_by_role("link").first.get_attribute("href") == "#scheduled-publish-day"
    assert await page.get_by_label("Time").input_value() == "9:30am"  # kept as typed
    await no_accessibility_problems(page)
    assert (await api(APPROVER).get(f"{CM}/content/{content['id']}")).json()["status"] == "approved"
    soon = datetime.now(LONDON) + timedelta(days=10)
    await page.get_by_label("Day").fill(str(soon.day))
    await page.get_by_label("Month").fill(str(soon.month))
    await page.get_by_label("Year").fill(str(soon.year))
    await page.get_by_label("Time").fill("14:15")
    await page.get_by_role("button", name="Schedule").click()
    await page.get_by_text("Schedule: done.").wait_for()
    stored = (await api(APPROVER).get(f"{CM}/content/{content['id']}")).json()
    assert stored["status"] == "scheduled" and stored["approved_by"] == APPROVER.key
    publish_at = datetime.fromisoformat(stored["publish_at"].replace("Z", "+00:00")).astimezone(LONDON)
    assert (publish_at.date(), publish_at.hour, publish_at.minute) == (soon.date(), 14, 15)
    await no_accessibility_problems(page)

    # a press release the safeguarding board must authorise first: approving is refused and changes nothing
    board_release = await drafted(api(OFFICER), unique("Board annual report"), in_review=True,
                                  requires_approval_by="safeguarding_board")
    await page.goto(f"/comms/content/{board_release['id']}")
    # the board signs off by its own decision: nothing to record here, only the reference to give the board
    assert await page.get_by_role("button", name="Record the sign-off").count() == 0
    assert await page.locator(".govuk-inset-text strong").get_by_text(board_release["id"]).count() == 1
    await page.get_by_role("button", name="Approve").click()
    await summary.get_by_text("safeguarding_board").wait_for()
    await no_accessibility_problems(page)
    after = (await api(APPROVER).get(f"{CM}/content/{board_release['id']}")).json()
    assert after["status"] == "in_review" and after["version"] == board_release["version"]

    # the approver's own words: no approval offered, and the page says why
    own = await drafted(api(APPROVER), unique("Approver's own post"), in_review=True)
    await page.goto(f"/comms/content/{own['id']}")
    await page.get_by_text("You wrote this, so someone else must approve it.").wait_for()
    assert await page.get_by_role("button", name="Approve").count() == 0
    assert await page.get_by_role("button", name="Send back to draft").count() == 1


async def test_the_forward_plan_a_consultations_live_results_and_the_briefing_to_print(
        new_page: NewPage, api: Api, tmp_path: Path) -> None:
    client = api(OFFICER)
    today = datetime.now(LONDON).date()
    consultation = await created(client, f"{CM}/consultations", {
        "title": unique("Town centre survey"), "kind": "survey", "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=9)).isoformat(),
        "questions": [{"id": "vision", "text": "Do you agree with the plan?", "kind": "likert", "required": True},
                      {"id": "where", "text": "Where do you shop?", "kind": "single_choice",
                       "options": ["Market Square", "Online"]}]})
    for vision, where in (("agree", "Online"), ("strongly_agree", "Market Square"), ("disagree", "Online")):
        await created(client, f"{CM}/consultations/{consultation['id']}/responses",
                      {"answers": {"vision": vision, "where": where}})

    page = await new_page(OFFICER)
    # from the week before (the plan's day of an opening at midnight UK time is the API's to say)
    await page.goto(f"/comms/forward-plan?from={(today - timedelta(days=7)).isoformat()}")
    plan = page.get_by_role("table", name="Week by week")
    await plan.get_by_role("link", name=f"Consultation opens: {consultation['title']}").click()

    # the results as the API counts them, live
    await page.get_by_role("heading", name=consultation["title"]).wait_for()
    assert await page.get_by_text("66.7% agree").count() == 1
    answers = page.get_by_role("table", name="Answers to question 2")
    assert await answers.get_by_role("row", name="Online 2 66.7%").count() == 1
    await no_accessibility_problems(page)
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="Download every response (.xlsx spreadsheet)").click()
    download = await download_info.value
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    assert saved.suffix == ".xlsx"
    sheet = load_workbook(io.BytesIO(saved.read_bytes())).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    head = rows.index(next(r for r in rows if r and r[0] == "response_id"))
    assert rows[head][3:5] == ["vision", "where"]
    assert sorted((r[3], r[4]) for r in rows[head + 1:] if r[0]) == [
        ("agree", "Online"), ("disagree", "Online"), ("strongly_agree", "Market Square")]

    # closed early: it takes no more responses
    await page.get_by_role("button", name="Close the consultation now").click()
    await page.get_by_text("The consultation is closed: it takes no more responses.").wait_for()
    assert (await client.get(f"{CM}/consultations/{consultation['id']}")).json()["state"] == "closed"
    assert await page.get_by_role("button", name="Close the consultation now").count() == 0

    # back on the forward plan, and the councillor briefing, printed without the site's navigation
    await page.goto("/comms/forward-plan")
    await no_accessibility_problems(page)
    await page.get_by_role("link", name="The four weeks after").click()
    await page.get_by_role("table", name="Week by week").wait_for()
    await page.goto("/comms/briefing")
    await page.get_by_role("heading", name="Councillor briefing").wait_for()
    await no_accessibility_problems(page)
    await page.emulate_media(media="print")
    assert not await page.get_by_role("navigation", name="Menu").is_visible()
    assert await page.get_by_role("heading", name="Councillor briefing").is_visible()
