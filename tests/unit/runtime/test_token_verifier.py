"""Verified tokens are remembered briefly: never past their expiry, never after their key is gone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from civic.auth import LocalSigningKey, TokenVerifier
from civic.errors import Unauthorised
from civic.settings import CommonSettings


@pytest.fixture
def keys(tmp_path: Path) -> LocalSigningKey:
    key = LocalSigningKey(tmp_path / "keys")
    key.ensure()
    return key


def verifier(keys: LocalSigningKey, **kwargs: float) -> TokenVerifier:
    settings = CommonSettings(jwks_file=keys.jwks_path, jwt_leeway_seconds=0)  # type: ignore[call-arg]
    return TokenVerifier(settings, **kwargs)  # type: ignore[arg-type]


async def test_an_expired_token_is_refused_and_not_remembered(keys: LocalSigningKey) -> None:
    check = verifier(keys)
    with pytest.raises(Unauthorised):
        await check.caller_of(f"Bearer {keys.mint('alice', [], ttl_seconds=-10)}")
    assert check._verified == {}


async def test_a_verified_token_is_remembered_no_longer_than_it_is_valid(keys: LocalSigningKey) -> None:
    check = verifier(keys, keep_seconds=60)
    short = keys.mint("alice", [], ttl_seconds=5)
    long = keys.mint("bob", [], ttl_seconds=3600)
    assert (await check.caller_of(f"Bearer {short}")).sub == "alice"
    assert (await check.caller_of(f"Bearer {long}")).sub == "bob"
    short_until, long_until = check._verified[short][0], check._verified[long][0]
    assert short_until < long_until  # the short token's own expiry caps it
    assert long_until - short_until > 50


async def test_a_remembered_token_past_its_time_is_checked_again(keys: LocalSigningKey) -> None:
    check = verifier(keys)
    token = keys.mint("alice", [], ttl_seconds=3600)
    caller = await check.caller_of(f"Bearer {token}")
    check._verified[token] = (0.0, caller)  # as if its time had run out
    assert (await check.caller_of(f"Bearer {token}")).sub == "alice"
    assert check._verified[token][0] > 0


async def test_remembered_tokens_are_bounded(keys: LocalSigningKey) -> None:
    check = verifier(keys, keep_at_most=2)
    for sub in ("a", "b", "c"):
        await check.caller_of(f"Bearer {keys.mint(sub, [])}")
    assert len(check._verified) == 2


async def test_a_rotated_key_set_forgets_tokens_signed_by_the_old_key(keys: LocalSigningKey, tmp_path: Path) -> None:
    check = verifier(keys, key_file_look_seconds=0)
    token = f"Bearer {keys.mint('alice', ['savings:read'])}"
    assert (await check.caller_of(token)).sub == "alice"

    other = LocalSigningKey(tmp_path / "other")
    other.ensure()
    shutil.copy(other.jwks_path, keys.jwks_path)  # the old key is withdrawn
    with pytest.raises(Unauthorised):
        await check.caller_of(token)
    assert check._verified == {}


async def test_the_key_file_is_looked_at_again_once_its_look_window_has_passed(
    keys: LocalSigningKey, tmp_path: Path
) -> None:
    check = verifier(keys, key_file_look_seconds=3600)
    token = f"Bearer {keys.mint('alice', ['savings:read'])}"
    assert (await check.caller_of(token)).sub == "alice"

    other = LocalSigningKey(tmp_path / "other")
    other.ensure()
    shutil.copy(other.jwks_path, keys.jwks_path)
    # within the window the remembered token stands (the file is not read on every request)
    assert (await check.caller_of(token)).sub == "alice"
    check._key_file_looked -= 3600  # the window has passed
    with pytest.raises(Unauthorised):
        await check.caller_of(token)


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer", "Bearer  ", "Bearer not.a.jwt"])
async def test_bad_headers_are_unauthorised_and_not_remembered(keys: LocalSigningKey, header: str | None) -> None:
    check = verifier(keys)
    with pytest.raises(Unauthorised):
        await check.caller_of(header)
    assert check._verified == {}
