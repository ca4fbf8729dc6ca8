"""Savings: what a create through the API costs against the driver alone, and how the theme report
grows from 1k to 100k initiatives.

Large volumes are loaded in bulk with the service's own domain model and read-model arithmetic
(``Initiative``, ``figures.contribution``, ``repository.to_document``), exactly the documents and
totals the service would have written one change at a time; the report is then asked for through
the API and its grand total checked against what was loaded, so a wrong loader cannot flatter it.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from civic.outbox import prepare_outbox
from civic.tallies import RECORDS
from civic.uow import outbox_record
from civic_contracts.envelope import Envelope
from civic_contracts.savings import InitiativeProposed
from civic_savings import figures
from civic_savings.initiatives.domain import Initiative
from civic_savings.programme.domain import THEMES
from civic_savings.read_model.service import TOTALS_SHARDS, ShardsInUse
from civic_savings.repository import (
    INITIATIVES,
    STATUS_COUNTS,
    TOTALS,
    cell_and_shard,
    cell_document,
    cell_id,
    ensure_indexes,
    to_document,
)
from pymongo import AsyncMongoClient, UpdateOne
from pymongo.errors import ClientBulkWriteException, PyMongoError

from bench.measure import closed_loop, limits, median_time, ok, ratio

YEARS = ("2021/22", "2022/23", "2023/24", "2024/25", "2025/26")
DIRECTORATES = ("Adults", "Children's", "Place", "Corporate", "Public Health", "Housing")
PROGRAMMES = ("LGR", "Survive to Thrive", None)
REPORT_YEARS = "2021/22,2022/23,2023/24"
CONCURRENCY = 16
# the API's creates per second against the same writes made by the driver alone, in one transaction
CREATE_RATIO_TARGET = 0.6
DURATION_SECONDS = 5.0
REPORT_SAMPLES = 30


def _initiative(rng: random.Random, n: int) -> Initiative:
    first = rng.randrange(len(YEARS) - 1)
    profile = {YEARS[first]: rng.randrange(1, 500) * 1_000_00, YEARS[first + 1]: rng.randrange(0, 300) * 1_000_00}
    initiative = Initiative.propose(
        id=uuid.uuid4().hex, title=f"Bench initiative {n}", directorate=rng.choice(DIRECTORATES),
        theme=rng.choice(list(THEMES)), category="transformation", profile=[
            {"year": y, "planned_pence": p} for y, p in profile.items()
        ], programme=rng.choice(PROGRAMMES), by="bench", now=datetime.now(UTC),
    )
    return initiative


def _create_body(n: int) -> dict[str, Any]:
    return {
        "title": f"Bench create {n} {uuid.uuid4().hex[:8]}", "directorate": "Corporate", "theme": "process_policy",
        "category": "transformation", "programme": "Bench",
        "profile": [{"year": "2030/31", "planned_pence": 1_000_000}],
    }


async def load(mongodb_url: str, count: int, seed: int) -> int:
    """Add ``count`` initiatives and their read-model totals in bulk; returns the pence planned in REPORT_YEARS."""
    rng = random.Random(seed)
    wanted = set(REPORT_YEARS.split(","))
    planned_in_report = 0
    client: AsyncMongoClient[Any] = AsyncMongoClient(mongodb_url, tz_aware=True)
    try:
        db = client["civic_savings"]
        batch: list[dict[str, Any]] = []
        parts: list[tuple[tuple[tuple[str, ...], int], dict[str, int]]] = []
        stamp = datetime.now(UTC)
        for n in range(count):
            initiative = _initiative(rng, n)
            planned_in_report += sum(p for y, p in initiative.profile.items() if y in wanted)
            batch.append({**to_document(initiative), "version": 1, "created_at": stamp, "updated_at": stamp})
            shard = rng.randrange(TOTALS_SHARDS)
            parts += [((cell, shard), measures) for cell, measures in figures.contribution(initiative).items()]
            if len(batch) == 5000:
                await db[INITIATIVES].insert_many(batch, ordered=False)
                batch = []
        if batch:
            await db[INITIATIVES].insert_many(batch, ordered=False)
        await db[TOTALS].bulk_write([
            UpdateOne({"_id": cell_id(cell, shard)}, {"$inc": dict(inc), "$setOnInsert": cell_document(cell)},
                      upsert=True)
            for (cell, shard), inc in figures.summed(parts).items()
        ], ordered=False)
        # every loaded initiative is proposed: the dashboard's counts move with them, as a create's would
        await db[STATUS_COUNTS.collection].update_one(
            {"_id": "proposed:0"}, {"$inc": {RECORDS: count}, "$setOnInsert": {"status": "proposed"}}, upsert=True)
    finally:
        await client.close()
    return planned_in_report


async def report_scaling(service_url: str, mongodb_url: str, headers: dict[str, str]) -> dict[str, Any]:
    """Theme report time with 1k initiatives, then with 100k (the same 1k plus 99k more)."""
    async with httpx.AsyncClient(base_url=service_url, headers=headers, timeout=60, trust_env=False) as client:
        baseline = await _report_total(client)
        expected = baseline + await load(mongodb_url, 1_000, seed=1)

        async def report() -> None:
            response = await client.get("/v1/reports/themes", params={"years": REPORT_YEARS})
            ok(response)

        settled_1k = await _folded_within(mongodb_url)
        at_1k = await median_time(report, REPORT_SAMPLES)
        check_1k = await _report_total(client) == expected
        expected += await load(mongodb_url, 99_000, seed=2)
        settled_100k = await _folded_within(mongodb_url)
        at_100k = await median_time(report, REPORT_SAMPLES)
        check_100k = await _report_total(client) == expected
    return {
        "report": f"GET /v1/reports/themes?years={REPORT_YEARS}",
        "at_1k": at_1k,
        "at_100k": at_100k,
        "ratio_100k_to_1k": ratio(at_100k["median_ms"], at_1k["median_ms"]),
        "totals_match_what_was_loaded": check_1k and check_100k,
        "seconds_until_folded": {"1k": settled_1k, "100k": settled_100k},
    }


async def _folded_within(mongodb_url: str, timeout: float = 180) -> float | None:
    """Wait for the service's background folding to leave one totals document per cell (as in normal running)."""
    client: AsyncMongoClient[Any] = AsyncMongoClient(mongodb_url, tz_aware=True)
    started = time.perf_counter()
    try:
        while time.perf_counter() - started < timeout:
            ids = [d["_id"] async for d in client["civic_savings"][TOTALS].find({}, {"_id": 1})]
            if all(cell_and_shard(i)[1] == 0 for i in ids):
                return round(time.perf_counter() - started, 1)
            await asyncio.sleep(1)
        return None
    finally:
        await client.close()


async def _report_total(client: httpx.AsyncClient) -> int:
    body = (await client.get("/v1/reports/themes", params={"years": REPORT_YEARS})).json()
    return int(body["totals"]["planned_pence"])


async def create_rate(service_urls: list[str], mongodb_url: str, headers: dict[str, str]) -> dict[str, Any]:
    """POST /v1/initiatives (validation, transaction, outbox, read model) against the same writes made by
    the driver alone, on the same server, at the same concurrency, interleaved raw / API / raw / API.

    The driver's writes go to a scratch database with the service's own indexes (initiatives, totals,
    outbox), so both sides pay for the same index maintenance: "the same writes", not cheaper ones.
    """
    mongo: AsyncMongoClient[Any] = AsyncMongoClient(mongodb_url, tz_aware=True)
    scratch = mongo["civic_savings_bench"]["initiatives"]
    await ensure_indexes(scratch.database)
    await prepare_outbox(scratch.database)
    rng = random.Random(3)
    try:
        async with httpx.AsyncClient(headers=headers, timeout=60, limits=limits(CONCURRENCY * 2), trust_env=False) as client:

            async def via_api(n: int) -> bool:
                url = service_urls[n % len(service_urls)] + "/v1/initiatives"
                return (await client.post(url, json=_create_body(n))).status_code == 201

            async def raw(n: int) -> bool:
                doc = to_document(_initiative(rng, n))
                await scratch.insert_one({**doc, "_id": uuid.uuid4().hex})
                return True

            shards = ShardsInUse(TOTALS_SHARDS)

            async def raw_transaction(n: int) -> bool:
                # what any correct create must write, with the driver alone: the initiative, its read model
                # (its cells and its status count, in a shard no other create of this process holds, as the
                # service picks) and its event's outbox record in one transaction, retried on a write
                # conflict by the driver (no HTTP, validation, auth, events or target checks)
                initiative = _initiative(rng, n)
                database = scratch.database.name

                async def write(session: Any, shard: int) -> None:
                    await scratch.insert_one({**to_document(initiative), "_id": uuid.uuid4().hex}, session=session)
                    try:
                        await mongo.bulk_write([
                            *(UpdateOne({"_id": cell_id(cell, shard)},
                                        {"$inc": inc, "$setOnInsert": cell_document(cell)},
                                        upsert=True, namespace=f"{database}.{TOTALS}")
                              for cell, inc in figures.contribution(initiative).items()),
                            *STATUS_COUNTS.writes(scratch.database, None, {"status": initiative.status}, shard),
                        ], session=session)
                    except ClientBulkWriteException as exc:
                        # the conflict itself, so the driver's with_transaction sees its label and retries
                        if isinstance(exc.error, PyMongoError):
                            raise exc.error from exc
                        raise
                    event = InitiativeProposed(initiative_id=initiative.id, title=initiative.title,
                                               theme=initiative.theme, directorate=initiative.directorate,
                                               programme=initiative.programme,
                                               planned_pence=initiative.planned_pence)
                    await scratch.database["outbox"].insert_one(
                        outbox_record(Envelope.wrap(event, source="/civic/savings"), datetime.now(UTC), 0),
                        session=session)

                with shards.holding() as shard:
                    async with mongo.start_session() as session:
                        await session.with_transaction(lambda s: write(s, shard))
                return True

            await closed_loop(via_api, CONCURRENCY, 1.0)  # warm connections and caches
            await closed_loop(raw, CONCURRENCY, 1.0)
            runs: dict[str, list[dict[str, Any]]] = {"raw": [], "api": [], "raw_transaction": []}
            for _ in range(2):
                runs["raw"].append(await closed_loop(raw, CONCURRENCY, DURATION_SECONDS))
                runs["api"].append(await closed_loop(via_api, CONCURRENCY, DURATION_SECONDS))
                runs["raw_transaction"].append(await closed_loop(raw_transaction, CONCURRENCY, DURATION_SECONDS))
        await mongo.drop_database("civic_savings_bench")
    finally:
        await mongo.close()
    raw_rate = sum(r["per_second"] for r in runs["raw"]) / len(runs["raw"])
    api_rate = sum(r["per_second"] for r in runs["api"]) / len(runs["api"])
    txn_rate = sum(r["per_second"] for r in runs["raw_transaction"]) / len(runs["raw_transaction"])
    return {
        "concurrency": CONCURRENCY,
        "replicas": len(service_urls),
        "raw_insert_per_second": round(raw_rate, 1),
        "api_create_per_second": round(api_rate, 1),
        "api_create_p50_ms": runs["api"][-1]["p50_ms"],
        "api_create_p99_ms": runs["api"][-1]["p99_ms"],
        "api_failed": sum(r["failed"] for r in runs["api"]),
        "ratio_api_to_raw": ratio(api_rate, raw_rate),
        "raw_transaction_per_second": round(txn_rate, 1),
        "ratio_api_to_raw_transaction": ratio(api_rate, txn_rate),
    }
