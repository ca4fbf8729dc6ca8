"""Events published by the property service to `property.events.v1`.

Buildings are keyed by ``building_id`` and moves by ``move_id``, so one building's (or one
move's) events stay in order on the topic. Money is integer pence, carbon whole kilograms.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from civic_contracts.envelope import EventData

__all__ = [
    "AffectedTeam",
    "BuildingClosed",
    "BuildingClosurePlanned",
    "BuildingDisposed",
    "LeaseBreakFlagged",
    "LeaseExpiryFlagged",
    "LowUtilisationDetected",
    "MoveCompleted",
    "MovePlanned",
]


class AffectedTeam(BaseModel):
    """A team still based in a building when its closure is planned (comms drafts a staff notice)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    team_id: str
    name: str
    directorate: str


class BuildingClosurePlanned(EventData, event_type="property.building.closure_planned", aggregate_id_field="building_id"):
    """A building is to close on a planned date; the teams still in it must move."""

    building_id: str
    name: str
    town: str
    closure_date: date
    teams: list[AffectedTeam]


class BuildingClosed(EventData, event_type="property.building.closed", aggregate_id_field="building_id"):
    """A building has closed: its annual running cost and carbon are saved from then on."""

    building_id: str
    name: str
    town: str
    closed_on: date
    annual_running_cost_pence: int
    annual_carbon_kg: int


class BuildingDisposed(EventData, event_type="property.building.disposed", aggregate_id_field="building_id"):
    """A building has left the estate by sale, lease or transfer, with its receipt."""

    building_id: str
    name: str
    town: str
    disposed_on: date
    method: Literal["sale", "lease", "transfer"]
    receipt_pence: int
    annual_running_cost_pence: int
    annual_carbon_kg: int


class _MoveEvent(EventData, aggregate_id_field="move_id"):
    """Fields shared by every move event (not itself an event type)."""

    move_id: str
    team_id: str
    team_name: str
    directorate: str
    from_building_id: str
    from_building_name: str
    to_building_id: str
    to_building_name: str
    planned_for: date


class MovePlanned(_MoveEvent, event_type="property.move.planned"):
    """A team is planned to move to another building."""


class MoveCompleted(_MoveEvent, event_type="property.move.completed"):
    """A team has moved: its home building is now the destination."""

    completed_on: date


class LowUtilisationDetected(
    EventData, event_type="property.building.low_utilisation_detected", aggregate_id_field="building_id"
):
    """A building's mean desk utilisation over a period fell below the threshold."""

    building_id: str
    name: str
    period_from: date
    period_to: date
    mean_utilisation: float
    threshold: float


class _LeaseDateEvent(EventData, aggregate_id_field="building_id"):
    """Fields shared by the lease events (not itself an event type): the building, the lease it is held on,
    and the day the date came within the review's horizon (18 months) and was flagged, once per lease and date."""

    building_id: str
    name: str
    town: str
    building_status: str
    landlord: str
    annual_rent_pence: int
    expires_on: date
    flagged_on: date
    days_until: int


class LeaseBreakFlagged(_LeaseDateEvent, event_type="property.lease.break_flagged"):
    """A break date of a lease the council holds is approaching (within 18 months): a closure decision
    depends on it; flagged once per lease and date."""

    break_on: date
    notice_months: int | None
    notice_by: date | None


class LeaseExpiryFlagged(_LeaseDateEvent, event_type="property.lease.expiry_flagged"):
    """A lease the council holds is approaching its expiry (within 18 months); flagged once per lease and date."""
