"""The consumer runner: one consumer group per service, exactly-once effect on top of at-least-once delivery.

For each message: open a unit of work, record the event id in the ``inbox`` (a repeat is skipped),
parse the event's data into the contract class the service subscribed to (``civic.subscriptions``), run
its handler with that model, commit; only then commit the Kafka offset. A failing event is retried a bounded
number of times, then written to the dead-letter topic and the ``dead_letters`` collection, and the
runner moves on, so one poison message never blocks the events behind it (``civic.dead_letters``; the inbox
is ``civic.inbox``).

What one fetch brings, from every partition the consumer holds, is applied together, in units of work
of up to 20 (:meth:`ConsumerRunner.apply_together`): the same inbox and handlers, one commit instead of
one per event, and one offset commit per fetch. A group that loses a write conflict (another replica,
the API or a background job changed the same document first) is tried again as a group, smaller, after
a short random pause. A group that fails otherwise keeps nothing, and its messages go one by one as
above; the groups after it are tried together again.

Rebalances, partitions held, group outcomes and the time spent per stage are on ``/metrics``.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import random
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import CommitFailedError
from civic_contracts.envelope import Envelope, EventData, topic_for
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from prometheus_client import Counter, Gauge, Histogram
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConnectionFailure, DuplicateKeyError, PyMongoError

from civic import bus, metrics
from civic.dead_letters import DeadLetters, deadletter_topic
from civic.errors import DomainError, Unavailable
from civic.inbox import INBOX, AlreadyHandled, inbox_entry
from civic.settings import ServiceSettings
from civic.subscriptions import Handler, Subscription, subscriptions
from civic.telemetry import context_from
from civic.uow import UnitOfWorkFactory, lost_a_write_conflict

log = logging.getLogger("civic.consumer")
TOGETHER_AT_MOST = 20  # events per unit of work when a fetch brings several
CONFLICT_RETRIES = 5  # a group that lost a write conflict is tried again, half as large each time
CONFLICT_PAUSE_SECONDS = 0.02  # the first pause before that, at most; it doubles with each attempt

REBALANCES = Counter("civic_consumer_rebalances_total", "Partitions revoked from / assigned to this consumer",
                     ["service", "change"])
PARTITIONS = Gauge("civic_consumer_partitions", "Partitions assigned to this process's consumer", ["service"])
GROUPS = Counter("civic_consumer_groups_total", "Units of work applying fetched events together, by outcome",
                 ["service", "outcome"])
STAGE = Histogram("civic_event_stage_seconds", "Time an event spends in each stage of its way through the consumer",
                  ["service", "stage"],
                  buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))


class DatabaseAway(Exception):
    """The service's database cannot be reached: the event is not applied, not dead-lettered, and comes again."""


@dataclass(frozen=True)
class _Delivery:
    """A message as fetched, read once: its envelope (None if it is not one) and the trace it continues."""

    record: ConsumerRecord[bytes, bytes]
    envelope: Envelope | None
    traceparent: str | None

    @property
    def tp(self) -> TopicPartition:
        return TopicPartition(self.record.topic, self.record.partition)

    @classmethod
    def of(cls, record: ConsumerRecord[bytes, bytes]) -> _Delivery:
        try:
            envelope: Envelope | None = Envelope.model_validate_json(record.value or b"")
        except ValueError:
            envelope = None  # a malformed message: it goes one by one, to dead letters
        header = next((v.decode(errors="replace") for k, v in (record.headers or []) if k == "traceparent"), None)
        return cls(record, envelope, header or (envelope.traceparent if envelope else None))


class _Rebalances(ConsumerRebalanceListener):  # type: ignore[misc]  # aiokafka.abc is untyped
    """Logs and counts every change of this consumer's partitions (a rebalance of the group)."""

    def __init__(self, service: str) -> None:
        self.service = service

    def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        REBALANCES.labels(self.service, "revoked").inc()
        PARTITIONS.labels(self.service).set(0)
        for tp in revoked:  # another replica reports their lag now; a figure kept here would go stale
            with contextlib.suppress(KeyError):
                metrics.CONSUMER_LAG.remove(self.service, tp.topic, str(tp.partition))
        log.info("partitions revoked", extra={"partitions": _names(revoked)})

    def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        REBALANCES.labels(self.service, "assigned").inc()
        PARTITIONS.labels(self.service).set(len(assigned))
        log.info("partitions assigned", extra={"partitions": _names(assigned)})


def _names(partitions: set[TopicPartition]) -> list[str]:
    return sorted(f"{tp.topic}:{tp.partition}" for tp in partitions)


class ConsumerRunner:
    def __init__(
        self,
        db: AsyncDatabase[Any],
        settings: ServiceSettings,
        handlers: Mapping[type[EventData], Handler[Any]],
        unit_of_work: UnitOfWorkFactory,
    ) -> None:
        self.db = db
        self.settings = settings
        self.service = settings.service_name
        #: the service's handlers by contract class; each event is parsed into its class for its handler
        self.subscriptions = subscriptions(handlers)
        self.unit_of_work = unit_of_work
        self.topics = self.subscriptions.topics
        self._consumer: AIOKafkaConsumer | None = None
        #: where an event that cannot be applied goes (its producer is made with the consumer)
        self.dead_letters = DeadLetters(db, settings)
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self.connected = False

    def start(self) -> None:
        if self.topics:
            self._task = asyncio.create_task(self._run(), name=f"{self.service}-consumer")

    async def stop(self) -> None:
        """Finish the event in hand, commit, leave the group."""
        self._stopping.set()
        if self._task is not None:
            if not self.connected:
                # still connecting or joining the group (the broker may hold a join while it expires a
                # predecessor's session): no event is in hand, so do not wait for the join to finish
                self._task.cancel()
            try:
                await asyncio.wait_for(self._task, timeout=self.settings.shutdown_grace_seconds)
            except (TimeoutError, asyncio.CancelledError):
                self._task.cancel()
                with contextlib.suppress(BaseException):
                    await self._task
        await self._close()

    async def _close(self) -> None:
        for client in (self._consumer, self.dead_letters.producer):
            if client is not None:
                with contextlib.suppress(Exception):
                    await client.stop()
        self._consumer = None
        self.dead_letters.producer = None
        self.connected = False
        PARTITIONS.labels(self.service).set(0)  # out of the group

    async def _connect(self) -> AIOKafkaConsumer:
        await bus.ensure_topics(self.settings, [*self.topics, deadletter_topic(self.service)])
        consumer = bus.consumer(self.settings, group_id=self.service, topics=self.topics,
                                listener=_Rebalances(self.service))
        await consumer.start()
        producer = bus.producer(self.settings, client_id=f"{self.service}-deadletters")
        await producer.start()
        self._consumer, self.dead_letters.producer = consumer, producer
        self.connected = True
        return consumer

    async def _run(self) -> None:
        backoff = 0.5
        while not self._stopping.is_set():
            try:
                consumer = self._consumer or await self._connect()
                batches = await consumer.getmany(timeout_ms=500, max_records=self.settings.consumer_max_records)
                backoff = 0.5
                if batches:
                    await self._apply_fetched(consumer, batches)
            except asyncio.CancelledError:
                raise
            except DatabaseAway as exc:
                log.warning("events wait in the broker: the database is away",
                            extra={"error": repr(exc.__cause__)[:300]})
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), timeout=backoff)
            except Exception as exc:  # broker away: reconnect with backoff
                log.warning("consumer interrupted; reconnecting", extra={"error": repr(exc)[:300]})
                await self._close()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), timeout=backoff)
                backoff = min(backoff * 2, 10.0)

    async def _apply_fetched(
        self, consumer: AIOKafkaConsumer, batches: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]
    ) -> None:
        """Apply what one fetch brought, from every partition, then commit all their offsets at once.

        The partitions' messages are merged by time (each partition's order kept) and applied in units of
        work of up to ``TOGETHER_AT_MOST``; a group that fails for a reason other than a write conflict
        goes one by one (retries, dead letters), and the groups after it are tried together again.
        """
        fetched = time.time()
        deliveries = [_Delivery.of(r) for r in heapq.merge(*batches.values(), key=lambda r: r.timestamp)]
        for d in deliveries:
            STAGE.labels(self.service, "published_to_fetched").observe(max(fetched - d.record.timestamp / 1000, 0))
        done: dict[TopicPartition, int] = {}
        position, one_by_one_until = 0, 0
        try:
            while position < len(deliveries) and not self._stopping.is_set():
                if position >= one_by_one_until:
                    applied, failed = await self._apply_deliveries(deliveries[position:])
                    waited = time.time() - fetched
                    for d in deliveries[position:position + applied]:
                        done[d.tp] = d.record.offset + 1
                        STAGE.labels(self.service, "fetched_to_applied").observe(waited)
                    position += applied
                    one_by_one_until = position + failed
                    continue
                delivery = deliveries[position]
                try:
                    await self._process(delivery.record)
                except (Unavailable, ConnectionFailure) as exc:
                    # keep the partitions (no rebalance): rewind each to what is not applied yet, retry soon
                    owned = consumer.assignment()
                    for tp, records in batches.items():
                        if tp in owned:  # one taken away by a rebalance meanwhile is its new owner's
                            consumer.seek(tp, done.get(tp, records[0].offset))
                    raise DatabaseAway from exc
                done[delivery.tp] = delivery.record.offset + 1
                STAGE.labels(self.service, "fetched_to_applied").observe(time.time() - fetched)
                position += 1
        finally:
            # the handlers' work is committed; now the offsets may move past it (a crash before this
            # redelivers only events the inbox already holds)
            await self._commit(consumer, done)

    async def _commit(self, consumer: AIOKafkaConsumer, done: dict[TopicPartition, int]) -> None:
        owned = consumer.assignment()
        offsets = {tp: offset for tp, offset in done.items() if tp in owned}
        if not offsets:
            return
        try:
            await consumer.commit(offsets)
        except CommitFailedError as exc:
            # the group rebalanced meanwhile: the events are applied (the inbox has them), so whoever owns
            # the partitions now skips them when they come again; no reason to leave and rejoin the group
            log.info("offsets not committed: the group rebalanced", extra={"error": repr(exc)[:300]})
            return
        for tp, offset in offsets.items():
            self._record_lag(consumer, tp, offset - 1)

    async def _apply_deliveries(self, deliveries: list[_Delivery]) -> tuple[int, int]:
        """Apply deliveries together from the first. Returns (how many are applied, how many from there go one
        by one: the group that failed, or the one malformed message that stopped it)."""
        valid = next((i for i, d in enumerate(deliveries) if d.envelope is None), len(deliveries))
        if valid == 0:
            return 0, 1
        envelopes = [d.envelope for d in deliveries[:valid] if d.envelope is not None]
        return await self._apply_in_groups(envelopes, [d.traceparent for d in deliveries[:valid]])

    async def apply_together(self, envelopes: list[Envelope], traceparents: list[str | None] | None = None) -> int:
        """Apply events in units of work of up to ``TOGETHER_AT_MOST`` events, each event at most once (the
        inbox). Returns how many, from the first, are applied (or were already): all of them, or fewer when a
        group failed, and then nothing of that group or after it is applied."""
        return (await self._apply_in_groups(envelopes, traceparents or [None] * len(envelopes)))[0]

    async def _apply_in_groups(self, envelopes: list[Envelope], traceparents: list[str | None]) -> tuple[int, int]:
        """Applying an event is a handful of database round trips and a commit. Those are the consumer's
        cost, not CPU: one commit for a group instead of one per event lets the consumer keep up with a
        burst. Groups are bounded so a transaction stays short and touches few documents.

        A group that loses a write conflict (another transaction, from the API, a background job or
        another replica of this service, changed one of the same documents first) is not the events'
        fault: it is tried again at once after a short random pause, half as large each time, so the
        next attempt holds fewer documents for less time. Only a group that fails for another reason, or
        keeps losing, is reported as failed (its size is returned with how many were applied before it).
        """
        applied = 0
        while applied < len(envelopes):
            size = TOGETHER_AT_MOST
            for attempt in range(CONFLICT_RETRIES + 1):
                end = applied + size
                outcome = await self._apply_group(envelopes[applied:end], traceparents[applied:end])
                if outcome != "conflict" or attempt == CONFLICT_RETRIES or self._stopping.is_set():
                    break
                size = max(1, size // 2)
                await asyncio.sleep(random.uniform(0, CONFLICT_PAUSE_SECONDS * 2 ** attempt))
            if outcome != "applied":
                return applied, len(envelopes[applied:applied + size])
            applied = min(applied + size, len(envelopes))
        return applied, 0

    async def _apply_group(self, envelopes: list[Envelope], traceparents: list[str | None]) -> str:
        """One unit of work for the group: "applied", "conflict" (lost a write conflict) or "failed"."""
        wanted = [(e, p, s) for e, p in zip(envelopes, traceparents, strict=True)
                  if (s := self.subscriptions.subscription(e.type)) is not None]
        if not wanted:
            return "applied"
        if len({e.id for e, _, _ in wanted}) != len(wanted):
            return "failed"  # one event twice in a batch: one by one, where the inbox keeps it to one effect
        try:
            async with self.unit_of_work() as uow:
                ids = [e.id for e, _, _ in wanted]
                seen = {d["_id"] for d in await uow.db[INBOX].find(
                    {"_id": {"$in": ids}}, {"_id": 1}, session=uow.session).to_list()}
                fresh = [(e, p, s) for e, p, s in wanted if e.id not in seen]
                if fresh:
                    now = datetime.now(UTC)
                    await uow.db[INBOX].insert_many([inbox_entry(e, now) for e, _, _ in fresh], session=uow.session)
                for envelope, traceparent, subscription in fresh:
                    with self._span(topic_for(envelope.type), envelope, traceparent, batch=len(wanted)):
                        await subscription(envelope, uow)
        except Exception as exc:  # whatever it was, the one-by-one path retries it, dead-letters it or waits
            if lost_a_write_conflict(exc):
                GROUPS.labels(self.service, "conflict").inc()
                log.info("a group of events lost a write conflict; trying again", extra={"events": len(wanted)})
                return "conflict"
            GROUPS.labels(self.service, "failed").inc()
            log.info("a group of events goes one by one", extra={"events": len(wanted), "reason": repr(exc)[:300]})
            return "failed"
        GROUPS.labels(self.service, "applied").inc()
        for envelope, _, _ in wanted:
            outcome = "duplicate" if envelope.id in seen else "applied"
            metrics.EVENTS_HANDLED.labels(self.service, envelope.type, outcome).inc()
        return "applied"

    def _record_lag(self, consumer: AIOKafkaConsumer, tp: TopicPartition, offset: int) -> None:
        end = consumer.highwater(tp)
        if end is not None:
            metrics.CONSUMER_LAG.labels(self.service, tp.topic, str(tp.partition)).set(max(end - offset - 1, 0))

    async def _process(self, record: ConsumerRecord[bytes, bytes]) -> None:
        headers = {k: v.decode(errors="replace") for k, v in (record.headers or [])}
        try:
            envelope = Envelope.model_validate_json(record.value or b"")
        except Exception as exc:
            await self.dead_letters.keep(record, None, f"not a CloudEvents envelope: {exc}", headers)
            return
        handler = self.subscriptions.subscription(envelope.type)
        if handler is None:
            return  # not an event this service reacts to
        with self._span(record.topic, envelope, headers.get("traceparent")) as span:
            error = await self._apply_with_retries(envelope, handler)
            if error is not None:
                span.set_status(Status(StatusCode.ERROR, error[:200]))
                await self.dead_letters.keep(record, envelope, error, headers)

    def _span(self, topic: str, envelope: Envelope, traceparent: str | None, batch: int | None = None) -> Any:
        """The consumer span of one event, continuing the trace its message carries (header, else envelope)."""
        attributes: dict[str, Any] = {
            "messaging.system": "kafka",
            "messaging.destination.name": topic,
            "messaging.message.id": envelope.id,
            "messaging.consumer.group.name": self.service,
            "cloudevents.event_type": envelope.type,
        }
        if batch is not None:
            attributes["messaging.batch.message_count"] = batch
        return trace.get_tracer("civic.consumer").start_as_current_span(
            f"{topic} process", context=context_from({"traceparent": traceparent or envelope.traceparent}),
            kind=SpanKind.CONSUMER, attributes=attributes,
        )

    async def _apply_with_retries(self, envelope: Envelope, handler: Subscription) -> str | None:
        attempts = self.settings.consumer_max_attempts
        for attempt in range(1, attempts + 1):
            try:
                await self.apply(envelope, handler)
                return None
            except AlreadyHandled:
                metrics.EVENTS_HANDLED.labels(self.service, envelope.type, "duplicate").inc()
                return None
            except (Unavailable, ConnectionFailure) as exc:
                # the database is away (or a write conflict): not the event's fault, so never a dead letter;
                # after the retries the runner rewinds to it and tries again, until the database is back
                if attempt == attempts:
                    raise
                log.warning(
                    "the event could not be applied yet (database away, or a conflicting change won); retrying",
                    extra={"event_id": envelope.id, "event_type": envelope.type, "attempt": attempt,
                           "reason": str(exc)[:300]},
                )
                await asyncio.sleep(self.settings.consumer_retry_backoff_seconds * 2 ** (attempt - 1))
            except DomainError as exc:  # a rule refuses it: retrying will not help
                return f"{type(exc).__name__}: {exc.detail}"
            except Exception as exc:
                if attempt == attempts:
                    return "".join(traceback.format_exception_only(exc)).strip()
                log.warning(
                    "event handler failed; retrying",
                    extra={"event_id": envelope.id, "event_type": envelope.type, "attempt": attempt},
                )
                await asyncio.sleep(self.settings.consumer_retry_backoff_seconds * 2 ** (attempt - 1))
        return "exhausted retries"

    async def apply(self, envelope: Envelope, handler: Subscription) -> None:
        """Run one handler for one event, once in effect (also used to re-drive dead letters); the handler gets
        the event's data parsed into its contract class, in the same unit of work as the inbox entry.

        A write conflict (another transaction changed one of the same documents first: a tally shard, the
        initiative) is not the event's fault: it is tried again after a short random pause, as a group is,
        so a re-drive or a one-by-one retry does not fail for it."""
        for attempt in range(CONFLICT_RETRIES + 1):
            try:
                await self._apply_once(envelope, handler)
                return
            except (Unavailable, PyMongoError) as exc:
                if not lost_a_write_conflict(exc) or attempt == CONFLICT_RETRIES or self._stopping.is_set():
                    raise
                GROUPS.labels(self.service, "conflict").inc()
            await asyncio.sleep(random.uniform(0, CONFLICT_PAUSE_SECONDS * 2 ** attempt))

    async def _apply_once(self, envelope: Envelope, handler: Subscription) -> None:
        async with self.unit_of_work() as uow:
            try:
                await uow.db[INBOX].insert_one(inbox_entry(envelope, datetime.now(UTC)), session=uow.session)
            except DuplicateKeyError as exc:
                raise AlreadyHandled from exc
            await handler(envelope, uow)
        metrics.EVENTS_HANDLED.labels(self.service, envelope.type, "applied").inc()

    async def redrive(self, dead_letter_id: str) -> dict[str, Any]:
        """Apply a dead letter again (after a fix); the inbox keeps it to one effect."""
        return await self.dead_letters.redrive(dead_letter_id, self.subscriptions.subscription, self.apply)
