"""Buildings: registration rules and the lifecycle (no servers)."""

from __future__ import annotations

from datetime import date

import pytest
from civic import calendar
from civic.errors import Invalid, Refused
from civic_property.buildings.domain import (
    BUILDING_STATUSES,
    BUILDING_TRANSITIONS,
    CLOSED,
    CLOSURE_PLANNED,
    DISPOSED,
    FOR_DISPOSAL,
    MARKET_ENGAGEMENT,
    OPERATIONAL,
    Building,
    EnergyMeasure,
    PartnerOccupant,
)
from civic_property.domain import (
    financial_year_bounds,
    financial_year_of,
    financial_year_start,
    financial_years,
)

TODAY = date(2023, 6, 1)


def building(**overrides) -> Building:
    fields = {
        "name": "Lodge Road",
        "town": "Daventry",
        "kind": "office",
        "desks": 120,
        "tenure": "freehold",
        "annual_running_cost_pence": 50_000_000,
        "annual_utility_cost_pence": 12_000_000,
        "annual_carbon_kg": 180_000,
    }
    fields.update(overrides)
    return Building.register("b1", **fields)


def fields_of(exc: pytest.ExceptionInfo) -> list[str]:
    return [e["field"] for e in exc.value.errors]


# --- registration ---------------------------------------------------------------------------


def test_a_valid_building_starts_operational():
    b = building(partners=[PartnerOccupant("Daventry Volunteer Centre", 1_200_000)])
    assert b.status == OPERATIONAL
    assert b.partner_rent_pence == 1_200_000
    assert b.in_use


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"desks": -1}, "desks"),
        ({"annual_running_cost_pence": -5}, "annual_running_cost_pence"),
        ({"annual_utility_cost_pence": -5}, "annual_utility_cost_pence"),
        ({"annual_carbon_kg": -1}, "annual_carbon_kg"),
        ({"floor_area_m2": -10}, "floor_area_m2"),
        ({"kind": "castle"}, "kind"),
        ({"tenure": "squatted"}, "tenure"),
        ({"name": "   "}, "name"),
        ({"town": ""}, "town"),
        ({"desks": 1.5}, "desks"),
        ({"annual_utility_cost_pence": 60_000_000}, "annual_utility_cost_pence"),
        ({"partners": [PartnerOccupant("", 10)]}, "partners.0.name"),
        ({"partners": [PartnerOccupant("A", -10)]}, "partners.0.annual_rent_pence"),
        ({"partners": [PartnerOccupant("A", 1), PartnerOccupant("a ", 2)]}, "partners.1.name"),
        ({"energy_measures": [EnergyMeasure("wind", 1, 1)]}, "energy_measures.0.kind"),
        (
            {"energy_measures": [EnergyMeasure("led", -1, 1)]},
            "energy_measures.0.expected_annual_saving_pence",
        ),
        ({"energy_measures": [EnergyMeasure("solar", 1, -1)]}, "energy_measures.0.expected_carbon_saving_kg"),
    ],
)
def test_bad_building_fields_are_refused(overrides, field):
    with pytest.raises(Invalid) as exc:
        building(**overrides)
    assert field in fields_of(exc)


def test_every_bad_field_is_reported_at_once():
    with pytest.raises(Invalid) as exc:
        building(desks=-1, annual_running_cost_pence=-1, kind="castle")
    assert set(fields_of(exc)) >= {"desks", "annual_running_cost_pence", "kind"}


def test_amend_revalidates_and_never_touches_the_lifecycle():
    b = building()
    assert b.amend(desks=100).desks == 100
    assert b.desks == 120  # the original is unchanged
    with pytest.raises(Invalid):
        b.amend(desks=-3)
    with pytest.raises(Invalid) as exc:
        b.amend(status=CLOSED)
    assert fields_of(exc) == ["status"]


# --- lifecycle ------------------------------------------------------------------------------

ALL_PAIRS = [(a, b) for a in BUILDING_STATUSES for b in BUILDING_STATUSES]
ALLOWED = {(a, b) for a, targets in BUILDING_TRANSITIONS.items() for b in targets}


def at(status: str) -> Building:
    b = building()
    b.status = status
    if status in (CLOSED, FOR_DISPOSAL, DISPOSED):
        b.closed_on = date(2023, 3, 31)
    return b


def args_for(to: str) -> dict:
    if to == CLOSURE_PLANNED:
        return {"on": date(2023, 9, 30)}
    if to == DISPOSED:
        return {"method": "sale", "receipt_pence": 1_000_000_00, "on": date(2023, 5, 1)}
    return {}


@pytest.mark.parametrize(("source", "target"), ALL_PAIRS)
def test_only_the_listed_transitions_are_allowed(source, target):
    b = at(source)
    if (source, target) in ALLOWED:
        step = b.transition(target, today=TODAY, teams_based_here=[], **args_for(target))
        assert (step.from_status, step.to_status) == (source, target)
        assert b.status == target
    else:
        with pytest.raises(Refused) as exc:
            b.transition(target, today=TODAY, teams_based_here=[], **args_for(target))
        assert b.status == source
        assert exc.value.extra["current_status"] == source


def test_the_whole_way_from_operational_to_disposed():
    b = building()
    b.transition(CLOSURE_PLANNED, today=TODAY, on=date(2023, 3, 31))
    assert b.closure_date == date(2023, 3, 31)
    b.transition(CLOSED, today=TODAY, on=date(2023, 3, 31), teams_based_here=[])
    assert b.closed_on == date(2023, 3, 31)
    assert b.vacated_by(date(2023, 3, 31)) and not b.vacated_by(date(2023, 3, 30))
    b.transition(FOR_DISPOSAL, today=TODAY)
    step = b.transition(DISPOSED, today=TODAY, method="lease", receipt_pence=25_000_000)
    assert (b.status, b.disposal_method, b.receipt_pence, b.disposed_on) == (
        DISPOSED,
        "lease",
        25_000_000,
        TODAY,
    )
    assert step.on == TODAY


def test_closing_with_teams_still_based_there_is_refused_naming_them():
    b = at(CLOSURE_PLANNED)
    with pytest.raises(Refused) as exc:
        b.transition(CLOSED, today=TODAY, teams_based_here=["Planning", "Revenues and Benefits"])
    assert exc.value.extra["teams"] == ["Planning", "Revenues and Benefits"]
    assert "Planning" in exc.value.detail
    assert b.status == CLOSURE_PLANNED and b.closed_on is None


def test_disposal_straight_from_market_engagement_needs_the_teams_gone_and_counts_as_closing():
    b = building(name="County Hall")
    b.transition(MARKET_ENGAGEMENT, today=TODAY, on=date(2023, 4, 1))
    with pytest.raises(Refused):
        b.transition(FOR_DISPOSAL, today=TODAY, teams_based_here=["Children's Trust"])
    b.transition(FOR_DISPOSAL, today=TODAY, on=date(2023, 5, 2), teams_based_here=[])
    assert b.closed_on == date(2023, 5, 2)


def test_planning_a_closure_with_teams_is_allowed():
    b = building()
    b.transition(CLOSURE_PLANNED, today=TODAY, on=date(2024, 3, 31), teams_based_here=["Planning"])
    assert b.status == CLOSURE_PLANNED


def test_withdrawing_a_closure_plan_clears_the_date():
    b = building()
    b.transition(CLOSURE_PLANNED, today=TODAY, on=date(2024, 3, 31))
    b.transition(OPERATIONAL, today=TODAY)
    assert b.closure_date is None and b.status == OPERATIONAL


@pytest.mark.parametrize(
    ("source", "to", "kwargs", "field"),
    [
        (OPERATIONAL, CLOSURE_PLANNED, {}, "on"),
        (CLOSURE_PLANNED, CLOSED, {"on": date(2023, 6, 2)}, "on"),
        (CLOSED, FOR_DISPOSAL, {"on": date(2024, 1, 1)}, "on"),
        (FOR_DISPOSAL, DISPOSED, {"receipt_pence": 5}, "method"),
        (FOR_DISPOSAL, DISPOSED, {"method": "gift", "receipt_pence": 5}, "method"),
        (FOR_DISPOSAL, DISPOSED, {"method": "sale"}, "receipt_pence"),
        (FOR_DISPOSAL, DISPOSED, {"method": "sale", "receipt_pence": -1}, "receipt_pence"),
        (FOR_DISPOSAL, DISPOSED, {"method": "sale", "receipt_pence": 1, "on": date(2023, 3, 1)}, "on"),
        (FOR_DISPOSAL, DISPOSED, {"method": "sale", "receipt_pence": 1, "on": date(2023, 7, 1)}, "on"),
        (CLOSURE_PLANNED, CLOSED, {"method": "sale"}, "method"),
        (CLOSURE_PLANNED, CLOSED, {"receipt_pence": 3}, "receipt_pence"),
    ],
)
def test_transitions_with_bad_fields_change_nothing(source, to, kwargs, field):
    b = at(source)
    before = (b.status, b.closed_on, b.disposed_on, b.receipt_pence)
    with pytest.raises(Invalid) as exc:
        b.transition(to, today=TODAY, teams_based_here=[], **kwargs)
    assert field in fields_of(exc)
    assert (b.status, b.closed_on, b.disposed_on, b.receipt_pence) == before


def test_an_unknown_status_is_invalid_not_refused():
    with pytest.raises(Invalid):
        building().transition("demolished", today=TODAY)


def test_desks_of_a_closed_building_no_longer_change():
    with pytest.raises(Refused):
        at(CLOSED).amend(desks=10)


# --- financial years ------------------------------------------------------------------------


def test_financial_year_of_is_the_council_calendars():
    """April to March, as the calendar counts it: its cases are in tests/unit/runtime/test_calendar.py."""
    assert financial_year_of is calendar.financial_year_of


def test_financial_year_bounds_and_ranges():
    assert financial_year_bounds("2023/24") == (date(2023, 4, 1), date(2024, 3, 31))
    assert financial_years("2021/22", "2023/24") == ["2021/22", "2022/23", "2023/24"]
    assert financial_year_start("1999/00") == 1999


@pytest.mark.parametrize("bad", ["2023/25", "2023-24", "23/24", "2023/2024", "", "abcd/ef", "2023/4"])
def test_malformed_financial_years_are_invalid(bad):
    with pytest.raises(Invalid):
        financial_year_start(bad)


def test_a_backwards_range_is_invalid():
    with pytest.raises(Invalid):
        financial_years("2024/25", "2023/24")
