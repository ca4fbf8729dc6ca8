"""The comms scheduler: publishes the content whose time has come and announces the consultations that
have opened or closed, every few seconds (``CIVIC_COMMS_SCHEDULER_SECONDS``).

Each area's step takes its items one transaction at a time and each item goes out once, so every
replica of the service runs the scheduler without coordinating with the others.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from civic.errors import Refused, Unavailable
from pymongo.errors import PyMongoError

from civic_comms.consultations import service as consultations
from civic_comms.content import service as content
from civic_comms.settings import comms_settings

if TYPE_CHECKING:
    from civic.service import Runtime

log = logging.getLogger("civic.comms")


async def scheduler(rt: Runtime) -> None:
    """Background job: publish due content and announce consultations, every few seconds."""
    interval = comms_settings().scheduler_seconds
    await rt.prepared.wait()
    while True:
        try:
            await content.publish_due(rt)
            await consultations.announce_due(rt)
        except (PyMongoError, Refused, Unavailable) as exc:
            # another replica claimed the same item first, or the database blinked: try next round
            log.warning("scheduler round skipped", extra={"error": repr(exc)[:200]})
        await asyncio.sleep(interval)
