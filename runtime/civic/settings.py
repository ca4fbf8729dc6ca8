"""Every environment variable the platform reads, in one place (the README's configuration table).

A service process reads :class:`ServiceSettings`; the gateway reads :class:`GatewaySettings`.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import AliasChoices, Field
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

#: where each component listens by default (the services are ``civic_contracts.SERVICES``; web is the officers' app)
DEFAULT_PORTS = {"gateway": 8080, "savings": 8101, "property": 8102, "safeguarding": 8103, "comms": 8104, "web": 8090}


class SettingFiles(PydanticBaseSettingsSource):
    """``NAME_FILE=/path``: the setting ``NAME`` is that file's content, for the settings a class lists
    in ``FROM_FILE`` (credentials). A Secret mounted as a file is not in the process's environment,
    so it does not show in ``/proc/<pid>/environ``, a crash report or a child process."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ reads every listed setting at once

    def __call__(self) -> dict[str, Any]:
        fields = {f.validation_alias: name for name, f in self.settings_cls.model_fields.items()
                  if isinstance(f.validation_alias, str)}
        values: dict[str, Any] = {}
        for variable in getattr(self.settings_cls, "FROM_FILE", ()):
            path = os.environ.get(f"{variable}_FILE")
            if not path:
                continue
            if variable in os.environ:
                raise ValueError(f"both {variable} and {variable}_FILE are set: set one of them")
            try:
                text = Path(path).read_text(encoding="utf-8")
            except OSError as exc:
                raise ValueError(f"{variable}_FILE: cannot read {path} ({exc.strerror})") from None
            values[fields[variable]] = text.rstrip("\r\n")  # a file written by hand ends with a newline
        return values


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)
    FROM_FILE: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, SettingFiles(settings_cls), dotenv_settings, file_secret_settings

    service_name: str = Field("civic", validation_alias=AliasChoices("CIVIC_SERVICE_NAME", "OTEL_SERVICE_NAME"))
    environment: str = Field("local", validation_alias="CIVIC_ENVIRONMENT")
    http_host: str = Field("127.0.0.1", validation_alias="CIVIC_HTTP_HOST")
    http_port: int | None = Field(None, validation_alias="CIVIC_HTTP_PORT")
    state_dir: Path = Field(Path(".civic"), validation_alias="CIVIC_STATE_DIR")
    log_level: str = Field("INFO", validation_alias="CIVIC_LOG_LEVEL")
    max_body_bytes: int = Field(1024 * 1024, validation_alias="CIVIC_MAX_BODY_BYTES")

    # Identity: tokens are checked against a JWKS (a file locally, the OIDC issuer's URL in production).
    jwks_url: str | None = Field(None, validation_alias="CIVIC_JWKS_URL")
    jwks_file: Path | None = Field(None, validation_alias="CIVIC_JWKS_FILE")
    jwt_issuer: str = Field("civic-local", validation_alias="CIVIC_JWT_ISSUER")
    jwt_audience: str = Field("civic", validation_alias="CIVIC_JWT_AUDIENCE")
    jwt_leeway_seconds: int = Field(30, validation_alias="CIVIC_JWT_LEEWAY_SECONDS")
    jwt_algorithms: str = Field("RS256", validation_alias="CIVIC_JWT_ALGORITHMS")

    # Telemetry: OTLP in production; locally a JSON-lines file that `civic trace` reads.
    otlp_endpoint: str | None = Field(None, validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT")
    trace_file: Path | None = Field(None, validation_alias="CIVIC_TRACE_FILE")

    def port(self) -> int:
        return self.http_port or DEFAULT_PORTS.get(self.service_name, 8100)

    def trace_path(self) -> Path:
        return self.trace_file or self.state_dir / "traces.jsonl"


class ServiceSettings(CommonSettings):
    # credentials: MONGODB_URL_FILE, KAFKA_SASL_PASSWORD_FILE (a service's own settings may add theirs)
    FROM_FILE: ClassVar[tuple[str, ...]] = ("MONGODB_URL", "KAFKA_SASL_PASSWORD")

    mongodb_url: str = Field("mongodb://127.0.0.1:27017/?directConnection=true", validation_alias="MONGODB_URL")
    mongodb_database: str | None = Field(None, validation_alias="MONGODB_DATABASE")
    mongodb_timeout_ms: int = Field(3000, validation_alias="MONGODB_TIMEOUT_MS")

    kafka_bootstrap_servers: str = Field("127.0.0.1:9092", validation_alias="KAFKA_BOOTSTRAP_SERVERS")
    # Apache Kafka: true. The embedded Tansu broker cannot do InitProducerId, so civic up sets false.
    kafka_idempotent_producer: bool = Field(True, validation_alias="KAFKA_IDEMPOTENT_PRODUCER")
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        "PLAINTEXT", validation_alias="KAFKA_SECURITY_PROTOCOL"
    )
    kafka_sasl_mechanism: str | None = Field(None, validation_alias="KAFKA_SASL_MECHANISM")
    kafka_sasl_username: str | None = Field(None, validation_alias="KAFKA_SASL_USERNAME")
    kafka_sasl_password: str | None = Field(None, validation_alias="KAFKA_SASL_PASSWORD")
    kafka_ssl_ca_file: str | None = Field(None, validation_alias="KAFKA_SSL_CA_FILE")
    kafka_topic_partitions: int = Field(3, validation_alias="KAFKA_TOPIC_PARTITIONS")

    outbox_retention_days: int = Field(14, validation_alias="CIVIC_OUTBOX_RETENTION_DAYS")
    outbox_poll_seconds: float = Field(1.0, validation_alias="CIVIC_OUTBOX_POLL_SECONDS")
    # while other replicas write to the outbox (their commits cannot wake this process's relay), the
    # relay holding the lease looks for their records this often instead
    outbox_shared_poll_seconds: float = Field(0.05, validation_alias="CIVIC_OUTBOX_SHARED_POLL_SECONDS")
    consumer_max_attempts: int = Field(3, validation_alias="CIVIC_CONSUMER_MAX_ATTEMPTS")
    consumer_retry_backoff_seconds: float = Field(0.2, validation_alias="CIVIC_CONSUMER_RETRY_BACKOFF_SECONDS")
    # how long the broker may hold a fetch that has nothing new. Kafka answers as soon as a message is
    # there, so this only paces idle polls; Tansu holds every fetch that long, so it is also the latency
    consumer_fetch_max_wait_ms: int = Field(50, validation_alias="CIVIC_CONSUMER_FETCH_MAX_WAIT_MS")
    consumer_max_records: int = Field(100, validation_alias="CIVIC_CONSUMER_MAX_RECORDS")  # per fetch
    consumers_enabled: bool = Field(True, validation_alias="CIVIC_CONSUMERS_ENABLED")
    shutdown_grace_seconds: float = Field(20.0, validation_alias="CIVIC_SHUTDOWN_GRACE_SECONDS")
    idempotency_retention_hours: int = Field(24, validation_alias="CIVIC_IDEMPOTENCY_RETENTION_HOURS")
    # how often one replica compares each tally (civic.tallies) with the records it counts; it reads every
    # record, so minutes apart (0: never)
    tally_check_seconds: float = Field(300.0, ge=0, validation_alias="CIVIC_TALLY_CHECK_SECONDS")

    def database_name(self) -> str:
        return self.mongodb_database or f"civic_{self.service_name}"


class GatewaySettings(CommonSettings):
    gateway_port: int = Field(8080, validation_alias="CIVIC_GATEWAY_PORT")
    savings_url: str = Field("http://127.0.0.1:8101", validation_alias="CIVIC_SAVINGS_URL")
    property_url: str = Field("http://127.0.0.1:8102", validation_alias="CIVIC_PROPERTY_URL")
    safeguarding_url: str = Field("http://127.0.0.1:8103", validation_alias="CIVIC_SAFEGUARDING_URL")
    comms_url: str = Field("http://127.0.0.1:8104", validation_alias="CIVIC_COMMS_URL")
    # the officers' web app: every path the gateway does not answer itself goes there (unset: none, 404)
    web_url: str | None = Field(None, validation_alias="CIVIC_WEB_URL")
    rate_limit_per_minute: int = Field(6000, validation_alias="CIVIC_RATE_LIMIT_PER_MINUTE")
    backend_timeout_seconds: float = Field(10.0, validation_alias="CIVIC_BACKEND_TIMEOUT_SECONDS")
    dashboard_budget_seconds: float = Field(1.5, validation_alias="CIVIC_DASHBOARD_BUDGET_SECONDS")

    def port(self) -> int:
        return self.http_port or self.gateway_port

    def backend_urls(self) -> dict[str, str]:
        return {
            "savings": self.savings_url,
            "property": self.property_url,
            "safeguarding": self.safeguarding_url,
            "comms": self.comms_url,
        }


Settings = TypeVar("Settings", bound=CommonSettings)


def for_component(settings: Settings, name: str) -> Settings:
    """``settings`` naming the component ``name`` (its logs, traces, metrics and database) unless
    CIVIC_SERVICE_NAME (or OTEL_SERVICE_NAME) names it otherwise."""
    if settings.service_name in ("civic", ""):
        settings.service_name = name
    return settings


@lru_cache
def service_settings(name: str) -> ServiceSettings:
    return for_component(ServiceSettings(), name)
