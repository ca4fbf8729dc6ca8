"""Who is calling: the bearer token checked at the front door, and the scope each route needs.

The runtime's :class:`TokenVerifier` does the checking (signature via JWKS, issuer, audience,
expiry with leeway). The gateway adds a short cache of tokens it has already verified, so a caller
making many calls pays for the signature check once a minute, and keeps the JWKS fetch of an OIDC
issuer (blocking I/O in PyJWT) off the event loop.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

from civic.auth import Caller, TokenVerifier, check_scopes
from civic.errors import NotFound, Unauthorised
from civic.settings import CommonSettings

__all__ = ["Caller", "Identity", "check_scopes"]


class Identity:
    def __init__(
        self,
        settings: CommonSettings,
        *,
        cache_seconds: float = 60.0,
        cache_size: int = 10_000,
    ) -> None:
        self.settings = settings
        self.verifier = TokenVerifier(settings)
        self.cache_seconds = cache_seconds
        self.cache_size = cache_size
        self._verified: OrderedDict[str, tuple[Caller, float]] = OrderedDict()
        # With an OIDC JWKS URL a cache miss may fetch keys over the network (PyJWT does it
        # synchronously): verify in a worker thread then. With a local file it is fast in-loop.
        self._off_loop = settings.jwks_url is not None

    async def caller(self, authorization: str | None) -> Caller:
        """The verified caller, or :class:`Unauthorised` (401)."""
        if not authorization:
            raise Unauthorised("A bearer token is required (Authorization: Bearer <JWT>).")
        now = time.time()
        cached = self._verified.get(authorization)
        if cached is not None:
            caller, valid_until = cached
            if now < valid_until:
                return caller
            del self._verified[authorization]
        if self._off_loop:
            caller = await asyncio.to_thread(self.verifier.caller_from_header, authorization)
        else:
            caller = self.verifier.caller_from_header(authorization)
        self._remember(authorization, caller, now)
        return caller

    def _remember(self, authorization: str, caller: Caller, now: float) -> None:
        exp = caller.claims.get("exp")
        # never past the token's own expiry (leeway included, as the verifier allows it)
        expires = float(exp) + self.settings.jwt_leeway_seconds if isinstance(exp, int | float) else now
        valid_until = min(now + self.cache_seconds, expires)
        if valid_until <= now:
            return
        self._verified[authorization] = (caller, valid_until)
        if len(self._verified) > self.cache_size:
            self._verified.popitem(last=False)

    def jwks(self) -> dict[str, Any]:
        """The public keys local tokens are signed with (the embedded stack's key pair)."""
        path: Path | None = self.settings.jwks_file
        if path is None or not path.exists():
            raise NoLocalKeys(self.settings.jwks_url)
        keys = json.loads(path.read_text())
        # only public members ever leave: a JWKS file mistakenly holding a private key must not leak it
        public = ("kty", "kid", "use", "alg", "n", "e", "crv", "x", "y", "key_ops")
        return {"keys": [{k: v for k, v in key.items() if k in public} for key in keys.get("keys", [])]}


class NoLocalKeys(NotFound):
    def __init__(self, issuer_jwks_url: str | None) -> None:
        super().__init__("key set", "local")
        self.detail = "This gateway does not sign tokens." + (
            f" Keys are published by the issuer at {issuer_jwks_url}." if issuer_jwks_url else ""
        )
