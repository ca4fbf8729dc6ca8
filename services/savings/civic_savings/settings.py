"""The savings service's configuration: the runtime's service settings and the intervals of its checks (missed
milestones, payback years)."""

from __future__ import annotations

from functools import lru_cache

from civic.settings import ServiceSettings, for_component
from pydantic import Field


class SavingsSettings(ServiceSettings):
    #: how often the milestone check announces the milestones missed (0: never; due dates are days, so an hour
    #: is soon enough, and ``POST /v1/milestone-checks`` runs one at once)
    milestone_check_seconds: float = Field(3600.0, validation_alias="CIVIC_SAVINGS_MILESTONE_CHECK_SECONDS")
    #: how often the payback check settles each programme's stored payback year again (0: never): it bounds how
    #: long a race can leave one stale; ``POST /v1/payback-checks`` runs one at once
    payback_check_seconds: float = Field(300.0, ge=0, validation_alias="CIVIC_SAVINGS_PAYBACK_CHECK_SECONDS")


@lru_cache
def savings_settings() -> SavingsSettings:
    return for_component(SavingsSettings(), "savings")
