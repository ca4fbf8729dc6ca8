"""Events from other services -> the savings use cases."""

from __future__ import annotations

from civic.consumer import Handler
from civic.uow import UnitOfWork
from civic_contracts import Envelope
from civic_contracts.property import BuildingClosed, BuildingDisposed

from civic_savings.initiatives import service


async def on_building_closed(event: Envelope, uow: UnitOfWork) -> None:
    data = event.parsed()
    assert isinstance(data, BuildingClosed)
    await service.record_building_saving(
        uow,
        building_id=data.building_id,
        name=data.name,
        town=data.town,
        on=data.closed_on,
        annual_running_cost_pence=data.annual_running_cost_pence,
        cause=event.type,
    )


async def on_building_disposed(event: Envelope, uow: UnitOfWork) -> None:
    # a building sold without a closure event first still saves its running cost, once
    data = event.parsed()
    assert isinstance(data, BuildingDisposed)
    await service.record_building_saving(
        uow,
        building_id=data.building_id,
        name=data.name,
        town=data.town,
        on=data.disposed_on,
        annual_running_cost_pence=data.annual_running_cost_pence,
        cause=event.type,
    )


HANDLERS: dict[str, Handler] = {
    "property.building.closed": on_building_closed,
    "property.building.disposed": on_building_disposed,
}
