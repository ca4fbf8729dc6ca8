"""Sending one email by SMTP (aiosmtplib): to the council's relay in production, to the local mail server
under ``civic up``. Another way of sending (GOV.UK Notify) would be another class with the same ``send``.

``send`` answers the server's acceptance (``250 ...``) or raises :class:`NotSent`, whose ``code`` is the
server's refusal (None when no answer came: no connection, a timeout, a dropped line). A line dropped after
the message's last byte but before the server's answer is a ``NotSent`` too, though the server may have
taken it: the delivery is tried again, and its unchanged Message-ID lets the mail system drop the repeat.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Literal, Protocol

import aiosmtplib

Security = Literal["none", "starttls", "tls"]


class NotSent(Exception):
    """The server did not accept the message. ``reason`` is the server's answer or the error's name: never
    the address (it goes to logs)."""

    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class Post(Protocol):
    """What the sender needs of a way of sending email."""

    @property
    def sender(self) -> str: ...
    @property
    def domain(self) -> str: ...
    async def send(self, message: EmailMessage) -> str: ...


@dataclass(frozen=True)
class SmtpPost:
    host: str
    port: int
    security: Security = "starttls"
    username: str | None = None
    password: str | None = None
    #: the From header: "North Northamptonshire Council <briefing@example.gov.uk>"
    sender: str = "Councillor briefing <briefing@example.gov.uk>"
    timeout_seconds: float = 30.0

    @property
    def domain(self) -> str:
        """The sender's domain: where the Message-IDs are made."""
        return parseaddr(self.sender)[1].rpartition("@")[2] or "civic.local"

    async def send(self, message: EmailMessage) -> str:
        try:
            _, answer = await aiosmtplib.send(
                message,
                hostname=self.host,
                port=self.port,
                use_tls=self.security == "tls",
                start_tls=self.security == "starttls",
                username=self.username,
                password=self.password,
                timeout=self.timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as refused:
            codes = [r.code for r in refused.recipients]
            raise NotSent(codes[0] if codes else None, "recipient refused: " + "; ".join(
                f"{r.code}" for r in refused.recipients)) from None
        except aiosmtplib.SMTPResponseException as refused:
            # the server's words may quote the address back: only the code and the kind of refusal are kept
            raise NotSent(refused.code, f"{type(refused).__name__} {refused.code}") from None
        except (aiosmtplib.SMTPException, OSError) as failure:
            raise NotSent(None, type(failure).__name__) from None
        return answer
