"""The comms service's configuration: the runtime's service settings, the scheduler's interval, and how the
councillor briefing is sent by email (an SMTP server: the council's relay in production, the local mail
server under ``civic up``; none set: deliveries are recorded and wait)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import ClassVar, Literal
from urllib.parse import urlsplit

from civic.settings import ServiceSettings, for_component
from pydantic import Field, field_validator

from civic_comms.issuing.post import SmtpPost
from civic_comms.subscriptions.domain import CONFIRMATIONS_PER_DAY


class CommsSettings(ServiceSettings):
    # credentials: CIVIC_COMMS_SMTP_PASSWORD_FILE, a Secret mounted as a file
    FROM_FILE: ClassVar[tuple[str, ...]] = (*ServiceSettings.FROM_FILE, "CIVIC_COMMS_SMTP_PASSWORD")

    #: how often the scheduler looks for content and consultations whose time has come
    scheduler_seconds: float = Field(5.0, validation_alias="CIVIC_COMMS_SCHEDULER_SECONDS")

    #: the SMTP server the briefing is sent through; unset, nothing is sent (deliveries wait, never lost)
    smtp_host: str | None = Field(None, validation_alias="CIVIC_COMMS_SMTP_HOST")
    smtp_port: int = Field(587, validation_alias="CIVIC_COMMS_SMTP_PORT")
    #: starttls (port 587), tls (implicit, port 465) or none (the local server on the loopback only)
    smtp_security: Literal["none", "starttls", "tls"] = Field("starttls", validation_alias="CIVIC_COMMS_SMTP_SECURITY")
    smtp_username: str | None = Field(None, validation_alias="CIVIC_COMMS_SMTP_USERNAME")
    smtp_password: str | None = Field(None, validation_alias="CIVIC_COMMS_SMTP_PASSWORD")
    smtp_timeout_seconds: float = Field(30.0, gt=0, validation_alias="CIVIC_COMMS_SMTP_TIMEOUT_SECONDS")
    mail_from: str = Field("Councillor briefing <briefing@example.gov.uk>", validation_alias="CIVIC_COMMS_MAIL_FROM")
    #: how long a sender holds a delivery it is sending; longer than a send can take (the SMTP timeout),
    #: so only a sender that died leaves one to be taken over
    mail_lease_seconds: float = Field(120.0, gt=0, validation_alias="CIVIC_COMMS_MAIL_LEASE_SECONDS")

    #: confirmation emails one address is sent for one topic in 24 hours, at most: a request beyond it is
    #: answered as any other but sends nothing (the answer never tells whether an address is subscribed)
    confirmations_per_day: int = Field(CONFIRMATIONS_PER_DAY, ge=1,
                                       validation_alias="CIVIC_COMMS_CONFIRMATIONS_PER_DAY")

    #: the council's public site, where a subscription's confirmation and unsubscribe links lead (the web app's
    #: /subscriptions/confirm and /unsubscribe pages, which pass the token on to comms): https, as RFC 8058
    #: asks; plain http only on this machine's loopback (``civic up`` gives the gateway's http://127.0.0.1:8080)
    public_url: str = Field("https://www.example.gov.uk", validation_alias="CIVIC_COMMS_PUBLIC_URL")

    @field_validator("public_url")
    @classmethod
    def _https_or_loopback(cls, url: str) -> str:
        refused = public_url_refused(url)
        if refused:
            raise ValueError(refused)
        return url

    def post(self) -> SmtpPost | None:
        if not self.smtp_host:
            return None
        return SmtpPost(host=self.smtp_host, port=self.smtp_port, security=self.smtp_security,
                        username=self.smtp_username, password=self.smtp_password, sender=self.mail_from,
                        timeout_seconds=self.smtp_timeout_seconds)


def loopback(host: str) -> bool:
    """A host that is this machine by its very name: localhost and names under .localhost (RFC 6761), or a
    loopback address (127.0.0.0/8, ::1)."""
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def public_url_refused(url: str) -> str | None:
    """Why a public address cannot carry residents' links, or None: an absolute https URL with a host, or http
    to a loopback host; no query or fragment, since the links' paths are added after it."""
    if any(c.isspace() for c in url):
        return "CIVIC_COMMS_PUBLIC_URL has a space in it"
    parts = urlsplit(url)
    if not parts.hostname or parts.query or parts.fragment:
        return "CIVIC_COMMS_PUBLIC_URL must be an address like https://www.example.gov.uk, with no query"
    if parts.scheme == "https" or (parts.scheme == "http" and loopback(parts.hostname)):
        return None
    return ("CIVIC_COMMS_PUBLIC_URL must be https (plain http only to this machine: 127.0.0.1, ::1, localhost or a "
            "name under .localhost)")


@lru_cache
def comms_settings() -> CommsSettings:
    return for_component(CommsSettings(), "comms")
