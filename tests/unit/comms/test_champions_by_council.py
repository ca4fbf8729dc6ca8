"""Champions by organisation: coverage per council, stand-downs kept with their day and reason, and the joiners
and leavers counted month by month."""

from __future__ import annotations

from datetime import date

import pytest
from civic.errors import Invalid, Refused
from civic_comms.champions.domain import (
    TO_EXPLORE,
    Champion,
    CouncilService,
    coverage_by_council,
    joiners_and_leavers,
    months_to,
)

TODAY = date(2020, 9, 30)


def champion(appointed: date, **more: object) -> Champion:
    return Champion.appoint(name="Sam Patel", service="Libraries", directorate="People", today=TODAY,
                            appointed_on=appointed, **more)


def test_an_appointment_is_today_by_default_and_never_in_the_future():
    assert Champion.appoint(name="A", service="B", directorate="C", today=TODAY).appointed_on == TODAY
    with pytest.raises(Invalid) as invalid:
        champion(date(2020, 10, 1))
    assert invalid.value.errors[0]["field"] == "appointed_on"


def test_a_stand_down_keeps_its_day_and_reason_once():
    serving = champion(date(2020, 3, 2), council="  Daventry   District Council ")
    assert serving.council == "Daventry District Council" and serving.serving
    left = serving.stand_down(today=TODAY, on=date(2020, 8, 14), reason="  Left the council ")
    assert (left.stood_down_on, left.stand_down_reason, left.serving) == (date(2020, 8, 14), "Left the council", False)
    assert serving.stand_down(today=TODAY).stood_down_on == TODAY
    with pytest.raises(Refused):
        left.stand_down(today=TODAY)


@pytest.mark.parametrize("on", [date(2020, 10, 1), date(2020, 3, 1)])
def test_not_in_the_future_nor_before_the_appointment(on):
    with pytest.raises(Invalid) as invalid:
        champion(date(2020, 3, 2)).stand_down(today=TODAY, on=on)
    assert invalid.value.errors[0]["field"] == "stood_down_on"


def test_months_run_back_across_a_year_end():
    assert months_to("2021-02", 4) == ["2020-11", "2020-12", "2021-01", "2021-02"]


def test_joiners_and_leavers_per_month():
    people = [
        champion(date(2020, 7, 1)),
        champion(date(2020, 7, 20)).stand_down(today=TODAY, on=date(2020, 9, 3)),
        champion(date(2020, 9, 1)),
        champion(date(2019, 1, 1)).stand_down(today=TODAY, on=date(2020, 7, 31)),
    ]
    assert joiners_and_leavers(people, months_to("2020-09", 3)) == [
        {"month": "2020-07", "joined": 2, "left": 1, "net": 1},
        {"month": "2020-08", "joined": 0, "left": 0, "net": 0},
        {"month": "2020-09", "joined": 1, "left": 1, "net": 0},
    ]


def test_coverage_per_council_counts_each_councils_services_and_champions():
    services = [
        CouncilService("Libraries (Corby)", "People", council="Corby Borough Council"),
        CouncilService("Housing (Corby)", "People", council="Corby Borough Council"),
        CouncilService("Leisure (Corby)", "Place", TO_EXPLORE, council="Corby Borough Council"),
        CouncilService("Highways (County)", "Place", council="Northamptonshire County Council"),
        CouncilService("Unplaced", "Corporate"),
    ]
    report = {c.council: c for c in coverage_by_council(services, ["libraries (corby)"] * 3 + ["Highways (County)"])}
    assert list(report) == ["Corby Borough Council", "Northamptonshire County Council", None]
    corby = report["Corby Borough Council"]
    assert (corby.coverage.services, corby.coverage.covered, corby.coverage.champions) == (3, 1, 3)
    assert [s.name for s in corby.coverage.uncovered] == ["Housing (Corby)"]
    assert [s.name for s in corby.coverage.to_explore] == ["Leisure (Corby)"]
    assert [(s.name, n) for s, n in corby.covered] == [("Libraries (Corby)", 3)]
    assert report[None].coverage.champions_needed == 1
