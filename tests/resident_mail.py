"""A resident's subscription emails, as the end-to-end and browser tests of the links in them meet them: the
campaign they subscribe to, the bulletin that emails them, and the messages in the stack's mailbox (the Maildir
its mail server keeps)."""

from __future__ import annotations

import uuid
from email.message import EmailMessage

import httpx
from civic.cli.mail import messages
from civic.cli.stack import Stack

from tests.conftest import eventually

CM = "/api/comms/v1"


async def mail_to(platform: Stack, address: str, more_than: int = 0) -> list[EmailMessage]:
    """The messages to ``address`` in the stack's mailbox, once there are more than ``more_than`` (comms sends
    them in the background)."""

    async def arrived() -> list[EmailMessage] | None:
        found = [m for m in messages(platform.mail_dir) if address in str(m["To"])]
        return found if len(found) > more_than else None

    found: list[EmailMessage] = await eventually(arrived, timeout=60)
    return found


async def a_campaign(author: httpx.AsyncClient, title: str, objective: str) -> str:
    """A campaign running from 2026 to 2030: its id."""
    campaign = await author.post(
        f"{CM}/campaigns",
        json={
            "title": f"{title} {uuid.uuid4().hex[:6]}",
            "objectives": [objective],
            "starts_on": "2026-01-01",
            "ends_on": "2030-12-31",
        },
    )
    assert campaign.status_code == 201, campaign.text
    return str(campaign.json()["id"])


async def a_bulletin_published(author: httpx.AsyncClient, approver: httpx.AsyncClient, campaign_id: str, title: str,
                               body: str) -> None:
    """Content for the campaign's residents by email, through the approval workflow (the author, then a different
    approver): comms emails it to the campaign's subscribers."""
    content = await author.post(
        f"{CM}/content",
        json={
            "title": f"{title} {uuid.uuid4().hex[:6]}",
            "body": body,
            "channels": ["website", "email_bulletin"],
            "audience": ["residents"],
            "campaign_id": campaign_id,
        },
    )
    assert content.status_code == 201, content.text
    version = content.json()["version"]
    for client, to in ((author, "in_review"), (approver, "approved"), (author, "published")):
        moved = await client.post(
            f"{CM}/content/{content.json()['id']}/transitions", json={"to": to}, headers={"If-Match": f'"{version}"'}
        )
        assert moved.status_code == 200, moved.text
        version = moved.json()["version"]
