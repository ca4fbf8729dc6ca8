"""The safeguarding and comms pages' own pieces: what a content item offers for the officer's scopes, the calendar
file's lines, a publishing time as officers type it, and the API's enumerations of a list's values."""

from __future__ import annotations

from civic_web.pages.comms.content import _publish_at
from civic_web.pages.safeguarding.documents import _folded, _ics_text, _ics_when
from civic_web.permissions import Permissions
from civic_web.vocabulary import body_choices

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


def test_calendar_lines_are_escaped_and_folded_at_75_octets_never_inside_a_character() -> None:
    assert _ics_text("Budget; contributions, and\nmore\\") == "Budget\\; contributions\\, and\\nmore\\\\"
    line = "DESCRIPTION:" + "Sub-group report é " * 12
    folded = _folded(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line
    assert _ics_when("2026-12-10") == ";VALUE=DATE:20261210"
    assert _ics_when("2026-07-01T10:00:00+01:00") == ":20260701T090000Z"


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
