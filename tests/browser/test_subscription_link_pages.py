"""The pages behind the links in residents' subscription emails, in a real Chromium, through the gateway and the
real services, signed in as nobody.

A resident asks to subscribe (the council's site does it for them, here the API); the confirmation email arrives in
the stack's mailbox. Its link's page changes nothing by being opened; its button confirms, and the link used again
says it is no longer valid and changes nothing. A bulletin then arrives with its unsubscribe link: opening it
changes nothing; the mail client's RFC 8058 one-click POST (``List-Unsubscribe=One-Click``, no cookie) ends the
subscription; the page's button, pressed afterwards, says the same. Each state is checked through the API's
counts; every page passes axe-core with no serious or critical violation.

The links are followed at the officers' address: comms writes them under ``CIVIC_COMMS_PUBLIC_URL`` (the
council's public site, https), whose ``/subscriptions/confirm`` and ``/subscriptions/unsubscribe`` these pages are.
"""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from civic.cli.stack import Stack

from tests.browser.conftest import Api, NewPage, demo, no_accessibility_problems
from tests.resident_mail import CM, a_bulletin_published, a_campaign, mail_to

pytestmark = [pytest.mark.browser]

OFFICER = demo("comms.officer")
APPROVER = demo("comms.approver")


def link_in(text: str, path: str) -> str:
    """The token of the link to ``path`` in a message's text."""
    for word in text.split():
        if urlsplit(word).path.endswith(path):
            return parse_qs(urlsplit(word).query)["token"][0]
    raise AssertionError(f"no link to {path} in {text!r}")


async def counts(api: Api, topic: str) -> dict[str, int]:
    found = (await api(OFFICER).get(f"{CM}/subscription-topics", params={"topic": topic})).json()["items"]
    return {key: found[0][key] for key in ("pending", "confirmed", "unsubscribed")}


async def test_a_resident_confirms_a_subscription_and_unsubscribes_by_the_links_in_the_emails(
    new_page: NewPage, api: Api, platform: Stack, officers_url: str
) -> None:
    campaign_id = await a_campaign(api(OFFICER), "Recycling", "Recycle more")
    topic = f"campaign:{campaign_id}"
    address = f"resident-{uuid.uuid4().hex[:8]}@example.org"
    asked = await api(OFFICER).post(f"{CM}/subscriptions", json={"email": address, "topic": topic})
    assert asked.status_code == 200, asked.text
    [confirmation] = await mail_to(platform, address)
    token = link_in(confirmation.get_body(preferencelist=("plain",)).get_content(), "/subscriptions/confirm")

    # opening the link changes nothing: the button does
    page = await new_page()
    await page.goto(f"/subscriptions/confirm?token={token}")
    await page.get_by_role("heading", name="Confirm your subscription").wait_for()
    await no_accessibility_problems(page)
    assert await counts(api, topic) == {"pending": 1, "confirmed": 0, "unsubscribed": 0}
    await page.get_by_role("button", name="Confirm my subscription").click()
    await page.get_by_role("heading", name="Your subscription is confirmed").wait_for()
    await no_accessibility_problems(page)
    assert await counts(api, topic) == {"pending": 0, "confirmed": 1, "unsubscribed": 0}
    # the link used again: no longer valid, nothing changed
    await page.goto(f"/subscriptions/confirm?token={token}")
    await page.get_by_role("button", name="Confirm my subscription").click()
    await page.get_by_role("heading", name="This link is no longer valid").wait_for()
    await no_accessibility_problems(page)
    assert await counts(api, topic) == {"pending": 0, "confirmed": 1, "unsubscribed": 0}

    # a bulletin, with its one-click unsubscribe link
    await a_bulletin_published(api(OFFICER), api(APPROVER), campaign_id, "Bin collections",
                               "Collections change from Monday.")
    bulletin = await mail_to(platform, address, more_than=1)
    unsubscribe_url = str(bulletin[-1]["List-Unsubscribe"]).strip("<>")
    assert bulletin[-1]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = parse_qs(urlsplit(unsubscribe_url).query)["token"][0]
    assert urlsplit(unsubscribe_url).path.endswith("/subscriptions/unsubscribe")

    await page.goto(f"/subscriptions/unsubscribe?token={unsubscribe}")
    await page.get_by_role("heading", name="Unsubscribe").wait_for()
    await no_accessibility_problems(page)
    assert await counts(api, topic) == {"pending": 0, "confirmed": 1, "unsubscribed": 0}
    # the mail client's one-click POST: no cookie, no form token, answered at once
    async with httpx.AsyncClient(base_url=officers_url, timeout=30) as mail_client:
        one_click = await mail_client.post(
            f"/subscriptions/unsubscribe?token={unsubscribe}", data={"List-Unsubscribe": "One-Click"}
        )
    assert one_click.status_code == 200 and "You have unsubscribed" in one_click.text
    assert await counts(api, topic) == {"pending": 0, "confirmed": 0, "unsubscribed": 1}
    # the page's button afterwards: unsubscribed all the same
    await page.get_by_role("button", name="Unsubscribe").click()
    await page.get_by_role("heading", name="You have unsubscribed").wait_for()
    await no_accessibility_problems(page)
    assert await counts(api, topic) == {"pending": 0, "confirmed": 0, "unsubscribed": 1}
