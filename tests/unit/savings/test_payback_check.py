"""The payback check's interval: a setting of the savings service, every 5 minutes unless set (0: never), never
negative. No servers."""

from __future__ import annotations

import pytest
from civic_savings.settings import SavingsSettings


def test_the_payback_check_interval_is_a_setting_and_never_negative(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CIVIC_SAVINGS_PAYBACK_CHECK_SECONDS", raising=False)
    assert SavingsSettings().payback_check_seconds == 300
    monkeypatch.setenv("CIVIC_SAVINGS_PAYBACK_CHECK_SECONDS", "0")
    assert SavingsSettings().payback_check_seconds == 0
    monkeypatch.setenv("CIVIC_SAVINGS_PAYBACK_CHECK_SECONDS", "-1")
    with pytest.raises(ValueError):
        SavingsSettings()
