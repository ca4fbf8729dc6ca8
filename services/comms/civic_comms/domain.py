"""What the comms areas share: the council's clock, who writes what the service drafts by itself, and
the checks every area makes of text and times.

Plain Python: stdlib and ``civic.errors`` only. Each area's own rules are in its package's domain.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from civic.errors import Invalid

#: the council's clock: a consultation "closing on 12 March" closes at midnight in England
COUNCIL_TZ = ZoneInfo("Europe/London")

#: who drafts content the service writes by itself (reactions to other services' events)
SYSTEM_AUTHOR = "civic-comms"


def required_text(value: str, field_name: str, limit: int) -> str:
    """The text without surrounding spaces: refused when blank or longer than ``limit``."""
    value = value.strip()
    if not value:
        raise Invalid(f"{field_name} must not be blank.", errors=[{"field": field_name, "message": "blank"}])
    if len(value) > limit:
        raise Invalid(
            f"{field_name} is longer than {limit} characters.",
            errors=[{"field": field_name, "message": f"over {limit} characters"}],
        )
    return value


def aware_time(value: datetime, field_name: str) -> datetime:
    """The moment in UTC; a time without a zone is refused, as it could be meant in UK or in UTC time."""
    if value.tzinfo is None:
        raise Invalid(
            f"{field_name} must carry a time zone, e.g. 2026-11-23T09:00:00Z.",
            errors=[{"field": field_name, "message": "no time zone"}],
        )
    return value.astimezone(UTC)


def start_of_day(day: date) -> datetime:
    """Midnight at the start of a day in England, as a UTC moment."""
    return datetime.combine(day, time.min, COUNCIL_TZ).astimezone(UTC)


def council_date(moment: datetime) -> date:
    """The day it is in England at that moment."""
    return moment.astimezone(COUNCIL_TZ).date()
