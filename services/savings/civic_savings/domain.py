"""What the savings register's parts share: financial years, amounts of money, text fields.

Plain Python: no web framework, no database, no event schemas. The initiative and its lifecycle are
in ``initiatives/domain.py``; themes, categories, targets and cost avoidance in ``programme/domain.py``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from civic.errors import Invalid

# Financial years accepted: 2000/01 to 2099/00. Anything outside is a typing error, not a plan.
FIRST_YEAR_START = 2000
LAST_YEAR_START = 2099
# £10bn: no single saving or target of a council comes near; a larger figure is a keying error.
MAX_AMOUNT_PENCE = 1_000_000_000_000
MAX_TEXT = 200
MAX_REASON = 2000

_YEAR = re.compile(r"(\d{4})/(\d{2})")


# ---------------------------------------------------------------- financial years and amounts


def year_problem(value: Any) -> str | None:
    """Why ``value`` is not an acceptable financial year, or None when it is (e.g. "2023/24")."""
    if not isinstance(value, str) or not _YEAR.fullmatch(value):
        return f"{value!r} is not a financial year; write it like '2023/24'"
    start, end = int(value[:4]), int(value[5:])
    if end != (start + 1) % 100:
        return f"{value!r} is not a financial year: after {start} comes {(start + 1) % 100:02d}"
    if not FIRST_YEAR_START <= start <= LAST_YEAR_START:
        return f"{value!r} is out of range: years from 2000/01 to 2099/00 are accepted"
    return None


def financial_year(value: Any, field_name: str = "year") -> str:
    problem = year_problem(value)
    if problem:
        raise Invalid(problem, errors=[{"field": field_name, "message": problem}])
    return str(value)


def year_of(day: date) -> str:
    """The financial year (April to March) that contains ``day``."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


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


def raise_if_invalid(errors: list[dict[str, str]]) -> None:
    if errors:
        detail = "; ".join(f"{e['field']} {e['message']}" for e in errors)
        raise Invalid(f"The request has invalid fields: {detail}.", errors=errors)
