"""Who is calling: the bearer token checked at the front door, and the scope each route needs.

The runtime's :class:`TokenVerifier` does the checking (signature via JWKS, issuer, audience,
expiry with leeway), remembers tokens it has verified for a few minutes (never past their expiry),
and keeps the JWKS fetch of an OIDC issuer (blocking I/O in PyJWT) off the event loop.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from civic.auth import Caller, TokenVerifier, check_scopes
from civic.errors import NotFound
from civic.settings import CommonSettings

__all__ = ["Caller", "Identity", "check_scopes"]


class Identity:
    def __init__(self, settings: CommonSettings) -> None:
        self.settings = settings
        self.verifier = TokenVerifier(settings)

    async def caller(self, authorization: str | None) -> Caller:
        """The verified caller, or :class:`Unauthorised` (401)."""
        return await self.verifier.caller_of(authorization)

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
