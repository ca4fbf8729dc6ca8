"""JWT bearer tokens: validation against a JWKS (every service and the gateway) and local minting.

Locally ``civic up`` creates an RSA key in the state directory; the gateway serves its public half
at ``/.well-known/jwks.json`` and services read it from ``CIVIC_JWKS_FILE``. In production the
services and gateway read the OIDC issuer's JWKS from ``CIVIC_JWKS_URL``.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from civic.errors import Forbidden, Unauthorised
from civic.settings import CommonSettings

ALL_SCOPES = (
    "savings:read",
    "savings:write",
    "savings:approve",
    "property:read",
    "property:write",
    "safeguarding:read",
    "safeguarding:write",
    "safeguarding:confidential",
    "comms:read",
    "comms:write",
    "comms:approve",
    "ops",
)


@dataclass(frozen=True)
class Caller:
    """Who is calling: the token's subject and scopes. ``token`` is forwarded on onward calls."""

    sub: str
    scopes: frozenset[str]
    token: str = field(repr=False, default="")
    claims: dict[str, Any] = field(repr=False, default_factory=dict, compare=False)

    def has(self, scope: str) -> bool:
        return scope in self.scopes


def _scopes_of(claims: dict[str, Any]) -> frozenset[str]:
    # OAuth 2 "scope" is space-separated; Entra ID puts app roles in "roles" and delegated scopes in "scp".
    found: set[str] = set()
    for key in ("scope", "scp"):
        value = claims.get(key)
        if isinstance(value, str):
            found.update(value.split())
        elif isinstance(value, list):
            found.update(str(v) for v in value)
    roles = claims.get("roles")
    if isinstance(roles, list):
        found.update(str(r) for r in roles)
    return frozenset(found)


# A verified token is remembered, so an app calling many times with one token pays the signature
# check once: at most this many tokens, each for at most this long and never past its expiry.
VERIFIED_TOKENS_KEPT = 4096
VERIFIED_TOKEN_SECONDS = 300
# how often a remembered token's key file is looked at again for a rotation: a rotation takes effect
# within this long, and a busy gateway does not stat the file on every request
KEY_FILE_LOOK_SECONDS = 1.0


class TokenVerifier:
    """Checks signature (via JWKS), issuer, audience, expiry with leeway; refuses ``alg: none``."""

    def __init__(self, settings: CommonSettings, *, keep_seconds: float = VERIFIED_TOKEN_SECONDS,
                 keep_at_most: int = VERIFIED_TOKENS_KEPT, key_file_look_seconds: float = KEY_FILE_LOOK_SECONDS) -> None:
        self.settings = settings
        self.key_file_look_seconds = key_file_look_seconds
        self._key_file_looked = float("-inf")
        self.keep_seconds = keep_seconds
        self.keep_at_most = keep_at_most
        self.algorithms = [a.strip() for a in settings.jwt_algorithms.split(",") if a.strip() and a != "none"]
        self._jwks_client = jwt.PyJWKClient(settings.jwks_url, cache_keys=True) if settings.jwks_url else None
        self._file_keys: dict[str, Any] = {}
        self._file_mtime = 0.0
        self._verified: dict[str, tuple[float, Caller]] = {}

    def _keys_from_file(self) -> dict[str, Any]:
        path = self.settings.jwks_file
        if path is None:
            return {}
        try:
            mtime = path.stat().st_mtime
        except FileNotFoundError:
            return {}
        if mtime != self._file_mtime:  # re-read on rotation
            jwks = jwt.PyJWKSet.from_dict(json.loads(path.read_text()))
            self._file_keys = {str(k.key_id): k.key for k in jwks.keys}
            self._file_mtime = mtime
            self._verified.clear()  # a key taken out of the set takes its tokens with it
        return self._file_keys

    def _key_for(self, token: str) -> Any:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthorised(f"The bearer token is malformed: {exc}.") from exc
        if header.get("alg") not in self.algorithms:
            raise Unauthorised(f"Tokens signed with {header.get('alg')!r} are not accepted.")
        kid = header.get("kid")
        if self._jwks_client is not None:
            try:
                return self._jwks_client.get_signing_key_from_jwt(token).key
            except jwt.PyJWTError as exc:
                raise Unauthorised(f"The token's signing key is not known: {exc}.") from exc
        keys = self._keys_from_file()
        if kid in keys:
            return keys[kid]
        raise Unauthorised("The token was not signed by a key this platform trusts.")

    def _remembered(self, token: str, now: float) -> Caller | None:
        if self.settings.jwks_file is not None and now - self._key_file_looked >= self.key_file_look_seconds:
            self._key_file_looked = now
            self._keys_from_file()  # notices a rotated key set before a remembered token is trusted
        remembered = self._verified.get(token)
        if remembered is None:
            return None
        if now < remembered[0]:
            return remembered[1]
        self._verified.pop(token, None)
        return None

    def verify(self, token: str) -> Caller:
        now = time.time()
        return self._remembered(token, now) or self._verify_and_remember(token, now)

    def _verify_and_remember(self, token: str, now: float) -> Caller:
        caller = self._verify_signed(token)
        if len(self._verified) >= self.keep_at_most:
            self._verified.pop(next(iter(self._verified)))  # the oldest goes first
        keep_until = min(float(caller.claims["exp"]) + self.settings.jwt_leeway_seconds, now + self.keep_seconds)
        self._verified[token] = (keep_until, caller)
        return caller

    def _verify_signed(self, token: str) -> Caller:
        key = self._key_for(token)
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=self.algorithms,
                audience=self.settings.jwt_audience,
                issuer=self.settings.jwt_issuer,
                leeway=self.settings.jwt_leeway_seconds,
                options={"require": ["exp", "iat", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorised("The bearer token has expired.") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorised(f"The bearer token is not valid: {exc}.") from exc
        return Caller(sub=str(claims["sub"]), scopes=_scopes_of(claims), token=token, claims=claims)

    def caller_from_header(self, authorization: str | None) -> Caller:
        return self.verify(_bearer_token(authorization))

    async def caller_of(self, authorization: str | None) -> Caller:
        """The verified caller of an ``Authorization`` header, or :class:`Unauthorised` (401).

        With an OIDC issuer's JWKS URL, an unknown key means a key fetch over the network, which PyJWT
        does synchronously: a token not yet remembered is then verified in a worker thread, so one slow
        issuer never stalls every other request on the event loop.
        """
        token = _bearer_token(authorization)
        now = time.time()
        remembered = self._remembered(token, now)
        if remembered is not None:
            return remembered
        if self._jwks_client is not None:
            return await asyncio.to_thread(self._verify_and_remember, token, now)
        return self._verify_and_remember(token, now)


def _bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise Unauthorised("A bearer token is required (Authorization: Bearer <JWT>).")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorised("The Authorization header must be 'Bearer <JWT>'.")
    return token.strip()


def check_scopes(caller: Caller, scopes: tuple[str, ...]) -> None:
    missing = [s for s in scopes if not caller.has(s)]
    if missing:
        raise Forbidden(f"This action needs the scope {' and '.join(missing)}.", missing_scopes=missing)


class LocalSigningKey:
    """The embedded stack's RSA key pair, kept in the state directory (private key mode 0600)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.private_path = directory / "signing-key.pem"
        self.jwks_path = directory / "jwks.json"

    def ensure(self) -> None:
        if self.private_path.exists() and self.jwks_path.exists():
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        self.private_path.touch(mode=0o600)
        self.private_path.write_bytes(pem)
        kid = uuid.uuid4().hex[:16]
        (self.directory / "kid").write_text(kid)
        self.jwks_path.write_text(json.dumps({"keys": [self._public_jwk(key, kid)]}, indent=2))

    @staticmethod
    def _public_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
        jwk.update({"kid": kid, "use": "sig", "alg": "RS256"})
        return dict(jwk)

    def jwks(self) -> dict[str, Any]:
        return dict(json.loads(self.jwks_path.read_text()))

    def mint(
        self,
        sub: str,
        scopes: list[str] | tuple[str, ...],
        *,
        issuer: str = "civic-local",
        audience: str = "civic",
        ttl_seconds: int = 8 * 3600,
        extra: dict[str, Any] | None = None,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": issuer,
            "aud": audience,
            "sub": sub,
            "iat": now,
            "nbf": now,
            "exp": now + ttl_seconds,
            "jti": uuid.uuid4().hex,
            "scope": " ".join(scopes),
        }
        claims.update(extra or {})
        kid = (self.directory / "kid").read_text().strip()
        return jwt.encode(claims, self.private_path.read_bytes(), algorithm="RS256", headers={"kid": kid})
