"""The web app's configuration: where the gateway is, the council's name, the session and how officers sign in.

Officers sign in one of two ways, never both:

- **local** (the embedded stack): an officer is chosen from the demo's officers and the web mints their
  token with the stack's own signing key (``CIVIC_WEB_LOCAL_KEYS``, the folder ``civic up`` keeps it in).
  Refused when ``CIVIC_ENVIRONMENT`` is ``production``.
- **OpenID Connect** (production): the authorization code flow with PKCE against the council's issuer
  (``CIVIC_OIDC_ISSUER``, ``CIVIC_OIDC_CLIENT_ID``, ``CIVIC_OIDC_CLIENT_SECRET``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from civic.settings import DEFAULT_PORTS, CommonSettings
from pydantic import Field, SecretStr, model_validator

#: below this many characters a session secret is too easy to guess
SHORTEST_SESSION_SECRET = 32


class WebSettings(CommonSettings):
    # credentials: CIVIC_WEB_SESSION_SECRET_FILE and CIVIC_OIDC_CLIENT_SECRET_FILE (mounted Secrets)
    FROM_FILE = ("CIVIC_WEB_SESSION_SECRET", "CIVIC_OIDC_CLIENT_SECRET", "CIVIC_WEB_FEED_SECRET")

    gateway_url: str = Field("http://127.0.0.1:8080", validation_alias="CIVIC_WEB_GATEWAY_URL")
    gateway_timeout_seconds: float = Field(10.0, validation_alias="CIVIC_WEB_GATEWAY_TIMEOUT_SECONDS")
    council_name: str = Field("West Northamptonshire Council", validation_alias="CIVIC_COUNCIL_NAME")

    # the session cookie: signed with this secret, HttpOnly, SameSite=Lax, Secure unless turned off
    session_secret: SecretStr | None = Field(None, validation_alias="CIVIC_WEB_SESSION_SECRET")
    # only for plain http on one's own machine (the embedded stack): a browser drops Secure cookies there
    secure_cookies: bool = Field(True, validation_alias="CIVIC_WEB_SECURE_COOKIES")
    session_hours: float = Field(8.0, validation_alias="CIVIC_WEB_SESSION_HOURS")

    # local sign-in: the embedded stack's signing key folder (signing-key.pem, kid, jwks.json)
    local_keys: Path | None = Field(None, validation_alias="CIVIC_WEB_LOCAL_KEYS")

    # OpenID Connect
    oidc_issuer: str | None = Field(None, validation_alias="CIVIC_OIDC_ISSUER")
    oidc_client_id: str | None = Field(None, validation_alias="CIVIC_OIDC_CLIENT_ID")
    oidc_client_secret: SecretStr | None = Field(None, validation_alias="CIVIC_OIDC_CLIENT_SECRET")
    # what the access token must carry for the gateway: the issuer's names for civic's scopes
    oidc_scopes: str = Field("openid profile email", validation_alias="CIVIC_OIDC_SCOPES")
    # the address officers open (the gateway's, behind the Ingress): the issuer sends them back under it
    public_url: str | None = Field(None, validation_alias="CIVIC_WEB_PUBLIC_URL")
    # the public site's scopes (a resident's subscription links call comms as the site, not as an officer)
    public_site_scopes: str = Field("comms:write", validation_alias="CIVIC_WEB_PUBLIC_SITE_SCOPES")
    # a board's calendar feed, which calendar apps fetch without a session: its address is signed with this secret
    # (the session's when unset; a new secret revokes every feed address given out) and it reads the board's
    # meetings as the web's own identity with these scopes (never confidential ones)
    feed_secret: SecretStr | None = Field(None, validation_alias="CIVIC_WEB_FEED_SECRET")
    calendar_feed_scopes: str = Field("safeguarding:read", validation_alias="CIVIC_WEB_CALENDAR_FEED_SCOPES")

    @model_validator(mode="after")
    def _one_way_to_sign_in(self) -> WebSettings:
        problems = []
        secret = self.session_secret.get_secret_value() if self.session_secret else ""
        if len(secret) < SHORTEST_SESSION_SECRET:
            problems.append(f"CIVIC_WEB_SESSION_SECRET must be set, at least {SHORTEST_SESSION_SECRET} characters")
        if self.feed_secret is not None and len(self.feed_secret.get_secret_value()) < SHORTEST_SESSION_SECRET:
            problems.append(f"CIVIC_WEB_FEED_SECRET, when set, must be at least {SHORTEST_SESSION_SECRET} characters")
        oidc = any((self.oidc_issuer, self.oidc_client_id, self.oidc_client_secret))
        if self.local_keys is not None and oidc:
            problems.append("set CIVIC_WEB_LOCAL_KEYS (local sign-in) or CIVIC_OIDC_* (OpenID Connect), not both")
        elif self.local_keys is None and not oidc:
            problems.append("officers cannot sign in: set CIVIC_OIDC_ISSUER, CIVIC_OIDC_CLIENT_ID and "
                            "CIVIC_OIDC_CLIENT_SECRET (or CIVIC_WEB_LOCAL_KEYS on the embedded stack)")
        if self.local_keys is not None and self.environment == "production":
            problems.append("local sign-in (CIVIC_WEB_LOCAL_KEYS) is refused in production: use OpenID Connect")
        if oidc:
            problems += _oidc_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def feed_signing_secret(self) -> str:
        """What a calendar feed's address is signed with: its own secret, else the session's."""
        chosen = self.feed_secret or self.session_secret
        return chosen.get_secret_value() if chosen else ""

    @property
    def sign_in(self) -> Literal["local", "oidc"]:
        return "local" if self.local_keys is not None else "oidc"

    def port(self) -> int:
        return self.http_port or DEFAULT_PORTS["web"]

    def callback_url(self) -> str:
        """Where the issuer sends an officer back to (registered with the issuer as the redirect URI)."""
        return f"{(self.public_url or '').rstrip('/')}/sign-in/callback"


def _oidc_problems(settings: WebSettings) -> list[str]:
    problems = []
    for name, value in (("CIVIC_OIDC_ISSUER", settings.oidc_issuer), ("CIVIC_OIDC_CLIENT_ID", settings.oidc_client_id),
                        ("CIVIC_OIDC_CLIENT_SECRET", settings.oidc_client_secret),
                        ("CIVIC_WEB_PUBLIC_URL", settings.public_url)):
        if not value:
            problems.append(f"{name} is required for OpenID Connect")
    # the code and the tokens cross these addresses: only over TLS, except on one's own machine
    for name, url in (("CIVIC_OIDC_ISSUER", settings.oidc_issuer), ("CIVIC_WEB_PUBLIC_URL", settings.public_url)):
        if url and not _safe_url(url):
            problems.append(f"{name} must be an https:// address (http only for localhost)")
    if "openid" not in settings.oidc_scopes.split():
        problems.append("CIVIC_OIDC_SCOPES must include openid")
    return problems


def _safe_url(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    return parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1", "::1")


@lru_cache
def web_settings() -> WebSettings:
    settings = WebSettings()
    if settings.service_name in ("civic", ""):
        settings.service_name = "web"
    return settings
