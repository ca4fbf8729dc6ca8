"""The closure rule in savings: part of a year in the closure year, the full amount from the next, the same
arithmetic as property's rationalisation report (both from ``civic.calendar.share_of_year_after``)."""

from __future__ import annotations

from datetime import date

import pytest
from civic.calendar import FinancialYear
from civic_property.figures import saved_in_year
from civic_savings.initiatives.figures import closure_saving


@pytest.mark.parametrize(
    ("closed_on", "booked"),
    [
        # 1 April 2023: 365 of 2023/24's 366 days are after it; the rest of the year's cost in 2024/25
        (date(2023, 4, 1), {"2023/24": 36_600 * 365 // 366, "2024/25": 36_600 - 36_600 * 365 // 366}),
        # mid-year: 30 September 2023 leaves 183 of 366 days
        (date(2023, 9, 30), {"2023/24": 18_300, "2024/25": 18_300}),
        # 31 March: it ran its last day, so nothing in 2022/23 and the whole amount from 2023/24
        (date(2023, 3, 31), {"2023/24": 36_600}),
    ],
)
def test_a_closure_books_the_part_year_then_the_rest_of_the_full_amount(closed_on, booked) -> None:
    assert closure_saving(36_600, closed_on) == booked
    assert sum(booked.values()) == 36_600  # the annual running cost, once


def test_a_building_that_cost_nothing_books_nothing_in_its_closure_year() -> None:
    assert closure_saving(0, date(2023, 9, 30)) == {"2023/24": 0}


@pytest.mark.parametrize(
    "closed_on", [date(2023, 4, 1), date(2023, 9, 30), date(2023, 12, 31), date(2023, 3, 31), date(2024, 2, 29)]
)
def test_savings_and_property_agree_on_every_closure(closed_on: date) -> None:
    # what savings books in the closure year is property's in-year saving for it; the next year property
    # saves the full amount, and savings has booked the full amount by then, over the two years
    annual = 50_000_000
    year = FinancialYear.of(closed_on)
    following = FinancialYear(year.start + 1).label
    booked = closure_saving(annual, closed_on)
    assert booked.get(year.label, 0) == saved_in_year(annual, closed_on, year.label)
    assert booked.get(year.label, 0) + booked[following] == saved_in_year(annual, closed_on, following) == annual
