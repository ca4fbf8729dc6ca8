"""Events published by the savings service to `savings.events.v1`.

Every initiative event carries the same identifying fields (id, title, theme, directorate,
programme) so a consumer such as the councillor briefing can write its line without calling back.
Money is integer pence; dates are ``datetime.date``.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from civic_contracts.envelope import EventData

__all__ = [
    "InitiativeApproved",
    "InitiativeDelivered",
    "InitiativeMarkedUndeliverable",
    "InitiativeProposed",
    "InitiativeSlipped",
    "TargetPassed",
]


class _InitiativeEvent(EventData):
    """Fields shared by every initiative event (not itself an event type)."""

    aggregate_id_field: ClassVar[str] = "initiative_id"

    initiative_id: str
    title: str
    #: one of the six savings themes, e.g. ``redesign_reorganisation``
    theme: str
    directorate: str
    #: e.g. ``"LGR"``, ``"Survive to Thrive"``, ``"Property rationalisation"``
    programme: str | None = None


class InitiativeProposed(_InitiativeEvent):
    event_type: ClassVar[str] = "savings.initiative.proposed"
    summary: ClassVar[str] = "A savings initiative entered the pipeline with a planned profile."

    #: total planned across every year of the profile
    planned_pence: int


class InitiativeApproved(_InitiativeEvent):
    event_type: ClassVar[str] = "savings.initiative.approved"
    summary: ClassVar[str] = "A proposed initiative was approved (e.g. at a Star Chamber session)."

    approved_by: str
    approved_on: date


class InitiativeDelivered(_InitiativeEvent):
    event_type: ClassVar[str] = "savings.initiative.delivered"
    summary: ClassVar[str] = "An initiative was delivered; a building closure or disposal names its building."

    #: total delivered across every year (the actuals)
    delivered_pence: int
    #: set when the saving is the closure or disposal of a building in the property service
    building_id: str | None = None


class InitiativeMarkedUndeliverable(_InitiativeEvent):
    event_type: ClassVar[str] = "savings.initiative.marked_undeliverable"
    summary: ClassVar[str] = "An initiative was judged undeliverable; the reason says why."

    reason: str


class InitiativeSlipped(_InitiativeEvent):
    event_type: ClassVar[str] = "savings.initiative.slipped"
    summary: ClassVar[str] = "The unmet part of one year's saving moved to a later financial year."

    from_year: str
    to_year: str
    amount_pence: int


class TargetPassed(EventData):
    event_type: ClassVar[str] = "savings.target.passed"
    aggregate_id_field: ClassVar[str] = "name"
    summary: ClassVar[str] = "A programme's delivered plus anticipated savings first reached its target."

    #: the target's name, which is the programme's name (e.g. ``"LGR"``)
    name: str
    target_pence: int
    delivered_pence: int
    anticipated_pence: int
