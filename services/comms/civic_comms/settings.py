"""The comms service's configuration: the runtime's service settings plus the scheduler's interval."""

from __future__ import annotations

from functools import lru_cache

from civic.settings import ServiceSettings, for_component
from pydantic import Field


class CommsSettings(ServiceSettings):
    #: how often the scheduler looks for content and consultations whose time has come
    scheduler_seconds: float = Field(5.0, validation_alias="CIVIC_COMMS_SCHEDULER_SECONDS")


@lru_cache
def comms_settings() -> CommsSettings:
    return for_component(CommsSettings(), "comms")
