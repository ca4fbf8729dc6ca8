"""Events published by the savings service to `savings.events.v1`.

Every initiative event carries the same identifying fields (id, title, theme, directorate,
programme) so a consumer such as the councillor briefing can write its line without calling back.
Money is integer pence; dates are ``datetime.date``.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from civic_contracts.envelope import EventData

__all__ = [
    "DisaggregationSlipped",
    "HighlightReportIssued",
    "InitiativeApproved",
    "InitiativeDelivered",
    "InitiativeMarkedUndeliverable",
    "InitiativeProposed",
    "InitiativeRejected",
    "InitiativeSavingRealised",
    "InitiativeSlipped",
    "MilestoneMissed",
    "PaybackMoved",
    "RealisedYear",
    "RiskRaisedToRed",
    "ServiceDisaggregated",
    "TargetPassed",
]


class _InitiativeEvent(EventData, aggregate_id_field="initiative_id"):
    """Fields shared by every initiative event (not itself an event type)."""

    initiative_id: str
    title: str
    #: one of the six savings themes, e.g. ``redesign_reorganisation``
    theme: str
    directorate: str
    #: e.g. ``"LGR"``, ``"Survive to Thrive"``, ``"Property rationalisation"``
    programme: str | None = None


class InitiativeProposed(_InitiativeEvent, event_type="savings.initiative.proposed"):
    """A savings initiative entered the pipeline with a planned profile."""

    #: total planned across every year of the profile
    planned_pence: int


class InitiativeApproved(_InitiativeEvent, event_type="savings.initiative.approved"):
    """A proposed initiative was approved (e.g. at a Star Chamber session)."""

    approved_by: str
    approved_on: date


class InitiativeDelivered(_InitiativeEvent, event_type="savings.initiative.delivered"):
    """An initiative was delivered; a building closure or disposal names its building."""

    #: total delivered across every year (the actuals)
    delivered_pence: int
    #: set when the saving is the closure or disposal of a building in the property service
    building_id: str | None = None


class RealisedYear(BaseModel):
    """What a realised saving adds to one financial year's delivered figure."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    year: str
    amount_pence: int


class InitiativeSavingRealised(_InitiativeEvent, event_type="savings.initiative.saving_realised"):
    """A building's closure or disposal realised the saving of the initiative that planned it."""

    building_id: str
    building_name: str
    #: the day the building closed (or was disposed of, when no closure came first)
    realised_on: date
    annual_running_cost_pence: int
    #: the part of a year in the closure year, the rest of the full amount in the next (years with nothing left out)
    realised: list[RealisedYear]
    #: what this closure added to the initiative's delivered figure (the annual running cost)
    realised_pence: int
    #: the initiative's total delivered across every year, now
    delivered_pence: int


class InitiativeMarkedUndeliverable(_InitiativeEvent, event_type="savings.initiative.marked_undeliverable"):
    """An initiative was judged undeliverable; the reason says why."""

    reason: str


class InitiativeRejected(_InitiativeEvent, event_type="savings.initiative.rejected"):
    """A proposal was rejected (e.g. at a Star Chamber session); it leaves the pipeline and the reports."""

    rejected_by: str
    rejected_on: date
    reason: str
    #: the total planned across every year of the profile, which no longer counts anywhere
    planned_pence: int


class InitiativeSlipped(_InitiativeEvent, event_type="savings.initiative.slipped"):
    """The unmet part of one year's saving moved to a later financial year."""

    from_year: str
    to_year: str
    amount_pence: int


class TargetPassed(EventData, event_type="savings.target.passed", aggregate_id_field="name"):
    """A programme's delivered plus anticipated savings first reached its target."""

    #: the target's name, which is the programme's name (e.g. ``"LGR"``)
    name: str
    target_pence: int
    delivered_pence: int
    anticipated_pence: int


class PaybackMoved(EventData, event_type="savings.programme.payback_moved", aggregate_id_field="programme"):
    """The financial year in which a programme's savings first pay back its investment moved (or was first
    reached, or is no longer reached)."""

    #: the programme's name (e.g. ``"LGR"``)
    programme: str
    #: the payback year now (e.g. ``"2023/24"``); None when the cumulative net benefit never reaches nought
    payback_year: str | None = None
    #: the payback year before the change; None when there was none
    previous_payback_year: str | None = None
    #: the programme's investment (its cost of change), all years
    investment_pence: int
    #: the programme's savings as a payback counts them (delivered plus anticipated), all years
    savings_pence: int


class RiskRaisedToRed(EventData, event_type="savings.risk.raised_to_red", aggregate_id_field="risk_id"):
    """An item of a programme's RAID log (a risk, assumption, issue or dependency) was rated red: recorded so,
    or amended from amber or green."""

    #: the RAID item's id (its title and owner stay in the register: an event carries ids)
    risk_id: str
    #: ``risk``, ``assumption``, ``issue`` or ``dependency``
    kind: str
    programme: str | None = None
    #: set for an initiative's item
    initiative_id: str | None = None
    #: 1 to 5 each; the score is their product
    likelihood: int
    impact: int
    score: int
    #: the rating before (``green`` or ``amber``); None when it was recorded red
    previous_rating: str | None = None


class MilestoneMissed(EventData, event_type="savings.milestone.missed", aggregate_id_field="milestone_id"):
    """A milestone of an initiative's delivery plan is still planned after its due date: announced once per
    milestone and due date (a milestone re-dated is announced again for its new date)."""

    #: the milestone's id (its owner stays in the register: an event carries ids)
    milestone_id: str
    initiative_id: str
    #: the initiative's programme (e.g. ``"LGR"``); None when it belongs to none
    programme: str | None = None
    #: what was to happen, e.g. ``"Consultation with staff closes"``
    title: str
    due_on: date
    #: days from the due date to the day the check found it missed (at least 1)
    days_overdue: int


class HighlightReportIssued(EventData, event_type="savings.highlight_report.issued", aggregate_id_field="report_id"):
    """A programme's monthly highlight report was issued to its board: kept as generated, with its RAG and
    direction of travel."""

    #: the issued report's id (who issued it stays in the register: an event carries ids)
    report_id: str
    programme: str
    #: ``YYYY-MM``
    month: str
    #: ``green``, ``amber`` or ``red``; None when none of its delivering initiatives is rated
    rag: str | None = None
    #: ``improving``, ``unchanged`` or ``worsening`` against last month; None when either RAG is unknown
    direction: str | None = None


class ServiceDisaggregated(EventData, event_type="savings.service.disaggregated", aggregate_id_field="shared_service_id"):
    """A service one council hosted or led for the other was disaggregated: each council now runs its own."""

    #: the shared service's id (what it is, its councils and dates stay in the register: an event carries ids)
    shared_service_id: str


class DisaggregationSlipped(EventData, event_type="savings.disaggregation.slipped", aggregate_id_field="shared_service_id"):
    """A shared service's disaggregation slipped: its planned date moved later, or the split was deferred."""

    #: the shared service's id (its planned dates stay in the register: an event carries ids)
    shared_service_id: str
