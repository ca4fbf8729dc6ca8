"""A create writes the initiative and its read-model cells in one command: failures behave as the writes
one by one did (a conflict with another transaction is retried, a duplicate is refused), nothing half-done."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from civic import documents
from civic.uow import UnitOfWork
from pymongo import InsertOne, UpdateOne
from pymongo.errors import DuplicateKeyError

from tests.integration.savings.conftest import unique

SCRATCH = "test_writes_together"


def _add_one(uow: UnitOfWork, key: str) -> UpdateOne:
    return UpdateOne({"_id": key}, {"$inc": {"n": 1}}, upsert=True, namespace=documents.namespace(uow, SCRATCH))


async def test_a_conflict_with_another_transaction_is_retried_and_both_count(runtime_of: Any, db: Any) -> None:
    rt = await runtime_of("savings")
    key = unique("cell")
    first_wrote = asyncio.Event()
    attempts = {"second": 0}

    async def first(uow: UnitOfWork) -> None:
        await documents.write_together(uow, [_add_one(uow, key)])
        first_wrote.set()
        await asyncio.sleep(0.3)  # still uncommitted while the second writes the same document

    async def second(uow: UnitOfWork) -> None:
        attempts["second"] += 1
        await first_wrote.wait()
        await documents.write_together(uow, [_add_one(uow, key)])

    await asyncio.gather(rt.transaction(first), rt.transaction(second))
    assert attempts["second"] >= 2  # the conflict kept its TransientTransactionError label: tried again
    assert (await db[SCRATCH].find_one({"_id": key}))["n"] == 2


async def test_a_duplicate_is_a_duplicate_key_error_and_nothing_is_written(runtime_of: Any, db: Any) -> None:
    rt = await runtime_of("savings")
    key, other = unique("doc"), unique("cell")
    await db[SCRATCH].insert_one({"_id": key})

    async def work(uow: UnitOfWork) -> None:
        await documents.write_together(uow, [_add_one(uow, other),
                                             InsertOne({"_id": key}, namespace=documents.namespace(uow, SCRATCH))])

    with pytest.raises(DuplicateKeyError):
        await rt.transaction(work)
    assert await db[SCRATCH].find_one({"_id": other}) is None


async def test_insert_op_stores_what_insert_stores(runtime_of: Any, db: Any) -> None:
    rt = await runtime_of("savings")

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        write, doc = documents.insert_op(uow, SCRATCH, {"title": "x"})
        await documents.write_together(uow, [write])
        return doc

    doc = await rt.transaction(work)
    assert doc["version"] == 1 and doc["created_at"] == doc["updated_at"]
    stored = await db[SCRATCH].find_one({"_id": doc["_id"]})
    assert stored["title"] == "x" and stored["version"] == 1
    assert abs(stored["created_at"] - doc["created_at"]).total_seconds() < 0.001  # BSON keeps milliseconds


async def test_a_retry_is_counted_for_the_operators(runtime_of: Any, db: Any) -> None:
    """civic_transaction_retries_total tells operators how often writers collide (an alert watches the
    given-up count: each one was a 503)."""
    from prometheus_client import REGISTRY

    def retries() -> float:
        return REGISTRY.get_sample_value("civic_transaction_retries_total", {"service": "savings"}) or 0.0

    rt = await runtime_of("savings")
    key = unique("cell")
    before = retries()
    first_wrote = asyncio.Event()

    async def first(uow: UnitOfWork) -> None:
        await documents.write_together(uow, [_add_one(uow, key)])
        first_wrote.set()
        await asyncio.sleep(0.3)

    async def second(uow: UnitOfWork) -> None:
        await first_wrote.wait()
        await documents.write_together(uow, [_add_one(uow, key)])

    await asyncio.gather(rt.transaction(first), rt.transaction(second))
    assert retries() >= before + 1
    assert (await db[SCRATCH].find_one({"_id": key}))["n"] == 2
