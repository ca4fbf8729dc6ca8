"""The gateway's token check and the public keys it publishes (remembering tokens: tests/unit/runtime)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from civic.auth import LocalSigningKey
from civic.errors import NotFound, Unauthorised
from civic.settings import CommonSettings
from civic_gateway.identity import Identity


@pytest.fixture
def keys(tmp_path: Path) -> LocalSigningKey:
    key = LocalSigningKey(tmp_path / "keys")
    key.ensure()
    return key


def identity(keys: LocalSigningKey) -> Identity:
    return Identity(CommonSettings(jwks_file=keys.jwks_path, jwt_leeway_seconds=0))  # type: ignore[call-arg]


async def test_a_valid_token_gives_the_caller(keys: LocalSigningKey) -> None:
    caller = await identity(keys).caller(f"Bearer {keys.mint('alice', ['savings:read'])}")
    assert caller.sub == "alice" and caller.has("savings:read")


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer", "Bearer not.a.jwt"])
async def test_bad_headers_are_unauthorised(keys: LocalSigningKey, header: str | None) -> None:
    with pytest.raises(Unauthorised):
        await identity(keys).caller(header)


def test_jwks_publishes_public_members_only(keys: LocalSigningKey) -> None:
    # even a key file that wrongly holds private members must not leak them
    data = json.loads(keys.jwks_path.read_text())
    data["keys"][0]["d"] = "secret"
    keys.jwks_path.write_text(json.dumps(data))
    published = identity(keys).jwks()["keys"][0]
    assert "d" not in published
    assert {"kty", "kid", "n", "e"} <= set(published)


def test_no_local_keys_is_not_found_with_a_pointer_to_the_issuer(tmp_path: Path) -> None:
    settings = CommonSettings(jwks_file=tmp_path / "missing.json", jwks_url="https://login.example/keys")  # type: ignore[call-arg]
    with pytest.raises(NotFound) as refused:
        Identity(settings).jwks()
    assert "https://login.example/keys" in refused.value.detail
