"""Retention with a real database: published outbox records and idempotency records go once their time is
up, in batches; a record not yet published never goes; and no collection keeps a TTL index (SecantusDB's
TTL sweeper reads a whole collection under its storage lock once a minute, see civic.retention)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from civic import metrics
from civic.idempotency import IDEMPOTENCY
from civic.outbox import prepare_outbox
from civic.retention import BATCH, sweep
from civic.uow import OUTBOX
from civic_contracts import SERVICES

from tests.conftest import service_settings

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _deleted(service: str, collection: str) -> float:
    return float(metrics.RETENTION_DELETED.labels(service, collection)._value.get())


def _record(published_at: datetime | None, created_at: datetime) -> dict[str, Any]:
    return {"_id": uuid.uuid4().hex, "topic": "t", "type": "x", "envelope": {}, "created_at": created_at,
            "order": 0, "published_at": published_at, "attempts": 1 if published_at else 0}


async def test_what_has_expired_goes_and_nothing_else(stack, scratch_db) -> None:
    db = await scratch_db("savings", "retention")
    service = f"retention-{uuid.uuid4().hex[:6]}"  # its own metric labels
    settings = service_settings(stack, "savings", service_name=service, outbox_retention_days=14,
                                idempotency_retention_hours=24)
    await prepare_outbox(db)
    long_ago = NOW - timedelta(days=30)
    expired = [_record(NOW - timedelta(days=15), long_ago) for _ in range(BATCH + 7)]  # more than a batch
    kept = [_record(NOW - timedelta(days=13), long_ago) for _ in range(3)]
    waiting = [_record(None, long_ago) for _ in range(4)]  # never published: never deleted, however old
    await db[OUTBOX].insert_many(expired + kept + waiting)
    await db[IDEMPOTENCY].insert_many([
        {"_id": "old", "created_at": NOW - timedelta(hours=25)},
        {"_id": "recent", "created_at": NOW - timedelta(hours=23)},
    ])

    gone = await sweep(db, settings, now=NOW)

    assert gone == {OUTBOX: len(expired), IDEMPOTENCY: 1}
    left = {d["_id"] async for d in db[OUTBOX].find({}, {"_id": 1})}
    assert left == {r["_id"] for r in kept + waiting}
    assert [d["_id"] async for d in db[IDEMPOTENCY].find({})] == ["recent"]
    assert _deleted(service, OUTBOX) == len(expired) and _deleted(service, IDEMPOTENCY) == 1
    assert await sweep(db, settings, now=NOW) == {OUTBOX: 0, IDEMPOTENCY: 0}  # nothing more to do


async def test_the_ttl_indexes_earlier_versions_made_are_dropped(scratch_db) -> None:
    db = await scratch_db("savings", "retention")
    await db[OUTBOX].create_index("published_at", name="outbox_retention", expireAfterSeconds=86400, sparse=True)
    await prepare_outbox(db)
    assert not any("expireAfterSeconds" in i for i in (await db[OUTBOX].index_information()).values())


async def test_no_service_database_keeps_a_ttl_index(runtime_of) -> None:
    for name in SERVICES:
        db = (await runtime_of(name)).db
        for collection in await db.list_collection_names():
            indexes = await db[collection].index_information()
            assert not any("expireAfterSeconds" in i for i in indexes.values()), (name, collection, indexes)
