"""The inbox: the ids of the events a service has applied, written in the same unit of work as their effect, so
an event Kafka delivers again (it delivers at least once) has no second effect."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from civic_contracts.envelope import Envelope

INBOX = "inbox"


class AlreadyHandled(Exception):
    """The event's id is in the inbox: it was applied before."""


def inbox_entry(envelope: Envelope, now: datetime) -> dict[str, Any]:
    return {"_id": envelope.id, "type": envelope.type, "handled_at": now}
