"""What the comms areas share: who writes what the service drafts by itself, and the checks every area
makes of text and times.

Plain Python: stdlib and the runtime's plain modules only. The council's clock (a consultation "closing
on 12 March" closes at midnight in England) is the runtime's calendar, ``civic.calendar``. Each area's
own rules are in its package's domain.py.
"""

from __future__ import annotations

from datetime import UTC, datetime

from civic.errors import Invalid

#: who drafts content the service writes by itself (reactions to other services' events)
SYSTEM_AUTHOR = "civic-comms"


def required_text(value: str, field_name: str, limit: int) -> str:
    """The text without surrounding spaces: refused when blank or longer than ``limit``."""
    value = value.strip()
    if not value:
        raise Invalid.at(field_name, "blank", f"{field_name} must not be blank.")
    if len(value) > limit:
        raise Invalid.at(field_name, f"over {limit} characters", f"{field_name} is longer than {limit} characters.")
    return value


def aware_time(value: datetime, field_name: str) -> datetime:
    """The moment in UTC; a time without a zone is refused, as it could be meant in UK or in UTC time."""
    if value.tzinfo is None:
        raise Invalid.at(field_name, "no time zone", f"{field_name} must carry a time zone, e.g. 2026-11-23T09:00:00Z.")
    return value.astimezone(UTC)
