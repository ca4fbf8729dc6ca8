"""A board's calendar feed, subscribed to as Outlook or Google Calendar would, through the gateway and the real
services: the address the board's page gives a signed-in officer, fetched with no cookie, answers the board's
meetings as iCalendar; the same address with its signature changed answers 404. The board is the test's own.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import httpx
import pytest
from icalendar import Calendar

from tests.browser.conftest import Api, NewPage, demo, no_accessibility_problems
from tests.conftest import created

pytestmark = [pytest.mark.browser]

MANAGER = demo("board.manager")
SG = "/api/safeguarding/v1"


async def test_the_feed_address_on_the_boards_page_gives_its_meetings_without_a_session_and_tampered_nothing(
    new_page: NewPage, api: Api
) -> None:
    client = api(MANAGER)
    board = await created(client, f"{SG}/boards", {"name": f"Feedshire SAB {uuid.uuid4().hex[:6]}"})
    meetings = [
        await created(
            client,
            f"{SG}/boards/{board['id']}/meetings",
            {
                "scheduled_for": (date.today() + timedelta(days=days)).isoformat(),
                "agenda": [{"title": title, "kind": "decision"}],
            },
        )
        for days, title in ((14, "Budget and partner contributions"), (42, "Annual report"))
    ]

    page = await new_page(MANAGER)
    await page.goto(f"/safeguarding/boards/{board['id']}")
    await page.get_by_text("Subscribe to the board's meetings in Outlook or Google Calendar").click()
    address = await page.locator("#feed-url").input_value()
    await no_accessibility_problems(page)

    async with httpx.AsyncClient(timeout=30) as calendar_app:  # no cookie, no token: the address is the authority
        answer = await calendar_app.get(address)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("text/calendar")
        events = Calendar.from_ical(answer.content).walk("VEVENT")
        assert sorted(str(e["uid"]).split("@")[0] for e in events) == sorted(m["id"] for m in meetings)
        assert {str(e["summary"]) for e in events} == {board["name"]}

        signed = address.removesuffix(".ics")
        tampered = signed[:-1] + ("A" if signed[-1] != "A" else "B") + ".ics"
        assert (await calendar_app.get(tampered)).status_code == 404
