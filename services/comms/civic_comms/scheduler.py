"""The comms scheduler: publishes the content whose time has come, announces the consultations that have
opened or closed, and issues the councillor briefing approved to go, every few seconds
(``CIVIC_COMMS_SCHEDULER_SECONDS``); and the briefing's sender, which emails each delivery issued.

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
from civic_comms.issuing import service as issuing
from civic_comms.settings import comms_settings
from civic_comms.subscriptions import service as subscriptions

if TYPE_CHECKING:
    from civic.service import Runtime

log = logging.getLogger("civic.comms")

#: every kind of email the sender sends, in the order of each round
MAILINGS = (issuing.BRIEFING, subscriptions.CONFIRMATIONS, subscriptions.BULLETIN_MAIL)


async def scheduler(rt: Runtime) -> None:
    """Background job: publish due content and announce consultations, every few seconds."""
    interval = comms_settings().scheduler_seconds
    await rt.prepared.wait()
    while True:
        try:
            await content.publish_due(rt)
            await consultations.announce_due(rt)
            await issuing.issue_due(rt)
        except (PyMongoError, Refused, Unavailable) as exc:
            # another replica claimed the same item first, or the database blinked: try next round
            log.warning("scheduler round skipped", extra={"error": repr(exc)[:200]})
        await asyncio.sleep(interval)


async def sender(rt: Runtime) -> None:
    """Background job: email the pending deliveries (the briefing, subscriptions' confirmations, bulletins),
    every few seconds, through the SMTP server the settings name. Apart from the scheduler, so a slow mail
    server never holds up publishing content.
    Every replica sends: each delivery is claimed by one (a lease), so none is sent twice by two senders."""
    settings = comms_settings()
    post = settings.post()
    await rt.prepared.wait()
    if post is None:
        log.warning("no SMTP server configured (CIVIC_COMMS_SMTP_HOST): briefing deliveries are recorded and wait")
        return
    while True:
        try:
            for mailing in MAILINGS:
                await issuing.send_due(rt, post, lease_seconds=settings.mail_lease_seconds, mailing=mailing)
        except (PyMongoError, Refused, Unavailable) as exc:
            log.warning("sending round skipped", extra={"error": repr(exc)[:200]})
        await asyncio.sleep(settings.scheduler_seconds)
