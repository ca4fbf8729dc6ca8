"""A children's safeguarding partnership in a real Chromium, through the gateway and the real services: its Child
Safeguarding Practice Reviews, its lead partner, its constitution's yearly review and a member's notice of leaving.

The board business manager with confidential access notifies a serious incident (an empty notification refused,
nothing recorded), records the rapid review's decision and commissions the local review, changes the lead partner,
records the constitution's review by the partners' decision between meetings, and a member's notice (none refused,
nothing changed). The partnership's page offers no safeguarding adults review, which the API would refuse, and an
adults' board offers no practice review: the board's ``review_kind`` decides. Every result is checked through the
API; the operator, who may only read, is offered none of the changes; every page passes axe-core with no serious or
critical violation. The boards are the test's own.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from tests.browser.conftest import (
    Api,
    NewPage,
    demo,
    no_accessibility_problems,
    recorded_in_safeguarding,
    summary_links,
    type_date,
)

pytestmark = [pytest.mark.browser]

CONFIDENTIAL = demo("board.manager.confidential")
OPERATOR = demo("operator")
SG = "/api/safeguarding/v1"


async def partnership(client: httpx.AsyncClient) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A children's partnership led by the local authority, a member for each of its three safeguarding partners."""
    board = await recorded_in_safeguarding(
        client,
        "/boards",
        {"name": f"Testshire Children {uuid.uuid4().hex[:6]}", "kind": "children", "lead_partner": "local_authority"},
    )
    members = [
        await recorded_in_safeguarding(
            client,
            f"/boards/{board['id']}/members",
            {
                "name": name,
                "organisation": organisation,
                "role": "statutory_partner",
                "statutory": True,
                "safeguarding_partner": partner,
            },
        )
        for name, organisation, partner in (
            ("Lee Council", "Testshire Council", "local_authority"),
            ("Pat Police", "Testshire Police", "police"),
            ("Hana Health", "Testshire ICB", "health"),
        )
    ]
    return board, members


async def test_the_partnership_notifies_an_incident_decides_its_rapid_review_and_keeps_its_partners(
    new_page: NewPage, api: Api
) -> None:
    client = api(CONFIDENTIAL)
    board, members = await partnership(client)
    adults = await recorded_in_safeguarding(client, "/boards", {"name": f"Testshire SAB {uuid.uuid4().hex[:6]}"})

    page = await new_page(CONFIDENTIAL)
    await page.goto(f"/safeguarding/boards/{board['id']}")
    # the partnership holds practice reviews, never safeguarding adults reviews (the API refuses those here)
    assert await page.get_by_role("link", name="Refer a safeguarding adults review").count() == 0
    await page.get_by_role("heading", name="Child safeguarding practice reviews").wait_for()
    await no_accessibility_problems(page)

    # a notification without its reference, summary or child: refused, nothing recorded
    await page.get_by_role("link", name="Notify a serious child safeguarding incident").click()
    await page.locator("#reference").fill("Child B")
    await page.get_by_role("button", name="Record the notification").click()
    links = await summary_links(page)
    assert "#case_summary" in links and "#child_name" in links, links
    assert await page.locator("#reference").input_value() == "Child B"  # what was typed is kept
    await no_accessibility_problems(page)
    listed = (await client.get(f"{SG}/boards/{board['id']}/practice-reviews")).json()["items"]
    assert listed == []
    await page.locator("#case_summary").fill("Serious injury to an infant; agencies had contact")
    await page.locator("#child_name").fill("Brooke Smith")
    known = date.today() - timedelta(days=3)
    await type_date(page, "known", known)
    await page.get_by_role("button", name="Record the notification").click()
    await page.get_by_text("Child B is notified to the Panel.").wait_for()
    [review] = (await client.get(f"{SG}/boards/{board['id']}/practice-reviews")).json()["items"]
    assert (review["reference"], review["status"], review["incident_known_on"]) == ("Child B", "notified", known.isoformat())
    assert review["child"]["name"] == "Brooke Smith"
    await no_accessibility_problems(page)

    # the rapid review's decision, then the local review commissioned
    await page.get_by_label("Yes").check()
    await page.locator("#reasons").fill("Learning for health visiting and police response")
    await page.get_by_role("button", name="Record the rapid review's decision").click()
    await page.get_by_text("The review is at its next step: rapid review.").wait_for()
    decided = (await client.get(f"{SG}/practice-reviews/{review['id']}")).json()
    assert decided["status"] == "rapid_review" and decided["rapid_review"]["local_review"] is True
    await page.locator("#reviewer").fill("R Reviewer")
    await page.locator("#reviewer_organisation").fill("Independent Reviews Ltd")
    await page.get_by_role("button", name="Record the commissioning of the local review").click()
    await page.get_by_text("The review is at its next step: commissioned.").wait_for()
    commissioned = (await client.get(f"{SG}/practice-reviews/{review['id']}")).json()
    assert commissioned["commission"]["reviewer_organisation"] == "Independent Reviews Ltd"
    await no_accessibility_problems(page)

    # the lead partner: the police now chair the partnership
    await page.goto(f"/safeguarding/boards/{board['id']}")
    await page.locator("#lead_partner").select_option(value="police")
    await page.get_by_role("button", name="Change the lead partner").click()
    await page.get_by_text("Police leads the partnership.").wait_for()
    assert (await client.get(f"{SG}/boards/{board['id']}")).json()["lead_partner"] == "police"

    # the constitution's yearly review, approved by the partners' decision between meetings once in effect
    decision = await recorded_in_safeguarding(
        client,
        f"/boards/{board['id']}/decisions",
        {
            "item_title": "Approve the reviewed constitution",
            "decided_by": members[1]["id"],  # the police lead the partnership now
            "consulted": [m["id"] for m in members],
        },
    )
    for partner in decision["partners"]:
        member = next(m for m in members if partner in (m["organisation"], m["safeguarding_partner"]))
        decision = await recorded_in_safeguarding(
            client,
            f"/decisions/{decision['id']}/confirmations",
            {"organisation": partner, "member_id": member["id"]},
            decision["version"],
        )
    assert decision["status"] == "in_effect"
    await page.goto(f"/safeguarding/boards/{board['id']}")
    await page.locator("#decision_id").select_option(value=decision["id"])
    await page.get_by_role("button", name="Record the review").click()
    await page.get_by_text("The constitution's review is recorded.").wait_for()
    reviewed = (await client.get(f"{SG}/boards/{board['id']}")).json()
    assert reviewed["constitution_reviewed_on"] == date.today().isoformat()
    assert reviewed["constitution_reviews"][-1]["decision_id"] == decision["id"]

    # a member's notice of leaving: without its last day refused, nothing changed; then recorded
    leaver = members[2]
    await page.goto(f"/safeguarding/members/{leaver['id']}")
    await page.get_by_role("button", name="Record the notice").click()
    assert await summary_links(page) == ["#leaves-day"]
    await no_accessibility_problems(page)
    unchanged = (await client.get(f"{SG}/members/{leaver['id']}")).json()
    assert unchanged["version"] == leaver["version"] and unchanged["leaves_on"] is None
    leaves = date.today() + timedelta(days=30)
    await type_date(page, "leaves", leaves)
    await page.get_by_role("button", name="Record the notice").click()
    await page.get_by_text("The notice of leaving is recorded.").wait_for()
    assert (await client.get(f"{SG}/members/{leaver['id']}")).json()["leaves_on"] == leaves.isoformat()
    await page.goto(f"/safeguarding/boards/{board['id']}")
    await page.get_by_role("table", name="Members leaving").get_by_text("Hana Health").wait_for()
    await no_accessibility_problems(page)

    # an adults' board offers safeguarding adults reviews and no practice review
    await page.goto(f"/safeguarding/boards/{adults['id']}")
    await page.get_by_role("link", name="Refer a safeguarding adults review").wait_for()
    assert await page.get_by_role("link", name="Notify a serious child safeguarding incident").count() == 0

    # the operator reads the partnership and its review, and is offered no change
    reader = await new_page(OPERATOR)
    await reader.goto(f"/safeguarding/boards/{board['id']}")
    await reader.get_by_role("link", name="Child B").wait_for()
    assert await reader.locator("main form[method=post]").count() == 0
    assert await reader.get_by_role("link", name="Notify a serious child safeguarding incident").count() == 0
    await reader.get_by_role("link", name="Overdue rapid reviews").click()
    await reader.get_by_text("No rapid review is overdue.").wait_for()
    await no_accessibility_problems(reader)
    await reader.goto(f"/safeguarding/practice-reviews/{review['id']}")
    await reader.get_by_role("heading", name="Child B").wait_for()
    assert await reader.locator("main form[method=post]").count() == 0
    assert await reader.get_by_text("Brooke Smith").count() == 0  # the child's name is confidential
    await no_accessibility_problems(reader)
