"""Event contracts: the CloudEvents envelope and every domain event as Pydantic models.

Importing this package registers every event type (one module per publishing service).
"""

from civic_contracts import comms, property, safeguarding, savings  # noqa: F401  (registers the events)
from civic_contracts.envelope import REGISTRY, SERVICES, Envelope, EventData, topic_for

__all__ = ["REGISTRY", "SERVICES", "Envelope", "EventData", "topic_for"]
