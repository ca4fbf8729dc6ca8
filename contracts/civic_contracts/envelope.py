"""The CloudEvents 1.0 envelope every civic event travels in, and the base of every event's data.

Each event type is a Pydantic model subclassing :class:`EventData` that names its ``event_type``
(``<service>.<aggregate>.<past-tense verb>``) and the field holding its aggregate id in the class
statement, and says what it means in its docstring. Subclassing registers it, so the registry, the
generated JSON Schema and the AsyncAPI document all come from the models.
"""

from __future__ import annotations

import inspect
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

SPEC_VERSION = "1.0"
#: the civic services, the one list of them: each publishes to ``<service>.events.v1``; the runtime, the
#: gateway, the tests and the bench take it from here (``civic_contracts.SERVICES``)
SERVICES = ("savings", "property", "safeguarding", "comms")

#: every registered event type → its data model
REGISTRY: dict[str, type[EventData]] = {}


def topic_for(event_type: str) -> str:
    """Each service publishes to its own topic: ``<service>.events.v1``."""
    service = event_type.split(".", 1)[0]
    if service not in SERVICES:
        raise ValueError(f"event type {event_type!r} does not name a civic service")
    return f"{service}.events.v1"


def _without_description(schema: dict[str, Any]) -> None:
    # an event's docstring is its AsyncAPI summary; its JSON Schema stays as published, without it
    schema.pop("description", None)


class EventData(BaseModel):
    """Base of every event's ``data``. An event type declares itself in its class statement::

        class MinutesApproved(EventData, event_type="safeguarding.minutes.approved", aggregate_id_field="minutes_id"):
            \"""Minutes were approved by the members at a later meeting: now the permanent record.\"""

            minutes_id: str
            ...

    Events of one aggregate share a base holding their leading fields and ``aggregate_id_field``
    (e.g. ``_MoveEvent``): a base's fields come first, so only leading fields can move into one.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_without_description)

    event_type: ClassVar[str] = ""
    #: the field whose value is the aggregate id (the Kafka key and the CloudEvents subject)
    aggregate_id_field: ClassVar[str] = "id"
    #: one line for the AsyncAPI document: an event type's docstring, its lines joined
    summary: ClassVar[str] = ""

    def __init_subclass__(cls, *, event_type: str = "", aggregate_id_field: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if event_type:
            cls.event_type = event_type
        if aggregate_id_field:
            cls.aggregate_id_field = aggregate_id_field
        if "event_type" in cls.__dict__ and cls.__doc__:
            cls.summary = " ".join(inspect.cleandoc(cls.__doc__).splitlines())

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if cls.event_type:
            topic_for(cls.event_type)  # validates the service prefix
            if cls.event_type in REGISTRY and REGISTRY[cls.event_type] is not cls:
                raise ValueError(f"event type {cls.event_type} registered twice")
            REGISTRY[cls.event_type] = cls

    @property
    def aggregate_id(self) -> str:
        return str(getattr(self, self.aggregate_id_field))


class Envelope(BaseModel):
    """CloudEvents 1.0 structured JSON, plus W3C ``traceparent`` (the distributed tracing extension)."""

    model_config = ConfigDict(extra="allow")

    specversion: str = SPEC_VERSION
    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    source: str
    type: str
    subject: str | None = None
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    datacontenttype: str = "application/json"
    dataschema: str | None = None
    traceparent: str | None = None
    tracestate: str | None = None
    data: dict[str, Any]

    @classmethod
    def wrap(cls, data: EventData, *, source: str, traceparent: str | None = None) -> Envelope:
        return cls(
            source=source,
            type=data.event_type,
            subject=data.aggregate_id,
            dataschema=f"https://civic.example/schemas/{data.event_type}.json",
            traceparent=traceparent,
            data=data.model_dump(mode="json"),
        )

    @property
    def topic(self) -> str:
        return topic_for(self.type)

    def parsed(self) -> EventData:
        """The data as its registered model (raises ``KeyError`` for an unknown type)."""
        return REGISTRY[self.type].model_validate(self.data)
