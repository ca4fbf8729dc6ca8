"""What the estate's areas share: field checks, financial years, counting days, the council's date.

Plain Python on purpose (stdlib and ``civic.errors`` only). The rules of each area are in its own
``domain.py``: buildings and their lifecycle, occupancy readings, teams and moves.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from civic.errors import Invalid

try:
    _COUNCIL_TIME: Any = ZoneInfo("Europe/London")
except ZoneInfoNotFoundError:  # a slim image without tz data: UTC is at most an hour out
    _COUNCIL_TIME = UTC


def today() -> date:
    """The council's date (a reading at 00:30 BST belongs to that day, not the UTC one).

    The rules take ``today`` as an argument; the use cases and reports ask here."""
    return datetime.now(_COUNCIL_TIME).date()


# --- field checks: each adds to a list, so every broken rule is reported at once ----------------


def field_error(field_name: str, message: str) -> dict[str, Any]:
    return {"field": field_name, "message": message}


def check_non_negative(errors: list[dict[str, Any]], field_name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        errors.append(field_error(field_name, "must be a whole number"))
    elif value < 0:
        errors.append(field_error(field_name, "must not be negative"))


def check_text(errors: list[dict[str, Any]], field_name: str, value: Any, max_length: int = 200) -> None:
    if not isinstance(value, str) or not value.strip():
        errors.append(field_error(field_name, "must not be blank"))
    elif len(value) > max_length:
        errors.append(field_error(field_name, f"must be at most {max_length} characters"))


def check_one_of(errors: list[dict[str, Any]], field_name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        errors.append(field_error(field_name, f"must be one of {', '.join(allowed)}"))


# --- financial years -------------------------------------------------------------------------


def financial_year_of(day: date) -> str:
    """The UK financial year (1 April to 31 March) a date falls in, e.g. 2023-03-31 → "2022/23"."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def financial_year_start(year: str) -> int:
    """The calendar year a financial year starts in; refuses anything but "YYYY/YY" with YY = YYYY+1."""
    parts = year.split("/") if isinstance(year, str) else []
    if (
        len(parts) != 2
        or len(parts[0]) != 4
        or len(parts[1]) != 2
        or not (parts[0].isdigit() and parts[1].isdigit())
        or (int(parts[0]) + 1) % 100 != int(parts[1])
    ):
        raise Invalid(
            f"{year!r} is not a financial year.",
            errors=[field_error("year", 'must look like "2023/24" (April to March)')],
        )
    return int(parts[0])


def financial_year_bounds(year: str) -> tuple[date, date]:
    start = financial_year_start(year)
    return date(start, 4, 1), date(start + 1, 3, 31)


def financial_years(first: str, last: str) -> list[str]:
    a, b = financial_year_start(first), financial_year_start(last)
    if b < a:
        raise Invalid("The years run backwards.", errors=[field_error("to_year", "must not be before from_year")])
    if b - a > 25:
        raise Invalid("Too many years.", errors=[field_error("to_year", "at most 25 years after from_year")])
    return [f"{y}/{(y + 1) % 100:02d}" for y in range(a, b + 1)]


# --- days ------------------------------------------------------------------------------------


def days_between(first: date, last: date) -> int:
    """Inclusive count of days from ``first`` to ``last`` (0 when last is before first)."""
    return max(0, (last - first).days + 1)


def day_after(day: date) -> date:
    return day + timedelta(days=1)
