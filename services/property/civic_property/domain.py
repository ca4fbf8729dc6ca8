"""What the estate's areas share: field checks, financial years, counting days, the council's date.

Plain Python on purpose (stdlib and the runtime's plain modules only). The rules of each area are in
its own ``domain.py``: buildings and their lifecycle, occupancy readings, teams and moves. The council's
date and financial year are the runtime's calendar (``civic.calendar``); the rules take ``today`` as an
argument, and the use cases and reports ask ``today()`` (a reading at 00:30 BST belongs to that day).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from civic.calendar import FinancialYear, NotAFinancialYear
from civic.calendar import financial_year_of as financial_year_of
from civic.errors import FieldErrors, Invalid

# --- field checks: each adds to the request's FieldErrors, so every broken rule is reported at once ---


def field_error(field_name: str, message: str) -> dict[str, Any]:
    return {"field": field_name, "message": message}


def check_non_negative(errors: FieldErrors, field_name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        errors.add(field_name, "must be a whole number")
    elif value < 0:
        errors.add(field_name, "must not be negative")


def check_text(errors: FieldErrors, field_name: str, value: Any, max_length: int = 200) -> None:
    if not isinstance(value, str) or not value.strip():
        errors.add(field_name, "must not be blank")
    elif len(value) > max_length:
        errors.add(field_name, f"must be at most {max_length} characters")


def check_one_of(errors: FieldErrors, field_name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        errors.add(field_name, f"must be one of {', '.join(allowed)}")


# --- financial years: the council calendar's rule (civic.calendar), the estate's words for a bad year ---


def financial_year_start(year: str) -> int:
    """The calendar year a financial year starts in; refuses anything but "YYYY/YY" with YY = YYYY+1."""
    try:
        return FinancialYear.parse(year).start
    except NotAFinancialYear:
        raise Invalid(
            f"{year!r} is not a financial year.",
            errors=[field_error("year", 'must look like "2023/24" (April to March)')],
        ) from None


def check_report_years(from_year: str | None, to_year: str | None) -> None:
    """A report's first and last financial years, those given: Invalid naming the field (from_year,
    to_year) that is not a financial year."""
    for value, field in ((from_year, "from_year"), (to_year, "to_year")):
        if value is not None:
            try:
                financial_year_start(value)
            except Invalid as exc:
                raise Invalid.at(field, exc.errors[0]["message"], exc.detail) from exc


def financial_year_bounds(year: str) -> tuple[date, date]:
    return FinancialYear(financial_year_start(year)).bounds


def financial_years(first: str, last: str) -> list[str]:
    a, b = FinancialYear(financial_year_start(first)), FinancialYear(financial_year_start(last))
    if b < a:
        raise Invalid("The years run backwards.", errors=[field_error("to_year", "must not be before from_year")])
    if b.start - a.start > 25:
        raise Invalid("Too many years.", errors=[field_error("to_year", "at most 25 years after from_year")])
    return [year.label for year in a.through(b)]


# --- days ------------------------------------------------------------------------------------


def days_between(first: date, last: date) -> int:
    """Inclusive count of days from ``first`` to ``last`` (0 when last is before first)."""
    return max(0, (last - first).days + 1)


def day_after(day: date) -> date:
    return day + timedelta(days=1)
