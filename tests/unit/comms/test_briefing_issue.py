"""The briefing issued and sent, its pure rules: who gets one, when it is due, what a failed send becomes,
and the email itself (deterministic Message-ID, text and HTML)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from civic.errors import Forbidden, Invalid, Refused
from civic_comms.briefing.domain import IsoWeek
from civic_comms.issuing.domain import (
    APPROVED,
    FAILED,
    ISSUED,
    PENDING,
    RETRY_CAP,
    RETRY_FIRST,
    SENDING,
    SENT,
    WITHDRAWN,
    BriefingIssue,
    Subscriber,
    after_failure,
    check_email,
    claimable,
    default_send_time,
    deliveries_for,
    email_key,
    email_message,
    letter_for,
    message_id,
)

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # Wednesday of 2026-W48
WEEK = IsoWeek.parse("2026-W48")
CONTENT = {"week": "2026-W48", "from": "2026-11-23", "to": "2026-11-29", "items": 1,
           "sections": {"property": [{"headline": "Lodge Road <closed>", "detail": "Saves £1"}], "savings": []}}


def approve(**overrides: object) -> BriefingIssue:
    values: dict[str, object] = {"week": WEEK, "content": CONTENT, "by": "ben", "may_approve": True, "now": NOW}
    values.update(overrides)
    return BriefingIssue.approve(**values)  # type: ignore[arg-type]


# --- subscribers --------------------------------------------------------------------------------


@pytest.mark.parametrize("address", ["asha.patel@example.gov.uk", "a+b@council.example.org", "X@sub.example.gov.uk"])
def test_an_address_a_mail_server_takes_is_kept_as_given(address: str) -> None:
    assert Subscriber.subscribe(id="s1", name=" Cllr Asha Patel ", email=address) == Subscriber(
        "s1", "Cllr Asha Patel", address)


@pytest.mark.parametrize("address", ["", "asha", "asha@", "@example.gov.uk", "a@@example.gov.uk", "a@example",
                                     "a b@example.gov.uk", ".a@example.gov.uk", "a..b@example.gov.uk",
                                     "a@-example.gov.uk", "a@example.gov.uk ", "x" * 250 + "@example.gov.uk"])
def test_an_address_that_is_not_one_is_refused_without_repeating_it(address: str) -> None:
    with pytest.raises(Invalid) as refused:
        check_email(address)
    assert refused.value.errors[0]["field"] == "email"
    assert refused.value.detail == "email must be an address such as name@example.gov.uk."  # not the address


def test_one_subscription_per_address_whatever_its_case() -> None:
    assert email_key("Asha.Patel@Example.GOV.uk") == email_key("asha.patel@example.gov.uk")


# --- approval and when it is due -----------------------------------------------------------------


def test_by_default_it_goes_on_friday_at_four_london_time() -> None:
    assert default_send_time(WEEK) == datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # GMT in November
    assert default_send_time(IsoWeek.parse("2026-W27")) == datetime(2026, 7, 3, 15, 0, tzinfo=UTC)  # BST
    assert approve().send_at == datetime(2026, 11, 27, 16, 0, tzinfo=UTC)


def test_approval_keeps_what_was_approved_and_when_it_goes() -> None:
    at = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    issue = approve(send_at=at)
    assert (issue.week, issue.status, issue.approved_by, issue.approved_at, issue.send_at) == (
        "2026-W48", APPROVED, "ben", NOW, at)
    assert issue.content == CONTENT and issue.items == 1


def test_approval_is_refused_without_the_scope_twice_before_the_week_or_with_a_time_without_a_zone() -> None:
    with pytest.raises(Forbidden):
        approve(may_approve=False)
    with pytest.raises(Refused, match="approved already"):
        approve(already_approved=True)
    with pytest.raises(Refused, match="has not begun"):
        approve(week=IsoWeek.parse("2026-W49"))
    with pytest.raises(Invalid):
        approve(send_at=datetime(2026, 11, 26, 9, 0))


def test_it_is_due_once_its_time_has_come_and_until_it_is_issued() -> None:
    issue = approve()
    assert not issue.due(issue.send_at - timedelta(seconds=1))
    assert issue.due(issue.send_at) and issue.due(issue.send_at + timedelta(days=3))
    issue.issue(by="scheduler", now=issue.send_at, subscribers=3)
    assert (issue.status, issue.deliveries, issue.issued_by) == (ISSUED, 3, "scheduler")
    assert not issue.due(issue.send_at + timedelta(days=3))
    with pytest.raises(Refused, match="goes out once"):
        issue.issue(by="ben", now=NOW, subscribers=3)
    assert issue.deliveries == 3


# --- who gets one ------------------------------------------------------------------------------


def test_every_subscriber_gets_one_delivery_once() -> None:
    asha = Subscriber("s1", "Cllr Asha Patel", "asha@example.gov.uk")
    tom = Subscriber("s2", "Cllr Tom Hughes", "tom@example.gov.uk")
    deliveries = deliveries_for("2026-W48", [asha, tom, asha], NOW)
    assert [(d.id, d.subscriber_id, d.status, d.attempts, d.next_attempt_at) for d in deliveries] == [
        ("2026-W48.s1", "s1", PENDING, 0, NOW), ("2026-W48.s2", "s2", PENDING, 0, NOW)]
    assert deliveries_for("2026-W48", [], NOW) == []


# --- claiming and retrying ----------------------------------------------------------------------


def test_a_sender_takes_what_is_pending_and_due_or_left_sending_past_its_lease() -> None:
    assert claimable(PENDING, NOW, None, NOW)
    assert not claimable(PENDING, NOW + timedelta(seconds=1), None, NOW)
    assert not claimable(SENDING, None, NOW + timedelta(seconds=1), NOW)
    assert claimable(SENDING, None, NOW, NOW)
    for final in (SENT, FAILED, WITHDRAWN):
        assert not claimable(final, None, None, NOW + timedelta(days=365))


def test_a_failed_send_waits_longer_each_time_up_to_an_hour_and_is_never_given_up() -> None:
    waits = [after_failure(n, None, NOW).next_attempt_at - NOW for n in range(1, 12)]  # type: ignore[operator]
    assert waits[:4] == [RETRY_FIRST, RETRY_FIRST * 2, RETRY_FIRST * 4, RETRY_FIRST * 8]
    assert waits[-1] == RETRY_CAP and waits == sorted(waits)
    assert {after_failure(n, code, NOW).status for n in (1, 50) for code in (None, 421, 451, 535, 554)} == {PENDING}


def test_an_address_the_server_says_will_never_take_mail_is_failed_not_retried() -> None:
    for code in (550, 551, 553):
        assert after_failure(1, code, NOW).status == FAILED and after_failure(1, code, NOW).next_attempt_at is None


# --- the email ---------------------------------------------------------------------------------


def test_the_email_has_the_same_message_id_every_attempt_and_text_and_html() -> None:
    [delivery] = deliveries_for("2026-W48", [Subscriber("s1", "Cllr Siân Evans", "sian@example.gov.uk")], NOW)
    letter = letter_for(delivery, CONTENT, sender="Briefing <briefing@example.gov.uk>", issued_at=NOW,
                        domain="example.gov.uk")
    first, again = email_message(letter), email_message(letter)
    assert first["Message-ID"] == again["Message-ID"] == message_id("2026-W48.s1", "example.gov.uk") \
        == "<briefing.2026-W48.s1@example.gov.uk>"
    assert first["Subject"] == "Councillor briefing, week 2026-W48"
    assert first["To"].addresses[0].addr_spec == "sian@example.gov.uk"
    text = first.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    html = first.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert "Dear Cllr Siân Evans" in text and "Lodge Road <closed>" in text and "Nothing to report" in text
    assert "Lodge Road &lt;closed&gt;" in html and "<closed>" not in html
