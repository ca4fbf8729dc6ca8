"""Occupancy readings, CSV/JSON imports and utilisation statistics (no servers)."""

from __future__ import annotations

from datetime import date

import pytest
from civic.errors import Invalid
from civic_property.occupancy.domain import (
    BuildingFacts,
    check_rows,
    month_keys,
    parse_csv,
    reading,
    rows_from_json,
)
from civic_property.occupancy.figures import nearest_rank, utilisation

TODAY = date(2023, 6, 1)
FACTS = {
    "oas": BuildingFacts("One Angel Square", 100, "operational", None),
    "lodge": BuildingFacts("Lodge Road", 50, "closed", date(2023, 3, 31)),
}


def test_a_good_reading_keeps_the_desks_of_the_day():
    r = reading("oas", FACTS["oas"], date(2023, 5, 31), 64, TODAY)
    assert (r.occupied_desks, r.desks) == (64, 100)


@pytest.mark.parametrize(
    ("building", "on", "occupied", "message"),
    [
        ("oas", date(2023, 6, 2), 10, "future"),
        ("oas", date(2023, 5, 1), 101, "capacity"),
        ("oas", date(2023, 5, 1), -1, "negative"),
        ("oas", date(2023, 5, 1), "ten", "whole number"),
        ("lodge", date(2023, 4, 3), 0, "closed"),
    ],
)
def test_bad_readings_are_refused(building, on, occupied, message):
    with pytest.raises(Invalid) as exc:
        reading(building, FACTS[building], on, occupied, TODAY)
    assert any(message in e["message"] for e in exc.value.errors)


def test_a_reading_before_the_building_closed_is_fine():
    assert reading("lodge", FACTS["lodge"], date(2023, 3, 31), 20, TODAY).occupied_desks == 20


CSV_GOOD = """building_id,date,occupied_desks
oas,2023-05-01,40
oas,2023-05-02,55

lodge,2023-03-30,12
"""


def test_a_good_csv_imports_every_row():
    readings = check_rows(parse_csv(CSV_GOOD), FACTS, TODAY)
    assert [(r.building_id, r.on.isoformat(), r.occupied_desks) for r in readings] == [
        ("oas", "2023-05-01", 40),
        ("oas", "2023-05-02", 55),
        ("lodge", "2023-03-30", 12),
    ]


def test_columns_may_come_in_any_order_with_extras_and_a_bom():
    text = "\ufeffdate,Occupied_Desks,notes,building_id\n2023-05-01,40,busy,oas\n"
    assert check_rows(parse_csv(text), FACTS, TODAY)[0].occupied_desks == 40


def test_every_bad_row_is_listed_with_its_line_and_nothing_is_returned():
    text = "\n".join(
        [
            "building_id,date,occupied_desks",  # line 1
            "oas,2023-05-01,40",  # 2 fine
            "nowhere,2023-05-01,4",  # 3 unknown building
            "oas,01/05/2023,4",  # 4 not ISO
            "oas,2023-05-03,140",  # 5 over capacity
            "oas,2023-07-01,4",  # 6 future
            "oas,2023-05-01,41",  # 7 repeats line 2
            "oas,2023-05-04,lots",  # 8 not a number
            "oas,2023-05-05,-3",  # 9 negative
            "oas,2023-05-06",  # 10 missing cell
        ]
    )
    with pytest.raises(Invalid) as exc:
        check_rows(parse_csv(text), FACTS, TODAY)
    assert exc.value.extra["bad_lines"] == [3, 4, 5, 6, 7, 8, 9, 10]
    by_line = {e["line"]: e for e in exc.value.errors}
    assert by_line[3]["field"] == "building_id"
    assert by_line[7]["message"] == "repeats the reading on line 2"
    assert "8 of 9 rows" in exc.value.detail


def test_a_csv_without_the_columns_is_refused_whole():
    with pytest.raises(Invalid) as exc:
        parse_csv("building,day,count\nx,2023-01-01,1\n")
    assert {e["message"] for e in exc.value.errors} == {
        "missing column building_id",
        "missing column date",
        "missing column occupied_desks",
    }
    with pytest.raises(Invalid):
        parse_csv("")
    with pytest.raises(Invalid):
        check_rows(parse_csv("building_id,date,occupied_desks\n"), FACTS, TODAY)


def test_json_rows_count_from_one():
    rows = rows_from_json(
        [
            {"building_id": "oas", "date": "2023-05-01", "occupied_desks": 3},
            {"building_id": "oas", "date": "2023-05-02", "occupied_desks": True},
        ]
    )
    with pytest.raises(Invalid) as exc:
        check_rows(rows, FACTS, TODAY)
    assert exc.value.extra["bad_lines"] == [2]


def test_utilisation_statistics():
    # ten days at 10%, 20%, ..., 100% of 50 desks
    days = [(5 * i, 50) for i in range(1, 11)]
    u = utilisation(days, threshold=0.4)
    assert (u.days, u.mean, u.peak, u.p90) == (10, 0.55, 1.0, 0.9)
    assert (u.mean_occupied_desks, u.peak_occupied_desks, u.under_used) == (27.5, 50, False)


def test_utilisation_flags_an_under_used_building_and_skips_deskless_days():
    u = utilisation([(10, 100), (30, 100), (0, 0)], threshold=0.4)
    assert (u.days, u.mean, u.under_used) == (2, 0.2, True)


def test_utilisation_of_nothing():
    u = utilisation([], threshold=0.4)
    assert (u.days, u.mean, u.p90, u.under_used) == (0, None, None, False)


def test_nearest_rank_percentile():
    values = sorted(float(v) for v in range(1, 21))
    assert nearest_rank(values, 90) == 18.0
    assert nearest_rank([0.3], 90) == 0.3


def test_month_keys_span_years():
    assert month_keys(date(2022, 11, 20), date(2023, 2, 1)) == ["2022-11", "2022-12", "2023-01", "2023-02"]
