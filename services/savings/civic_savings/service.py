"""Use cases: load, ask the domain, save, keep the read model current and emit events, in one transaction."""

from __future__ import annotations

import asyncio
import copy
import logging
import random
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from civic import documents
from civic.errors import Forbidden, PreconditionFailed, Unavailable
from civic.http import Caller
from civic.service import Runtime
from civic.uow import UnitOfWork
from civic_contracts.envelope import EventData
from civic_contracts.savings import (
    InitiativeApproved,
    InitiativeDelivered,
    InitiativeMarkedUndeliverable,
    InitiativeProposed,
    InitiativeSlipped,
    TargetPassed,
)
from pymongo import UpdateOne
from pymongo.errors import PyMongoError

from civic_savings import figures, reports
from civic_savings.domain import Initiative, Target, check_cost_avoidance
from civic_savings.repository import (
    COST_AVOIDANCE,
    INITIATIVES,
    TARGETS,
    TOTALS,
    api_form,
    cell_and_shard,
    cell_document,
    cell_id,
    target_to_document,
    target_to_model,
    to_document,
    to_model,
)

# Concurrent changes to one cell (16 writers to one theme, year and directorate in the bench) write
# different shards of it. Within a process a change takes a shard no other change of the process is
# writing (ShardsInUse); replicas choose apart, at random among this many.
TOTALS_SHARDS = 64
log = logging.getLogger("civic.savings")


class ShardsInUse:
    """The read-model shards this process's transactions are writing, so a new one takes another.

    Two transactions adding to the same totals document conflict (the second starts again from
    scratch); picked at random among 32 shards, 16 writers to one cell met on a third of creates. A
    shard is held from before the transaction's first write until it has committed or given up, so a
    change that takes it afterwards starts from a snapshot that already holds the previous one.
    """

    def __init__(self, count: int) -> None:
        self.count = count
        self._held: dict[int, int] = {}

    def pick(self) -> int:
        """A shard no transaction of this process holds (any shard once all are held)."""
        if len(self._held) >= self.count:
            return random.randrange(self.count)
        if len(self._held) > self.count // 2:
            return random.choice([s for s in range(self.count) if s not in self._held])
        while True:
            shard = random.randrange(self.count)
            if shard not in self._held:
                return shard

    @contextmanager
    def holding(self) -> Iterator[int]:
        shard = self.pick()
        self._held[shard] = self._held.get(shard, 0) + 1
        try:
            yield shard
        finally:
            if self._held[shard] == 1:
                del self._held[shard]
            else:
                self._held[shard] -= 1


SHARDS = ShardsInUse(TOTALS_SHARDS)
# An event handler's changes are written in the consumer's unit of work, several events to one (a
# group): they all take the same shard, picked when the first needs one, so a group holds one shard
# rather than one per event (with one per event, two replicas' groups met on a shard one time in five).
_SHARD_OF_UNIT: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()


def _shard_of_unit(uow: UnitOfWork) -> int:
    shard = _SHARD_OF_UNIT.get(uow.session)
    if shard is None:
        shard = _SHARD_OF_UNIT[uow.session] = SHARDS.pick()
    return shard


def _now() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------- initiatives


def _identity(i: Initiative) -> dict[str, Any]:
    return {
        "initiative_id": i.id,
        "title": i.title,
        "theme": i.theme,
        "directorate": i.directorate,
        "programme": i.programme,
    }


async def propose(rt: Runtime, fields: dict[str, Any], caller: Caller) -> dict[str, Any]:
    now = _now()
    initiative = Initiative.propose(id=documents.new_id(), **fields, by=caller.sub, now=now)

    with SHARDS.holding() as shard:

        async def work(uow: UnitOfWork) -> dict[str, Any]:
            # the initiative and its read-model cells in one command: a round trip fewer per create
            insert, doc = documents.insert_op(uow, INITIATIVES, to_document(initiative))
            delta = figures.difference({}, figures.contribution(initiative))
            await documents.write_together(uow, [insert, *_totals_writes(uow, delta, shard)])
            await _check_targets(uow, None, initiative, delta, now)
            uow.emit(InitiativeProposed(**_identity(initiative), planned_pence=initiative.planned_pence))
            return api_form(doc)

        return await rt.transaction(work)


async def get(rt: Runtime, initiative_id: str) -> dict[str, Any]:
    return api_form(await documents.load(rt.db, INITIATIVES, initiative_id, kind="initiative"))


Change = Callable[[Initiative, datetime], list[EventData]]


async def _change(
    rt: Runtime, initiative_id: str, expected_version: int | None, change: Change
) -> dict[str, Any]:
    """Load, let the domain change the initiative (or refuse, writing nothing), save, record, emit."""
    with SHARDS.holding() as shard:
        return await _change_on(rt, initiative_id, expected_version, change, shard)


async def _change_on(
    rt: Runtime, initiative_id: str, expected_version: int | None, change: Change, shard: int
) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        now = _now()
        doc = await documents.load(uow, INITIATIVES, initiative_id, kind="initiative")
        documents.check_version(doc, expected_version)
        initiative = to_model(doc)
        before = copy.deepcopy(initiative)
        events = change(initiative, now)
        if initiative == before:
            return api_form(doc)  # nothing changed: no new version, no event
        saved = await documents.save(uow, INITIATIVES, {**doc, **to_document(initiative)}, doc["version"])
        await _keep_read_model(uow, before, initiative, now, shard)
        for event in events:
            uow.emit(event)
        return api_form(saved)

    return await rt.transaction(work)


async def transition(
    rt: Runtime, initiative_id: str, body: dict[str, Any], caller: Caller, expected_version: int | None
) -> dict[str, Any]:
    to = body.get("to")
    if to == "approved" and not caller.has("savings:approve"):
        raise Forbidden("Approving an initiative needs the savings:approve scope (e.g. the Star Chamber).")

    def change(i: Initiative, now: datetime) -> list[EventData]:
        slip = i.transition(
            str(to),
            by=caller.sub,
            now=now,
            reason=body.get("reason"),
            to_year=body.get("to_year"),
            from_year=body.get("from_year"),
        )
        return _events_for(i, slip)

    return await _change(rt, initiative_id, expected_version, change)


def _events_for(i: Initiative, slip: dict[str, Any] | None) -> list[EventData]:
    if i.status == "approved":
        assert i.approved_by is not None and i.approved_on is not None
        return [InitiativeApproved(**_identity(i), approved_by=i.approved_by, approved_on=i.approved_on)]
    if i.status == "delivered":
        return [
            InitiativeDelivered(**_identity(i), delivered_pence=i.delivered_pence, building_id=i.building_id)
        ]
    if i.status == "undeliverable":
        return [InitiativeMarkedUndeliverable(**_identity(i), reason=i.undeliverable_reason or "")]
    if slip is not None:
        return [
            InitiativeSlipped(
                **_identity(i),
                from_year=slip["from_year"],
                to_year=slip["to_year"],
                amount_pence=slip["amount_pence"],
            )
        ]
    return []


async def record_actual(
    rt: Runtime,
    initiative_id: str,
    year: Any,
    delivered_pence: Any,
    caller: Caller,
    expected_version: int | None,
) -> dict[str, Any]:
    def change(i: Initiative, now: datetime) -> list[EventData]:
        i.record_actual(year, delivered_pence, by=caller.sub, now=now)
        return []

    return await _change(rt, initiative_id, expected_version, change)


async def amend(
    rt: Runtime, initiative_id: str, fields: dict[str, Any], caller: Caller, expected_version: int | None
) -> dict[str, Any]:
    rag_fields = {k: fields.pop(k) for k in ("rag", "rag_reason") if k in fields}

    def change(i: Initiative, now: datetime) -> list[EventData]:
        if fields:
            i.amend(dict(fields), by=caller.sub, now=now)
        if rag_fields:
            i.set_rag(
                rag_fields.get("rag", i.rag),
                rag_fields.get("rag_reason", i.rag_reason),
                by=caller.sub,
                now=now,
            )
        return []

    return await _change(rt, initiative_id, expected_version, change)


async def record_building_saving(
    uow: UnitOfWork,
    *,
    building_id: str,
    name: str,
    town: str | None,
    on: date,
    annual_running_cost_pence: int,
    cause: str,
) -> bool:
    """A building closed or disposed of becomes a delivered saving, once per building (False if it was)."""
    if await uow.db[INITIATIVES].find_one({"building_id": building_id}, {"_id": 1}, session=uow.session):
        return False  # closed then disposed, or the same event again: the saving is already recorded
    now = _now()
    initiative = Initiative.building_saving(
        id=documents.new_id(),
        building_id=building_id,
        building_name=name,
        town=town,
        on=on,
        annual_running_cost_pence=annual_running_cost_pence,
        by=cause,
        now=now,
    )
    await documents.insert(uow, INITIATIVES, to_document(initiative))
    await _keep_read_model(uow, None, initiative, now, _shard_of_unit(uow))
    uow.emit(
        InitiativeDelivered(
            **_identity(initiative), delivered_pence=initiative.delivered_pence, building_id=building_id
        )
    )
    return True


# ---------------------------------------------------------------- the read model


async def _keep_read_model(
    uow: UnitOfWork, before: Initiative | None, after: Initiative, now: datetime, shard: int | None = None
) -> None:
    """Add the change's difference to the totals and check the targets of programmes whose position moved.

    ``shard`` is the one the caller holds (:class:`ShardsInUse`) for its whole transaction, or an event
    handler's unit's (:func:`_shard_of_unit`); without one, a shard not held right now is taken.
    """
    delta = figures.difference(figures.contribution(before), figures.contribution(after))
    if delta:
        await documents.write_together(uow, _totals_writes(uow, delta, SHARDS.pick() if shard is None else shard))
    await _check_targets(uow, before, after, delta, now)


def _totals_writes(uow: UnitOfWork, delta: dict[figures.Cell, dict[str, int]], shard: int) -> list[UpdateOne]:
    """The increments of ``delta`` to its cells' ``shard``.

    Each cell is kept as shards, so concurrent changes to the same theme, year and directorate do not
    touch the same document; reports add the shards up.
    """
    totals = documents.namespace(uow, TOTALS)
    return [
        UpdateOne({"_id": cell_id(cell, shard)}, {"$inc": inc, "$setOnInsert": cell_document(cell)}, upsert=True,
                  namespace=totals)
        for cell, inc in delta.items()
    ]


async def _check_targets(uow: UnitOfWork, before: Initiative | None, after: Initiative,
                         delta: dict[figures.Cell, dict[str, int]], now: datetime) -> None:
    for programme in {p for p in (before.programme if before else None, after.programme) if p}:
        if figures.target_measure_change(delta, programme):
            await _check_target(uow, programme, now.date())


FOLD_SECONDS = 15.0
FOLD_BATCH = 500


async def fold_totals(rt: Runtime) -> int:
    """Fold the read model's extra shards into each cell's first, so reports read one document per cell.

    Shards spread concurrent writes; folding afterwards keeps what a report reads bounded by the number
    of cells (themes x years x directorates x programmes x categories), however many initiatives there
    are. Shards are folded a batch at a time, each batch in one transaction (read, delete, add to the
    first shards): a writer touching one of them at the same moment makes the batch retry, so no
    change is lost or counted twice. Returns how many shard documents were folded.
    """
    extra = [doc["_id"] async for doc in rt.db[TOTALS].find({}, {"_id": 1}) if cell_and_shard(doc["_id"])[1] != 0]
    folded = 0
    for start in range(0, len(extra), FOLD_BATCH):
        ids = extra[start:start + FOLD_BATCH]

        async def move(uow: UnitOfWork, ids: list[str] = ids) -> int:
            found = await uow.db[TOTALS].find({"_id": {"$in": ids}}, session=uow.session).to_list()
            if not found:
                return 0
            into = figures.summed((cell_and_shard(doc["_id"])[0], doc) for doc in found)
            await uow.db[TOTALS].delete_many({"_id": {"$in": [doc["_id"] for doc in found]}}, session=uow.session)
            await uow.db[TOTALS].bulk_write(
                [
                    UpdateOne({"_id": cell_id(cell, 0)}, {"$inc": sums, "$setOnInsert": cell_document(cell)},
                              upsert=True)
                    for cell, sums in into.items()
                ],
                ordered=False,
                session=uow.session,
            )
            return len(found)

        try:
            folded += await rt.transaction(move)
        except Unavailable:
            continue  # busy or away: the next round tries again
    return folded


async def read_model_folding(rt: Runtime) -> None:
    """Background job: fold the totals every few seconds."""
    await rt.prepared.wait()
    while True:
        await asyncio.sleep(FOLD_SECONDS)
        try:
            await fold_totals(rt)
        except PyMongoError as exc:
            log.warning("read-model folding skipped", extra={"error": repr(exc)[:200]})


async def _check_target(uow: UnitOfWork, name: str, today: date) -> dict[str, Any] | None:
    """Emit ``savings.target.passed`` when the programme first reaches its target. Returns the saved doc."""
    doc = await uow.db[TARGETS].find_one({"_id": name}, session=uow.session)
    if doc is None:
        return None
    target = target_to_model(doc)
    position = await reports.programme_position(uow.db, target, session=uow.session)
    if not target.check(position["delivered_pence"], position["anticipated_pence"], today):
        return None
    saved = await documents.save(uow, TARGETS, {**doc, **target_to_document(target)}, doc["version"])
    uow.emit(
        TargetPassed(
            name=name,
            target_pence=target.amount_pence,
            delivered_pence=position["delivered_pence"],
            anticipated_pence=position["anticipated_pence"],
        )
    )
    return saved


# ---------------------------------------------------------------- targets


async def set_target(
    rt: Runtime, name: str, amount_pence: Any, description: Any, expected_version: int | None
) -> tuple[dict[str, Any], bool]:
    """Create or replace a programme's target. Returns (target, created)."""

    async def work(uow: UnitOfWork) -> tuple[dict[str, Any], bool]:
        doc = await uow.db[TARGETS].find_one({"_id": name}, session=uow.session)
        if doc is not None:
            documents.check_version(doc, expected_version)
        elif expected_version is not None:
            raise PreconditionFailed(f"There is no target {name!r} yet, so If-Match cannot match.")
        target = Target.set(target_to_model(doc) if doc else None, name, amount_pence, description)
        new = target_to_document(target)
        if doc is not None and all(doc.get(k) == v for k, v in new.items()):
            return documents.resource(doc), False  # the same target again changes nothing
        saved = (
            await documents.save(uow, TARGETS, {**doc, **new}, doc["version"])
            if doc is not None
            else await documents.insert(uow, TARGETS, new)
        )
        passed = await _check_target(uow, name, _now().date())
        return documents.resource(passed or saved), doc is None

    return await rt.transaction(work)


# ---------------------------------------------------------------- cost avoidance


async def record_cost_avoidance(rt: Runtime, fields: dict[str, Any], caller: Caller) -> dict[str, Any]:
    record = check_cost_avoidance(fields)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        return documents.resource(
            await documents.insert(uow, COST_AVOIDANCE, {**record, "recorded_by": caller.sub})
        )

    return await rt.transaction(work)


async def get_cost_avoidance(rt: Runtime, record_id: str) -> dict[str, Any]:
    return documents.resource(await documents.load(rt.db, COST_AVOIDANCE, record_id, kind="cost avoidance"))
