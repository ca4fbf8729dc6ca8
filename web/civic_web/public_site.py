"""The council's public site's own token, for the pages residents reach without signing in (a subscription's
confirmation and unsubscribe links): comms' resident routes are called "by the council's public site on the
resident's behalf" with ``comms:write``, never with an officer's token.

Locally it is minted with the embedded stack's key, as the demo officers' are; in production it is the client
credentials grant of the web's own OpenID Connect client at the council's issuer (``CIVIC_OIDC_CLIENT_ID`` and
secret), asking for ``CIVIC_WEB_PUBLIC_SITE_SCOPES``. Either way it is kept until shortly before it expires.
The boards' calendar feeds, which calendar apps fetch without a session, read safeguarding the same way under a
subject of their own with ``CIVIC_WEB_CALENDAR_FEED_SCOPES`` (``calendar_feeds.py``).
"""

from __future__ import annotations

import asyncio
import time

from authlib.integrations.starlette_client import StarletteOAuth2App
from civic.auth import LocalSigningKey

from civic_web.settings import WebSettings

#: the public site's subject in the token, as the services' logs and audit name it
SUBJECT = "civic-web-public-site"
#: the boards' calendar feeds' reader, as the services' logs and audit name it
CALENDAR_FEED_SUBJECT = "civic-web-calendar-feed"
#: a local token's life; one is minted again a minute before it ends
LOCAL_SECONDS = 600
EARLY_SECONDS = 60


class PublicSite:
    """One of the web's own identities (the public site, by default; the boards' calendar feeds with
    ``subject`` and ``scopes`` of their own), its token kept while it lasts."""

    def __init__(
        self, settings: WebSettings, issuer: StarletteOAuth2App | None, *, subject: str = SUBJECT, scopes: str | None = None
    ) -> None:
        self.settings = settings
        self.issuer = issuer
        self.subject = subject
        self.scopes = (settings.public_site_scopes if scopes is None else scopes).split()
        self.keys = LocalSigningKey(settings.local_keys) if settings.local_keys is not None else None
        self._held: tuple[str, float] | None = None
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        """A token with the public site's scopes, minted or fetched again when the one held is about to end."""
        async with self._lock:
            if self._held is None or time.monotonic() >= self._held[1]:
                self._held = await self._new()
            return self._held[0]

    async def _new(self) -> tuple[str, float]:
        scopes = self.scopes
        if self.keys is not None:
            token = self.keys.mint(
                self.subject,
                scopes,
                issuer=self.settings.jwt_issuer,
                audience=self.settings.jwt_audience,
                ttl_seconds=LOCAL_SECONDS,
            )
            return token, time.monotonic() + LOCAL_SECONDS - EARLY_SECONDS
        if self.issuer is None:
            raise RuntimeError("the public site has no way to a token: neither local keys nor an issuer")
        answer = await self.issuer.fetch_access_token(grant_type="client_credentials", scope=" ".join(scopes))
        lasts = float(answer.get("expires_in") or LOCAL_SECONDS)
        return str(answer["access_token"]), time.monotonic() + max(lasts - EARLY_SECONDS, 0.0)
