"""Subscriptions' rules: topics, the confirmation token's life (single use, 7 days), who gets a bulletin,
and the bulletin's one-click unsubscribe headers."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest
from civic.errors import Invalid
from civic_comms.subscriptions.domain import (
    CONFIRMATION_WINDOW,
    CONFIRMATIONS_PER_DAY,
    CONFIRMED,
    PENDING,
    TOKEN_LIFETIME,
    UNSUBSCRIBED,
    LinkNotValid,
    Subscription,
    Topic,
    bulletin_deliveries,
    bulletin_message,
    bulletin_topic,
    link,
    new_token,
    recipients,
    token_hash,
)

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CAMPAIGN = Topic("campaign", "c1")


def pending(email: str = "ann@example.gov.uk", id: str = "s1", topic: Topic = CAMPAIGN) -> Subscription:
    return Subscription.request(id=id, topic=topic, email=email, now=NOW)


def with_token(subscription: Subscription, at: datetime = NOW) -> str:
    token = new_token()
    subscription.issue_token(token_hash(token), at)
    return token


def test_a_topic_is_a_campaign_or_a_consultation() -> None:
    assert Topic.parse("campaign:abc") == Topic("campaign", "abc")
    assert str(Topic.parse("consultation:x_1-2")) == "consultation:x_1-2"
    for wrong in ("campaign:", "survey:abc", "campaign:a b", "campaign:abc:def", "Campaign:abc"):
        with pytest.raises(Invalid) as refused:
            Topic.parse(wrong)
        assert refused.value.errors[0]["field"] == "topic"


def test_a_request_is_pending_and_refuses_a_malformed_address_without_repeating_it() -> None:
    subscription = pending()
    assert subscription.status == PENDING and subscription.tokens == []
    assert subscription.unsubscribe_token and subscription.email_key == "ann@example.gov.uk"
    with pytest.raises(Invalid) as refused:
        pending(email="not an address")
    assert "not an address" not in refused.value.detail


def test_the_token_confirms_once() -> None:
    subscription = pending()
    token = with_token(subscription)
    subscription.confirm(token_hash(token), NOW + timedelta(days=1))
    assert subscription.status == CONFIRMED and subscription.tokens == []
    with pytest.raises(LinkNotValid):
        subscription.confirm(token_hash(token), NOW + timedelta(days=1))


def test_the_token_expires_after_seven_days() -> None:
    subscription = pending()
    token = with_token(subscription)
    with pytest.raises(LinkNotValid):
        subscription.confirm(token_hash(token), NOW + TOKEN_LIFETIME)
    assert subscription.status == PENDING and len(subscription.tokens) == 1
    subscription.confirm(token_hash(token), NOW + TOKEN_LIFETIME - timedelta(seconds=1))
    assert subscription.status == CONFIRMED


def test_every_link_sent_works_and_an_unknown_one_does_not() -> None:
    subscription = pending()
    first, second = with_token(subscription), with_token(subscription, NOW + timedelta(hours=1))
    with pytest.raises(LinkNotValid):
        subscription.confirm(token_hash(new_token()), NOW)
    subscription.confirm(token_hash(first), NOW + timedelta(hours=2))
    assert subscription.status == CONFIRMED
    assert second  # made, kept as a hash, cleared with the others by the confirmation


def test_asking_again() -> None:
    subscription = pending()
    assert subscription.ask_again(NOW) is True  # pending: a new link
    subscription.confirm(token_hash(with_token(subscription)), NOW)
    assert subscription.ask_again(NOW) is False  # confirmed: nothing is sent
    assert subscription.unsubscribe(NOW) is True and subscription.status == UNSUBSCRIBED
    assert subscription.unsubscribe(NOW) is False  # a second time changes nothing
    assert subscription.ask_again(NOW) is True and subscription.status == PENDING


def test_at_most_three_confirmation_emails_an_address_and_topic_in_24_hours() -> None:
    assert CONFIRMATIONS_PER_DAY == 3 and CONFIRMATION_WINDOW == timedelta(hours=24)
    subscription = pending()  # the first email, asked for at NOW
    assert subscription.ask_again(NOW + timedelta(hours=1)) is True
    assert subscription.ask_again(NOW + timedelta(hours=2)) is True
    before = copy.deepcopy(subscription)
    # a fourth within the 24 hours: no email, and nothing about the subscription changes
    assert subscription.ask_again(NOW + timedelta(hours=3)) is False
    assert subscription.ask_again(NOW + timedelta(hours=23, minutes=59)) is False
    assert subscription == before
    # 24 hours after the first, it no longer counts: one more goes, and then the three are counted again
    assert subscription.ask_again(NOW + timedelta(hours=24)) is True
    assert subscription.ask_again(NOW + timedelta(hours=24, seconds=1)) is False
    assert subscription.confirmations_asked == [NOW + timedelta(hours=h) for h in (1, 2, 24)]


def test_an_unsubscribed_address_over_the_limit_stays_unsubscribed() -> None:
    subscription = pending()
    subscription.confirm(token_hash(with_token(subscription)), NOW)
    assert subscription.unsubscribe(NOW + timedelta(minutes=1)) is True
    before = copy.deepcopy(subscription)
    # a limit of one (the setting): the first email of the day is spent, so asking again changes nothing
    assert subscription.ask_again(NOW + timedelta(minutes=2), limit=1) is False
    assert subscription == before and subscription.status == UNSUBSCRIBED
    assert subscription.ask_again(NOW + CONFIRMATION_WINDOW, limit=1) is True
    assert subscription.status == PENDING


def test_a_confirmed_address_is_sent_nothing_and_spends_nothing() -> None:
    subscription = pending()
    subscription.confirm(token_hash(with_token(subscription)), NOW)
    for minutes in range(5):
        assert subscription.ask_again(NOW + timedelta(minutes=minutes)) is False
    assert subscription.confirmations_asked == [NOW]


def test_who_gets_a_bulletin_the_topics_confirmed_subscribers_once_per_address() -> None:
    def confirmed(id: str, email: str, topic: Topic = CAMPAIGN) -> Subscription:
        s = pending(email=email, id=id, topic=topic)
        s.confirm(token_hash(with_token(s)), NOW)
        return s

    ann, ann_again = confirmed("s1", "ann@example.gov.uk"), confirmed("s2", "ANN@example.gov.uk")
    waiting, other_topic = pending(id="s3", email="bob@example.gov.uk"), confirmed("s4", "cy@example.gov.uk",
                                                                                     Topic("campaign", "c2"))
    gone = confirmed("s5", "dee@example.gov.uk")
    gone.unsubscribe(NOW)
    everyone = [ann, ann_again, waiting, other_topic, gone]
    assert [s.id for s in recipients(everyone, CAMPAIGN)] == ["s1"]
    deliveries = bulletin_deliveries("content-x", everyone, CAMPAIGN, NOW)
    assert [(d.id, d.subscription_id, d.status) for d in deliveries] == [("content-x.s1", "s1", "pending")]


def test_content_goes_by_email_only_on_the_bulletin_channel_and_with_a_campaign() -> None:
    assert bulletin_topic(["website", "email_bulletin"], "c1") == CAMPAIGN
    assert bulletin_topic(["website"], "c1") is None
    assert bulletin_topic(["email_bulletin"], None) is None


def test_a_bulletin_carries_the_one_click_unsubscribe_headers() -> None:
    url = link("https://www.example.gov.uk/", "/subscriptions/unsubscribe", "tok-en_1")
    assert url == "https://www.example.gov.uk/subscriptions/unsubscribe?token=tok-en_1"
    message = bulletin_message(subject="Bins", body="Collections change.\n\nFrom Monday.", to="ann@example.gov.uk",
                               unsubscribe_url=url, sender="Council <news@example.gov.uk>",
                               message_id="<bulletin.x@example.gov.uk>", date=NOW)
    assert message["List-Unsubscribe"] == f"<{url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]


def test_the_limit_is_a_comms_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from civic_comms.settings import CommsSettings

    monkeypatch.delenv("CIVIC_COMMS_CONFIRMATIONS_PER_DAY", raising=False)
    assert CommsSettings().confirmations_per_day == CONFIRMATIONS_PER_DAY
    monkeypatch.setenv("CIVIC_COMMS_CONFIRMATIONS_PER_DAY", "5")
    assert CommsSettings().confirmations_per_day == 5


@pytest.mark.parametrize("url", ["https://www.example.gov.uk", "https://civic.example.gov.uk/residents/",
                                 "http://127.0.0.1:8080", "http://[::1]:8080", "http://localhost:8080",
                                 "http://civic.localhost"])
def test_the_public_address_is_https_or_plain_http_on_this_machine(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    from civic_comms.settings import CommsSettings

    monkeypatch.setenv("CIVIC_COMMS_PUBLIC_URL", url)
    assert CommsSettings().public_url == url


@pytest.mark.parametrize("url", ["http://www.example.gov.uk", "http://civic.localtest.me", "http://127.0.0.1.example.org",
                                 "ftp://127.0.0.1", "https://", "www.example.gov.uk",
                                 "https://www.example.gov.uk/?from=mail", "https://www.example.gov.uk/a b"])
def test_a_public_address_residents_links_cannot_use_is_refused_at_start(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    from civic_comms.settings import CommsSettings
    from pydantic import ValidationError

    monkeypatch.setenv("CIVIC_COMMS_PUBLIC_URL", url)
    with pytest.raises(ValidationError, match="CIVIC_COMMS_PUBLIC_URL"):
        CommsSettings()
