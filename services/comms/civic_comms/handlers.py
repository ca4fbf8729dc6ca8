"""Events from the other services -> the councillor briefing and draft content.

The one registry of what comms reacts to: each briefed event becomes an item in the week's briefing,
and some also get a draft for the team to finish (a staff notice, a press release).
"""

from __future__ import annotations

from collections.abc import Callable

from civic.consumer import Handler
from civic.uow import UnitOfWork
from civic_contracts import Envelope

from civic_comms.briefing import service
from civic_comms.briefing.domain import (
    BRIEFED_EVENTS,
    ReactionDraft,
    press_release_for_annual_report,
    staff_notice_for_closure,
    staff_notice_for_move,
)

#: events that also get a draft for the team to finish, keyed by type
DRAFTS: dict[str, Callable[..., ReactionDraft]] = {
    "property.building.closure_planned": staff_notice_for_closure,
    "property.move.planned": staff_notice_for_move,
    "safeguarding.annual_report.published": press_release_for_annual_report,
}


async def on_event(event: Envelope, uow: UnitOfWork) -> None:
    # validate against the contract model, then work on its JSON form (what the domain reads)
    data = event.parsed().model_dump(mode="json")
    if event.type in BRIEFED_EVENTS:
        await service.brief_event(uow, event.id, event.type, data, event.time)
    if event.type in DRAFTS:
        await service.draft_reaction(uow, DRAFTS[event.type](data))


HANDLERS: dict[str, Handler] = {event_type: on_event for event_type in (*BRIEFED_EVENTS, *DRAFTS)}
