"""Event consumers of the property service.

The estate reacts to no other service's events today: closures, moves and utilisation start
with the estates team. The registry stays so the runtime treats every service alike.
"""

from __future__ import annotations

from civic.subscriptions import Subscriptions

HANDLERS = Subscriptions()
