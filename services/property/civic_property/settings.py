"""The property service's configuration: the runtime's service settings, the lease review's interval and the name
the council publishes its asset register under."""

from __future__ import annotations

from functools import lru_cache

from civic.settings import ServiceSettings, for_component
from pydantic import Field


class PropertySettings(ServiceSettings):
    #: how often the lease review flags breaks and expiries coming within 18 months (0: never; dates are days,
    #: so an hour is soon enough, and ``POST /v1/lease-reviews`` runs one at once)
    lease_review_seconds: float = Field(3600.0, validation_alias="CIVIC_PROPERTY_LEASE_REVIEW_SECONDS")
    #: the Transparency Code register's "Organisation" column: the council publishing it
    organisation: str = Field("West Northamptonshire Council", validation_alias="CIVIC_PROPERTY_ORGANISATION")


@lru_cache
def property_settings() -> PropertySettings:
    return for_component(PropertySettings(), "property")
