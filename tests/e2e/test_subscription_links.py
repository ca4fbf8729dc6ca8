"""End to end: the links in residents' emails land on the web app's pages at the stack's one address (issue 21/18).

``civic up`` gives comms the gateway's address as its public one (``CIVIC_COMMS_PUBLIC_URL``), where the gateway
serves the web app's pages. A resident asks to subscribe; the confirmation email arrives in the stack's mail server
(aiosmtpd, its own process). Its link, followed exactly as written with a plain HTTP client (no cookie, no sign-in),
opens a page that changes nothing; posting that page's form confirms. A bulletin then carries RFC 8058's
``List-Unsubscribe`` header, and the mail client's one-click POST to it unsubscribes. Each state is read through
the API's counts.
"""

from __future__ import annotations

import uuid
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import httpx
from civic.cli.stack import Stack

from tests.resident_mail import CM, a_bulletin_published, a_campaign, mail_to

AUTHOR = ("comms.officer", ["comms:read", "comms:write"])
APPROVER = ("comms.approver", ["comms:read", "comms:write", "comms:approve"])


class Forms(HTMLParser):
    """A page's forms as a browser would send them: each one's method, action and named inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "form":
            self.forms.append(
                {"method": (named.get("method") or "get").lower(), "action": named.get("action") or "", "fields": {}}
            )
        elif tag == "input" and self.forms and named.get("name"):
            self.forms[-1]["fields"][named["name"]] = named.get("value") or ""


def the_form(page: str) -> dict[str, Any]:
    parser = Forms()
    parser.feed(page)
    [form] = parser.forms
    return form


def link_to(text: str, path: str) -> str:
    """The link to ``path`` in a message's text, exactly as written."""
    [link] = [word for word in text.split() if f"{path}?token=" in word]
    return link


async def test_a_resident_follows_the_emails_links_to_the_pages_at_the_stacks_address(platform: Stack) -> None:
    def officer(who: tuple[str, list[str]]) -> httpx.AsyncClient:
        token = platform.token(who[1], sub=who[0])
        return httpx.AsyncClient(base_url=platform.gateway_url(), timeout=30, headers={"Authorization": f"Bearer {token}"})

    async with officer(AUTHOR) as author, officer(APPROVER) as approver, httpx.AsyncClient(timeout=30) as resident:

        async def counts() -> dict[str, int]:
            found = (await author.get(f"{CM}/subscription-topics", params={"topic": topic})).json()["items"]
            return {key: found[0][key] for key in ("pending", "confirmed", "unsubscribed")}

        campaign_id = await a_campaign(author, "Garden waste", "Compost more")
        topic = f"campaign:{campaign_id}"
        address = f"resident-{uuid.uuid4().hex[:8]}@example.org"
        # the council's public site asks on the resident's behalf
        asked = await author.post(f"{CM}/subscriptions", json={"email": address, "topic": topic})
        assert asked.status_code == 200, asked.text

        [confirmation] = await mail_to(platform, address)
        confirm_link = link_to(confirmation.get_body(preferencelist=("plain",)).get_content(), "/subscriptions/confirm")
        assert confirm_link.startswith(f"{platform.gateway_url()}/subscriptions/confirm?token=")

        # opening the link, as a mail scanner would, shows the page and changes nothing
        opened = await resident.get(confirm_link)
        assert opened.status_code == 200 and "Confirm your subscription" in opened.text
        assert await counts() == {"pending": 1, "confirmed": 0, "unsubscribed": 0}
        # the page's form, sent as a browser sends it, confirms
        form = the_form(opened.text)
        assert form["method"] == "post"
        confirmed = await resident.post(urljoin(confirm_link, form["action"]), data=form["fields"], follow_redirects=True)
        assert confirmed.status_code == 200 and "Your subscription is confirmed" in confirmed.text
        assert await counts() == {"pending": 0, "confirmed": 1, "unsubscribed": 0}
        # the same form again: the link is used, the page says so, nothing changes
        again = await resident.post(urljoin(confirm_link, form["action"]), data=form["fields"])
        assert again.status_code == 410 and "This link is no longer valid" in again.text
        assert await counts() == {"pending": 0, "confirmed": 1, "unsubscribed": 0}

        # a bulletin for the campaign, through the approval workflow (author, then a different approver)
        await a_bulletin_published(author, approver, campaign_id, "Garden waste collections",
                                   "Collections restart in March.")
        bulletin = (await mail_to(platform, address, more_than=1))[-1]
        assert bulletin["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe_link = str(bulletin["List-Unsubscribe"]).strip().removeprefix("<").removesuffix(">")
        assert unsubscribe_link.startswith(f"{platform.gateway_url()}/subscriptions/unsubscribe?token=")
        assert unsubscribe_link in bulletin.get_body(preferencelist=("plain",)).get_content()

        opened = await resident.get(unsubscribe_link)
        assert opened.status_code == 200 and "Unsubscribe" in opened.text
        assert await counts() == {"pending": 0, "confirmed": 1, "unsubscribed": 0}
        # the mail client's one-click POST to the header's link: no cookie, no form token, answered at once
        async with httpx.AsyncClient(timeout=30) as mail_client:
            one_click = await mail_client.post(unsubscribe_link, data={"List-Unsubscribe": "One-Click"})
        assert one_click.status_code == 200 and "You have unsubscribed" in one_click.text
        assert await counts() == {"pending": 0, "confirmed": 0, "unsubscribed": 1}
