"""Events published by the comms service to `comms.events.v1`."""

from __future__ import annotations

from civic_contracts.envelope import EventData

__all__: list[str] = []
