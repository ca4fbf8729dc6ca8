"""A board's calendar feed's secret address: signed by the web app for one board, read back only as signed, and
revoked by a new secret; the feed in-process with the gateway stood in for (httpx's MockTransport): a good
address answers the board's meetings as iCalendar, read with the feeds' own token (safeguarding:read only, no
cookie), and a tampered or made-up one answers 404 having asked the gateway nothing. The real feed through the
gateway and the services is tests/browser/test_board_calendar_feed.py."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from civic.auth import LocalSigningKey, TokenVerifier
from civic_web.calendar_feeds import FEEDS, CalendarFeeds
from civic_web.gateway import Gateway
from civic_web.main import create_web
from civic_web.public_site import CALENDAR_FEED_SUBJECT
from civic_web.settings import WebSettings
from icalendar import Calendar

from tests.unit.web.test_web_app import SECRET, StandIn, client_for, local_settings

BOARD = "board-1"


def signed_part(address: str) -> str:
    assert address.startswith(FEEDS + "/") and address.endswith(".ics"), address
    return address.removeprefix(FEEDS + "/").removesuffix(".ics")


def test_an_address_names_the_board_it_was_signed_for() -> None:
    feeds = CalendarFeeds(SECRET)
    assert feeds.board_of(signed_part(feeds.address(BOARD))) == BOARD
    assert feeds.board_of(signed_part(feeds.address("board-2"))) == "board-2"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s: s[:-1] + ("A" if s[-1] != "A" else "B"),  # the signature changed
        lambda s: (
            CalendarFeeds(SECRET).address("board-2").split("/")[-1].removesuffix(".ics").split(".")[0]
            + "."
            + s.split(".")[1]
        ),  # another board's payload under this board's signature
        lambda s: "",
        lambda s: "not-a-feed",
    ],
)
def test_a_tampered_or_made_up_address_names_no_board(tamper: object) -> None:
    feeds = CalendarFeeds(SECRET)
    assert callable(tamper)
    assert feeds.board_of(tamper(signed_part(feeds.address(BOARD)))) is None


def test_a_new_secret_revokes_every_address_given_out() -> None:
    given = signed_part(CalendarFeeds(SECRET).address(BOARD))
    assert CalendarFeeds("another-secret-just-as-long-0123456789abcdef").board_of(given) is None


def test_the_feed_has_its_own_secret_when_one_is_set(tmp_path: Path) -> None:
    keys = LocalSigningKey(tmp_path / "keys")
    keys.ensure()
    own = local_settings(keys, tmp_path, feed_secret="a-feed-secret-of-its-own-0123456789abcdef")
    assert own.feed_signing_secret() == "a-feed-secret-of-its-own-0123456789abcdef"
    assert local_settings(keys, tmp_path).feed_signing_secret() == SECRET
    with pytest.raises(ValueError, match="CIVIC_WEB_FEED_SECRET"):
        local_settings(keys, tmp_path, feed_secret="short")


async def test_the_feed_answers_the_boards_meetings_read_with_its_own_token_and_a_tampered_one_asks_nothing(
    tmp_path: Path,
) -> None:
    keys = LocalSigningKey(tmp_path / "keys")
    keys.ensure()
    settings = local_settings(keys, tmp_path)
    stand_in = StandIn()
    stand_in.answers[("GET", f"/api/safeguarding/v1/boards/{BOARD}")] = lambda r: httpx.Response(
        200, json={"id": BOARD, "name": "Testshire SAB"}
    )
    stand_in.answers[("GET", f"/api/safeguarding/v1/boards/{BOARD}/meetings")] = lambda r: httpx.Response(
        200,
        json={
            "items": [
                {
                    "id": "m-1",
                    "scheduled_for": "2027-01-14T10:00:00Z",
                    "status": "scheduled",
                    "agenda": [{"title": "Apologies"}],
                }
            ],
            "next_cursor": None,
        },
    )
    gateway = Gateway("http://gateway.test", 5, transport=httpx.MockTransport(stand_in.handle))
    async for web in client_for(create_web(settings, gateway=gateway)):
        address = CalendarFeeds(settings.feed_signing_secret()).address(BOARD)
        for bad in (address.replace(".ics", "x.ics"), f"{FEEDS}/made-up.ics"):
            refused = await web.get(bad)
            assert refused.status_code == 404
        assert stand_in.calls == []  # nothing asked before the signature is good

        answer = await web.get(address)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("text/calendar")
        [event] = Calendar.from_ical(answer.content).walk("VEVENT")
        assert str(event["summary"]) == "Testshire SAB" and str(event["uid"]).startswith("m-1@")
        verifier = TokenVerifier(settings.model_copy(update={"jwks_file": keys.directory / "jwks.json"}))
        for call in stand_in.calls:
            caller = await verifier.caller_of(call.headers["authorization"])
            assert caller.sub == CALENDAR_FEED_SUBJECT and set(caller.scopes) == {"safeguarding:read"}


def test_the_settings_default_to_a_readers_scope() -> None:
    assert WebSettings.model_fields["calendar_feed_scopes"].default == "safeguarding:read"
