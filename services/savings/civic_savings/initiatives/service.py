"""Use cases of the initiatives: load, ask the domain, save, keep the read model current and emit events,
in one transaction."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

from civic import calendar, documents
from civic.errors import Forbidden, Refused
from civic.http import Caller, Page, paginate
from civic.service import Runtime
from civic.uow import UnitOfWork
from civic_contracts.envelope import EventData
from civic_contracts.savings import (
    InitiativeApproved,
    InitiativeDelivered,
    InitiativeMarkedUndeliverable,
    InitiativeProposed,
    InitiativeRejected,
    InitiativeSavingRealised,
    InitiativeSlipped,
    RealisedYear,
)

from civic_savings.initiatives.domain import BUILDING_FIELDS, DECISIONS, FINAL, Initiative, LeftTheEstate, building_key
from civic_savings.milestones.reports import overdue_of, shown_with
from civic_savings.milestones.service import drop_open
from civic_savings.read_model.service import SHARDS, keep_read_model, shard_of_unit
from civic_savings.repository import INITIATIVE_RECORDS, INITIATIVES, api_form, to_document, to_model


def _identity(i: Initiative) -> dict[str, Any]:
    return {"initiative_id": i.id, **documents.fields_of(i, "title", "theme", "directorate", "programme")}


async def propose(rt: Runtime, fields: dict[str, Any], caller: Caller) -> dict[str, Any]:
    now = calendar.now()
    initiative = Initiative.propose(id=documents.new_id(), **fields, by=caller.sub, now=now)

    with SHARDS.holding() as shard:

        async def work(uow: UnitOfWork) -> dict[str, Any]:
            await _check_building_free(uow, initiative)
            # the initiative and its read model in one command: a round trip fewer per create
            insert, doc = documents.insert_op(uow, INITIATIVES, to_document(initiative))
            await keep_read_model(uow, None, initiative, now, shard, with_writes=[insert])
            uow.emit(InitiativeProposed(**_identity(initiative), planned_pence=initiative.planned_pence))
            return shown_with(api_form(doc), [])  # a new initiative has no milestones yet

        return await rt.transaction(work)


async def _shown(db: Any, doc: dict[str, Any], session: Any = None) -> dict[str, Any]:
    """The initiative's API form with its overdue milestones (the council's today)."""
    overdue = await overdue_of(db, [doc["_id"]], calendar.today(), session=session)
    return shown_with(api_form(doc), overdue[doc["_id"]])


async def get(rt: Runtime, initiative_id: str) -> dict[str, Any]:
    return await _shown(rt.db, await documents.load(rt.db, INITIATIVES, initiative_id, kind="initiative"))


async def list_initiatives(rt: Runtime, page: Page, filters: dict[str, str | None]) -> dict[str, Any]:
    query = {k: v for k, v in filters.items() if v is not None}
    listed = await paginate(rt.db[INITIATIVES], query, page, transform=api_form)
    # the page's overdue milestones in one query
    overdue = await overdue_of(rt.db, [form["id"] for form in listed["items"]], calendar.today())
    listed["items"] = [shown_with(form, overdue[form["id"]]) for form in listed["items"]]
    return listed


async def _check_building_free(uow: UnitOfWork, initiative: Initiative) -> None:
    """Refused when another initiative already names the building this one names: a building's closure is
    one saving, realised once (the unique index on ``building_id`` stands behind this)."""
    lookups = []
    if initiative.building_id is not None:
        lookups.append({"building_id": initiative.building_id})
    if initiative.building_key is not None:
        lookups.append({"_building_key": initiative.building_key})
    for lookup in lookups:
        other = await uow.db[INITIATIVES].find_one(
            {**lookup, "_id": {"$ne": initiative.id}}, {"title": 1}, session=uow.session
        )
        if other is not None:
            raise Refused(
                f"{other['title']!r} already names this building: its closure realises that initiative's "
                "saving, once. Name another building, or amend that initiative.",
                initiative_id=other["_id"],
            )


Change = Callable[[Initiative, datetime], list[EventData]]
#: what else a change does in its transaction once the initiative is saved (an ending drops its plan)
Then = Callable[[UnitOfWork, Initiative, datetime], Awaitable[Any]]


async def _change(
    rt: Runtime, initiative_id: str, expected_version: int | None, change: Change, then: Then | None = None
) -> dict[str, Any]:
    """Load, let the domain change the initiative (or refuse, writing nothing), save, record, emit."""
    with SHARDS.holding() as shard:
        return await _change_on(rt, initiative_id, expected_version, change, shard, then)


async def _change_on(
    rt: Runtime, initiative_id: str, expected_version: int | None, change: Change, shard: int,
    then: Then | None = None,
) -> dict[str, Any]:  # fmt: skip
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        now = calendar.now()
        doc, initiative = await INITIATIVE_RECORDS.load(uow, initiative_id, expected_version)
        before = copy.deepcopy(initiative)
        events = change(initiative, now)
        if initiative == before:
            return await _shown(uow.db, doc, uow.session)  # nothing changed: no new version, no event
        if any(getattr(initiative, name) != getattr(before, name) for name in BUILDING_FIELDS):
            await _check_building_free(uow, initiative)
        saved = await INITIATIVE_RECORDS.save(uow, doc, initiative)
        await keep_read_model(uow, before, initiative, now, shard)
        if then is not None:
            await then(uow, initiative, now)
        for event in events:
            uow.emit(event)
        return await _shown(uow.db, saved, uow.session)

    return await rt.transaction(work)


async def transition(
    rt: Runtime, initiative_id: str, body: dict[str, Any], caller: Caller, expected_version: int | None
) -> dict[str, Any]:
    to = body.get("to")
    if to in DECISIONS and not caller.has("savings:approve"):
        doing = "Approving" if to == "approved" else "Rejecting"
        raise Forbidden(f"{doing} an initiative needs the savings:approve scope (e.g. the Star Chamber).")

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

    async def then(uow: UnitOfWork, i: Initiative, now: datetime) -> None:
        if i.status in FINAL:
            await drop_open(uow, i, caller.sub, now)  # an initiative that has ended takes its plan with it

    return await _change(rt, initiative_id, expected_version, change, then)


def _delivered(i: Initiative) -> InitiativeDelivered:
    """Delivered: by its lifecycle, or made delivered by a closure no initiative planned."""
    return InitiativeDelivered(**_identity(i), delivered_pence=i.delivered_pence, building_id=i.building_id)


def _events_for(i: Initiative, slip: dict[str, Any] | None) -> list[EventData]:
    if i.status == "approved":
        assert i.approved_by is not None and i.approved_on is not None
        return [InitiativeApproved(**_identity(i), approved_by=i.approved_by, approved_on=i.approved_on)]
    if i.status == "delivered":
        return [_delivered(i)]
    if i.status == "undeliverable":
        return [InitiativeMarkedUndeliverable(**_identity(i), reason=i.undeliverable_reason or "")]
    if i.status == "rejected":
        assert i.rejected_by is not None and i.rejected_on is not None
        rejected = InitiativeRejected(
            **_identity(i), rejected_by=i.rejected_by, rejected_on=i.rejected_on,
            reason=i.rejection_reason or "", planned_pence=i.planned_pence,
        )  # fmt: skip
        return [rejected]
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
    event_id: str | None = None,
) -> bool:
    """A building closed or disposed of realises its saving, once per building (False if it already had).

    The initiative that planned the building (naming its id, or its name and town) records the saving
    against it (``Initiative.realise``) and publishes ``savings.initiative.saving_realised``; only when no
    initiative planned it is a new, delivered one made (``savings.initiative.delivered``). Either way the
    amounts follow the closure rule (``initiatives/figures.py``) and the read model moves with them.
    """
    found = await uow.db[INITIATIVES].find_one({"building_id": building_id}, session=uow.session)
    if found is None and town:
        # two indexed lookups rather than one $or, which the embedded database answers by a scan
        named = uow.db[INITIATIVES].find({"_building_key": building_key(name, town)}, session=uow.session)
        found = next((d for d in await named.to_list(10) if d.get("building_id") is None), None)
    now = calendar.now()
    # the closure as the domain takes it, whether it realises a planned saving or makes a new initiative
    closure: LeftTheEstate = {
        "building_id": building_id, "building_name": name, "town": town, "on": on,
        "annual_running_cost_pence": annual_running_cost_pence, "by": cause, "now": now, "event_id": event_id,
    }  # fmt: skip
    if found is not None:
        planner = to_model(found)
        if planner.realisation is not None:
            return False  # closed then disposed, or the same event again: the saving is already recorded
        before = copy.deepcopy(planner)
        booked = planner.realise(**closure)
        await INITIATIVE_RECORDS.save(uow, found, planner)
        await keep_read_model(uow, before, planner, now, shard_of_unit(uow))
        uow.emit(
            InitiativeSavingRealised(
                **_identity(planner),
                building_id=building_id,
                building_name=name,
                realised_on=on,
                annual_running_cost_pence=annual_running_cost_pence,
                realised=[RealisedYear(year=y, amount_pence=a) for y, a in booked.items()],
                realised_pence=sum(booked.values()),
                delivered_pence=planner.delivered_pence,
            )
        )
        return True
    initiative = Initiative.building_saving(id=documents.new_id(), **closure)
    insert, _ = documents.insert_op(uow, INITIATIVES, to_document(initiative))
    await keep_read_model(uow, None, initiative, now, shard_of_unit(uow), with_writes=[insert])
    uow.emit(_delivered(initiative))
    return True
