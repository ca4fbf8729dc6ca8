"""The status counts checked against the initiatives, and recounted.

During a rolling upgrade onto the version that keeps the counts, replicas of the version before them go on
changing initiatives without moving the counts: that drift is found (by the service's periodic check, its
gauge, and ``civic tallies check``) and repaired by a recount, which is safe while the service's own changes
go on: afterwards the counts equal the initiatives (bench/invariants.py)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from civic import tallies
from civic.tallies import RECORDS
from civic_savings.initiatives.domain import Initiative
from civic_savings.repository import INITIATIVES, STATUS_COUNTS, to_document
from prometheus_client import REGISTRY

from bench import invariants
from tests.conftest import eventually, service_settings, unique

pytestmark = pytest.mark.integration


def initiative(status: str) -> dict[str, Any]:
    """An initiative as any version stores it."""
    made = Initiative.propose(id=uuid.uuid4().hex, title=unique("Drift"), directorate="Place", theme="process_policy",
                              category="transformation", profile=[{"year": "2030/31", "planned_pence": 100}],
                              by="test", now=datetime.now(UTC))
    return {**to_document(made), "status": status}


def drift_gauge(service: str) -> float | None:
    return REGISTRY.get_sample_value("civic_tally_drift", {"service": service, "tally": STATUS_COUNTS.collection})


@pytest.fixture
async def elsewhere(db: Any) -> AsyncIterator[Any]:
    """A database of its own on the savings server: initiatives written as a replica of the version before the
    counts would write them (without their totals either) must not disturb the shared database's read model."""
    other = db.client[f"civic_savings_drift_{uuid.uuid4().hex[:8]}"]
    try:
        yield other
    finally:
        await db.client.drop_database(other.name)


async def test_changes_by_a_replica_without_the_counts_are_found_and_recounted(elsewhere, reader):
    # the new version's database: three proposed, counted
    await elsewhere[INITIATIVES].insert_many([initiative("proposed") for _ in range(3)])
    await STATUS_COUNTS.count_once(elsewhere)
    assert (await STATUS_COUNTS.compare(elsewhere)).matches
    # a replica of the version before the counts, still running in the rolling upgrade: it proposes two and
    # approves one, and moves no count
    await elsewhere[INITIATIVES].insert_many([initiative("proposed") for _ in range(2)])
    first = await elsewhere[INITIATIVES].find_one({"status": "proposed"})
    await elsewhere[INITIATIVES].update_one({"_id": first["_id"]}, {"$set": {"status": "approved"}})

    found = await STATUS_COUNTS.compare(elsewhere)
    assert found.drift == {"approved": ({RECORDS: 0}, {RECORDS: 1}), "proposed": ({RECORDS: 3}, {RECORDS: 4})}
    # the periodic check's round says so: its gauge counts the statuses that differ, /metrics shows it
    service = f"savings-drift-{uuid.uuid4().hex[:6]}"
    await tallies.check(elsewhere, service, [STATUS_COUNTS])
    assert drift_gauge(service) == 2
    metrics = (await reader.get("/metrics")).text
    assert f'civic_tally_drift{{service="{service}",tally="status_counts"}} 2.0' in metrics

    recounted = await STATUS_COUNTS.recount(elsewhere)
    assert recounted.drift == found.drift  # what it corrected: the tally's and the initiatives', status by status
    assert recounted.corrections() == {"approved": {RECORDS: 1}, "proposed": {RECORDS: 1}}
    assert await STATUS_COUNTS.read(elsewhere) == {"proposed": {RECORDS: 4}, "approved": {RECORDS: 1}}
    wrong = await invariants.savings_read_model_matches_initiatives(elsewhere)
    assert [line for line in wrong if line.startswith("initiatives ")] == []  # (these initiatives have no totals)
    assert (await STATUS_COUNTS.recount(elsewhere)).matches  # a second recount finds nothing to correct
    await tallies.check(elsewhere, service, [STATUS_COUNTS])
    assert drift_gauge(service) == 0
    # and a database recounted before it was ever counted is not counted again when the service prepares it
    await STATUS_COUNTS.count_once(elsewhere)
    assert (await STATUS_COUNTS.compare(elsewhere)).matches


async def test_a_recount_while_initiatives_change_leaves_the_counts_equal_to_them(api, new_initiative, db):
    # a lost move (a bug, a hand edit of the database): the counts say three more are proposed than are
    await db[STATUS_COUNTS.collection].update_one(
        {"_id": "proposed:0"}, {"$inc": {RECORDS: 3}, "$setOnInsert": {"status": "proposed"}}, upsert=True)
    assert (await STATUS_COUNTS.compare(db)).corrections() == {"proposed": {RECORDS: -3}}
    directorate = unique("Recounted")

    async def changes() -> None:  # through the service's own write path: each moves the counts as it goes
        await asyncio.gather(*(new_initiative("approved", "in_delivery", directorate=directorate) for _ in range(12)))

    writing = asyncio.create_task(changes())
    recounts = []
    while not writing.done() or not recounts:  # recount, again and again, for as long as the changes go on
        recounts.append(await STATUS_COUNTS.recount(db))
    await writing

    assert recounts[0].corrections() == {"proposed": {RECORDS: -3}}
    # a change committing during a recount is in its snapshot or adds its own moves after it: never drift
    assert all(recount.matches for recount in recounts[1:])
    assert await invariants.savings_read_model_matches_initiatives(db) == []
    assert (await STATUS_COUNTS.compare(db)).matches
    summary = (await api.get("/v1/initiatives", params={"directorate": directorate, "limit": 500})).json()
    assert [i["status"] for i in summary["items"]] == ["in_delivery"] * 12


async def test_the_service_checks_its_counts_in_the_background(stack, elsewhere):
    """The job a service runs (``checking``): a round every CIVIC_TALLY_CHECK_SECONDS on the replica holding
    the lease; it says how far the counts drifted and withdraws its figure when it stops."""
    service = f"savings-check-{uuid.uuid4().hex[:6]}"
    await elsewhere[INITIATIVES].insert_many([initiative("proposed"), initiative("approved")])  # never counted
    runtime = SimpleNamespace(db=elsewhere, name=service, prepared=asyncio.Event(),
                              settings=service_settings(stack, "savings", service_name=service, tally_check_seconds=0.05))
    runtime.prepared.set()
    job = asyncio.create_task(tallies.checking(STATUS_COUNTS)(runtime))  # type: ignore[arg-type]
    try:
        async def drifted(statuses: int) -> bool:
            return drift_gauge(service) == statuses

        await eventually(lambda: drifted(2))
        await STATUS_COUNTS.recount(elsewhere)
        await eventually(lambda: drifted(0))
        assert REGISTRY.get_sample_value("civic_tally_checked_timestamp_seconds",
                                         {"service": service, "tally": "status_counts"})
    finally:
        job.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await job
    assert drift_gauge(service) is None


async def test_the_command_checks_and_recounts_with_the_services_settings(stack, elsewhere, tmp_path):
    """``civic tallies check|recount savings`` as an operator runs it in the service's pod: the database from
    MONGODB_URL and MONGODB_DATABASE, as the service reads them."""
    await elsewhere[INITIATIVES].insert_many([initiative("proposed") for _ in range(2)])  # never counted
    env = {name: value for name, value in os.environ.items()
           if name not in ("CIVIC_SERVICE_NAME", "OTEL_SERVICE_NAME", "MONGODB_URL_FILE")}
    env.update(MONGODB_URL=stack.mongodb_url("savings"), MONGODB_DATABASE=elsewhere.name,
               CIVIC_STATE_DIR=str(tmp_path))

    async def civic(*args: str) -> tuple[int, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "civic.cli.main", *args, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        out, _ = await process.communicate()
        return process.returncode or 0, out.decode()

    code, out = await civic("tallies", "check", "savings")
    assert code == 1, out
    assert out.splitlines() == [
        "savings status_counts: differs from its initiatives in 1 status (2 initiatives in 1 status):",
        "  proposed: tally 0 records; initiatives 2 records",
    ]
    code, out = await civic("tallies", "recount", "savings", "--json")
    assert code == 0, out
    assert json.loads(out) == [{
        "service": "savings", "tally": "status_counts", "records": "initiatives", "counted": 2, "matches": False,
        "recounted": True, "drift": {"proposed": {"tally": {RECORDS: 0}, "records": {RECORDS: 2}}},
    }]
    code, out = await civic("tallies", "check", "savings")
    assert (code, out.strip()) == (0, "savings status_counts: matches its initiatives (2 initiatives in 1 status)")
