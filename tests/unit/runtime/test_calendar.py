"""The council's calendar: the financial year (April to March), and the council's date in London time."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from fractions import Fraction

import pytest
from civic import calendar
from civic.calendar import FinancialYear, NotAFinancialYear, date_of, financial_year_bounds, financial_year_of


def clock_at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """The calendar's clock stopped at ``moment`` (a UTC time)."""

    class Stopped(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> Stopped:  # type: ignore[override]
            at = moment.astimezone(tz) if tz is not None else moment
            return cls.combine(at.date(), at.timetz())

    monkeypatch.setattr(calendar, "datetime", Stopped)


# --- financial years --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2023, 3, 31), "2022/23"),
        (date(2023, 4, 1), "2023/24"),
        (date(2024, 1, 15), "2023/24"),
        (date(2024, 3, 31), "2023/24"),
        (date(2024, 4, 1), "2024/25"),
        (date(1999, 4, 1), "1999/00"),
        (date(1999, 12, 31), "1999/00"),
        (date(2000, 3, 31), "1999/00"),
        (date(2000, 4, 1), "2000/01"),
        (date(2099, 12, 31), "2099/00"),
    ],
)
def test_a_financial_year_runs_from_1_april_to_31_march(day: date, label: str) -> None:
    # savings' year_of and property's financial_year_of are this function (tests/unit/savings/test_domain.py,
    # tests/unit/property/test_property_buildings.py), so these cases are theirs too
    year = FinancialYear.of(day)
    assert year.label == str(year) == financial_year_of(day) == label
    assert year.first_day <= day <= year.last_day and day in year
    assert FinancialYear.parse(label) == year


def test_bounds_and_a_run_of_years() -> None:
    year = FinancialYear.parse("2023/24")
    assert year.start == 2023
    assert year.bounds == (date(2023, 4, 1), date(2024, 3, 31)) == financial_year_bounds("2023/24")
    assert FinancialYear.parse("2023/24").bounds[1] == date(2024, 3, 31)  # 2024 is a leap year: still 31 March
    assert [y.label for y in FinancialYear(2021).through(FinancialYear(2023))] == ["2021/22", "2022/23", "2023/24"]
    assert FinancialYear(2024).through(FinancialYear(2023)) == []
    assert FinancialYear(2022) < FinancialYear(2023)
    assert date(2024, 4, 1) not in year and datetime(2023, 5, 1, tzinfo=UTC) not in year


@pytest.mark.parametrize(
    "text", ["2023-24", "23/24", "2023/2024", "2023/4", "", "abcd/ef", "2023/24 ", " 2023/24", "2023/24\n",
             "\uff12\uff10\uff12\uff13/\uff12\uff14", None, 2023],
)
def test_anything_but_yyyy_slash_yy_is_not_a_financial_year(text: object) -> None:
    with pytest.raises(NotAFinancialYear) as caught:
        FinancialYear.parse(text)
    assert caught.value.start is None and caught.value.text == text
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(("text", "start"), [("2023/25", 2023), ("2023/23", 2023), ("1999/01", 1999)])
def test_the_second_year_must_follow_the_first(text: str, start: int) -> None:
    with pytest.raises(NotAFinancialYear, match=f"after {start} comes") as caught:
        FinancialYear.parse(text)
    assert caught.value.start == start


# --- the council's date: London, not UTC ----------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        # winter (GMT): London and UTC agree
        (datetime(2026, 11, 29, 23, 30, tzinfo=UTC), date(2026, 11, 29)),
        (datetime(2023, 12, 31, 23, 59, tzinfo=UTC), date(2023, 12, 31)),
        # summer (BST, UTC+1): late evening in UTC is already tomorrow in London
        (datetime(2026, 6, 28, 22, 59, tzinfo=UTC), date(2026, 6, 28)),
        (datetime(2026, 6, 28, 23, 0, tzinfo=UTC), date(2026, 6, 29)),
        # BST began at 01:00 UTC on Sunday 31 March 2024
        (datetime(2024, 3, 31, 0, 30, tzinfo=UTC), date(2024, 3, 31)),
        (datetime(2024, 3, 31, 22, 59, tzinfo=UTC), date(2024, 3, 31)),
        (datetime(2024, 3, 31, 23, 30, tzinfo=UTC), date(2024, 4, 1)),
        # BST ended at 01:00 UTC on Sunday 27 October 2024
        (datetime(2024, 10, 26, 23, 30, tzinfo=UTC), date(2024, 10, 27)),
        (datetime(2024, 10, 27, 23, 30, tzinfo=UTC), date(2024, 10, 27)),
    ],
)
def test_the_councils_date_of_a_moment_is_the_date_in_london(moment: datetime, day: date) -> None:
    assert date_of(moment) == day


def test_the_last_half_hour_of_31_march_in_utc_is_already_the_new_financial_year_in_london(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    late = datetime(2024, 3, 31, 23, 30, tzinfo=UTC)  # 00:30 BST on 1 April
    assert financial_year_of(late.date()) == "2023/24"  # what the UTC date would say
    clock_at(monkeypatch, late)
    assert calendar.today() == date(2024, 4, 1)
    assert FinancialYear.current() == FinancialYear(2024)
    assert calendar.now() == late


def test_an_hour_earlier_it_is_still_31_march(monkeypatch: pytest.MonkeyPatch) -> None:
    clock_at(monkeypatch, datetime(2024, 3, 31, 22, 30, tzinfo=UTC))  # 23:30 BST
    assert calendar.today() == date(2024, 3, 31)
    assert FinancialYear.current() == FinancialYear(2023)


def test_in_winter_late_evening_utc_is_the_same_day_in_london(monkeypatch: pytest.MonkeyPatch) -> None:
    clock_at(monkeypatch, datetime(2025, 1, 31, 23, 45, tzinfo=UTC))
    assert calendar.today() == date(2025, 1, 31)


@pytest.mark.parametrize(
    ("day", "start"),
    [
        (date(2024, 3, 31), datetime(2024, 3, 31, 0, 0, tzinfo=UTC)),  # GMT until 01:00 UTC that day
        (date(2024, 4, 1), datetime(2024, 3, 31, 23, 0, tzinfo=UTC)),  # BST
        (date(2024, 10, 27), datetime(2024, 10, 26, 23, 0, tzinfo=UTC)),  # still BST at midnight
        (date(2024, 10, 28), datetime(2024, 10, 28, 0, 0, tzinfo=UTC)),  # GMT again
    ],
)
def test_a_day_starts_at_midnight_in_london(day: date, start: datetime) -> None:
    assert calendar.start_of_day(day) == start
    assert calendar.start_of_day(day).tzinfo == UTC
    assert date_of(calendar.start_of_day(day)) == day


# --- the part of a year after a day (what a closure saves in its year) ---------------------------


@pytest.mark.parametrize(
    ("day", "share"),
    [
        (date(2023, 4, 1), Fraction(365, 366)),  # 2023/24 holds 29 February 2024: 366 days, 365 after
        (date(2022, 4, 1), Fraction(364, 365)),
        (date(2023, 9, 30), Fraction(183, 366)),  # 1 October to 31 March: half the year
        (date(2023, 12, 31), Fraction(91, 366)),
        (date(2023, 3, 31), Fraction(0)),  # the last day: nothing of that year is left
        (date(2024, 3, 31), Fraction(0)),
        (date(2024, 2, 29), Fraction(31, 366)),
    ],
)
def test_the_share_of_a_financial_year_after_a_day(day: date, share: Fraction) -> None:
    assert calendar.share_of_year_after(day) == share
    assert 0 <= share < 1


def test_a_year_before_1000_is_labelled_with_four_digits_and_reads_back() -> None:
    # a date far in the past (a fuzzer's, or a typo's) must give a label the year pattern accepts
    label = calendar.financial_year_of(date(410, 6, 1))
    assert label == "0410/11"
    assert calendar.FinancialYear.parse(label).label == label
