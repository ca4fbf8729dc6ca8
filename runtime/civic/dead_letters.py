"""Dead letters: an event the consumer could not apply (not an envelope, refused by a rule, or failing after its
retries) is kept twice and the consumer moves on: on the topic ``<service>.deadletter.v1`` (the message as it came,
with why) and in the service's ``dead_letters`` collection, which the ops endpoints list and re-drive from, counted
on ``/metrics``."""

from __future__ import annotations

import contextlib
import json
import logging
import traceback
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaProducer, ConsumerRecord
from civic_contracts.envelope import Envelope
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from civic import bus, metrics
from civic.errors import NotFound
from civic.inbox import AlreadyHandled
from civic.settings import ServiceSettings
from civic.subscriptions import Subscription

log = logging.getLogger("civic.consumer")
DEAD_LETTERS = "dead_letters"


def deadletter_topic(service: str) -> str:
    return f"{service}.deadletter.v1"


class DeadLetters:
    """A service's dead letters; ``producer`` (for the topic) is the consumer's to start and stop."""

    def __init__(self, db: AsyncDatabase[Any], settings: ServiceSettings) -> None:
        self.db = db
        self.settings = settings
        self.service = settings.service_name
        self.producer: AIOKafkaProducer | None = None

    async def keep(
        self, record: ConsumerRecord[bytes, bytes], envelope: Envelope | None, error: str, headers: dict[str, str]
    ) -> None:
        """Keep a message the consumer could not apply (``envelope`` None: it is not one), with why."""
        event_type = envelope.type if envelope else "unknown"
        log.error(
            "event sent to dead letters",
            extra={"event_id": envelope.id if envelope else None, "event_type": event_type, "reason": error[:500]},
        )
        metrics.DEAD_LETTERS.labels(self.service, event_type).inc()
        doc = {
            "_id": f"{record.topic}:{record.partition}:{record.offset}",
            "event_id": envelope.id if envelope else None,
            "type": event_type,
            "topic": record.topic,
            "partition": record.partition,
            "offset": record.offset,
            "key": (record.key or b"").decode(errors="replace"),
            "value": (record.value or b"").decode(errors="replace"),
            "headers": headers,
            "error": error,
            "failed_at": datetime.now(UTC),
            "status": "open",
        }
        try:
            await self.db[DEAD_LETTERS].replace_one({"_id": doc["_id"]}, doc, upsert=True)
        except PyMongoError:
            log.exception("could not store the dead letter; it is still on the dead-letter topic")
        producer = self.producer
        if producer is not None:
            dl_headers = [(k, v.encode()) for k, v in headers.items()] + [
                ("civic-error", error[:1000].encode()),
                ("civic-original-topic", record.topic.encode()),
                ("civic-original-offset", str(record.offset).encode()),
            ]
            await bus.ensure_topics_before_publish(producer, self.settings, {deadletter_topic(self.service)})
            await producer.send_and_wait(
                deadletter_topic(self.service), value=record.value, key=record.key, headers=dl_headers
            )
        await refresh_dead_letter_gauge(self.db, self.service)

    async def redrive(
        self,
        dead_letter_id: str,
        subscription: Callable[[str], Subscription | None],
        apply: Callable[[Envelope, Subscription], Awaitable[None]],
    ) -> dict[str, Any]:
        """Apply a dead letter again (after a fix) with ``apply``, the consumer's, to the subscription of its type;
        the inbox keeps it to one effect."""
        doc = await self.db[DEAD_LETTERS].find_one({"_id": dead_letter_id})
        if doc is None:
            raise NotFound("dead letter", dead_letter_id)
        envelope: Envelope | None = None
        outcome, error = "redriven", None
        try:
            envelope = Envelope.model_validate(json.loads(doc["value"]))
        except ValueError as exc:  # a malformed message stays malformed: say why, keep it open
            outcome, error = "failed", f"not a CloudEvents envelope, so it cannot be applied: {exc}"[:1000]
        handler = subscription(envelope.type) if envelope is not None else None
        if envelope is not None and handler is None:
            outcome, error = "failed", f"no handler for {envelope.type}"
        elif envelope is not None and handler is not None:
            try:
                await apply(envelope, handler)
            except AlreadyHandled:
                outcome = "already_applied"
            except Exception as exc:
                outcome, error = "failed", "".join(traceback.format_exception_only(exc)).strip()
        update: dict[str, Any] = {"last_redrive_at": datetime.now(UTC), "last_redrive_outcome": outcome}
        if outcome != "failed":
            update["status"] = "redriven"
        else:
            update["error"] = error
        await self.db[DEAD_LETTERS].update_one({"_id": dead_letter_id}, {"$set": update})
        await refresh_dead_letter_gauge(self.db, self.service)
        return {"id": dead_letter_id, "outcome": outcome, "error": error}


async def refresh_dead_letter_gauge(db: AsyncDatabase[Any], service: str) -> None:
    with contextlib.suppress(PyMongoError):
        metrics.DEAD_LETTERS_OPEN.labels(service).set(await db[DEAD_LETTERS].count_documents({"status": "open"}))
