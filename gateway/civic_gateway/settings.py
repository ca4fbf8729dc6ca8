"""The gateway's configuration: the runtime's gateway settings plus the protection knobs."""

from __future__ import annotations

from functools import lru_cache

from civic.settings import GatewaySettings as RuntimeGatewaySettings
from civic.settings import for_component
from pydantic import Field


class GatewaySettings(RuntimeGatewaySettings):
    # Rate limit: CIVIC_RATE_LIMIT_PER_MINUTE (runtime) sustained, this many at once.
    rate_limit_burst: int | None = Field(None, validation_alias="CIVIC_RATE_LIMIT_BURST")
    circuit_failure_threshold: int = Field(5, validation_alias="CIVIC_CIRCUIT_FAILURE_THRESHOLD")
    circuit_cool_down_seconds: float = Field(10.0, validation_alias="CIVIC_CIRCUIT_COOL_DOWN_SECONDS")
    # Per-route timeouts over CIVIC_BACKEND_TIMEOUT_SECONDS, e.g. "savings/v1/reports=30;comms=5".
    route_timeouts: str = Field("", validation_alias="CIVIC_ROUTE_TIMEOUTS")
    connect_timeout_seconds: float = Field(2.0, validation_alias="CIVIC_CONNECT_TIMEOUT_SECONDS")
    # open connections to each backend at most; a call beyond them waits (up to its timeout), then 503
    max_connections: int = Field(100, validation_alias="CIVIC_GATEWAY_MAX_CONNECTIONS")
    # Ready when at least this many backends answer /readyz (the gateway is useful with some up).
    ready_min_backends: int = Field(1, validation_alias="CIVIC_GATEWAY_READY_MIN_BACKENDS")
    # The trace view (/ops/traces): Jaeger's query API when set (production), else the local span file,
    # of which the last this many bytes are read for the recent traces (bounded, however large it grows).
    jaeger_query_url: str | None = Field(None, validation_alias="CIVIC_JAEGER_QUERY_URL")
    trace_view_window_bytes: int = Field(16 * 1024 * 1024, ge=64 * 1024, validation_alias="CIVIC_TRACE_VIEW_WINDOW_BYTES")


@lru_cache
def gateway_settings() -> GatewaySettings:
    return for_component(GatewaySettings(), "gateway")
