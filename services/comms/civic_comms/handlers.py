"""Events from the other services -> the councillor briefing and draft content.

The one registry of what comms reacts to (``REACTIONS``): each event it is told of becomes an item in
the week's briefing, in the words the briefing domain gives it, and some also get a draft for the team
to finish (a staff notice, a press release). Each row names the event's contract class; the handler gets
the event parsed into it, and mypy checks that the words and the draft read only what the class has.

A board decision that authorises a content item (``authorises_content_id``) also records the
safeguarding board's sign-off on it (``board_sign_off``): the board authorises its own media
communications, and this is the only way its sign-off is recorded. When the content cannot take it (no
such content, no board's sign-off needed, published, or signed off already) nothing is recorded and a
warning is logged; the event is handled all the same, never dead-lettered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from civic.subscriptions import Received, Subscriptions
from civic.uow import UnitOfWork
from civic_contracts import EventData
from civic_contracts.property import (
    BuildingClosed,
    BuildingClosurePlanned,
    BuildingDisposed,
    LeaseBreakFlagged,
    LeaseExpiryFlagged,
    MovePlanned,
)
from civic_contracts.safeguarding import AnnualReportPublished, DecisionRecorded
from civic_contracts.savings import (
    InitiativeDelivered,
    InitiativeSavingRealised,
    InitiativeSlipped,
    MilestoneMissed,
    PaybackMoved,
    RiskRaisedToRed,
    TargetPassed,
)

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
from civic_comms.content import service as content_service
from civic_comms.content.domain import BoardAuthorisation

E = TypeVar("E", bound=EventData)


@dataclass(frozen=True)
class Reaction(Generic[E]):
    """What comms does with events of one contract class: a briefing item in these words, a draft, or both;
    and anything else the event asks of comms (``also``), in the same unit of work."""

    event: type[E]
    words: Callable[[E], Words] | None = None
    draft: Callable[[E], ReactionDraft] | None = None
    also: Callable[[E, UnitOfWork, Received], Awaitable[None]] | None = None

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
        if self.also is not None:
            await self.also(event, uow, received)


async def board_sign_off(event: DecisionRecorded, uow: UnitOfWork, received: Received) -> None:
    """The safeguarding board's sign-off on the content item its decision authorises (if it names one),
    signed when the decision was recorded in safeguarding (the event's time)."""
    if event.authorises_content_id is None:
        return
    decision = BoardAuthorisation(
        decision_id=event.decision_id,
        board_id=event.board_id,
        board_name=event.board_name,
        outcome=event.outcome,
        decided_on=event.decided_on,
    )
    await content_service.record_board_authorisation(
        uow, event.authorises_content_id, decision, received.time.astimezone(UTC)
    )


REACTIONS: tuple[Reaction[Any], ...] = (
    Reaction(BuildingClosurePlanned, briefing.planned_closure_words, staff_notice_for_closure),
    Reaction(BuildingClosed, briefing.closure_words),
    Reaction(BuildingDisposed, briefing.disposal_words),
    Reaction(MovePlanned, draft=staff_notice_for_move),
    Reaction(InitiativeDelivered, briefing.delivered_saving_words),
    Reaction(InitiativeSavingRealised, briefing.realised_saving_words),
    Reaction(InitiativeSlipped, briefing.slipped_saving_words),
    Reaction(TargetPassed, briefing.passed_target_words),
    # the programme office's signals councillors are told of: where the investment pays back, a red risk,
    # and the dates in the council's leases a closure decision depends on
    Reaction(PaybackMoved, briefing.payback_words),
    Reaction(RiskRaisedToRed, briefing.red_risk_words),
    Reaction(MilestoneMissed, briefing.missed_milestone_words),
    Reaction(LeaseBreakFlagged, briefing.lease_break_words),
    Reaction(LeaseExpiryFlagged, briefing.lease_expiry_words),
    Reaction(DecisionRecorded, briefing.decision_words, also=board_sign_off),
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
