"""End to end: the demo's councillor briefing for this week arrives in the local mailbox (issue 21).

The demo data is loaded as ``civic up`` loads it: three councillors subscribe and this week's briefing is
approved to go at once. The comms process's scheduler issues it and its sender emails it to the stack's mail
server (aiosmtpd, a separate process), which keeps it in the Maildir ``civic mail`` reads. Through the
gateway, the briefing's deliveries read as sent; in the mailbox, each councillor's message is there once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from civic.cli.mail import messages
from civic.cli.seeding import seed_services
from civic.cli.stack import Stack
from civic_comms.briefing.domain import IsoWeek
from civic_comms.demo import COUNCILLORS
from civic_contracts import SERVICES

from tests.conftest import eventually


def in_mailbox(platform: Stack, week: str) -> dict[str, int]:
    """Each demo councillor's copies of this week's briefing, by address."""
    copies = {c["email"]: 0 for c in COUNCILLORS}
    for message in messages(platform.mail_dir):
        if message["Subject"] == f"Councillor briefing, week {week}":
            for address in copies:
                if address in str(message["To"]):
                    copies[address] += 1
    return copies


async def test_the_demo_briefing_for_this_week_arrives_in_the_local_mailbox(platform: Stack) -> None:
    await seed_services({s: platform.service_url(s) for s in SERVICES}, platform.keys)
    week = str(IsoWeek.of(datetime.now(UTC)))
    token = platform.token(["comms:read"])
    async with httpx.AsyncClient(base_url=platform.gateway_url(), timeout=30,
                                 headers={"Authorization": f"Bearer {token}"}) as client:

        async def all_sent() -> dict[str, Any] | None:
            response = await client.get(f"/api/comms/v1/briefings/{week}/issue")
            issue = response.json() if response.status_code == 200 else {}
            counts = issue.get("delivery_counts", {})
            done = issue.get("status") == "issued" and counts.get("sent") == issue.get("deliveries")
            return issue if done else None

        issue = await eventually(all_sent, timeout=90)
        assert issue["deliveries"] >= len(COUNCILLORS) and issue["approved_by"]
        deliveries = (await client.get(f"/api/comms/v1/briefings/{week}/deliveries",
                                       params={"limit": 500})).json()["items"]
        assert {d["email"] for d in deliveries} >= {c["email"] for c in COUNCILLORS}

    assert in_mailbox(platform, week) == {c["email"]: 1 for c in COUNCILLORS}
    # loading the demo again sends nothing again
    await seed_services({s: platform.service_url(s) for s in SERVICES}, platform.keys)
    assert in_mailbox(platform, week) == {c["email"]: 1 for c in COUNCILLORS}
