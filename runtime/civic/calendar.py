"""The council's calendar: its time zone, its date, its financial year, its working days.

Plain Python on purpose (the standard library only): domain modules import this as they import
``civic.errors``. An English council keeps time in Europe/London (GMT in winter, BST in summer), so
"today" is the date in London, not in UTC: between midnight and 1am BST the two differ. Its financial
year runs from 1 April to 31 March and is written ``2023/24``.

The rules take dates as arguments; the use cases ask :func:`today` (or turn a moment into the
council's date with :func:`date_of`) and hand them in.
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

#: the council's clock: a consultation "closing on 12 March" closes at midnight in England
COUNCIL_TZ = ZoneInfo("Europe/London")

#: the month a financial year starts in (1 April); it ends on 31 March of the next calendar year
FIRST_MONTH = 4

_LABEL = re.compile(r"([0-9]{4})/([0-9]{2})")
#: the years a financial year can start in: both its days, 1 April and the next 31 March, must be dates
FIRST_START, LAST_START = 1, 9998


# --- the council's date ------------------------------------------------------------------------


def now() -> datetime:
    """This moment, in UTC (how moments are stored); :func:`date_of` gives the council's date of it."""
    return datetime.now(UTC)


def today() -> date:
    """The council's date now: at 00:30 BST on 1 April it is 1 April, though still 31 March in UTC."""
    return datetime.now(COUNCIL_TZ).date()


def date_of(moment: datetime) -> date:
    """The date it is in England at ``moment`` (a moment without a zone is read as the machine's local time)."""
    return moment.astimezone(COUNCIL_TZ).date()


def start_of_day(day: date) -> datetime:
    """Midnight at the start of ``day`` in England, as a UTC moment."""
    return datetime.combine(day, time.min, COUNCIL_TZ).astimezone(UTC)


def in_utc(moment: datetime) -> datetime:
    """A stored moment, in UTC. Moments are stored in UTC; a client not set ``tz_aware`` reads them back
    without a zone, so a moment without one is read as UTC (not as the machine's local time)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# --- the financial year ------------------------------------------------------------------------


class NotAFinancialYear(ValueError):
    """Text that is not a financial year such as ``2023/24``.

    ``start`` is set when the text has the shape (four digits, a slash, two digits) but the second
    year is not the one after the first (``2023/25``), so a caller can say what comes after it.
    """

    def __init__(self, text: object, start: int | None = None) -> None:
        if start is None:
            message = f"{text!r} is not a financial year: write it like '2023/24' (April to March)"
        else:
            message = f"{text!r} is not a financial year: after {start} comes {(start + 1) % 100:02d}"
        super().__init__(message)
        self.text = text
        self.start = start


@dataclass(frozen=True, order=True)
class FinancialYear:
    """The council's financial year, 1 April to 31 March, named by the calendar year it starts in."""

    start: int

    @classmethod
    def of(cls, day: date) -> FinancialYear:
        """The financial year ``day`` falls in: 31 March 2023 is in 2022/23, 1 April 2023 in 2023/24."""
        return cls(day.year if day.month >= FIRST_MONTH else day.year - 1)

    @classmethod
    def current(cls) -> FinancialYear:
        """The financial year of the council's :func:`today`."""
        return cls.of(today())

    @classmethod
    def parse(cls, text: object) -> FinancialYear:
        """``"2023/24"`` -> FinancialYear(2023); anything else raises :class:`NotAFinancialYear`.

        Exactly four digits, a slash and the last two digits of the next year (``1999/00`` is fine), from
        ``0001/02`` to ``9998/99`` (``0000/01`` and ``9999/00`` have no dates). :func:`financial_year_pattern`
        is the same rule as a regular expression."""
        match = _LABEL.fullmatch(text) if isinstance(text, str) else None
        if match is None:
            raise NotAFinancialYear(text)
        start, end = int(match[1]), int(match[2])
        if end != (start + 1) % 100 or not FIRST_START <= start <= LAST_START:
            raise NotAFinancialYear(text, start)
        return cls(start)

    @property
    def label(self) -> str:
        """``2023/24``."""
        return f"{self.start:04d}/{(self.start + 1) % 100:02d}"  # four digits, as the pattern reads a year

    @property
    def first_day(self) -> date:
        return date(self.start, FIRST_MONTH, 1)

    @property
    def last_day(self) -> date:
        return date(self.start + 1, 3, 31)

    @property
    def bounds(self) -> tuple[date, date]:
        """First and last day, both inclusive."""
        return self.first_day, self.last_day

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and not isinstance(day, datetime) and FinancialYear.of(day) == self

    def through(self, last: FinancialYear) -> list[FinancialYear]:
        """This year and each after it up to ``last`` (empty when ``last`` is before this one)."""
        return [FinancialYear(y) for y in range(self.start, last.start + 1)]

    def __str__(self) -> str:
        return self.label


def financial_year_pattern(first: int = FIRST_START, last: int = LAST_START) -> str:
    """The financial years starting from ``first`` to ``last`` as one regular expression, anchored: four
    digits, a slash and the next year's last two digits, exactly what :meth:`FinancialYear.parse` takes.

    Written for JSON Schema (an OpenAPI ``pattern``), so that a client learns the rule from the schema:
    plain ASCII classes and alternatives, no back-references, read the same by ECMA-262, Python and Rust.
    """
    if not FIRST_START <= first <= last <= LAST_START:
        raise ValueError(f"financial years start from {FIRST_START} to {LAST_START}")
    pairs = [f"{y:02d}/{(y + 1) % 100:02d}" for y in range(100)]
    by_years: dict[tuple[int, int], list[str]] = {}  # the years taken within a century -> those centuries
    for century in range(first // 100, last // 100 + 1):
        years = (max(first - century * 100, 0), min(last - century * 100, 99))
        by_years.setdefault(years, []).append(f"{century:02d}")
    alternatives = [f"(?:{'|'.join(centuries)})(?:{'|'.join(pairs[low:high + 1])})"
                    for (low, high), centuries in by_years.items()]
    return f"^(?:{'|'.join(alternatives)})$"


#: the remainders of a year divided by 400 whose ISO year has 53 weeks (the Gregorian calendar repeats
#: every 400 years, 20,871 weeks exactly): those starting on a Thursday, and leap years starting on a Wednesday
_LONG_ISO_YEARS = tuple(y for y in range(2000, 2400) if date(y, 12, 28).isocalendar()[1] == 53)


def iso_week_pattern() -> str:
    """ISO 8601 weeks ``YYYY-Www`` from 0001-W01 to 9999-W52 as one anchored regular expression: week 53
    only in the years that have one (what ``date.fromisocalendar`` accepts), for JSON Schema as above."""
    year = "(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
    weeks = "(?:0[1-9]|[1-4][0-9]|5[0-2])"
    long_years = []
    for quarter in range(4):  # the century's remainder by 4, then the year within the century
        centuries = "|".join(f"{c:02d}" for c in range(100) if c % 4 == quarter)
        within = "|".join(f"{y % 100:02d}" for y in _LONG_ISO_YEARS if (y // 100) % 4 == quarter)
        long_years.append(f"(?:{centuries})(?:{within})")
    return f"^(?:{year}-W{weeks}|(?:{'|'.join(long_years)})-W53)$"


def financial_year_of(day: date) -> str:
    """The label of the financial year ``day`` falls in, e.g. 2023-03-31 -> ``"2022/23"``."""
    return FinancialYear.of(day).label


def financial_year_bounds(label: str) -> tuple[date, date]:
    """First and last day of the financial year ``label``; :class:`NotAFinancialYear` when malformed."""
    return FinancialYear.parse(label).bounds


def share_of_year_after(day: date) -> Fraction:
    """The part of ``day``'s financial year that comes after ``day``, exactly: the days from the next day
    to 31 March over the days in the year (366 in a year holding 29 February).

    0 on 31 March, 1/2 after 30 September in a 366-day year (183 of 366), 364/365 on 1 April of a
    365-day year. What a building closing on ``day`` saves of its annual running cost in that year: it
    runs on its closing day and costs nothing from the next; from the following year on it saves the
    full amount.
    """
    year = FinancialYear.of(day)
    days_in_year = (year.last_day - year.first_day).days + 1
    return Fraction((year.last_day - day).days, days_in_year)


# --- working days ------------------------------------------------------------------------------


def working_days_after(day: date, count: int, bank_holidays: Container[date]) -> date:
    """The `count`-th working day after `day`: Monday to Friday, not one of `bank_holidays` (England's, with
    their substitute days: Boxing Day on a Saturday is taken on the Monday). The holidays are handed in by the
    service layer, from the ``holidays`` package's offline data (``holidays.country_holidays("GB",
    subdiv="ENG")``), so this module and the domains that count statutory working days stay plain Python."""
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in bank_holidays:
            count -= 1
    return day
