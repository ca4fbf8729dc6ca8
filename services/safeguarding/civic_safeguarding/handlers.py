"""Event consumers. The safeguarding board acts on no other service's events: it only publishes.

Kept (empty) so the service has the same shape as every other; the board's own events are
consumed by comms (decisions, annual reports).
"""

from __future__ import annotations

from civic.subscriptions import Subscriptions

HANDLERS = Subscriptions()
