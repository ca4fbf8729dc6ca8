"""Desk demand, move plan and rationalisation reports against hand-computed figures."""

from __future__ import annotations

from datetime import date

import pytest
from civic_property.buildings.domain import (
    CLOSED,
    CLOSURE_PLANNED,
    DISPOSED,
    Building,
    EnergyMeasure,
    PartnerOccupant,
)
from civic_property.figures import default_years, desk_demand, move_plan, rationalisation, saved_in_year
from civic_property.teams.domain import DeskRatios, Move, Team, Workforce

from .conftest import office as building


def team(id, name, directorate, building_id, **workforce) -> Team:
    return Team(id, name, directorate, building_id, Workforce(**workforce))


# --- desk demand ----------------------------------------------------------------------------


def test_the_estate_needs_a_third_of_its_desks():
    # DOMAIN.md: with flexible working the council needs only a third of its current desk space.
    # 300 staff, one desk each today; 16 fixed + 50 part flexible + 150 flexible + 84 field
    # need 16 + 30 + 45 + 8.4 = 99.4 → 100 desks of 300.
    buildings = [building("oas", "One Angel Square", desks=200), building("gh", "The Guildhall", desks=100)]
    teams = [
        team(
            "t1",
            "Revenues and Benefits",
            "Corporate",
            "oas",
            fixed=16,
            part_flexible=50,
            flexible=150,
            field=84,
        )
    ]
    report = desk_demand(buildings, teams, DeskRatios(), [])
    assert report["estate"]["desks"] == 300
    assert report["estate"]["headcount"] == 300
    assert report["estate"]["desks_needed"] == 100
    assert report["estate"]["surplus_desks"] == 200
    assert report["estate"]["needed_share"] == 0.3333
    rows = {r["name"]: r for r in report["buildings"]}
    assert rows["One Angel Square"]["desks_needed"] == 100
    assert rows["The Guildhall"]["desks_needed"] == 0


def test_desk_demand_counts_planned_moves_and_ignores_closed_buildings():
    buildings = [
        building("oas", "One Angel Square", desks=60),
        building("lr", "Lodge Road", desks=80),
        building("old", "Old Depot", desks=500, status=CLOSED, closed_on=date(2022, 1, 1)),
    ]
    teams = [
        team("t1", "People", "People", "oas", fixed=30),  # 30 desks
        team("t2", "HR", "Corporate", "lr", fixed=10, flexible=10),  # 10 + 3 = 13 desks
    ]
    moves = [Move("m1", "t2", "lr", "oas", date(2023, 9, 1))]
    report = desk_demand(buildings, teams, DeskRatios(), moves)
    assert report["estate"]["desks"] == 140
    assert report["estate"]["desks_needed"] == 43
    rows = {r["building_id"]: r for r in report["buildings"]}
    assert set(rows) == {"oas", "lr"}
    assert (rows["oas"]["desks_committed"], rows["oas"]["surplus_desks_after_moves"]) == (43, 17)
    assert (rows["lr"]["planned_out_desks"], rows["lr"]["desks_needed_after_moves"]) == (13, 0)


# --- move plan ------------------------------------------------------------------------------


def test_the_move_plan_groups_by_directorate_and_destination():
    buildings = {
        "lr": building("lr", "Lodge Road"),
        "oas": building("oas", "One Angel Square"),
        "gh": building("gh", "The Guildhall"),
    }
    teams = {
        "t1": team("t1", "Adults", "People", "lr", fixed=10),
        "t2": team("t2", "Children's Trust", "People", "lr", flexible=10),
        "t3": team("t3", "Legal and Democratic", "Corporate", "lr", fixed=4),
    }
    moves = [
        Move("m1", "t1", "lr", "oas", date(2023, 2, 1), status="completed", completed_on=date(2023, 2, 3)),
        Move("m2", "t2", "lr", "oas", date(2023, 3, 1)),
        Move("m3", "t3", "lr", "gh", date(2023, 3, 1)),
    ]
    plan = move_plan(moves, teams, buildings, DeskRatios())
    assert [d["directorate"] for d in plan["directorates"]] == ["Corporate", "People"]
    people = plan["directorates"][1]
    assert (people["planned"], people["completed"]) == (1, 1)
    assert people["destinations"] == [
        {"building_id": "oas", "name": "One Angel Square", "teams": 2, "desks": 13}
    ]
    assert plan["directorates"][0]["moves"][0]["to_building_name"] == "The Guildhall"


# --- rationalisation ------------------------------------------------------------------------

LODGE_ROAD_COST = 50_000_000  # £500k a year (DOMAIN.md: "£500k a year at first")
SECOND_COST = 25_000_000  # £250k more, "rising to £750k a year by the end of 2023"


def estate() -> list[Building]:
    lodge = building(
        "lr",
        "Lodge Road",
        desks=150,
        cost=LODGE_ROAD_COST,
        carbon=180_000,
        status=DISPOSED,
        closed_on=date(2023, 3, 31),
        disposed_on=date(2024, 6, 30),
        disposal_method="sale",
        receipt_pence=120_000_000,
    )
    second = building(
        "x",
        "Second Office",
        desks=60,
        cost=SECOND_COST,
        carbon=40_000,
        status=CLOSED,
        closed_on=date(2023, 12, 31),
    )
    abbey = building(
        "ab",
        "The Abbey Centre",
        desks=40,
        cost=20_000_000,
        carbon=60_000,
        partners=[PartnerOccupant("Group A", 600_000), PartnerOccupant("Group B", 400_000)],
        energy_measures=[EnergyMeasure("led", 300_000, 2_000, installed_on=date(2023, 10, 1))],
    )
    county = building(
        "ch",
        "County Hall",
        desks=400,
        cost=90_000_000,
        carbon=500_000,
        status=CLOSURE_PLANNED,
        closure_date=date(2025, 3, 31),
    )
    ancient = building(
        "old", "Long Gone", desks=10, cost=1_000_000, status=DISPOSED, closed_on=date(2019, 1, 1)
    )
    return [lodge, second, abbey, county, ancient]


def test_rationalisation_year_by_year_against_hand_computed_figures():
    report = rationalisation(estate(), "2022/23", "2024/25")
    # baseline: everything not closed before 1 April 2022 (Long Gone is out)
    assert report["before"] == {
        "buildings": 4,
        "desks": 650,
        "annual_running_cost_pence": 185_000_000,
        "annual_carbon_kg": 780_000,
    }
    y22, y23, y24 = report["years"]

    # 2022/23: Lodge Road closed on 31 March 2023: the run rate is £500k, nothing saved in-year yet
    assert y22["annual_running_cost_saved_pence"] == 50_000_000
    assert y22["in_year_running_cost_saved_pence"] == 0
    assert [c["name"] for c in y22["closed_in_year"]] == ["Lodge Road"]
    assert y22["after"]["desks"] == 500

    # 2023/24 (366 days): the second office closed 31 Dec 2023 → run rate £750k;
    # in-year: Lodge Road all year + 91/366 of £250k = 50,000,000 + 6,215,846
    assert y23["annual_running_cost_saved_pence"] == 75_000_000
    assert y23["in_year_running_cost_saved_pence"] == 50_000_000 + 25_000_000 * 91 // 366
    assert y23["in_year_running_cost_saved_pence"] == 56_215_846
    assert y23["annual_carbon_saved_kg"] == 220_000
    assert y23["in_year_carbon_saved_kg"] == 180_000 + 40_000 * 91 // 366
    assert y23["desks_removed"] == 210
    assert y23["energy_measure_saving_pence"] == 300_000
    assert y22["energy_measure_saving_pence"] == 0  # LEDs went in October 2023

    # 2024/25: County Hall is planned to close on 31 March 2025 → anticipated; Lodge Road sold
    assert y24["in_year_running_cost_saved_pence"] == 75_000_000
    assert y24["anticipated_annual_running_cost_saved_pence"] == 165_000_000
    assert y24["anticipated_annual_carbon_saved_kg"] == 720_000
    assert y24["disposal_receipts_pence"] == 120_000_000
    assert [d["name"] for d in y24["disposed_in_year"]] == ["Lodge Road"]

    assert all(y["partner_rental_income_pence"] == 1_000_000 for y in report["years"])
    assert report["totals"] == {
        "in_year_running_cost_saved_pence": 131_215_846,
        "in_year_carbon_saved_kg": 180_000 + 40_000 * 91 // 366 + 220_000,
        "disposal_receipts_pence": 120_000_000,
    }


def test_closing_mid_year_saves_pro_rata_from_the_day_after():
    # closed on 30 September 2023: saved 1 Oct 2023 .. 31 Mar 2024 = 183 of 366 days
    b = building("b", "B", cost=36_600, status=CLOSED, closed_on=date(2023, 9, 30))
    (year,) = rationalisation([b], "2023/24", "2023/24")["years"]
    assert year["in_year_running_cost_saved_pence"] == 18_300


@pytest.mark.parametrize(
    ("closed_on", "year", "saved"),
    [
        # closed on 1 April 2023: 365 of 2023/24's 366 days saved, the full amount from 2024/25
        (date(2023, 4, 1), "2023/24", 36_600 * 365 // 366),
        (date(2023, 4, 1), "2024/25", 36_600),
        (date(2023, 4, 1), "2022/23", 0),
        # mid-year: 1 October 2023 to 31 March 2024, 183 of 366 days
        (date(2023, 9, 30), "2023/24", 18_300),
        (date(2023, 9, 30), "2025/26", 36_600),
        # on 31 March: it ran that day, so nothing in 2022/23 and the full amount from 2023/24
        (date(2023, 3, 31), "2022/23", 0),
        (date(2023, 3, 31), "2023/24", 36_600),
    ],
)
def test_a_closure_saves_part_of_its_year_then_the_full_amount(closed_on, year, saved):
    assert saved_in_year(36_600, closed_on, year) == saved


def test_partners_who_moved_in_add_to_the_rationalisation_saving():
    # seed 001: £500k a year initially (Lodge Road, closed 31 March 2023), rising to £750k a year by the
    # end of 2023 (partners co-locating at One Angel Square: "will also reduce WNC's costs")
    lodge = building("lr", "Lodge Road", cost=LODGE_ROAD_COST, status=CLOSED, closed_on=date(2023, 3, 31))
    oas = building(
        "oas",
        "One Angel Square",
        cost=240_000_000,
        partners=[
            PartnerOccupant("Health and care partners", 25_000_000, since=date(2023, 11, 1)),
            PartnerOccupant("Already there", 1_000_000),
        ],
    )
    y22, y23 = rationalisation([lodge, oas], "2022/23", "2023/24")["years"]
    assert (y22["annual_saving_pence"], y23["annual_saving_pence"]) == (50_000_000, 75_000_000)
    assert (y22["partner_rent_gained_pence"], y23["partner_rent_gained_pence"]) == (0, 25_000_000)
    # rent counts from the day the partner moved in
    assert (y22["partner_rental_income_pence"], y23["partner_rental_income_pence"]) == (1_000_000, 26_000_000)
    # a partner who moved in before the first year shown is part of the baseline, not a gain
    (later,) = rationalisation([lodge, oas], "2024/25", "2024/25")["years"]
    assert later["partner_rent_gained_pence"] == 0


def test_default_years_run_from_the_first_closure_to_the_last_plan():
    assert default_years(estate(), date(2023, 6, 1)) == ("2018/19", "2024/25")
    assert default_years([], date(2023, 6, 1)) == ("2023/24", "2023/24")
