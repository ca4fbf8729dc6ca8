"""Subscriptions: handlers keyed by contract class, each receiving the event parsed into that class."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import pytest
from civic.subscriptions import Received, Subscriptions, subscriptions
from civic_contracts import Envelope, EventData
from civic_contracts.property import BuildingClosed, BuildingDisposed
from civic_contracts.savings import TargetPassed
from pydantic import ValidationError

CLOSED = BuildingClosed(building_id="b1", name="Lodge Road", town="Daventry", closed_on=date(2023, 3, 31),
                        annual_running_cost_pence=25_000_000, annual_carbon_kg=41_000)


def test_handlers_are_keyed_by_contract_class_and_name_their_topics() -> None:
    handlers = Subscriptions()

    @handlers.on(BuildingClosed)
    async def on_closed(event: BuildingClosed, uow: Any, received: Received) -> None:  # pragma: no cover
        pass

    async def on_target(event: TargetPassed, uow: Any, received: Received) -> None:  # pragma: no cover
        pass

    handlers.add(TargetPassed, on_target)
    assert handlers[BuildingClosed] is on_closed and handlers[TargetPassed] is on_target
    assert set(handlers) == {BuildingClosed, TargetPassed} and len(handlers) == 2
    assert handlers.event_types == {"property.building.closed", "savings.target.passed"}
    assert handlers.topics == ["property.events.v1", "savings.events.v1"]
    assert handlers.subscription("property.building.disposed") is None
    with pytest.raises(KeyError):
        handlers[BuildingDisposed]


def test_a_class_is_subscribed_once_and_only_a_registered_contract() -> None:
    handlers = Subscriptions()

    async def handler(event: Any, uow: Any, received: Received) -> None:  # pragma: no cover
        pass

    handlers.add(BuildingClosed, handler)
    with pytest.raises(ValueError, match="twice"):
        handlers.add(BuildingClosed, handler)
    with pytest.raises(ValueError, match="not an event contract"):
        handlers.add(EventData, handler)

    class Lookalike(EventData):  # not registered: no event_type of its own
        pass

    with pytest.raises(ValueError, match="not an event contract"):
        handlers.add(Lookalike, handler)


def test_a_plain_mapping_becomes_subscriptions_checked_the_same_way() -> None:
    async def handler(event: Any, uow: Any, received: Received) -> None:  # pragma: no cover
        pass

    made = subscriptions({BuildingClosed: handler})
    assert isinstance(made, Subscriptions) and made.topics == ["property.events.v1"]
    assert subscriptions(made) is made
    with pytest.raises(ValueError):
        subscriptions({EventData: handler})


def test_the_handler_gets_the_parsed_model_the_unit_of_work_and_what_came_with_it() -> None:
    seen: list[tuple[Any, ...]] = []
    handlers = Subscriptions()

    @handlers.on(BuildingClosed)
    async def on_closed(event: BuildingClosed, uow: Any, received: Received) -> None:
        seen.append((event, uow, received))

    envelope = Envelope.wrap(CLOSED, source="/civic/property")
    envelope.time = datetime(2023, 3, 31, 23, 30, tzinfo=UTC)
    subscription = handlers.subscription(envelope.type)
    assert subscription is not None
    uow = object()
    asyncio.run(subscription(envelope, uow))  # type: ignore[arg-type]

    ((event, given_uow, received),) = seen
    assert isinstance(event, BuildingClosed) and event == CLOSED and event.closed_on == date(2023, 3, 31)
    assert given_uow is uow
    assert received == Received(envelope.id, "property.building.closed", "/civic/property",
                                datetime(2023, 3, 31, 23, 30, tzinfo=UTC), "b1")


def test_data_that_does_not_fit_the_class_fails_before_the_handler() -> None:
    called: list[Any] = []
    handlers = Subscriptions()

    @handlers.on(BuildingClosed)
    async def on_closed(event: BuildingClosed, uow: Any, received: Received) -> None:  # pragma: no cover
        called.append(event)

    poison = Envelope(source="/civic/property", type="property.building.closed",
                      data={"building_id": "b-poison", "annual_running_cost_pence": "lots"})
    subscription = handlers.subscription(poison.type)
    assert subscription is not None
    with pytest.raises(ValidationError, match="annual_running_cost_pence"):
        asyncio.run(subscription(poison, object()))  # type: ignore[arg-type]
    assert called == []
