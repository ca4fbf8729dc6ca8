"""What the savings register's parts share: financial years, amounts of money, text fields.

Plain Python: no web framework, no database, no event schemas. The initiative and its lifecycle are
in ``initiatives/domain.py``; themes, categories, targets and cost avoidance in ``programme/domain.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from civic.calendar import FinancialYear, NotAFinancialYear, financial_year_of
from civic.errors import FieldErrors, Invalid

# Financial years accepted: 2000/01 to 2099/00. Anything outside is a typing error, not a plan.
FIRST_YEAR_START = 2000
LAST_YEAR_START = 2099
# £10bn: no single saving or target of a council comes near; a larger figure is a keying error.
MAX_AMOUNT_PENCE = 1_000_000_000_000
MAX_TEXT = 200
MAX_REASON = 2000


# ---------------------------------------------------------------- financial years and amounts


def year_problem(value: Any) -> str | None:
    """Why ``value`` is not an acceptable financial year, or None when it is (e.g. "2023/24"): the council
    calendar's rule (``civic.calendar``), within the years the register accepts."""
    try:
        start = FinancialYear.parse(value).start
    except NotAFinancialYear as exc:
        if exc.start is None:
            return f"{value!r} is not a financial year; write it like '2023/24'"
        return f"{value!r} is not a financial year: after {exc.start} comes {(exc.start + 1) % 100:02d}"
    if not FIRST_YEAR_START <= start <= LAST_YEAR_START:
        return f"{value!r} is out of range: years from 2000/01 to 2099/00 are accepted"
    return None


def financial_year(value: Any, field_name: str = "year") -> str:
    problem = year_problem(value)
    if problem:
        raise Invalid.at(field_name, problem, problem)
    return str(value)


#: the financial year (April to March) a day falls in, e.g. "2022/23" for 31 March 2023: the council calendar's
year_of = financial_year_of


def amount_problem(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return "must be a whole number of pence"
    if value < 0:
        return "must not be negative"
    if value > MAX_AMOUNT_PENCE:
        return "is larger than any plausible council figure (over £10bn)"
    return None


def text_problem(value: Any, *, required: bool, limit: int = MAX_TEXT) -> str | None:
    if value is None:
        return "is required" if required else None
    if not isinstance(value, str) or not value.strip():
        return "must be non-empty text"
    if len(value) > limit:
        return f"must be at most {limit} characters"
    return None


def cleaned(value: Any) -> Any:
    """A text value without the white space at its ends; any other value as it is."""
    return value.strip() if isinstance(value, str) else value


def set_changes(record: object, changes: dict[str, Any], *, trim: bool = True) -> tuple[dict[str, Any], list[str]]:
    """The fields `changes` names set on `record` (text :func:`cleaned`, unless not to `trim`): what they were
    before, and the names of those now different, sorted (none: nothing changed)."""
    before = {name: getattr(record, name) for name in changes}
    for name, value in changes.items():
        setattr(record, name, cleaned(value) if trim else value)
    return before, sorted(name for name in changes if getattr(record, name) != before[name])


# ---------------------------------------------------------------- a record's fields, each by its own check

#: why a field's value is not acceptable, or None when it is
Check = Callable[[Any], str | None]


def checked(fields: dict[str, Any], checks: dict[str, Check]) -> FieldErrors:
    """Every field sent judged by its own check, in the order sent; a field without one cannot be changed here."""
    errors = FieldErrors()
    for name, value in fields.items():
        if name in checks:
            errors.add_if(name, checks[name](value))
        else:
            errors.add(name, "cannot be changed here")
    return errors


def text_check(*, required: bool, limit: int = MAX_TEXT) -> Check:
    """A text field's check (:func:`text_problem`)."""
    return lambda value: text_problem(value, required=required, limit=limit)


def one_of(values: Iterable[str]) -> Check:
    """The check of a field taking one of `values`."""
    allowed = tuple(values)
    return lambda value: None if value in allowed else f"must be one of {', '.join(allowed)}"


def date_problem(value: Any) -> str | None:
    return None if isinstance(value, date) else "must be a date, e.g. 2024-03-31"
