"""The unit of work: one MongoDB transaction holding a change and the events it produces.

Events go to the service's ``outbox`` collection in the same transaction, so a change is never
published without being stored, nor stored without being published (the relay does that after
commit). A refusal raised inside the block aborts the transaction: nothing is written.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from civic_contracts.envelope import Envelope, EventData
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConnectionFailure, OperationFailure, PyMongoError, ServerSelectionTimeoutError

from civic import idempotency, metrics
from civic.errors import Unavailable
from civic.telemetry import current_traceparent

OUTBOX = "outbox"

T = TypeVar("T")


@dataclass
class UnitOfWork:
    db: AsyncDatabase[Any]
    session: AsyncClientSession
    source: str
    _events: list[Envelope] = field(default_factory=list)
    #: what a use case keeps for the unit's later changes (a consumer's group applies several events in one
    #: unit of work): e.g. the read-model shard the unit writes, or what it already looked up
    kept: dict[str, Any] = field(default_factory=dict)

    def emit(self, event: EventData) -> Envelope:
        """Record ``event`` to be published once this unit of work commits."""
        envelope = Envelope.wrap(event, source=self.source, traceparent=current_traceparent())
        self._events.append(envelope)
        return envelope

    @property
    def events(self) -> list[Envelope]:
        return list(self._events)

    async def _write_outbox(self) -> None:
        if not self._events:
            return
        stamp = datetime.now(UTC)
        records = [outbox_record(e, stamp, i) for i, e in enumerate(self._events)]
        await self.db[OUTBOX].insert_many(records, session=self.session)


def outbox_record(envelope: Envelope, stamp: datetime, order: int) -> dict[str, Any]:
    return {
        "_id": envelope.id,
        "topic": envelope.topic,
        "key": envelope.subject,
        "type": envelope.type,
        "envelope": envelope.model_dump(mode="json", exclude_none=True),
        "traceparent": envelope.traceparent,
        "created_at": stamp,
        "order": order,
        "published_at": None,
        "attempts": 0,
    }


class UnitOfWorkFactory:
    """Opens units of work; ``after_commit`` nudges the outbox relay so events leave promptly."""

    def __init__(self, db: AsyncDatabase[Any], source: str, after_commit: Callable[[], None]) -> None:
        self.db = db
        self.source = source
        self.after_commit = after_commit

    def __call__(self) -> _UnitOfWorkContext:
        return _UnitOfWorkContext(self)


class _UnitOfWorkContext:
    def __init__(self, factory: UnitOfWorkFactory) -> None:
        self.factory = factory
        self.session: AsyncClientSession | None = None
        self.uow: UnitOfWork | None = None

    async def __aenter__(self) -> UnitOfWork:
        try:
            self.session = self.factory.db.client.start_session()
            await self.session.start_transaction()
        except (ConnectionFailure, OperationFailure) as exc:
            await self._end()
            raise Unavailable("The database is not reachable; nothing was changed. Try again shortly.") from exc
        self.uow = UnitOfWork(self.factory.db, self.session, self.factory.source)
        return self.uow

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        assert self.session is not None and self.uow is not None
        try:
            if exc_type is not None:
                await self._abort()
                if isinstance(exc, ConnectionFailure):
                    raise Unavailable("The database is not reachable; nothing was changed.") from _unreachable(exc)
                if isinstance(exc, PyMongoError) and exc.has_error_label("TransientTransactionError"):
                    # another change to the same record won the race; the caller may simply try again
                    raise Unavailable(
                        "Another change to the same record was being made at the same moment; nothing was changed. "
                        "Try again."
                    ) from exc
                return False
            try:
                await self.uow._write_outbox()
                await self.session.commit_transaction()
            except PyMongoError as error:
                await self._abort()
                if isinstance(error, ConnectionFailure) or error.has_error_label("TransientTransactionError"):
                    raise Unavailable(
                        "The change could not be committed; nothing was changed. Try again shortly."
                    ) from _unreachable(error)
                raise
            if self.uow.events:
                service = self.factory.source.rsplit("/", 1)[-1]
                for envelope in self.uow.events:  # committed: the start of each event's path (dashboards)
                    metrics.OUTBOX_WRITTEN.labels(service, envelope.topic).inc()
                self.factory.after_commit()
            return False
        finally:
            await self._end()

    async def _abort(self) -> None:
        if self.session is not None and self.session.in_transaction:
            try:
                await self.session.abort_transaction()
            except PyMongoError:
                pass

    async def _end(self) -> None:
        if self.session is not None:
            try:
                await self.session.end_session()
            except PyMongoError:
                pass


def _unreachable(error: PyMongoError) -> PyMongoError:
    """No server answered within the selection timeout: not a conflict that an immediate retry would win.

    The driver labels it TransientTransactionError, so the retry loops (here and in the services) would
    wait the whole timeout again, attempt after attempt, before answering 503; drop the label.
    """
    if isinstance(error, ServerSelectionTimeoutError):
        error._remove_error_label("TransientTransactionError")
    return error


# How long a change keeps trying when concurrent writers keep winning: well inside the gateway's
# route timeouts, long enough that a burst of writers to one record is absorbed rather than refused.
CONFLICT_RETRY_SECONDS = 5.0
_BACKOFF_FIRST_SECONDS = 0.002
_BACKOFF_CAP_SECONDS = 0.1


async def run_in_transaction(
    factory: UnitOfWorkFactory, work: Callable[[UnitOfWork], Awaitable[T]],
    retry_for_seconds: float = CONFLICT_RETRY_SECONDS,
) -> T:
    """The one write path: run ``work`` in a unit of work, with the request's Idempotency-Key recorded in
    the same transaction (:mod:`civic.idempotency`), retrying when the database reports a transient
    conflict (another writer won the race) for up to ``retry_for_seconds``.

    ``work`` must be safe to run again: everything it wrote in a failed attempt was rolled back.
    """
    replay, result = idempotency.replayed_result()
    if replay:
        return cast(T, result)  # the change was committed by the first request with this key
    loop = asyncio.get_running_loop()
    deadline = loop.time() + retry_for_seconds
    attempt = 0
    while True:
        recorded = False
        try:
            async with factory() as uow:
                recorded = await idempotency.claim_in(uow)
                result = await work(uow)
                if recorded:
                    await idempotency.record_result(uow, result)
            if recorded:
                idempotency.committed()
            return cast(T, result)
        except BaseException as exc:
            if recorded:
                idempotency.rolled_back()  # not committed after all: the next attempt records it again
            if not _lost_a_race(exc):
                raise
            service = factory.source.rsplit("/", 1)[-1]
            if loop.time() >= deadline:
                metrics.TRANSACTION_CONFLICTS_GIVEN_UP.labels(service).inc()
                raise
            metrics.TRANSACTION_RETRIES.labels(service).inc()
        # "Full jitter" (a random wait up to an exponentially growing cap): writers that collided spread
        # out instead of colliding again in lockstep, and the first retries come almost at once.
        attempt += 1
        await asyncio.sleep(random.uniform(0, min(_BACKOFF_CAP_SECONDS, _BACKOFF_FIRST_SECONDS * 2 ** attempt)))


def lost_a_write_conflict(exc: BaseException) -> bool:
    """Another write changed the same document first (as opposed to the database being away, or a handler
    failing): trying again at once is the remedy. ``exc`` as the driver raised it, or the unit of work's
    :class:`Unavailable` over it. Error code 112 is WriteConflict, which has no label outside a transaction."""
    cause = exc.__cause__ if isinstance(exc, Unavailable) else exc
    return (isinstance(cause, PyMongoError) and not isinstance(cause, ConnectionFailure)
            and (cause.has_error_label("TransientTransactionError")
                 or (isinstance(cause, OperationFailure) and cause.code == 112)))


def _lost_a_race(exc: BaseException) -> bool:
    """A transient conflict: another transaction wrote the same document first; trying again can succeed."""
    cause = exc.__cause__
    return (isinstance(exc, Unavailable) and isinstance(cause, PyMongoError)
            and cause.has_error_label("TransientTransactionError"))
