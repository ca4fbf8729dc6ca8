"""Helpers for the hostile-input tests (on top of tests/conftest.py's session fixtures).

The services run in-process against the real MongoDB-wire servers and Kafka-wire broker. What a
refusal must not do is checked on the database itself: a ``Snapshot`` holds every document of every
collection a request could touch (the outbox and inbox by record, since the relay stamps records
it has published), and ``quiesce`` waits until the relays and consumers have nothing in hand, so
that what changes between two snapshots is what the requests in between did.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import bson
import pytest
import pytest_asyncio
from civic.logs import DOCUMENT_LOGGERS
from civic_contracts import SERVICES
from civic_savings.repository import cell_and_shard

from tests.conftest import unique

PROBLEM_TYPE = "application/problem+json"

#: changed by the runtime on its own (relay leases) or on any request by design (idempotency records)
UNWATCHED = {"leases", "idempotency_keys"}
#: compared by record: the relay stamps published_at on outbox records, the inbox ages out
BY_RECORD = {"outbox", "inbox"}
#: a background writer (consumer, scheduler) leaves a record in one of these in the same transaction
BACKGROUND_EVIDENCE = ("outbox", "inbox", "dead_letters")


def assert_problem(response: Any, status: int | tuple[int, ...]) -> dict[str, Any]:
    """An RFC 9457 problem details answer with the given status (or one of them)."""
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, f"{response.status_code} not in {statuses}: {response.text[:500]}"
    assert response.headers["content-type"].startswith(PROBLEM_TYPE), response.headers["content-type"]
    body: dict[str, Any] = response.json()
    for key in ("type", "title", "status", "detail"):
        assert key in body, f"problem without {key}: {body}"
    assert body["status"] == response.status_code
    assert isinstance(body["detail"], str) and body["detail"]
    return body


def _trace_of(doc: dict[str, Any]) -> str | None:
    parent = doc.get("traceparent") or (doc.get("envelope") or {}).get("traceparent")
    parts = str(parent or "").split("-")
    return parts[1] if len(parts) == 4 else None


@dataclass
class Change:
    """What differs between two snapshots: collection -> ids added, removed, changed."""

    added: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    removed: dict[str, list[str]] = field(default_factory=dict)
    changed: dict[str, list[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def summary(self) -> str:
        parts = [f"+{c}:{[d['_id'] for d in docs][:5]}" for c, docs in self.added.items()]
        parts += [f"-{c}:{ids[:5]}" for c, ids in self.removed.items()]
        parts += [f"~{c}:{ids[:5]}" for c, ids in self.changed.items()]
        return " ".join(parts)

    def emitted_by(self, trace_ids: set[str]) -> list[dict[str, Any]]:
        """Outbox records written under one of these traces (so by those requests)."""
        return [d for d in self.added.get("outbox", []) if _trace_of(d) in trace_ids]

    def background(self, trace_ids: set[str]) -> bool:
        """True when the change carries the mark of a consumer or the scheduler, not of these requests:
        a new inbox or dead-letter record, or an outbox record under another trace, and none under theirs."""
        if self.emitted_by(trace_ids):
            return False
        return any(self.added.get(name) for name in BACKGROUND_EVIDENCE)


class Snapshot(dict[str, dict[str, tuple[str, dict[str, Any]]]]):
    """collection -> {id: (digest, document)}."""

    def changes_to(self, later: Snapshot) -> Change:
        change = Change()
        for name in sorted(set(self) | set(later)):
            before, after = self.get(name, {}), later.get(name, {})
            added = [after[k][1] for k in sorted(after.keys() - before.keys())]
            removed = sorted(before.keys() - after.keys())
            if name in BY_RECORD:
                removed = []  # records expire (TTL) by themselves
            changed = sorted(k for k in before.keys() & after.keys() if before[k][0] != after[k][0])
            if added:
                change.added[name] = added
            if removed:
                change.removed[name] = removed
            if changed:
                change.changed[name] = changed
        return change


FOLDED_READ_MODEL = "savings_totals"


def _folded(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Savings' totals as one document per cell: its background job folds write shards into the first
    shard at any moment, which moves documents but never changes a cell's sums. A measure at 0 and one
    absent are the same sum (a fold writes only the measures that are not 0)."""
    cells: dict[str, dict[str, Any]] = {}
    for doc in docs:
        cell = json.dumps(cell_and_shard(doc["_id"])[0])
        folded = cells.setdefault(cell, {"_id": cell})
        for key, value in doc.items():
            if key == "_id":
                continue
            if isinstance(value, int) and not isinstance(value, bool):
                folded[key] = folded.get(key, 0) + value
            else:
                folded[key] = value
    return [dict(sorted((k, v) for k, v in d.items() if v != 0 or isinstance(v, bool))) for d in cells.values()]


async def _at_one_moment(db: Any, name: str) -> list[dict[str, Any]]:
    """Every document as of one moment (read in a transaction): a fold commits a whole batch of shards
    at once, and a plain cursor could see a cell's first shard before the fold and the others after."""
    async with db.client.start_session() as session:
        await session.start_transaction()
        try:
            return list(await db[name].find({}, session=session).to_list())
        finally:
            await session.abort_transaction()


async def snapshot(db: Any, evidence_first: bool = True) -> Snapshot:
    """Every document. Reads are not one point in time, so the records a background writer leaves
    (outbox, inbox, dead letters) are read first in a "before" snapshot and last in an "after" one:
    a background write that lands between the two then always shows its record in the change."""
    result = Snapshot()
    names = [n for n in await db.list_collection_names() if n not in UNWATCHED and not n.startswith("system.")]
    evidence = [n for n in names if n in BACKGROUND_EVIDENCE]
    rest = sorted(n for n in names if n not in BACKGROUND_EVIDENCE)
    for name in (evidence + rest if evidence_first else rest + evidence):
        if name == FOLDED_READ_MODEL:
            docs = _folded(await _at_one_moment(db, name))
        else:
            docs = await db[name].find({}).to_list()
        result[name] = {
            str(d["_id"]): ("" if name in BY_RECORD else hashlib.sha256(bson.encode(d)).hexdigest(), d)
            for d in docs
        }
    return result


async def assert_unchanged(db: Any, before: Snapshot, responses: list[Any]) -> None:
    """Refused requests left the database as it was, wrote no outbox record (so published nothing).
    A change carrying the mark of a consumer or the scheduler (and none of these requests) is theirs."""
    assert responses and all(400 <= r.status_code < 500 for r in responses), [r.status_code for r in responses]
    change = before.changes_to(await snapshot(db, evidence_first=False))
    traces = {r.headers.get("x-trace-id", "") for r in responses}
    assert not change or change.background(traces), f"refused requests changed the database: {change.summary()}"


async def quiesce(runtime_of: Callable[[str], Awaitable[Any]], timeout: float = 60.0) -> None:
    """Wait until every outbox is published and no consumer has handled anything for a moment."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    runtimes = [await runtime_of(name) for name in SERVICES]
    last: tuple[int, ...] | None = None
    while loop.time() < deadline:
        pending = [await rt.db["outbox"].count_documents({"published_at": None}) for rt in runtimes]
        handled = tuple([await rt.db["inbox"].count_documents({}) for rt in runtimes]
                        + [await rt.db["dead_letters"].count_documents({}) for rt in runtimes])
        if not any(pending) and handled == last:
            return
        last = handled
        await asyncio.sleep(1.0)
    raise AssertionError("the relays and consumers did not settle")


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def all_apps(running_apps: Any) -> AsyncIterator[dict[str, Any]]:
    """Every service app started (an app's start resets the root log handlers: start them all first)."""
    yield {name: await running_apps.get(name) for name in SERVICES}


_BLANK_RECORD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__)


class RecordingHandler(logging.Handler):
    """Each log record as text (message, extra fields, exception), to search for leaks."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        extras = {k: v for k, v in record.__dict__.items() if k not in _BLANK_RECORD}
        exc = logging.Formatter().formatException(record.exc_info) if record.exc_info else ""
        self.lines.append(f"{record.name} {record.getMessage()} {extras!r} {exc}")

    def text(self) -> str:
        return "\n".join(self.lines)


@pytest.fixture
def log_records(all_apps: dict[str, Any]) -> Iterator[RecordingHandler]:
    """Every log record of every logger while the test runs, DEBUG included."""
    handler = RecordingHandler()
    root = logging.getLogger()
    previous = root.level
    # every logger speaks as with CIVIC_LOG_LEVEL=DEBUG (drivers included), except those the runtime
    # never lets write (they hold whole database documents)
    quietened = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict
                 if logging.getLogger(name).level > logging.DEBUG and name not in DOCUMENT_LOGGERS}
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in quietened:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
        for name, level in quietened.items():
            logging.getLogger(name).setLevel(level)


# --------------------------------------------------------------------------- a little of everything


async def _ok(response: Any, *statuses: int) -> dict[str, Any]:
    assert response.status_code in (statuses or (200, 201)), response.text
    body: dict[str, Any] = response.json()
    return body


async def build_world(name: str, api: Any) -> None:
    """Real resources in a service, so fuzzed requests that name an existing id reach the handlers."""
    if name == "savings":
        await _ok(await api.post("/v1/initiatives", json={
            "title": unique("Fuzz initiative"), "directorate": unique("Fuzz"), "theme": "process_policy",
            "category": "transformation", "programme": unique("Fuzz programme"),
            "profile": [{"year": "2040/41", "planned_pence": 100}]}))
        await _ok(await api.put(f"/v1/targets/{unique('fuzz-target').replace(' ', '-')}", json={"amount_pence": 1}))
        await _ok(await api.post("/v1/cost-avoidance", json={
            "title": unique("Fuzz avoidance"), "directorate": "Fuzz", "year": "2040/41", "amount_pence": 5}))
    elif name == "property":
        building = await _ok(await api.post("/v1/buildings", json={
            "name": unique("Fuzz House"), "town": unique("Fuzzton"), "kind": "office", "desks": 50, "tenure": "freehold",
            "annual_running_cost_pence": 1000, "annual_carbon_kg": 10}))
        other = await _ok(await api.post("/v1/buildings", json={
            "name": unique("Fuzz Hub"), "town": unique("Fuzzton"), "kind": "locality_hub", "desks": 80,
            "tenure": "leasehold", "annual_running_cost_pence": 2000, "annual_carbon_kg": 20}))
        team = await _ok(await api.post("/v1/teams", json={
            "name": unique("Fuzz team"), "directorate": unique("Fuzz"), "building_id": building["id"],
            "workforce": {"fixed": 2, "part_flexible": 2, "flexible": 2, "field": 2}}))
        await _ok(await api.post("/v1/moves", json={
            "team_id": team["id"], "to_building_id": other["id"], "planned_for": "2040-01-01"}))
        await _ok(await api.post(f"/v1/buildings/{building['id']}/occupancy",
                                 json={"date": "2026-01-05", "occupied_desks": 10}))
    elif name == "safeguarding":
        board = await _ok(await api.post("/v1/boards", json={"name": unique("Fuzz Board")}))
        members = []
        organisations = [unique("Org"), unique("Org"), unique("Org")]
        for org, (role, statutory) in zip(organisations, (("independent_chair", False), ("statutory_partner", True),
                                                           ("member", False)), strict=True):
            member = await _ok(await api.post(f"/v1/boards/{board['id']}/members", json={
                "name": unique("Fuzz member"), "organisation": org, "role": role, "statutory": statutory}))
            members.append(await _ok(await api.post(f"/v1/members/{member['id']}/mou")))
        meeting = await _ok(await api.post(f"/v1/boards/{board['id']}/meetings", json={
            "scheduled_for": "2040-06-11", "agenda": [{"title": "Strategic plan", "kind": "decision"}]}))
        await _ok(await api.put(f"/v1/meetings/{meeting['id']}/attendance",
                                json=[{"member_id": m["id"], "status": "present"} for m in members]))
        await _ok(await api.post(f"/v1/boards/{board['id']}/sars", json={
            "reference": "Adult F", "case_summary": "fuzz case", "person": {"name": "Fuzz Person"},
            "referred_by": "Fuzz"}))
        await _ok(await api.post(f"/v1/boards/{board['id']}/annual-reports",
                                 json={"year": "2039/40", "title": "Fuzz annual report"}))
        await _ok(await api.post(f"/v1/boards/{board['id']}/sub-groups", json={"name": unique("Fuzz sub-group")}))
        await _ok(await api.post(f"/v1/boards/{board['id']}/disputes",
                                 json={"parties": organisations[1:], "subject": "fuzz"}))
    elif name == "comms":
        campaign = await _ok(await api.post("/v1/campaigns", json={
            "title": unique("Fuzz campaign"), "objectives": ["reach"], "starts_on": "2040-01-01",
            "ends_on": "2040-02-01"}))
        await _ok(await api.post("/v1/content", json={
            "title": unique("Fuzz content"), "body": "text", "channels": ["website"], "audience": "residents",
            "campaign_id": campaign["id"]}))
        await _ok(await api.post("/v1/consultations", json={
            "title": unique("Fuzz consultation"), "opens_on": "2026-01-01", "closes_on": "2040-12-31", "questions": [
                {"text": "Agree?", "kind": "likert"}, {"text": "Why?", "kind": "free_text"}]}))
        await _ok(await api.post("/v1/champions", json={
            "name": unique("Fuzz champion"), "service": unique("Fuzz service"), "directorate": "Fuzz"}))
        await _ok(await api.post("/v1/media-coverage", json={
            "outlet": "Fuzz Gazette", "headline": "Fuzz", "published_on": "2040-01-01", "sentiment": "neutral"}))
