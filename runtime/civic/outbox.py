"""The outbox relay: publishes committed events, in order, and keeps them for replay.

Promptness: each commit that wrote events nudges the relay in-process; a poll is the fallback (a
restart, a commit whose nudge came while no relay ran). Only one replica relays at a time (a lease
document), so per-aggregate order is kept. Another replica's commits cannot nudge the relay holding the
lease: a relay refused the lease says in the lease document that it stands by, and while one does, the
holder looks every ``CIVIC_OUTBOX_SHARED_POLL_SECONDS`` (50 ms) rather than every
``CIVIC_OUTBOX_POLL_SECONDS`` (1 s). (A change stream on the outbox did this before;
on the embedded database each open stream's polling holds up every other command: in a probe of 300
closures at 50/s the one-replica event hop's p50 was 220-560 ms with the streams open, 90 ms without.)

While the broker is away records stay unpublished and are retried with backoff. Published records are
kept for ``CIVIC_OUTBOX_RETENTION_DAYS`` (:mod:`civic.retention`) so ``civic events replay --since`` can re-publish
them after broker data loss.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from opentelemetry import trace
from opentelemetry.trace import SpanKind
from prometheus_client import Gauge, Histogram
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure, PyMongoError

from civic import bus, metrics
from civic.calendar import in_utc
from civic.leases import LEASES, Lease
from civic.retention import drop_ttl_indexes
from civic.settings import ServiceSettings
from civic.telemetry import context_from, current_traceparent
from civic.uow import OUTBOX, lost_a_write_conflict

log = logging.getLogger("civic.outbox")
RELAY = "outbox-relay"  # the relay's lease
BATCH = 200
PUBLISH_DELAY = Histogram(
    "civic_outbox_publish_delay_seconds", "From an event written (in its transaction) to acknowledged by the broker",
    ["service"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
# For the alerts (deploy/prometheus/rules.yaml): a service none of whose replicas relays, and events left waiting.
LEASE_HELD = Gauge("civic_outbox_relay_lease_held", "1 while this replica's relay holds the relay's lease (one "
                   "replica of each service should), else 0", ["service"])
BACKLOG_AGE = Gauge("civic_outbox_backlog_age_seconds", "How long the oldest outbox record not yet published has "
                    "waited (since written, or since a replay marked it), when last looked at; 0 when none waits",
                    ["service"])


async def prepare_outbox(db: AsyncDatabase[Any]) -> None:
    coll = db[OUTBOX]
    # what waits, in order; and, by its first field, what was published before a date (civic.retention)
    await coll.create_index([("published_at", ASCENDING), ("created_at", ASCENDING), ("order", ASCENDING)])
    await coll.create_index([("created_at", ASCENDING)])
    await drop_ttl_indexes(db, OUTBOX)  # civic.retention deletes what has expired, not a TTL index


LEASE_SECONDS = 10.0


class OutboxRelay:
    def __init__(self, db: AsyncDatabase[Any], settings: ServiceSettings) -> None:
        self.db = db
        self.settings = settings
        self.service = settings.service_name
        self.lease = Lease(db, RELAY, LEASE_SECONDS)
        self.owner = self.lease.owner
        self._nudge = asyncio.Event()
        self._stopping = asyncio.Event()
        self._producer: AIOKafkaProducer | None = None
        self._task: asyncio.Task[None] | None = None
        self._standby_read_at = float("-inf")  # the lease renewal whose standby_until was read
        self._standby_said_at = float("-inf")  # the refusal after which this replica said it stands by
        self._shared_until = float("-inf")  # another replica stands by until then (monotonic): look often
        self.connected = False

    def nudge(self) -> None:
        self._nudge.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"{self.service}-outbox-relay")

    async def stop(self) -> None:
        """Publish what is already committed (briefly), then stop."""
        self._stopping.set()
        self._nudge.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=self.settings.shutdown_grace_seconds)
            except (TimeoutError, asyncio.CancelledError):
                self._task.cancel()
        await self._close_producer()
        LEASE_HELD.labels(self.service).set(0)
        with contextlib.suppress(PyMongoError):
            await self.lease.release()  # another replica relays at once, not when the lease runs out

    async def _close_producer(self) -> None:
        if self._producer is not None:
            with contextlib.suppress(Exception):
                await self._producer.stop()
            self._producer = None
            self.connected = False

    async def _ensure_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = bus.producer(self.settings, client_id=f"{self.service}-outbox")
            try:
                await producer.start()
            except Exception:
                with contextlib.suppress(Exception):
                    await producer.stop()
                raise
            self._producer = producer
            self.connected = True
        return self._producer

    async def _hold_lease(self) -> bool:
        """One relay per service at a time (:class:`civic.leases.Lease`); the lease expires if its holder dies."""
        held = await self.lease.held()
        if held:
            standby = (self.lease.document or {}).get("standby_until")
            if isinstance(standby, datetime) and self.lease.renewed_at > self._standby_read_at:
                self._standby_read_at = self.lease.renewed_at
                self._shared_until = self.lease.renewed_at + (in_utc(standby) - datetime.now(UTC)).total_seconds()
        elif self.lease.refused_at > self._standby_said_at:
            self._standby_said_at = self.lease.refused_at
            # this replica's commits cannot wake the holder: it says it stands by (until a while after its
            # next look at the lease), and the holder then looks for records often
            until = datetime.now(UTC) + timedelta(seconds=LEASE_SECONDS + self.settings.outbox_poll_seconds)
            await self.db[LEASES].update_one({"_id": RELAY}, {"$max": {"standby_until": until}})
        return held

    async def _run(self) -> None:
        backoff = 0.2
        while True:
            stopping = self._stopping.is_set()
            # cleared before looking, not after: a commit that nudges while this round publishes makes the
            # next round start at once (cleared after the round, its nudge was lost and its events waited
            # for the poll, up to CIVIC_OUTBOX_POLL_SECONDS)
            self._nudge.clear()
            try:
                held = await self._hold_lease()
                LEASE_HELD.labels(self.service).set(1 if held else 0)
                if held:
                    published = await self.publish_pending()
                    backoff = 0.2
                    if published == BATCH:
                        continue  # more waiting
                    metrics.OUTBOX_BACKLOG.labels(self.service).set(0)  # all it found is published
                    BACKLOG_AGE.labels(self.service).set(0)
                else:
                    await self._refresh_backlog()  # another replica publishes; this one still reports
                wait = self.settings.outbox_poll_seconds
                if held:
                    # back in time to renew the lease (and to read whether another replica stands by)
                    wait = min(wait, LEASE_SECONDS / 3)
                    if time.monotonic() < self._shared_until:
                        wait = self.settings.outbox_shared_poll_seconds
            except Exception as exc:  # broker or database away: keep the records, back off
                metrics.OUTBOX_PUBLISH_FAILURES.labels(self.service).inc()
                log.warning("outbox relay could not publish; will retry", extra={"error": repr(exc)[:300]})
                self.lease.forget()
                with contextlib.suppress(PyMongoError):
                    await self._refresh_backlog()  # what waits while the broker is away
                await self._close_producer()
                if stopping:
                    return
                with contextlib.suppress(TimeoutError):  # a backoff, which commits do not cut short
                    await asyncio.wait_for(self._stopping.wait(), timeout=backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            if stopping:
                return
            # a replica without the lease cannot publish its own commits' events (the holder's quick poll
            # finds them), so only the poll wakes it, to report the backlog and to see whether the lease
            # has become free
            waking = self._nudge if held else self._stopping
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waking.wait(), timeout=wait)

    async def _refresh_backlog(self) -> None:
        backlog = await self.db[OUTBOX].count_documents({"published_at": None})
        metrics.OUTBOX_BACKLOG.labels(self.service).set(backlog)
        oldest = await self.db[OUTBOX].find_one(
            {"published_at": None}, {"created_at": 1, "replayed_at": 1}, sort=[("created_at", ASCENDING)])
        self._report_age(oldest)

    def _report_age(self, oldest: dict[str, Any] | None) -> None:
        waiting_since = oldest and (oldest.get("replayed_at") or oldest.get("created_at"))
        age = (datetime.now(UTC) - in_utc(waiting_since)).total_seconds() if isinstance(waiting_since, datetime) else 0
        BACKLOG_AGE.labels(self.service).set(max(age, 0))

    async def publish_pending(self) -> int:
        records = await self.db[OUTBOX].find({"published_at": None}).sort(
            [("created_at", ASCENDING), ("order", ASCENDING)]
        ).limit(BATCH).to_list()
        if not records:
            metrics.OUTBOX_BACKLOG.labels(self.service).set(0)
            BACKLOG_AGE.labels(self.service).set(0)
            return 0
        self._report_age(records[0])  # until they are acknowledged (a broker away keeps them waiting)
        producer = await self._ensure_producer()
        await bus.ensure_topics_before_publish(producer, self.settings, {record["topic"] for record in records})
        tracer = trace.get_tracer("civic.outbox")
        # The whole batch goes out at once and is acknowledged together: the producer keeps the order
        # per partition (per key), and one round trip per batch instead of per record keeps up with bursts.
        sent: list[tuple[dict[str, Any], asyncio.Future[Any]]] = []
        for record in records:
            parent = context_from({"traceparent": record.get("traceparent")})
            with tracer.start_as_current_span(
                f"{record['topic']} publish",
                context=parent,
                kind=SpanKind.PRODUCER,
                attributes={
                    "messaging.system": "kafka",
                    "messaging.destination.name": record["topic"],
                    "messaging.message.id": record["_id"],
                    "cloudevents.event_type": record["type"],
                },
            ):
                envelope = dict(record["envelope"])
                # the message carries the publish span as parent, so consumers continue this trace
                traceparent = current_traceparent() or record.get("traceparent")
                if traceparent:
                    envelope["traceparent"] = traceparent
                headers = [
                    ("ce_id", record["_id"].encode()),
                    ("ce_type", record["type"].encode()),
                    ("content-type", b"application/cloudevents+json"),
                ]
                if traceparent:
                    headers.append(("traceparent", traceparent.encode()))
                delivery = await producer.send(
                    record["topic"],
                    value=json.dumps(envelope).encode(),
                    key=(record.get("key") or record["_id"]).encode(),
                    headers=headers,
                )
            sent.append((record, delivery))
        published: list[str] = []
        failure: BaseException | None = None
        for record, delivery in sent:
            try:
                await delivery
            except Exception as exc:  # keep what was acknowledged; the rest is retried with backoff
                failure = failure or exc
                continue
            acknowledged = datetime.now(UTC)
            published.append(record["_id"])
            metrics.OUTBOX_PUBLISHED.labels(self.service, record["topic"]).inc()
            if record.get("replayed_at") is None and isinstance(record.get("created_at"), datetime):
                PUBLISH_DELAY.labels(self.service).observe(max((acknowledged - record["created_at"]).total_seconds(), 0))
        if published:
            await self.db[OUTBOX].update_many(
                {"_id": {"$in": published}},
                {"$set": {"published_at": datetime.now(UTC)}, "$inc": {"attempts": 1}},
            )
        if failure is not None:
            raise failure
        return len(records)


REPLAY_BATCH = 500


async def replay(db: AsyncDatabase[Any], since: datetime, until: datetime | None = None) -> int:
    """Mark records created since ``since`` as unpublished again; the relay re-publishes them in order.

    A batch at a time, by id: the relay marks records published while this runs, and two writes to one
    record at the same moment make the later one lose a write conflict; a batch that loses is written
    again (the relay's change, published, is what it overwrites: the record goes out once more).
    """
    query: dict[str, Any] = {"created_at": {"$gte": since}}
    if until is not None:
        query["created_at"]["$lte"] = until
    replayed = 0
    after: Any = None
    while True:
        page = {**query, "_id": {"$gt": after}} if after is not None else query
        ids = [doc["_id"] async for doc in db[OUTBOX].find(page, {"_id": 1}).sort("_id", ASCENDING).limit(REPLAY_BATCH)]
        if not ids:
            return replayed
        for attempt in range(10):
            try:
                result = await db[OUTBOX].update_many(
                    {"_id": {"$in": ids}}, {"$set": {"published_at": None, "replayed_at": datetime.now(UTC)}}
                )
                break
            except OperationFailure as exc:
                if attempt == 9 or not lost_a_write_conflict(exc):
                    raise
                await asyncio.sleep(0.01 * 2 ** attempt)
        replayed += int(result.modified_count)
        after = ids[-1]

