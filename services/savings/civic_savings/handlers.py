"""Events from other services -> the savings use cases.

A building closed (or sold without a closure first) realises its saving once: against the initiative that
planned the building, or as a new initiative when none did (``initiatives.service.record_building_saving``).

What savings reacts to, keyed by the contract class; each handler gets the event parsed into that class.
"""

from __future__ import annotations

from datetime import date

from civic.subscriptions import Received, Subscriptions
from civic.uow import UnitOfWork
from civic_contracts.property import BuildingClosed, BuildingDisposed

from civic_savings.initiatives import service

HANDLERS = Subscriptions()


@HANDLERS.on(BuildingClosed)
async def on_building_closed(event: BuildingClosed, uow: UnitOfWork, received: Received) -> None:
    await _building_left(event, event.closed_on, uow, received)


@HANDLERS.on(BuildingDisposed)
async def on_building_disposed(event: BuildingDisposed, uow: UnitOfWork, received: Received) -> None:
    # a building sold without a closure event first still saves its running cost, once
    await _building_left(event, event.disposed_on, uow, received)


async def _building_left(
    event: BuildingClosed | BuildingDisposed, on: date, uow: UnitOfWork, received: Received
) -> None:
    """The building left the estate ``on`` that day: its saving, once."""
    await service.record_building_saving(
        uow, building_id=event.building_id, name=event.name, town=event.town, on=on,
        annual_running_cost_pence=event.annual_running_cost_pence, cause=received.type, event_id=received.id,
    )
