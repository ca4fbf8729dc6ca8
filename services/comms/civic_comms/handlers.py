"""Events from the other services -> the councillor briefing and draft content.

The one registry of what comms reacts to (``REACTIONS``): each event it is told of becomes an item in
the week's briefing, in the words the briefing domain gives it, and some also get a draft for the team
to finish (a staff notice, a press release). Each row names the event's contract class; the handler gets
the event parsed into it, and mypy checks that the words and the draft read only what the class has.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from civic.subscriptions import Received, Subscriptions
from civic.uow import UnitOfWork
from civic_contracts import EventData
from civic_contracts.property import BuildingClosed, BuildingClosurePlanned, BuildingDisposed, MovePlanned
from civic_contracts.safeguarding import AnnualReportPublished, DecisionRecorded
from civic_contracts.savings import InitiativeDelivered, InitiativeSavingRealised, InitiativeSlipped, TargetPassed

from civic_comms.briefing import domain as briefing
from civic_comms.briefing import service
from civic_comms.briefing.domain import (
    BriefingItem,
    ReactionDraft,
    Words,
    press_release_for_annual_report,
    staff_notice_for_closure,
    staff_notice_for_move,
)

E = TypeVar("E", bound=EventData)


@dataclass(frozen=True)
class Reaction(Generic[E]):
    """What comms does with events of one contract class: a briefing item in these words, a draft, or both."""

    event: type[E]
    words: Callable[[E], Words] | None = None
    draft: Callable[[E], ReactionDraft] | None = None

    def item(self, event: E, occurred_at: datetime) -> BriefingItem | None:
        """The briefing item for the event, if it is one councillors are told of."""
        if self.words is None:
            return None
        return briefing.item_from_event(self.event.event_type, self.words(event), occurred_at)

    async def __call__(self, event: E, uow: UnitOfWork, received: Received) -> None:
        item = self.item(event, received.time.astimezone(UTC))
        if item is not None:
            await service.brief_event(uow, received.id, item)
        if self.draft is not None:
            await service.draft_reaction(uow, self.draft(event))


REACTIONS: tuple[Reaction[Any], ...] = (
    Reaction(BuildingClosurePlanned, briefing.planned_closure_words, staff_notice_for_closure),
    Reaction(BuildingClosed, briefing.closure_words),
    Reaction(BuildingDisposed, briefing.disposal_words),
    Reaction(MovePlanned, draft=staff_notice_for_move),
    Reaction(InitiativeDelivered, briefing.delivered_saving_words),
    Reaction(InitiativeSavingRealised, briefing.realised_saving_words),
    Reaction(InitiativeSlipped, briefing.slipped_saving_words),
    Reaction(TargetPassed, briefing.passed_target_words),
    Reaction(DecisionRecorded, briefing.decision_words),
    Reaction(AnnualReportPublished, briefing.annual_report_words, press_release_for_annual_report),
)

#: the event types that make a briefing item
BRIEFED_EVENTS = tuple(r.event.event_type for r in REACTIONS if r.words is not None)

HANDLERS = Subscriptions()
for _reaction in REACTIONS:
    HANDLERS.add(_reaction.event, _reaction)


def briefing_item(event: EventData, occurred_at: datetime) -> BriefingItem | None:
    """The briefing item comms makes of an event (None for one it is not told of): its words, without a database."""
    reaction = next((r for r in REACTIONS if r.event is type(event)), None)
    return reaction.item(event, occurred_at) if reaction is not None else None
