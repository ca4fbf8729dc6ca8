"""Subscriptions to topics by email, and the bulletins their subscribers receive.

A topic is a campaign (``campaign:<id>``) or a consultation's outcome (``consultation:<id>``). A subscription
is asked for (``pending``), confirmed by the link emailed to the address (double opt-in: only someone who
reads that mailbox can confirm), and ended by the one-click link every bulletin carries (``unsubscribed``).

Tokens. A confirmation link's token is made by the sender as it writes the email, and only its hash is kept,
valid for :data:`TOKEN_LIFETIME`; a second attempt at the same email makes another (each stays valid, so
whichever copy arrives works), and confirming clears them all (single use). The unsubscribe token is kept as
it is, because every bulletin has to carry it; all it can do is end that one subscription.

Asking again is limited, as GovDelivery limits it: at most :data:`CONFIRMATIONS_PER_DAY` confirmation emails
to one address for one topic in :data:`CONFIRMATION_WINDOW`, so nobody can fill someone else's mailbox by
subscribing them over and over. A request beyond the limit changes nothing and sends nothing, and its
answer is the same as any other's.

Addresses are personal data: a refusal never repeats one, and events and logs name subscriptions by id.

Plain Python: stdlib, ``civic.errors`` and ``civic.calendar`` only; ``now`` is always an argument.
"""

from __future__ import annotations

import hashlib
import html
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import urlencode

from civic.errors import DomainError, Invalid

from civic_comms.issuing.domain import Sending, check_email, email_key

# --- topics -------------------------------------------------------------------------------------

CAMPAIGN, CONSULTATION = "campaign", "consultation"
TOPIC_KINDS = (CAMPAIGN, CONSULTATION)
TOPIC_ID = r"[A-Za-z0-9_-]{1,64}"
TOPIC_PATTERN = rf"^(campaign|consultation):{TOPIC_ID}$"
_TOPIC = re.compile(TOPIC_PATTERN)


@dataclass(frozen=True)
class Topic:
    kind: str
    id: str

    @classmethod
    def parse(cls, text: str, field_name: str = "topic") -> Topic:
        if not _TOPIC.match(text):
            raise Invalid.at(field_name, "not a topic",
                             "A topic is campaign:<campaign id> or consultation:<consultation id>.")
        kind, _, id = text.partition(":")
        return cls(kind, id)

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"


# --- tokens -------------------------------------------------------------------------------------

#: how long a confirmation link works
TOKEN_LIFETIME = timedelta(days=7)
#: an opaque token as the links carry it (secrets.token_urlsafe's alphabet)
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{16,128}$"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What is kept of a confirmation token: enough to recognise it, useless to anyone reading the database."""
    return hashlib.sha256(token.encode()).hexdigest()


class LinkNotValid(DomainError, status=410, title="Link no longer valid", type_slug="link-not-valid"):
    """A confirmation or unsubscribe link that was used, has expired, or never existed: one answer for all,
    so the answer says nothing of whether an address is subscribed."""

    def __init__(self, what: str) -> None:
        # the field named, as a validation problem names it: a client knows the token is what was refused
        super().__init__(f"This {what} link is not valid: it was used already, has expired or was never sent. "
                         "Subscribe again for a new one.",
                         errors=[{"field": "token", "message": "used already, expired or never sent"}])


# --- subscriptions ------------------------------------------------------------------------------

PENDING, CONFIRMED, UNSUBSCRIBED = "pending", "confirmed", "unsubscribed"
SUBSCRIPTION_STATUSES = (PENDING, CONFIRMED, UNSUBSCRIBED)
#: confirmation tokens kept for one subscription at most (each request for a link adds one)
TOKENS_KEPT = 5
#: confirmation emails one address is sent for one topic within CONFIRMATION_WINDOW, at most (the comms
#: settings' CIVIC_COMMS_CONFIRMATIONS_PER_DAY): asking again and again cannot fill someone's mailbox
CONFIRMATIONS_PER_DAY = 3
CONFIRMATION_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class ConfirmationToken:
    hash: str
    expires_at: datetime


@dataclass
class Subscription:
    id: str
    topic: str
    email: str
    status: str
    requested_at: datetime
    unsubscribe_token: str
    tokens: list[ConfirmationToken] = field(default_factory=list)
    confirmed_at: datetime | None = None
    unsubscribed_at: datetime | None = None
    #: when each confirmation email of the last CONFIRMATION_WINDOW was asked for (what the limit counts)
    confirmations_asked: list[datetime] = field(default_factory=list)

    @classmethod
    def request(cls, *, id: str, topic: Topic, email: str, now: datetime) -> Subscription:
        """Asked for the first time: pending, and its first confirmation email counted."""
        return cls(id=id, topic=str(topic), email=check_email(email), status=PENDING, requested_at=now,
                   unsubscribe_token=new_token(), confirmations_asked=[now])

    @property
    def email_key(self) -> str:
        return email_key(self.email)

    def ask_again(self, now: datetime, limit: int = CONFIRMATIONS_PER_DAY) -> bool:
        """Someone asks to subscribe this address to this topic again: whether a confirmation email goes.
        Confirmed already: nothing is sent (the address holder has it); pending or unsubscribed: a new link,
        unless `limit` emails were asked for within :data:`CONFIRMATION_WINDOW` before `now`; then nothing
        is sent and nothing changes (the caller's answer is the same all the same)."""
        if self.status == CONFIRMED:
            return False
        recent = [at for at in self.confirmations_asked if at > now - CONFIRMATION_WINDOW]
        if len(recent) >= limit:
            return False
        if self.status == UNSUBSCRIBED:
            self.status, self.requested_at, self.unsubscribed_at = PENDING, now, None
        self.confirmations_asked = [*recent, now]
        return True

    def wants_confirmation(self) -> bool:
        """Whether a confirmation email is still worth sending (it may have been confirmed meanwhile)."""
        return self.status == PENDING

    def issue_token(self, hashed: str, now: datetime) -> None:
        """A link about to be emailed: its hash kept, the oldest dropped past :data:`TOKENS_KEPT`."""
        self.tokens = [*self.tokens, ConfirmationToken(hashed, now + TOKEN_LIFETIME)][-TOKENS_KEPT:]

    def confirm(self, hashed: str, now: datetime) -> None:
        """Double opt-in: a pending subscription and an unexpired token of it, else :class:`LinkNotValid`."""
        valid = any(t.hash == hashed and now < t.expires_at for t in self.tokens)
        if self.status != PENDING or not valid:
            raise LinkNotValid("confirmation")
        self.status, self.confirmed_at, self.tokens = CONFIRMED, now, []

    def unsubscribe(self, now: datetime) -> bool:
        """Ended; a second time changes nothing (answers False)."""
        if self.status == UNSUBSCRIBED:
            return False
        self.status, self.unsubscribed_at, self.tokens = UNSUBSCRIBED, now, []
        return True


# --- bulletins ----------------------------------------------------------------------------------

EMAIL_BULLETIN = "email_bulletin"


def bulletin_topic(channels: Iterable[str], campaign_id: str | None) -> Topic | None:
    """The topic published content goes to by email: its campaign's, when it is on the bulletin channel."""
    if EMAIL_BULLETIN in channels and campaign_id:
        return Topic(CAMPAIGN, campaign_id)
    return None


def bulletin_id(source: str, source_id: str) -> str:
    """One bulletin per piece of published content or outcome: the id makes a second impossible."""
    return f"{source}-{source_id}"


@dataclass(frozen=True)
class BulletinDelivery(Sending):
    """One subscriber's copy: ids only, the address is read from the subscription when it is sent."""

    id: str
    bulletin_id: str
    subscription_id: str


def recipients(subscriptions: Iterable[Subscription], topic: Topic) -> list[Subscription]:
    """Who gets a topic's bulletin: its confirmed subscriptions, once per address."""
    seen: dict[str, Subscription] = {}
    for s in subscriptions:
        if s.topic == str(topic) and s.status == CONFIRMED:
            seen.setdefault(s.email_key, s)
    return list(seen.values())


def bulletin_deliveries(bulletin: str, subscriptions: Iterable[Subscription], topic: Topic,
                        now: datetime) -> list[BulletinDelivery]:
    return [BulletinDelivery(id=f"{bulletin}.{s.id}", bulletin_id=bulletin, subscription_id=s.id, next_attempt_at=now)
            for s in recipients(subscriptions, topic)]


# --- the emails ---------------------------------------------------------------------------------


def link(public_url: str, path: str, token: str) -> str:
    return f"{public_url.rstrip('/')}{path}?{urlencode({'token': token})}"


def _message(*, subject: str, sender: str, to: str, message_id: str, date: datetime, text: str,
             html_body: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = to
    message["Date"] = format_datetime(date.astimezone(UTC))
    message["Message-ID"] = message_id
    message.set_content(text)
    message.add_alternative(html_body, subtype="html")
    return message


def confirmation_message(*, topic_title: str, to: str, confirm_url: str, sender: str, message_id: str,
                         date: datetime) -> EmailMessage:
    e = html.escape
    text = (f"Someone, we hope you, asked to receive email updates about {topic_title}.\n\n"
            f"To confirm, open this link within 7 days:\n{confirm_url}\n\n"
            "If it was not you, ignore this email: nothing will be sent.\n")
    page = (f"<html><body><p>Someone, we hope you, asked to receive email updates about {e(topic_title)}.</p>"
            f'<p><a href="{e(confirm_url)}">Confirm your subscription</a> (within 7 days).</p>'
            "<p>If it was not you, ignore this email: nothing will be sent.</p></body></html>\n")
    return _message(subject=f"Confirm your subscription: {topic_title}", sender=sender, to=to,
                    message_id=message_id, date=date, text=text, html_body=page)


def bulletin_message(*, subject: str, body: str, to: str, unsubscribe_url: str, sender: str, message_id: str,
                     date: datetime) -> EmailMessage:
    """The bulletin with its unsubscribe link, in the text and as RFC 8058's one-click headers (a mail client
    POSTs ``List-Unsubscribe=One-Click`` to the https address, with no further step)."""
    e = html.escape
    text = f"{body}\n\n--\nTo stop these emails: {unsubscribe_url}\n"
    paragraphs = "".join(f"<p>{e(p)}</p>" for p in body.split("\n\n") if p.strip())
    page = (f"<html><body>{paragraphs}<hr><p><a href=\"{e(unsubscribe_url)}\">Unsubscribe</a></p>"
            "</body></html>\n")
    message = _message(subject=subject, sender=sender, to=to, message_id=message_id, date=date, text=text,
                       html_body=page)
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message
