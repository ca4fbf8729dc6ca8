"""What the safeguarding areas' rules share: financial years, days, today, required text.

The areas' own rules are in their packages (boards, meetings, decisions, minutes, sars, oversight),
all from the board's constitution (seed 003) under the Care Act 2014. Plain Python: the service
layer loads and saves the areas' objects; nothing here knows about HTTP or MongoDB.
"""

from __future__ import annotations

from datetime import date, datetime

from civic.calendar import FinancialYear, NotAFinancialYear, today
from civic.calendar import financial_year_of as financial_year_of
from civic.errors import FieldErrors, Invalid


def financial_year_bounds(year: str) -> tuple[date, date]:
    """First and last day of a financial year written "2020/21"; Invalid when malformed (the council
    calendar's rule, ``civic.calendar``, in the board's words)."""
    try:
        return FinancialYear.parse(year).bounds
    except NotAFinancialYear:
        raise Invalid.at(
            "year", "expected YYYY/YY with consecutive years",
            f'{year!r} is not a financial year: write it like "2020/21" (April to March).',
        ) from None


def day_of(moment: date | datetime) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def given_or_today(day: date | None) -> date:
    """A date a request may leave out: the council's date today (``civic.calendar``) when it does.

    The service layer reads the clock and hands the rules their dates."""
    return day or today()


def require_text(value: str | None, name: str, errors: FieldErrors, message: str) -> str:
    """The text stripped; when blank, `message` is added to `errors` for the field `name`."""
    text = (value or "").strip()
    if not text:
        errors.add(name, message)
    return text

