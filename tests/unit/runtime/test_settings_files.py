"""Credentials may come from files (a mounted Secret) instead of the environment: ``NAME_FILE=/path``."""

from __future__ import annotations

from pathlib import Path

import pytest
from civic.settings import GatewaySettings, ServiceSettings


def test_a_credential_is_read_from_the_file_its_file_variable_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = tmp_path / "url"
    url.write_text("mongodb://savings:s3cret@mongodb-savings:27017/?replicaSet=rs0\n", encoding="utf-8")
    password = tmp_path / "password"
    password.write_text("  spaces kept  ", encoding="utf-8")
    monkeypatch.setenv("MONGODB_URL_FILE", str(url))
    monkeypatch.setenv("KAFKA_SASL_PASSWORD_FILE", str(password))
    monkeypatch.delenv("MONGODB_URL", raising=False)
    monkeypatch.delenv("KAFKA_SASL_PASSWORD", raising=False)

    settings = ServiceSettings()

    assert settings.mongodb_url == "mongodb://savings:s3cret@mongodb-savings:27017/?replicaSet=rs0"  # newline gone
    assert settings.kafka_sasl_password == "  spaces kept  "


def test_without_a_file_variable_the_environment_and_defaults_apply(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONGODB_URL_FILE", raising=False)
    monkeypatch.setenv("MONGODB_URL", "mongodb://elsewhere:27017")
    assert ServiceSettings().mongodb_url == "mongodb://elsewhere:27017"
    monkeypatch.delenv("MONGODB_URL")
    assert ServiceSettings().mongodb_url == "mongodb://127.0.0.1:27017/?directConnection=true"


def test_a_value_and_a_file_for_the_same_setting_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = tmp_path / "url"
    url.write_text("mongodb://from-file", encoding="utf-8")
    monkeypatch.setenv("MONGODB_URL_FILE", str(url))
    monkeypatch.setenv("MONGODB_URL", "mongodb://from-env")
    with pytest.raises(ValueError, match="both MONGODB_URL and MONGODB_URL_FILE are set"):
        ServiceSettings()


def test_a_file_that_cannot_be_read_is_refused_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KAFKA_SASL_PASSWORD", raising=False)
    monkeypatch.setenv("KAFKA_SASL_PASSWORD_FILE", str(tmp_path / "missing"))
    with pytest.raises(ValueError, match=r"KAFKA_SASL_PASSWORD_FILE: cannot read .*missing"):
        ServiceSettings()


def test_only_credentials_come_from_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    level = tmp_path / "level"
    level.write_text("DEBUG", encoding="utf-8")
    monkeypatch.setenv("CIVIC_LOG_LEVEL_FILE", str(level))
    monkeypatch.delenv("CIVIC_LOG_LEVEL", raising=False)
    assert ServiceSettings().log_level == "INFO"
    assert GatewaySettings().log_level == "INFO"
    assert ServiceSettings.FROM_FILE == ("MONGODB_URL", "KAFKA_SASL_PASSWORD")
    assert GatewaySettings.FROM_FILE == ()
