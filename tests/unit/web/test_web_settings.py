"""The web app's settings: one way to sign in, never the demo officers in production, OpenID Connect complete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from civic_web.settings import WebSettings
from pydantic import ValidationError

SECRET = "s" * 40
OIDC = {"oidc_issuer": "https://login.example.gov.uk/v2.0", "oidc_client_id": "civic-web",
        "oidc_client_secret": "client-secret", "public_url": "https://civic.example.gov.uk"}


def settings(**values: Any) -> WebSettings:
    return WebSettings(**{"session_secret": SECRET, **values})


def refused(**values: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        settings(**values)
    return str(caught.value)


def test_local_sign_in_with_the_stacks_keys(tmp_path: Path) -> None:
    local = settings(local_keys=tmp_path)
    assert local.sign_in == "local"
    assert local.secure_cookies is True  # off only when asked (the embedded stack's plain http)
    assert local.council_name == "West Northamptonshire Council"
    assert local.port() == 8090


def test_openid_connect_sign_in() -> None:
    oidc = settings(**OIDC)
    assert oidc.sign_in == "oidc"
    assert oidc.callback_url() == "https://civic.example.gov.uk/sign-in/callback"


def test_the_council_is_named_by_configuration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CIVIC_COUNCIL_NAME", "North Northamptonshire Council")
    monkeypatch.setenv("CIVIC_WEB_SECURE_COOKIES", "false")
    from_environment = settings(local_keys=tmp_path)
    assert from_environment.council_name == "North Northamptonshire Council"
    assert from_environment.secure_cookies is False


def test_the_session_secret_comes_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "session-secret"
    secret.write_text("f" * 48 + "\n")
    monkeypatch.setenv("CIVIC_WEB_SESSION_SECRET_FILE", str(secret))
    read = WebSettings(local_keys=tmp_path)
    assert read.session_secret is not None and read.session_secret.get_secret_value() == "f" * 48


def test_no_secret_or_a_short_one_is_refused(tmp_path: Path) -> None:
    assert "CIVIC_WEB_SESSION_SECRET" in refused(session_secret=None, local_keys=tmp_path)
    assert "at least 32" in refused(session_secret="short", local_keys=tmp_path)


def test_one_way_to_sign_in_and_at_least_one(tmp_path: Path) -> None:
    assert "not both" in refused(local_keys=tmp_path, **OIDC)
    assert "cannot sign in" in refused()


def test_the_demo_officers_are_refused_in_production(tmp_path: Path) -> None:
    assert "refused in production" in refused(local_keys=tmp_path, environment="production")
    assert settings(environment="production", **OIDC).sign_in == "oidc"


def test_openid_connect_needs_every_part_and_tls() -> None:
    message = refused(oidc_issuer="https://login.example.gov.uk/v2.0")
    for name in ("CIVIC_OIDC_CLIENT_ID", "CIVIC_OIDC_CLIENT_SECRET", "CIVIC_WEB_PUBLIC_URL"):
        assert name in message
    assert "https://" in refused(**{**OIDC, "oidc_issuer": "http://login.example.gov.uk"})
    assert "https://" in refused(**{**OIDC, "public_url": "http://civic.example.gov.uk"})
    assert settings(**{**OIDC, "public_url": "http://127.0.0.1:8080"}).sign_in == "oidc"  # one's own machine
    assert "openid" in refused(**OIDC, oidc_scopes="profile email")
