"""What a service reacts to: each event's contract class, and the handler that receives it parsed.

A service's ``handlers.py`` builds one :class:`Subscriptions`::

    HANDLERS = Subscriptions()

    @HANDLERS.on(BuildingClosed)
    async def on_building_closed(event: BuildingClosed, uow: UnitOfWork, received: Received) -> None:
        ...  # event.closed_on, event.annual_running_cost_pence: attributes, checked by mypy

The consumer parses each event's data into the subscribed class before calling the handler, so a handler
reads typed attributes (a misspelt one is a type error, not a dead letter), and mypy checks that the
handler takes the class it is subscribed under. The topics a service consumes (and so its consumer
group's subscriptions and its Kafka ACLs) are the topics of the classes it subscribes to: :attr:`topics`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from civic_contracts.envelope import REGISTRY, Envelope, EventData, topic_for

from civic.uow import UnitOfWork

E = TypeVar("E", bound=EventData)


@dataclass(frozen=True)
class Received:
    """What came with an event besides its data: the envelope's id (what the inbox keeps), type, source,
    time (when it happened) and subject (the aggregate id)."""

    id: str
    type: str
    source: str
    time: datetime
    subject: str | None

    @classmethod
    def of(cls, envelope: Envelope) -> Received:
        return cls(envelope.id, envelope.type, envelope.source, envelope.time, envelope.subject)


#: a handler of events of the contract class ``E``: the parsed event, the consumer's unit of work, the envelope's facts
Handler = Callable[[E, UnitOfWork, Received], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    """One contract class and its handler: parses an envelope's data into the class and calls the handler."""

    event: type[EventData]
    handler: Handler[Any]

    async def __call__(self, envelope: Envelope, uow: UnitOfWork) -> None:
        # the data as its contract model: a message that does not fit fails here, as a handler's error would
        await self.handler(self.event.model_validate(envelope.data), uow, Received.of(envelope))


class Subscriptions(Mapping[type[EventData], Handler[Any]]):
    """A service's handlers, keyed by the contract class of the events each one receives."""

    def __init__(self, handlers: Mapping[type[EventData], Handler[Any]] | None = None) -> None:
        self._by_type: dict[str, Subscription] = {}
        for event, handler in (handlers or {}).items():
            self.add(event, handler)

    def add(self, event: type[E], handler: Handler[E]) -> None:
        """Send events of the contract class ``event`` to ``handler``; one handler per class."""
        event_type = getattr(event, "event_type", "")
        if not event_type or REGISTRY.get(event_type) is not event:
            raise ValueError(f"{event!r} is not an event contract (a registered EventData subclass)")
        if event_type in self._by_type:
            raise ValueError(f"{event_type} is subscribed to twice")
        self._by_type[event_type] = Subscription(event, handler)

    def on(self, event: type[E]) -> Callable[[Handler[E]], Handler[E]]:
        """The decorator form of :meth:`add`."""

        def subscribe(handler: Handler[E]) -> Handler[E]:
            self.add(event, handler)
            return handler

        return subscribe

    def subscription(self, event_type: str) -> Subscription | None:
        """What handles events of this type (the envelope's ``type``), or None: not an event this service reacts to."""
        return self._by_type.get(event_type)

    @property
    def event_types(self) -> frozenset[str]:
        """The types (``property.building.closed``) of the events subscribed to."""
        return frozenset(self._by_type)

    @property
    def topics(self) -> list[str]:
        """The topics those events are published to, sorted: what the service's consumer group reads."""
        return sorted({topic_for(t) for t in self._by_type})

    def __getitem__(self, event: type[EventData]) -> Handler[Any]:
        subscription = self._by_type.get(getattr(event, "event_type", ""))
        if subscription is None or subscription.event is not event:
            raise KeyError(event)
        return subscription.handler

    def __iter__(self) -> Iterator[type[EventData]]:
        return (s.event for s in self._by_type.values())

    def __len__(self) -> int:
        return len(self._by_type)

    def __repr__(self) -> str:
        return f"Subscriptions({sorted(self._by_type)})"


def subscriptions(handlers: Mapping[type[EventData], Handler[Any]]) -> Subscriptions:
    """``handlers`` as :class:`Subscriptions` (checked: contract classes only, each once)."""
    return handlers if isinstance(handlers, Subscriptions) else Subscriptions(handlers)
