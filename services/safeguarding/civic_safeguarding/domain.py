"""What the safeguarding areas' rules share: financial years, days, today, required text.

The areas' own rules are in their packages (boards, meetings, decisions, minutes, sars, oversight),
all from the board's constitution (seed 003) under the Care Act 2014. Plain Python: the service
layer loads and saves the areas' objects; nothing here knows about HTTP or MongoDB.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from civic.errors import Invalid

_FINANCIAL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")


def financial_year_of(day: date) -> str:
    """The UK financial year (1 April to 31 March) a day falls in, e.g. 2021-03-31 -> "2020/21"."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def financial_year_bounds(year: str) -> tuple[date, date]:
    """First and last day of a financial year written "2020/21"; Invalid when malformed."""
    match = _FINANCIAL_YEAR.match(year or "")
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise Invalid(
            f'{year!r} is not a financial year: write it like "2020/21" (April to March).',
            errors=[{"field": "year", "message": "expected YYYY/YY with consecutive years"}],
        )
    start = int(match.group(1))
    return date(start, 4, 1), date(start + 1, 3, 31)


def day_of(moment: date | datetime) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def today() -> date:
    """The day now, in UTC: the service layer reads the clock and hands the rules their dates."""
    return datetime.now(UTC).date()


def given_or_today(day: date | None) -> date:
    """A date a request may leave out: today when it does."""
    return day or today()


def require_text(value: str | None, name: str, errors: list[dict[str, str]], message: str) -> str:
    """The text stripped; when blank, `message` is added to `errors` for the field `name`."""
    text = (value or "").strip()
    if not text:
        errors.append({"field": name, "message": message})
    return text

