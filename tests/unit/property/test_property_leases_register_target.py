"""Leases, the Transparency Code's asset register and the rationalisation target: their rules (no servers)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from civic.errors import Invalid
from civic_property.asset_register.figures import COLUMNS, as_csv, register, tenure_category
from civic_property.buildings.domain import (
    CLOSED,
    CLOSURE_PLANNED,
    DISPOSED,
    Lease,
    LeaseBreak,
    MapReference,
    PartnerOccupant,
    add_months,
)
from civic_property.leases.domain import dates_due, horizon
from civic_property.target.domain import RationalisationTarget, TargetStep
from civic_property.target.figures import progress
from civic_property.teams.domain import Move

from tests.unit.property.conftest import office

K = 100


def lease(**overrides) -> Lease:
    fields = {
        "landlord": "Moat Lane Estates",
        "annual_rent_pence": 100_000 * K,
        "starts_on": date(2011, 9, 1),
        "expires_on": date(2032, 9, 30),
        "breaks": (LeaseBreak(date(2027, 9, 30), 6),),
    }
    fields.update(overrides)
    return Lease(**fields)


def errors_of(exc: pytest.ExceptionInfo[Invalid]) -> dict[str, str]:
    return {e["field"]: e["message"] for e in exc.value.errors}


# --- the register's fields and the lease -------------------------------------------------------


def test_a_leasehold_building_keeps_its_lease_and_register_fields():
    b = office(
        "f", "The Forum", cost=380_000 * K, tenure="leasehold", uprn="100031000003", asset_ref="WNC-A0003",
        street_name="Moat Lane", postcode="NN12 6AD", map_reference=MapReference(469270, 248640),
        interests_granted=["licence"], lease=lease(),
    )
    assert b.lease is not None and b.lease.breaks[0].notice_by == date(2027, 3, 30)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"uprn": "0123"}, "uprn"),
        ({"uprn": "1234567890123"}, "uprn"),
        ({"postcode": "nn1 1de"}, "postcode"),
        ({"postcode": "NN11DE"}, "postcode"),
        ({"map_reference": MapReference(800_000, 1)}, "map_reference.easting"),
        ({"interests_granted": ["licence", "licence"]}, "interests_granted.1"),
        ({"interests_granted": ["freehold"]}, "interests_granted.0"),
        ({"asset_ref": "  "}, "asset_ref"),
        ({"lease": lease()}, "lease"),  # a freehold building holds no lease
    ],
)
def test_bad_register_fields_are_refused(fields, field):
    with pytest.raises(Invalid) as exc:
        office("x", "X", cost=500_000 * K, **fields)
    assert field in errors_of(exc)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"annual_rent_pence": 600_000 * K}, "lease.annual_rent_pence"),  # more than the running cost
        ({"starts_on": date(2033, 1, 1)}, "lease.expires_on"),
        ({"breaks": (LeaseBreak(date(2033, 1, 1)),)}, "lease.breaks.0.on"),
        ({"breaks": (LeaseBreak(date(2010, 1, 1)),)}, "lease.breaks.0.on"),
        ({"breaks": (LeaseBreak(date(2027, 9, 30)), LeaseBreak(date(2027, 9, 30)))}, "lease.breaks.1.on"),
        ({"breaks": (LeaseBreak(date(2027, 9, 30), 121),)}, "lease.breaks.0.notice_months"),
        ({"landlord": " "}, "lease.landlord"),
    ],
)
def test_a_lease_that_does_not_hold_together_is_refused(changes, field):
    with pytest.raises(Invalid) as exc:
        office("x", "X", cost=500_000 * K, tenure="leasehold", lease=lease(**changes))
    assert field in errors_of(exc)


def test_changing_the_tenure_of_a_leasehold_building_needs_its_lease_emptied():
    b = office("f", "The Forum", cost=380_000 * K, tenure="leasehold", lease=lease())
    with pytest.raises(Invalid) as exc:
        b.amend(tenure="freehold")
    assert "lease" in errors_of(exc)
    assert b.amend(tenure="freehold", lease=None).lease is None


def test_months_are_added_as_a_lease_counts_them():
    assert add_months(date(2025, 8, 31), 18) == date(2027, 2, 28)
    assert add_months(date(2026, 8, 31), 18) == date(2028, 2, 29)
    assert add_months(date(2027, 9, 30), -6) == date(2027, 3, 30)
    assert horizon(date(2026, 12, 2)) == date(2028, 6, 2)
    with pytest.raises(Invalid):
        horizon(date(2026, 12, 2), 0)


def test_breaks_and_expiries_due_within_the_horizon_soonest_first():
    today = date(2026, 12, 2)
    forum = office("f", "The Forum", cost=380_000 * K, tenure="leasehold", lease=lease())
    short = office(
        "s", "Short Lease House", cost=90_000 * K, tenure="leasehold",
        lease=lease(annual_rent_pence=50_000 * K, starts_on=None, expires_on=date(2027, 4, 30), breaks=()),
    )
    gone = office("g", "Gone House", cost=90_000 * K, tenure="leasehold", status=DISPOSED,
                  lease=lease(annual_rent_pence=1, expires_on=date(2027, 5, 1), breaks=()))
    due = dates_due([forum, short, gone], today, horizon(today))
    assert [(d.building.name, d.kind, d.on) for d in due] == [
        ("Short Lease House", "expiry", date(2027, 4, 30)),
        ("The Forum", "break", date(2027, 9, 30)),
    ]
    row = due[1].as_row(today)
    assert (row["notice_by"], row["days_until"], row["expires_on"]) == ("2027-03-30", 302, "2032-09-30")
    assert due[1].flag_id == "f:break:2027-09-30"


# --- the asset register ------------------------------------------------------------------------


def test_tenure_category_in_the_codes_words():
    assert tenure_category(office("a", "A", interests_granted=["licence"])) == (
        "Occupied by the local authority; Licence"
    )
    assert tenure_category(office("b", "B", status=CLOSED)) == "Vacant"
    leased_out = office("c", "C", cost=10, tenure="leasehold", interests_granted=["lease", "ground_lease"])
    assert tenure_category(leased_out) == "Occupied by the local authority; Sub leasehold; Ground leasehold"


def test_the_register_lists_held_buildings_in_the_codes_layout():
    full = office(
        "a", "The Guildhall", uprn="100031000001", asset_ref="WNC-A0001", street_name="St Giles Square",
        postcode="NN1 1DE", map_reference=MapReference(475560, 260510),
    )
    bare = office("b", "Annexe")
    gone = office("c", "Old Depot", status=DISPOSED)
    report = register([full, bare, gone], "West Northamptonshire Council")
    assert [a["name"] for a in report["assets"]] == ["Annexe", "The Guildhall"]
    assert report["incomplete"] == [
        {"building_id": "b", "name": "Annexe",
         "missing": ["uprn", "asset_ref", "street_name", "postcode", "easting", "northing"]},
    ]
    rows = list(csv.reader(io.StringIO(as_csv(report))))
    assert rows[0] == [heading for _, heading in COLUMNS]
    assert rows[0][:4] == ["Organisation", "Unique Property Reference Number (UPRN)", "Unique asset identity",
                           "Name of building/land"]
    assert rows[2] == [
        "West Northamptonshire Council", "100031000001", "WNC-A0001", "The Guildhall", "", "St Giles Square",
        "Northampton", "NN1 1DE", "475560", "260510", "Freehold", "Occupied by the local authority",
    ]


# --- the rationalisation target ----------------------------------------------------------------

SEED_001 = [TargetStep("2022/23", 500_000 * K), TargetStep("2023/24", 750_000 * K, date(2023, 12, 31))]


@pytest.mark.parametrize(
    ("steps", "field"),
    [
        ([TargetStep("2023/24", 1), TargetStep("2022/23", 2)], "steps.1.year"),
        ([TargetStep("2023/24", 1), TargetStep("2023/24", 2)], "steps.1.year"),
        ([TargetStep("2023/24", 1, date(2024, 4, 1))], "steps.0.by"),
        ([TargetStep("2023/25", 1)], "steps.0.year"),
    ],
)
def test_a_target_runs_forward_one_step_a_year(steps, field):
    with pytest.raises(Invalid) as exc:
        RationalisationTarget.checked(steps)
    assert field in errors_of(exc)


def test_a_year_without_a_step_carries_the_last_one():
    target = RationalisationTarget.checked(SEED_001)
    assert target.step_for("2021/22") is None
    assert target.step_for("2024/25") == SEED_001[1]


def test_seed_001s_path_from_500k_to_750k_by_the_end_of_2023():
    """Lodge Road's £500k closed on 31 March 2023, then partners paying £250k moving into One Angel Square on
    1 November 2023: the target is met at the end of 2022/23 and on 31 December 2023."""
    lodge = office("lodge", "Lodge Road", cost=500_000 * K, status=CLOSED, closed_on=date(2023, 3, 31))
    oas = office("oas", "One Angel Square", cost=2_400_000 * K,
                 partners=[PartnerOccupant("Health and care partners", 250_000 * K, date(2023, 11, 1))])
    county = office("county", "County Hall", cost=1_900_000 * K, status=CLOSURE_PLANNED,
                    closure_date=date(2024, 3, 1))
    old = office("old", "Closed Before", cost=999, status=CLOSED, closed_on=date(2021, 1, 1))
    planning = Move("m1", "t1", "lodge", "forum", date(2023, 2, 27), "completed", date(2023, 2, 27))
    legal = Move("m2", "t2", "county", "oas", date(2024, 2, 1), "planned")
    report = progress(RationalisationTarget.checked(SEED_001), [lodge, oas, county, old], [planning, legal],
                      {"t1": "Planning", "t2": "Legal"}, "2021/22", "2024/25")
    y21, y22, y23, y24 = report["years"]
    assert y21["target_annual_saving_pence"] is None and y21["delivered_by"] == []
    assert (y22["measured_on"], y22["delivered_annual_saving_pence"], y22["met"]) == ("2023-03-31", 50_000_000, True)
    assert y22["delivered_by"][0]["moves"][0]["team_name"] == "Planning"
    assert (y23["measured_on"], y23["target_annual_saving_pence"]) == ("2023-12-31", 75_000_000)
    assert (y23["running_cost_saved_pence"], y23["partner_rent_gained_pence"]) == (50_000_000, 25_000_000)
    assert (y23["delivered_annual_saving_pence"], y23["shortfall_pence"], y23["met"]) == (75_000_000, 0, True)
    assert y23["planned"] == []  # County Hall's closure is planned after 31 December 2023
    # 2024/25 carries the last step, measured at its year's end, with County Hall's planned closure anticipated
    assert (y24["target_year"], y24["measured_on"]) == ("2023/24", "2025-03-31")
    assert y24["anticipated_annual_saving_pence"] == 75_000_000 + 190_000_000
    assert y24["planned"][0]["moves"][0]["team_name"] == "Legal"
    assert report["counted_from"] == "2022-04-01"


def test_the_workbook_holds_text_as_text():
    from civic_property.asset_register.workbook import as_workbook
    from openpyxl import load_workbook

    odd = office("a", "=HYPERLINK(\"http://x\")\x10 House", uprn="100031000001")
    sheet = load_workbook(io.BytesIO(as_workbook(register([odd], "Council")))).active
    row = [c for c in sheet[2]]
    assert (row[1].value, row[1].data_type) == ("100031000001", "s")
    assert (row[3].value, row[3].data_type) == ('=HYPERLINK("http://x") House', "s")
