"""A review's action plan and learning briefing, and a decision between meetings confirmed by its partner, in a
real Chromium, through the gateway and the real services.

The board business manager (without confidential access: none of these needs it) records an action of a
review's plan done with its evidence (none refused, nothing changed), the review's learning briefing (an empty one
refused), reads the board's overdue review actions, and records a statutory partner's confirmation of a decision
taken between meetings (without the member refused, still awaiting), which brings it into effect. Every result is
checked through the API; the operator, who may only read, is offered none of the changes; every page passes
axe-core with no serious or critical violation. The board is the test's own.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from tests.browser.conftest import Api, NewPage, demo, no_accessibility_problems, recorded_in_safeguarding, summary_links

pytestmark = [pytest.mark.browser]

MANAGER = demo("board.manager")
CONFIDENTIAL = demo("board.manager.confidential")
OPERATOR = demo("operator")
SG = "/api/safeguarding/v1"


async def test_the_board_business_manager_completes_a_review_action_briefs_its_learning_and_records_a_confirmation(
    new_page: NewPage, api: Api
) -> None:
    client = api(CONFIDENTIAL)  # a referral carries the case details, which only this scope reads back
    board = await recorded_in_safeguarding(
        client, "/boards", {"name": f"Testshire SAB {uuid.uuid4().hex[:6]}", "statutory_partners": ["Testshire Council"]}
    )
    chair = await recorded_in_safeguarding(
        client,
        f"/boards/{board['id']}/members",
        {"name": "Ivy Chair", "organisation": "Independent", "role": "independent_chair"},
    )
    partner = await recorded_in_safeguarding(
        client,
        f"/boards/{board['id']}/members",
        {"name": "Pat Partner", "organisation": "Testshire Council", "role": "statutory_partner", "statutory": True},
    )
    sar = await recorded_in_safeguarding(
        client,
        f"/boards/{board['id']}/sars",
        {"reference": "Adult T", "case_summary": "Self-neglect", "person": {"name": "T"}, "referred_by": "Police"},
    )
    due = (date.today() + timedelta(days=60)).isoformat()
    for step in (
        {"to": "decision", "criteria_met": True, "reasons": "Agencies could have worked together better"},
        {"to": "commissioned", "author": "A Author", "author_organisation": "Reviews Ltd", "cost_pence": 850_000},
        {"to": "report_received"},
        {"to": "action_plan", "actions": [{"action": "Multi-agency training", "owner": "Learning lead", "due_on": due}]},
    ):
        sar = await recorded_in_safeguarding(client, f"/sars/{sar['id']}/transitions", step, sar["version"])
    action = sar["actions"][0]

    page = await new_page(MANAGER)
    await page.goto(f"/safeguarding/sars/{sar['id']}")
    # an action done without its evidence: refused, nothing changed
    await page.get_by_role("button", name="Record the action as done").click()
    assert await summary_links(page) == [f"#complete-{action['id']}-evidence"]
    await no_accessibility_problems(page)
    unchanged = (await api(MANAGER).get(f"{SG}/sars/{sar['id']}")).json()
    assert unchanged["version"] == sar["version"] and unchanged["actions"][0]["completed_on"] is None
    await page.locator(f"#complete-{action['id']}-evidence").fill("Training delivered to 40 practitioners")
    await page.get_by_role("button", name="Record the action as done").click()
    await page.get_by_text("The action is done.").wait_for()
    done = (await api(MANAGER).get(f"{SG}/sars/{sar['id']}")).json()
    assert done["actions"][0]["evidence"] == "Training delivered to 40 practitioners"
    assert done["actions"][0]["completed_on"] == date.today().isoformat()

    # the learning briefing: an empty one refused, then recorded
    await page.get_by_role("button", name="Record the learning briefing").click()
    assert await summary_links(page) == ["#briefing-summary"]
    assert (await api(MANAGER).get(f"{SG}/sars/{sar['id']}")).json()["learning_briefing"] is None
    await page.locator("#briefing-summary").fill("Escalate self-neglect concerns to the multi-agency panel")
    await page.get_by_role("button", name="Record the learning briefing").click()
    await page.get_by_text("The learning briefing is recorded.").wait_for()
    briefed = (await api(MANAGER).get(f"{SG}/sars/{sar['id']}")).json()["learning_briefing"]
    assert briefed["summary"] == "Escalate self-neglect concerns to the multi-agency panel"
    await no_accessibility_problems(page)

    # the board's overdue review actions, as the API lists them
    await page.goto(f"/safeguarding/boards/{board['id']}")
    await page.get_by_role("link", name="Overdue review actions").click()
    overdue = (await api(MANAGER).get(f"{SG}/boards/{board['id']}/reports/overdue-sar-actions")).json()
    assert overdue["actions"] == []
    await page.get_by_text("No review action is overdue.").wait_for()
    await no_accessibility_problems(page)

    # a decision between meetings, in effect once its statutory partner confirms it
    decision = await recorded_in_safeguarding(
        client,
        f"/boards/{board['id']}/decisions",
        {"item_title": "Fund the self-neglect audit", "decided_by": chair["id"], "consulted": [partner["id"]]},
    )
    await page.goto(f"/safeguarding/boards/{board['id']}")
    await page.get_by_role("link", name="Fund the self-neglect audit").click()
    await page.get_by_role("button", name="Record the confirmation").click()
    assert await summary_links(page) == ["#member_id"]
    await no_accessibility_problems(page)
    assert (await api(MANAGER).get(f"{SG}/decisions/{decision['id']}")).json()["status"] == "awaiting_confirmation"
    await page.locator("#member_id").select_option(value=partner["id"])
    await page.get_by_role("button", name="Record the confirmation").click()
    await page.get_by_text("Testshire Council's confirmation is recorded.").wait_for()
    confirmed = (await api(MANAGER).get(f"{SG}/decisions/{decision['id']}")).json()
    assert confirmed["status"] == "in_effect" and confirmed["awaiting"] == []
    assert [(c["organisation"], c["member_id"]) for c in confirmed["confirmations"]] == [
        ("Testshire Council", partner["id"])
    ]
    await no_accessibility_problems(page)

    # the operator reads them and is offered no change
    reader = await new_page(OPERATOR)
    await reader.goto(f"/safeguarding/sars/{sar['id']}")
    await reader.get_by_role("heading", name="Adult T").wait_for()
    assert await reader.locator("main form[method=post]").count() == 0
    await reader.goto(f"/safeguarding/decisions/{decision['id']}")
    assert await reader.locator("main form[method=post]").count() == 0
    await no_accessibility_problems(reader)
