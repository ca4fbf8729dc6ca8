"""The safeguarding and comms pages' own pieces: what a content item offers for the officer's scopes, the calendar
file, a publishing time as officers type it, and the API's enumerations of a list's values."""

from __future__ import annotations

import re
import zlib
from datetime import UTC, date, datetime

import pytest
from civic_web import pdfs
from civic_web.pages.comms.content import _publish_at
from civic_web.pages.safeguarding.documents import meetings_calendar
from civic_web.permissions import Permissions
from civic_web.vocabulary import body_choices
from icalendar import Calendar

WRITER = Permissions.of(["comms:read", "comms:write"])
APPROVER = Permissions.of(["comms:read", "comms:write", "comms:approve"])
READER = Permissions.of(["comms:read"])


def test_content_offers_the_workflows_next_steps_approval_only_to_an_approver_and_never_on_their_own_words() -> None:
    assert WRITER.content_steps("draft", "someone", "me") == ["in_review"]
    assert WRITER.content_steps("in_review", "someone", "me") == ["draft"]
    assert APPROVER.content_steps("in_review", "someone", "me") == ["approved", "draft"]
    assert APPROVER.content_steps("in_review", "me", "me") == ["draft"]
    assert APPROVER.content_steps("approved", "me", "me") == ["scheduled", "published", "draft"]
    assert APPROVER.content_steps("published", "someone", "me") == []
    assert READER.content_steps("in_review", "someone", "me") == []


def test_safeguarding_permissions_follow_the_scopes() -> None:
    manager = Permissions.of(["safeguarding:read", "safeguarding:write"])
    assert manager.may_run_board_business and not manager.sees_case_details
    assert Permissions.of(["safeguarding:read", "safeguarding:confidential"]).sees_case_details
    assert not Permissions.of(["safeguarding:read"]).may_run_board_business


def test_a_boards_calendar_reads_back_as_its_meetings_whatever_their_words() -> None:
    """What a calendar application reads: the text as written (semicolons, commas, new lines, accents in long
    lines folded by the library), a day or a moment in UTC, a cancelled meeting marked so, a link to its page."""
    name = "Northamptonshire Safeguarding Adults Board; budget, and more\\"
    meetings = [
        {"id": "m-1", "scheduled_for": "2026-12-10", "agenda": [{"title": "Sub-group report é " * 12}]},
        {"id": "m-2", "scheduled_for": "2026-07-01T10:00:00+01:00", "extraordinary": True, "status": "cancelled",
         "agenda": []},
    ]
    ical = meetings_calendar(name, meetings, "https://civic.example.gov.uk", datetime(2026, 12, 1, tzinfo=UTC))
    assert all(len(line) <= 75 for line in ical.split(b"\r\n"))  # content lines folded at 75 octets
    ical.decode("utf-8")  # never folded inside a character
    feed = Calendar.from_ical(ical)
    assert str(feed["x-wr-calname"]) == name
    first, second = feed.walk("VEVENT")
    assert str(first["uid"]) == "m-1@civic.example.gov.uk" and first.decoded("dtstart") == date(2026, 12, 10)
    assert str(first["description"]) == "Agenda:\n1. " + "Sub-group report é " * 12
    assert str(first["url"]) == "https://civic.example.gov.uk/safeguarding/meetings/m-1"
    assert str(first["summary"]) == name and str(first["status"]) == "CONFIRMED"
    assert second.decoded("dtstart") == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    assert str(second["summary"]) == f"{name} (extraordinary)" and str(second["status"]) == "CANCELLED"


def test_a_publishing_time_is_read_in_the_councils_time_zone() -> None:
    assert _publish_at("20", "12", "2026", "9:30am") == "2026-12-20T09:30:00+00:00"
    assert _publish_at("1", "7", "2027", "14:15") == "2027-07-01T14:15:00+01:00"  # summer time
    assert _publish_at("1", "7", "2027", "12pm") == "2027-07-01T12:00:00+01:00"
    assert _publish_at("1", "7", "2027", "12am") == "2027-07-01T00:00:00+01:00"
    assert _publish_at("31", "2", "2027", "9am") is None
    assert _publish_at("1", "7", "2027", "13pm") is None
    assert _publish_at("1", "7", "2027", "") is None


def test_the_values_a_list_field_takes_are_read_from_its_items() -> None:
    document = {"paths": {"/x": {"post": {"requestBody": {"content": {"application/json": {"schema": {
        "properties": {"channels": {"type": "array", "items": {"anyOf": [
            {"enum": ["website", "intranet"]}, {"type": "string", "pattern": "^social:"}]}}}}}}}}}}}
    assert body_choices(document, "/x", "post", "channels") == ["website", "intranet"]


def test_a_pages_pdf_is_tagged_for_assistive_technology() -> None:
    """PDF/UA-1: a structure tree of the page's headings and tables, its language and its title shown."""
    page = ('<!DOCTYPE html><html lang="en-GB"><head><title>Agenda pack</title></head><body><h1>Board meeting</h1>'
            "<table><tr><th>Item</th></tr><tr><td>Budget</td></tr></table></body></html>")
    try:
        pdf = pdfs.pdf_of(page)
    except OSError:  # pragma: no cover - WeasyPrint without Pango: the page says so instead (pdfs.UNAVAILABLE)
        pytest.skip("this machine has no Pango (Debian: libpango-1.0-0), so no PDF is made")
    # the objects that say so are in compressed object streams
    inflated = b"".join(zlib.decompress(stream) for stream in
                        re.findall(rb"/FlateDecode.*?stream\r?\n(.*?)\r?\nendstream", pdf, re.S))
    for marker in (b"/StructTreeRoot", b"/MarkInfo", b"/Marked true", b"/Lang (en-GB)", b"/DisplayDocTitle true",
                   b"/H1", b"/Table", b"/TH", b"pdfuaid:part"):
        assert marker in inflated or marker in pdf, marker
