"""Teams, desk ratios and moves (no servers)."""

from __future__ import annotations

from datetime import date

import pytest
from civic.errors import Invalid, Refused
from civic_property.buildings.domain import CLOSED, CLOSURE_PLANNED, MARKET_ENGAGEMENT, Building
from civic_property.teams.domain import CANCELLED, COMPLETED, PLANNED, DeskRatios, Move, Team, Workforce

from .conftest import office

TODAY = date(2023, 6, 1)


def building(id="b1", name="One Angel Square", desks=100, status="operational") -> Building:
    return office(id, name, desks, cost=1, carbon=1, status=status, tenure="leasehold")


def team(building_id="b0", **workforce) -> Team:
    return Team.register(
        "t1", "Planning", "Place", building(id=building_id, name="Lodge Road"), Workforce(**workforce)
    )


# --- desk ratios ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("workforce", "desks"),
    [
        ({"fixed": 10, "part_flexible": 20, "flexible": 30, "field": 10}, 32),  # 10 + 12 + 9 + 1
        ({"field": 10}, 1),  # exactly one: 0.1 is kept exact, no 1.0000000000000002
        ({"field": 11}, 2),  # rounded up: a team zone has whole desks
        ({"flexible": 10}, 3),
        ({"part_flexible": 5}, 3),
        ({"fixed": 7}, 7),
    ],
)
def test_desks_a_team_needs_with_the_default_ratios(workforce, desks):
    assert DeskRatios().desks_for(Workforce(**workforce)) == desks


def test_custom_ratios():
    ratios = DeskRatios.checked(fixed=1, part_flexible=0.5, flexible=0.25, field=0)
    assert ratios.desks_for(Workforce(fixed=2, part_flexible=4, flexible=4, field=50)) == 5


@pytest.mark.parametrize(
    ("ratios", "field"),
    [
        ({"fixed": 1.2, "part_flexible": 0.6, "flexible": 0.3, "field": 0.1}, "fixed"),
        ({"fixed": 1, "part_flexible": -0.1, "flexible": 0.3, "field": 0.1}, "part_flexible"),
        ({"fixed": 1, "part_flexible": 0.6, "flexible": "lots", "field": 0.1}, "flexible"),
        ({"fixed": 1, "part_flexible": 0.6, "flexible": 0.3}, "field"),
        ({"fixed": 1, "part_flexible": 0.6, "flexible": 0.3, "field": 0.1, "mobile": 0.2}, "mobile"),
        ({"fixed": 1, "part_flexible": 0.6, "flexible": 0.3, "field": float("nan")}, "field"),
    ],
)
def test_bad_ratios_are_refused(ratios, field):
    with pytest.raises(Invalid) as exc:
        DeskRatios.checked(**ratios)
    assert field in [e["field"] for e in exc.value.errors]


# --- teams ----------------------------------------------------------------------------------


def test_a_team_is_based_in_a_building_in_use():
    t = Team.register("t1", " Planning ", "Place", building(status=MARKET_ENGAGEMENT), Workforce(fixed=3))
    assert (t.name, t.building_id, t.workforce.headcount) == ("Planning", "b1", 3)


@pytest.mark.parametrize(
    ("name", "directorate", "workforce", "field"),
    [
        ("", "Place", Workforce(fixed=1), "name"),
        ("Planning", " ", Workforce(fixed=1), "directorate"),
        ("Planning", "Place", Workforce(fixed=-1), "workforce.fixed"),
        ("Planning", "Place", Workforce(), "workforce"),
    ],
)
def test_bad_teams_are_refused(name, directorate, workforce, field):
    with pytest.raises(Invalid) as exc:
        Team.register("t1", name, directorate, building(), workforce)
    assert field in [e["field"] for e in exc.value.errors]


def test_no_team_can_be_based_in_a_closed_building():
    with pytest.raises(Refused):
        Team.register("t1", "Planning", "Place", building(status=CLOSED), Workforce(fixed=1))


# --- moves ----------------------------------------------------------------------------------


def plan(destination: Building, committed: int = 0, team_desks: int = 10, has_move: bool = False) -> Move:
    return Move.plan(
        "m1",
        team=team(fixed=team_desks),
        destination=destination,
        planned_for=date(2023, 9, 1),
        desks_committed_at_destination=committed,
        team_desks=team_desks,
        team_has_planned_move=has_move,
    )


def test_a_move_that_fits_is_planned():
    move = plan(building(desks=100), committed=90, team_desks=10)
    assert (move.status, move.from_building_id, move.to_building_id) == (PLANNED, "b0", "b1")


def test_a_move_that_needs_more_desks_than_the_destination_has_is_refused_with_the_numbers():
    with pytest.raises(Refused) as exc:
        plan(building(desks=100), committed=95, team_desks=10)
    assert exc.value.extra["needed"] == 105
    assert exc.value.extra["available"] == 100
    assert exc.value.extra["shortfall"] == 5
    assert "105" in exc.value.detail and "100" in exc.value.detail


@pytest.mark.parametrize(
    ("destination", "has_move"),
    [
        (building(status=CLOSURE_PLANNED), False),
        (building(status=MARKET_ENGAGEMENT), False),
        (building(id="b0"), False),  # already there
        (building(), True),  # a move already planned
    ],
)
def test_moves_that_a_rule_refuses(destination, has_move):
    with pytest.raises(Refused):
        plan(destination, has_move=has_move)


def test_completing_a_move_rehomes_the_team():
    t = team(fixed=5)
    dest = building()
    move = plan(dest)
    day = move.transition(COMPLETED, today=TODAY, on=date(2023, 5, 30), team=t, destination=dest)
    assert (day, move.status, move.completed_on, t.building_id) == (date(2023, 5, 30), COMPLETED, day, "b1")
    with pytest.raises(Refused):
        move.transition(CANCELLED, today=TODAY, on=None, team=t, destination=dest)


def test_a_move_cannot_complete_in_the_future_or_into_a_building_that_is_closing():
    t = team(fixed=5)
    dest = building()
    move = plan(dest)
    with pytest.raises(Invalid):
        move.transition(COMPLETED, today=TODAY, on=date(2023, 6, 2), team=t, destination=dest)
    dest.status = CLOSURE_PLANNED
    with pytest.raises(Refused):
        move.transition(COMPLETED, today=TODAY, on=None, team=t, destination=dest)
    assert move.status == PLANNED and t.building_id == "b0"


def test_a_cancelled_move_stays_cancelled_and_the_team_stays_put():
    t = team(fixed=5)
    dest = building()
    move = plan(dest)
    move.transition(CANCELLED, today=TODAY, on=None, team=t, destination=dest)
    assert t.building_id == "b0"
    with pytest.raises(Refused):
        move.transition(COMPLETED, today=TODAY, on=None, team=t, destination=dest)
    with pytest.raises(Invalid):
        move.transition("teleported", today=TODAY, on=None, team=t, destination=dest)
