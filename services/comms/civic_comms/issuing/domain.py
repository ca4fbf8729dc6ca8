"""The weekly councillor briefing issued and sent: councillors who subscribe to it, the approval that
fixes what goes out and when, one delivery per subscriber, and when a failed send is tried again.

Plain Python: stdlib, ``civic.errors`` and ``civic.calendar`` only; ``now`` is always an argument.

A briefing is compiled by the service from the other services' events (``briefing/``): no officer
wrote it, so the four-eyes rule of content (the author never approves) has no author to exclude, and one
officer holding ``comms:approve`` approves it. What they approve is kept as it was (``content``): an item
arriving after the approval waits for next week's briefing rather than going out unseen.

Sending is at least once at the SMTP boundary. A delivery is claimed (``sending``, with a lease), sent,
then marked ``sent`` with the server's answer; a delivery marked ``sent`` is never claimed again. A process
killed between the server's acceptance and the mark leaves the delivery ``sending``: once its lease has
passed it is claimed and sent again. Mail systems drop such a repeat by its ``Message-ID``, which is the
same for every attempt of one delivery (:func:`message_id`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from civic.calendar import COUNCIL_TZ
from civic.errors import Forbidden, Invalid, Refused

from civic_comms.briefing.domain import IsoWeek
from civic_comms.domain import aware_time, required_text

# --- subscribers --------------------------------------------------------------------------------

#: an address as the council's mail relay takes it: a dot-atom local part and a domain of labels (ASCII),
#: the same expression as the request's schema states
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_PATTERN = rf"^{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})+$"
EMAIL_LENGTH = 254  # RFC 5321's limit on a path
_EMAIL = re.compile(EMAIL_PATTERN)


def check_email(value: str, field_name: str = "email") -> str:
    """The address as given; refused when it is not one a mail server takes. The refusal never repeats it."""
    if len(value) > EMAIL_LENGTH or not _EMAIL.match(value):
        raise Invalid.at(field_name, "not an email address", "email must be an address such as name@example.gov.uk.")
    return value


def email_key(email: str) -> str:
    """How a subscriber is found: one subscription per address, whatever its case."""
    return email.lower()


@dataclass(frozen=True)
class Subscriber:
    id: str
    name: str
    email: str

    @classmethod
    def subscribe(cls, *, id: str, name: str, email: str) -> Subscriber:
        return cls(id=id, name=required_text(name, "name", 200), email=check_email(email))


# --- approval and issue -------------------------------------------------------------------------

APPROVED, ISSUED = "approved", "issued"
ISSUE_STATUSES = (APPROVED, ISSUED)

#: when the briefing goes out unless the approver says otherwise: Friday at 16:00 in England
SEND_WEEKDAY = 4  # Monday is 0
SEND_TIME = time(16, 0)


def default_send_time(week: IsoWeek) -> datetime:
    """Friday 16:00 London time of the week, in UTC."""
    friday = week.monday + timedelta(days=SEND_WEEKDAY)
    return datetime.combine(friday, SEND_TIME, COUNCIL_TZ).astimezone(UTC)


@dataclass
class BriefingIssue:
    """A week's briefing once approved: what goes out, when, and whether it has been issued."""

    week: str
    content: dict[str, Any]
    approved_by: str
    approved_at: datetime
    send_at: datetime
    status: str = APPROVED
    issued_at: datetime | None = None
    issued_by: str | None = None
    deliveries: int = 0

    @classmethod
    def approve(
        cls,
        *,
        week: IsoWeek,
        content: dict[str, Any],
        by: str,
        may_approve: bool,
        now: datetime,
        send_at: datetime | None = None,
        already_approved: bool = False,
    ) -> BriefingIssue:
        """Raises before anything is written: no ``comms:approve`` (403), approved already or a week that has
        not begun (409), a time without a zone (422). A time already past sends it at the next round."""
        if not may_approve:
            raise Forbidden("Approving the councillor briefing needs the comms:approve scope.",
                            required_scope="comms:approve")
        if already_approved:
            raise Refused(f"The briefing of {week} is approved already; it goes out once.", week=str(week))
        if week.starts_at > now:
            raise Refused(f"The week {week} has not begun: its briefing has nothing to approve yet.", week=str(week))
        when = aware_time(send_at, "send_at") if send_at is not None else default_send_time(week)
        return cls(week=str(week), content=content, approved_by=by, approved_at=now, send_at=when)

    def due(self, now: datetime) -> bool:
        """The scheduler's question: approved, not issued, and its time has come."""
        return self.status == APPROVED and self.send_at <= now

    def issue(self, *, by: str, now: datetime, subscribers: int) -> None:
        """Issued once: one delivery per subscriber is recorded with it."""
        if self.status != APPROVED:
            raise Refused(f"The briefing of {self.week} was issued at {self.issued_at}; it goes out once.",
                          week=self.week, issued_at=self.issued_at.isoformat() if self.issued_at else None)
        self.status, self.issued_at, self.issued_by, self.deliveries = ISSUED, now, by, subscribers

    @property
    def items(self) -> int:
        return int(self.content.get("items", 0))


def refuse_unapproved(week: str) -> Refused:
    return Refused(f"The briefing of {week} is not approved: approve it first "
                   f"(POST /v1/briefings/{week}/approval, comms:approve).", week=week)


# --- deliveries ---------------------------------------------------------------------------------

PENDING, SENDING, SENT, FAILED, WITHDRAWN = "pending", "sending", "sent", "failed", "withdrawn"
DELIVERY_STATUSES = (PENDING, SENDING, SENT, FAILED, WITHDRAWN)

#: the first wait after a failed send, doubled each time up to the cap: a relay that is down for an
#: afternoon is tried every hour, never given up on
RETRY_FIRST = timedelta(seconds=30)
RETRY_CAP = timedelta(hours=1)
#: the server's answers that say this address will never take mail (RFC 5321 4.2.3): trying again would
#: only repeat the refusal. Any other failure (no connection, 4xx, a refused login) is tried again.
PERMANENT_REFUSALS = frozenset({550, 551, 553})


def delivery_id(week: str, subscriber_id: str) -> str:
    """One delivery per subscriber per week: the id is what makes a second one impossible."""
    return f"{week}.{subscriber_id}"


def message_id(delivery: str, domain: str) -> str:
    """The same for every attempt of a delivery, so a mail system can drop the rare repeat."""
    return f"<briefing.{delivery}@{domain}>"


@dataclass(frozen=True, kw_only=True)
class Sending:
    """An email on its way out as the sender keeps it (a councillor's briefing, a subscriber's bulletin):
    pending until the server takes it, its attempts counted, and when it may next be tried."""

    status: str = PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None


@dataclass(frozen=True)
class Delivery(Sending):
    id: str
    week: str
    subscriber_id: str
    name: str
    email: str


def deliveries_for(week: str, subscribers: Iterable[Subscriber], now: datetime) -> list[Delivery]:
    """Who gets this week's briefing: every subscriber at the moment it is issued, once each."""
    seen: dict[str, Delivery] = {}
    for s in subscribers:
        seen.setdefault(s.id, Delivery(id=delivery_id(week, s.id), week=week, subscriber_id=s.id, name=s.name,
                                       email=s.email, next_attempt_at=now))
    return list(seen.values())


def claimable(status: str, next_attempt_at: datetime | None, lease_until: datetime | None, now: datetime) -> bool:
    """Whether a sender may take the delivery now (what the claim's query asks, stated once as a rule):
    pending and due, or left ``sending`` by a sender whose lease has passed."""
    if status == PENDING:
        return next_attempt_at is None or next_attempt_at <= now
    if status == SENDING:
        return lease_until is not None and lease_until <= now
    return False


@dataclass(frozen=True)
class AfterFailure:
    """What becomes of a delivery whose send failed before the server accepted it."""

    status: str
    next_attempt_at: datetime | None


def after_failure(attempts: int, code: int | None, now: datetime) -> AfterFailure:
    """Back to ``pending`` with a wait that doubles with each attempt (``attempts`` counts this one), or
    ``failed`` when the server said the address will never take mail. Never lost: a failed one is kept."""
    if code in PERMANENT_REFUSALS:
        return AfterFailure(FAILED, None)
    doublings = min(max(attempts - 1, 0), 16)  # past the cap long before: a week of failures cannot overflow
    wait = min(RETRY_FIRST * 2**doublings, RETRY_CAP)
    return AfterFailure(PENDING, now + wait)


# --- the email ----------------------------------------------------------------------------------

SECTION_TITLES = {"property": "Property", "savings": "Savings", "safeguarding": "Safeguarding", "media": "Media"}


@dataclass(frozen=True)
class Letter:
    """What one councillor receives, besides the briefing itself."""

    week: str
    name: str
    email: str
    message_id: str
    sent_as_of: datetime  # the Date header: when the briefing was issued, the same for every attempt
    sender: str  # the From header, e.g. "North Northamptonshire Council <briefing@example.gov.uk>"
    sections: Mapping[str, list[dict[str, Any]]] = field(default_factory=dict)
    span: str = ""


def subject(week: str) -> str:
    return f"Councillor briefing, week {week}"


def letter_for(delivery: Delivery, content: Mapping[str, Any], *, sender: str, issued_at: datetime,
               domain: str) -> Letter:
    return Letter(
        week=delivery.week, name=delivery.name, email=delivery.email,
        message_id=message_id(delivery.id, domain), sent_as_of=issued_at, sender=sender,
        sections=content.get("sections", {}), span=f"{content.get('from', '')} to {content.get('to', '')}",
    )


def email_message(letter: Letter) -> EmailMessage:
    """Plain text, with the same words as HTML for mail clients that show it."""
    message = EmailMessage()
    message["Subject"] = subject(letter.week)
    message["From"] = letter.sender
    message["To"] = Address(display_name=letter.name, addr_spec=letter.email)
    message["Date"] = format_datetime(letter.sent_as_of.astimezone(UTC))
    message["Message-ID"] = letter.message_id
    message.set_content(_text(letter))
    message.add_alternative(_html(letter), subtype="html")
    return message


def _text(letter: Letter) -> str:
    lines = [f"Dear {letter.name},", "", f"This is the councillor briefing for week {letter.week} ({letter.span}).", ""]
    for section, items in letter.sections.items():
        lines.append(SECTION_TITLES.get(section, section.title()))
        lines.append("-" * len(lines[-1]))
        if not items:
            lines.append("Nothing to report this week.")
        for item in items:
            lines.append(f"* {item['headline']}")
            if item.get("detail"):
                lines.append(f"  {item['detail']}")
        lines.append("")
    lines += ["Communications and Engagement", "You receive this because you subscribed to the weekly councillor "
              "briefing. Ask the communications team to stop it."]
    return "\n".join(lines) + "\n"


def _html(letter: Letter) -> str:
    e = html.escape
    parts = [f"<p>Dear {e(letter.name)},</p>",
             f"<p>This is the councillor briefing for week {e(letter.week)} ({e(letter.span)}).</p>"]
    for section, items in letter.sections.items():
        parts.append(f"<h2>{e(SECTION_TITLES.get(section, section.title()))}</h2>")
        if not items:
            parts.append("<p>Nothing to report this week.</p>")
            continue
        parts.append("<ul>")
        for item in items:
            detail = f"<br><small>{e(item['detail'])}</small>" if item.get("detail") else ""
            parts.append(f"<li>{e(item['headline'])}{detail}</li>")
        parts.append("</ul>")
    parts.append("<p>Communications and Engagement</p>")
    return "<html><body>" + "".join(parts) + "</body></html>\n"
