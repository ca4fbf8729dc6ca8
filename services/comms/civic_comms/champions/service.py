"""Change champion use cases: register a council service, appoint a champion, stand one down.

Each ``work`` runs in ``rt.transaction``, which runs it again when a concurrent change won the race
(everything the failed attempt wrote was rolled back): so it reads afresh and has no other effect.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from civic.calendar import today
from civic.documents import insert, resource
from civic.errors import Refused
from civic.uow import UnitOfWork

from civic_comms.champions.domain import Champion, CouncilService, service_key
from civic_comms.champions.repository import CHAMPION_RECORDS, champion_to_document, council_service_to_document
from civic_comms.repository import CHAMPIONS, SERVICES

if TYPE_CHECKING:
    from civic.auth import Caller
    from civic.service import Runtime


async def register_service(
    rt: Runtime, name: str, directorate: str, representation: str | None = None, council: str | None = None
) -> dict[str, Any]:
    """A council service on the register; ``representation`` ``to_explore`` when whether it needs a champion
    is still to be agreed (default ``required``); ``council`` the organisation whose service it is."""
    service = CouncilService.register(name, directorate, representation, council)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        if await uow.db[SERVICES].find_one({"key": service_key(service.name)}, session=uow.session):
            raise Refused(f"The service {service.name!r} is already registered.")
        return await insert(uow, SERVICES, council_service_to_document(service))

    return resource(await rt.transaction(work))


async def appoint_champion(rt: Runtime, body: dict[str, Any], caller: Caller) -> dict[str, Any]:
    champion = Champion.appoint(**body, today=today())
    key = service_key(champion.service)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        # a champion for a service not yet on the register puts it there (in their council): the gap stays whole
        if await uow.db[SERVICES].find_one({"key": key}, session=uow.session) is None:
            await insert(uow, SERVICES, council_service_to_document(champion.council_service))
        return await insert(uow, CHAMPIONS, champion_to_document(champion, appointed_by=caller.sub))

    return resource(await rt.transaction(work))


async def stand_down_champion(
    rt: Runtime, champion_id: str, expected_version: int | None, on: date | None = None, reason: str | None = None
) -> dict[str, Any]:
    """Kept, with the day and the reason: a leaver in that month, no longer covering their service."""

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc, champion = await CHAMPION_RECORDS.load(uow, champion_id, expected_version)
        return await CHAMPION_RECORDS.save(uow, doc, champion.stand_down(today=today(), on=on, reason=reason))

    return resource(await rt.transaction(work))
