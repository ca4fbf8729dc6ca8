"""Use cases of the estates team: load, ask the domain, save and emit, in one transaction.

Each use case's ``work`` runs in ``rt.transaction``, which runs it again when a concurrent change to
the same record won the race (everything the failed attempt wrote was rolled back): so ``work``
reads what it needs afresh and has no effect outside the database.

References inside a request body (a team's ``building_id``, a move's ``team_id`` or
``to_building_id``, an import row's ``building_id``) that name nothing are validation failures
(422 naming the field); an unknown id in the path is 404.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from civic.documents import check_version, insert, load, new_id, now, resource, save
from civic.errors import Invalid, Refused
from civic_contracts.property import (
    AffectedTeam,
    BuildingClosed,
    BuildingClosurePlanned,
    BuildingDisposed,
    LowUtilisationDetected,
    MoveCompleted,
    MovePlanned,
)
from pymongo import ASCENDING, UpdateOne
from pymongo.errors import DuplicateKeyError

from civic_property import reports
from civic_property.domain import (
    CLOSED,
    CLOSURE_PLANNED,
    COMPLETED,
    DEFAULT_UNDER_USED_THRESHOLD,
    DISPOSED,
    FOR_DISPOSAL,
    IN_USE,
    MARKET_ENGAGEMENT,
    PLANNED,
    VACATED,
    Building,
    BuildingTransition,
    DeskRatios,
    Move,
    Team,
    Workforce,
    financial_year_start,
)
from civic_property.occupancy import (
    BuildingFacts,
    Reading,
    Row,
    check_period,
    check_rows,
    check_threshold,
    month_keys,
    reading,
    utilisation,
)
from civic_property.repository import (
    BUILDINGS,
    DESK_RATIOS_ID,
    FINDINGS,
    MOVES,
    OCCUPANCY,
    OCCUPANCY_MONTHS,
    SETTINGS,
    TEAMS,
    building_document,
    building_from,
    month_days,
    month_id,
    move_document,
    move_from,
    name_key,
    ratios_from,
    reading_document,
    team_document,
    team_from,
)

if TYPE_CHECKING:
    from civic.service import Runtime
    from civic.uow import UnitOfWork

UTILISATION_ID = "utilisation"

try:
    _COUNCIL_TIME: Any = ZoneInfo("Europe/London")
except ZoneInfoNotFoundError:  # a slim image without tz data: UTC is at most an hour out
    _COUNCIL_TIME = UTC


def today() -> date:
    """The council's date (a reading at 00:30 BST belongs to that day, not the UTC one)."""
    return datetime.now(_COUNCIL_TIME).date()


# --- buildings -------------------------------------------------------------------------------


async def register_building(rt: Runtime, fields: dict[str, Any]) -> dict[str, Any]:
    building = Building.register(new_id(), **fields)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        key = name_key(building.name, building.town)
        existing = await uow.db[BUILDINGS].find_one({"_name_key": key}, {"_id": 1}, session=uow.session)
        if existing is not None:
            raise Refused(
                f"{building.name} in {building.town} is already registered.", building_id=existing["_id"]
            )
        try:
            return await insert(uow, BUILDINGS, building_document(building))
        except DuplicateKeyError as exc:  # registered by someone else at the same moment
            raise Refused(f"{building.name} in {building.town} is already registered.") from exc

    return resource(await rt.transaction(work))


async def get_building(rt: Runtime, building_id: str) -> dict[str, Any]:
    return resource(await load(rt.db, BUILDINGS, building_id, kind="building"))


async def amend_building(
    rt: Runtime, building_id: str, changes: dict[str, Any], expected_version: int | None
) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc = await load(uow, BUILDINGS, building_id, kind="building")
        check_version(doc, expected_version)
        amended = building_from(doc).amend(**changes)
        key = name_key(amended.name, amended.town)
        clash = await uow.db[BUILDINGS].find_one(
            {"_name_key": key, "_id": {"$ne": building_id}}, {"_id": 1}, session=uow.session
        )
        if clash is not None:
            raise Refused(
                f"{amended.name} in {amended.town} is already registered.", building_id=clash["_id"]
            )
        return await save(uow, BUILDINGS, building_document(amended, doc), doc["version"])

    return resource(await rt.transaction(work))


async def transition_building(
    rt: Runtime,
    building_id: str,
    *,
    to: str,
    on: date | None,
    method: str | None,
    receipt_pence: int | None,
    expected_version: int | None,
) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc = await load(uow, BUILDINGS, building_id, kind="building")
        check_version(doc, expected_version)
        building = building_from(doc)
        teams = [
            team_from(t)
            for t in await uow.db[TEAMS]
            .find({"building_id": building_id}, session=uow.session)
            .sort("name", ASCENDING)
            .to_list()
        ]
        step = building.transition(
            to,
            today=today(),
            on=on,
            method=method,
            receipt_pence=receipt_pence,
            teams_based_here=[t.name for t in teams],
        )
        saved = await save(uow, BUILDINGS, building_document(building, doc), doc["version"])
        event = _building_event(building, step, teams)
        if event is not None:
            uow.emit(event)
        return saved

    return resource(await rt.transaction(work))


def _building_event(
    b: Building, step: BuildingTransition, teams: list[Team]
) -> BuildingClosurePlanned | BuildingClosed | BuildingDisposed | None:
    if step.to_status == CLOSURE_PLANNED:
        return BuildingClosurePlanned(
            building_id=b.id,
            name=b.name,
            town=b.town,
            closure_date=step.on,
            teams=[AffectedTeam(team_id=t.id, name=t.name, directorate=t.directorate) for t in teams],
        )
    # every building that is vacated is "closed" once, whether it went through closure_planned
    # or straight from market engagement to disposal: savings counts the saving from this event
    if step.to_status == CLOSED or (step.to_status == FOR_DISPOSAL and step.from_status == MARKET_ENGAGEMENT):
        return BuildingClosed(
            building_id=b.id,
            name=b.name,
            town=b.town,
            closed_on=step.on,
            annual_running_cost_pence=b.annual_running_cost_pence,
            annual_carbon_kg=b.annual_carbon_kg,
        )
    if step.to_status == DISPOSED:
        assert b.disposal_method in ("sale", "lease", "transfer") and b.receipt_pence is not None
        return BuildingDisposed(
            building_id=b.id,
            name=b.name,
            town=b.town,
            disposed_on=step.on,
            method=b.disposal_method,
            receipt_pence=b.receipt_pence,
            annual_running_cost_pence=b.annual_running_cost_pence,
            annual_carbon_kg=b.annual_carbon_kg,
        )
    return None


# --- occupancy -------------------------------------------------------------------------------


def _facts(doc: dict[str, Any]) -> BuildingFacts:
    closed_on = doc.get("closed_on")
    return BuildingFacts(
        doc["name"], doc["desks"], doc["status"], date.fromisoformat(closed_on) if closed_on else None
    )


async def _write_readings(uow: UnitOfWork, readings: list[Reading]) -> tuple[int, int]:
    """Upsert the daily documents and the month read model; returns (created, replaced)."""
    stamp = now()
    daily = []
    for r in readings:
        doc = reading_document(r)
        fields = {k: v for k, v in doc.items() if k != "_id"}
        daily.append(
            UpdateOne(
                {"_id": doc["_id"]},
                {
                    "$set": {**fields, "updated_at": stamp},
                    "$inc": {"version": 1},
                    "$setOnInsert": {"created_at": stamp},
                },
                upsert=True,
            )
        )
    result = await uow.db[OCCUPANCY].bulk_write(daily, ordered=False, session=uow.session)
    by_month: dict[str, dict[str, Any]] = defaultdict(dict)
    for r in readings:
        key = month_id(r.building_id, f"{r.on.year:04d}-{r.on.month:02d}")
        by_month[key][f"days.{r.on.day:02d}"] = [r.occupied_desks, r.desks]
    monthly = [
        UpdateOne(
            {"_id": key},
            {
                "$set": days,
                "$setOnInsert": {"building_id": key.rsplit(":", 1)[0], "month": key.rsplit(":", 1)[1]},
            },
            upsert=True,
        )
        for key, days in by_month.items()
    ]
    await uow.db[OCCUPANCY_MONTHS].bulk_write(monthly, ordered=False, session=uow.session)
    created = result.upserted_count
    return created, len(readings) - created


async def record_reading(
    rt: Runtime, building_id: str, on: date, occupied_desks: int
) -> tuple[dict[str, Any], bool]:
    """One day's reading; a second reading for the same day corrects the first."""

    async def work(uow: UnitOfWork) -> tuple[dict[str, Any], bool]:
        doc = await load(uow, BUILDINGS, building_id, kind="building")
        r = reading(building_id, _facts(doc), on, occupied_desks, today())
        created, _ = await _write_readings(uow, [r])
        stored = await uow.db[OCCUPANCY].find_one({"_id": reading_document(r)["_id"]}, session=uow.session)
        assert stored is not None
        return resource(stored), created == 1

    return await rt.transaction(work)


async def import_readings(rt: Runtime, rows: list[Row]) -> dict[str, Any]:
    """A whole file of readings, or none of it (every bad row listed with its line)."""

    async def work(uow: UnitOfWork) -> tuple[list[Reading], int, int]:
        ids = sorted({r.building_id for r in rows if isinstance(r.building_id, str)})
        docs = await uow.db[BUILDINGS].find({"_id": {"$in": ids}}, session=uow.session).to_list()
        readings = check_rows(rows, {d["_id"]: _facts(d) for d in docs}, today())
        created, replaced = await _write_readings(uow, readings)
        return readings, created, replaced

    readings, created, replaced = await rt.transaction(work)
    days = sorted(r.on for r in readings)
    return {
        "imported": len(readings),
        "created": created,
        "replaced": replaced,
        "buildings": len({r.building_id for r in readings}),
        "from": days[0].isoformat(),
        "to": days[-1].isoformat(),
    }


async def under_used_threshold(rt: Runtime) -> float:
    doc = await rt.db[SETTINGS].find_one({"_id": UTILISATION_ID})
    return float(doc["threshold"]) if doc else DEFAULT_UNDER_USED_THRESHOLD


async def get_utilisation_settings(rt: Runtime) -> dict[str, Any]:
    doc = await rt.db[SETTINGS].find_one({"_id": UTILISATION_ID})
    if doc is None:
        return {"id": UTILISATION_ID, "threshold": DEFAULT_UNDER_USED_THRESHOLD, "version": 0}
    return resource(doc)


async def put_utilisation_settings(
    rt: Runtime, threshold: Any, expected_version: int | None
) -> dict[str, Any]:
    value = check_threshold(threshold)
    return await _put_setting(rt, UTILISATION_ID, {"threshold": value}, expected_version)


async def _put_setting(
    rt: Runtime, setting_id: str, fields: dict[str, Any], expected_version: int | None
) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc = await uow.db[SETTINGS].find_one({"_id": setting_id}, session=uow.session)
        if doc is None:
            check_version({"version": 0}, expected_version)
            return await insert(uow, SETTINGS, {"_id": setting_id, **fields})
        check_version(doc, expected_version)
        return await save(uow, SETTINGS, {**doc, **fields}, doc["version"])

    return resource(await rt.transaction(work))


async def _days_for(
    rt: Runtime, building_ids: list[str], first: date, last: date
) -> dict[str, list[tuple[int, int]]]:
    months = month_keys(first, last)
    if len(building_ids) == 1:
        # one building's report reads its months by id: point reads, whose cost does not grow with the
        # estate's history (a range on building and month scans the collection on the embedded database)
        query: dict[str, Any] = {"_id": {"$in": [month_id(building_ids[0], m) for m in months]}}
    else:
        # the estate's review reads most of the period's documents anyway: one range read is cheaper
        # there than a thousand point reads (0.6 s against 1.9 s for 100 buildings over a year)
        query = {"building_id": {"$in": building_ids}, "month": {"$gte": months[0], "$lte": months[-1]}}
    docs = await rt.db[OCCUPANCY_MONTHS].find(query).to_list()
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for doc in docs:
        grouped[doc["building_id"]].append(doc)
    return {b: month_days(grouped.get(b, []), first, last) for b in building_ids}


async def building_utilisation(
    rt: Runtime, building_id: str, first: date, last: date, threshold: float | None
) -> dict[str, Any]:
    check_period(first, last)
    doc = await load(rt.db, BUILDINGS, building_id, kind="building")
    limit = threshold if threshold is not None else await under_used_threshold(rt)
    days = (await _days_for(rt, [building_id], first, last))[building_id]
    return {
        "building_id": building_id,
        "name": doc["name"],
        "desks": doc["desks"],
        "from": first.isoformat(),
        "to": last.isoformat(),
        **utilisation(days, limit).as_dict(),
    }


async def review_utilisation(rt: Runtime, first: date, last: date, threshold: float | None) -> dict[str, Any]:
    """Every building in use over a past period; each under-used one is reported once per period
    (a repeated review finds the same buildings but publishes nothing new)."""
    check_period(first, last)
    if last >= today():
        raise Invalid(
            "Review a period that has ended.", errors=[{"field": "to", "message": "must be before today"}]
        )
    limit = threshold if threshold is not None else await under_used_threshold(rt)
    buildings = (
        await rt.db[BUILDINGS].find({"status": {"$in": list(IN_USE)}}).sort("name", ASCENDING).to_list()
    )
    days = await _days_for(rt, [b["_id"] for b in buildings], first, last)
    results, found = [], []
    for b in buildings:
        u = utilisation(days[b["_id"]], limit)
        row = {"building_id": b["_id"], "name": b["name"], **u.as_dict()}
        results.append(row)
        if u.under_used and u.mean is not None:
            found.append(row)
    newly = 0
    for row in found:

        async def work(uow: UnitOfWork, row: dict[str, Any] = row) -> str:
            finding_id = f"{row['building_id']}:{first.isoformat()}:{last.isoformat()}"
            if await uow.db[FINDINGS].find_one({"_id": finding_id}, session=uow.session) is not None:
                return "before"
            await insert(
                uow,
                FINDINGS,
                {
                    "_id": finding_id,
                    "building_id": row["building_id"],
                    "from": first.isoformat(),
                    "to": last.isoformat(),
                    "mean": row["mean"],
                    "threshold": limit,
                },
            )
            uow.emit(
                LowUtilisationDetected(
                    building_id=row["building_id"],
                    name=row["name"],
                    period_from=first,
                    period_to=last,
                    mean_utilisation=row["mean"],
                    threshold=limit,
                )
            )
            return "now"

        # the row is marked only once its finding is committed (a retried attempt must not count twice)
        row["reported"] = await rt.transaction(work)
        if row["reported"] == "now":
            newly += 1
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "threshold": limit,
        "buildings": results,
        "under_used": [
            {"building_id": r["building_id"], "name": r["name"], "mean": r["mean"]} for r in found
        ],
        "newly_reported": newly,
    }


# --- teams -----------------------------------------------------------------------------------


async def _referenced(uow: UnitOfWork, collection: str, ref: str, field: str, kind: str) -> dict[str, Any]:
    doc = await uow.db[collection].find_one({"_id": ref}, session=uow.session)
    if doc is None:
        raise Invalid(
            f"No {kind} with id {ref!r}.", errors=[{"field": field, "message": f"no {kind} with this id"}]
        )
    return dict(doc)


async def create_team(
    rt: Runtime, name: str, directorate: str, building_id: str, workforce: dict[str, int]
) -> dict[str, Any]:
    team_id = new_id()

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        building_doc = await _referenced(uow, BUILDINGS, building_id, "building_id", "building")
        team = Team.register(team_id, name, directorate, building_from(building_doc), Workforce(**workforce))
        return await insert(uow, TEAMS, team_document(team))

    return resource(await rt.transaction(work))


async def amend_team(
    rt: Runtime, team_id: str, changes: dict[str, Any], expected_version: int | None
) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc = await load(uow, TEAMS, team_id, kind="team")
        check_version(doc, expected_version)
        team = team_from(doc)
        errors = []
        for field in ("name", "directorate"):
            if field in changes:
                value = changes[field]
                if not isinstance(value, str) or not value.strip():
                    errors.append({"field": field, "message": "must not be blank"})
                else:
                    setattr(team, field, value.strip())
        if errors:
            raise Invalid("The team has invalid fields.", errors=errors)
        if "workforce" in changes:
            team.change_workforce(Workforce(**changes["workforce"]))
        return await save(uow, TEAMS, team_document(team, doc), doc["version"])

    return resource(await rt.transaction(work))


async def get_team(rt: Runtime, team_id: str) -> dict[str, Any]:
    return resource(await load(rt.db, TEAMS, team_id, kind="team"))


# --- desk ratios -----------------------------------------------------------------------------


async def desk_ratios(rt: Runtime) -> DeskRatios:
    return ratios_from(await rt.db[SETTINGS].find_one({"_id": DESK_RATIOS_ID}))


async def get_desk_ratios(rt: Runtime) -> dict[str, Any]:
    doc = await rt.db[SETTINGS].find_one({"_id": DESK_RATIOS_ID})
    if doc is None:
        return {"id": DESK_RATIOS_ID, **DeskRatios().as_dict(), "version": 0}
    return {"id": DESK_RATIOS_ID, **doc["ratios"], "version": doc["version"]}


async def put_desk_ratios(
    rt: Runtime, ratios: dict[str, Any], expected_version: int | None
) -> dict[str, Any]:
    checked = DeskRatios.checked(**ratios)
    saved = await _put_setting(rt, DESK_RATIOS_ID, {"ratios": checked.as_dict()}, expected_version)
    return {"id": DESK_RATIOS_ID, **saved["ratios"], "version": saved["version"]}


# --- moves -----------------------------------------------------------------------------------


async def _desks_committed(uow: UnitOfWork, building_id: str, ratios: DeskRatios) -> int:
    """Desks the teams based in the building need, plus those of teams planned to move in."""
    planned = (
        await uow.db[MOVES]
        .find({"to_building_id": building_id, "status": PLANNED}, {"team_id": 1}, session=uow.session)
        .to_list()
    )
    incoming = [m["team_id"] for m in planned]
    teams = (
        await uow.db[TEAMS]
        .find({"$or": [{"building_id": building_id}, {"_id": {"$in": incoming}}]}, session=uow.session)
        .to_list()
    )
    return sum(ratios.desks_for(team_from(t).workforce) for t in teams)


async def plan_move(rt: Runtime, team_id: str, to_building_id: str, planned_for: date) -> dict[str, Any]:
    ratios = await desk_ratios(rt)
    move_id = new_id()

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        team_doc = await _referenced(uow, TEAMS, team_id, "team_id", "team")
        dest_doc = await _referenced(uow, BUILDINGS, to_building_id, "to_building_id", "building")
        # touching the destination makes two moves planned into it at once conflict in the
        # database (one transaction aborts) instead of both passing the capacity check
        await uow.db[BUILDINGS].update_one(
            {"_id": to_building_id}, {"$inc": {"_moves_guard": 1}}, session=uow.session
        )
        team = team_from(team_doc)
        source_doc = await uow.db[BUILDINGS].find_one({"_id": team.building_id}, session=uow.session)
        has_move = await uow.db[MOVES].find_one({"team_id": team_id, "status": PLANNED}, session=uow.session)
        move = Move.plan(
            move_id,
            team=team,
            destination=building_from(dest_doc),
            planned_for=planned_for,
            desks_committed_at_destination=await _desks_committed(uow, to_building_id, ratios),
            team_desks=ratios.desks_for(team.workforce),
            team_has_planned_move=has_move is not None,
        )
        names = _move_names(team, source_doc, dest_doc)
        doc = await insert(uow, MOVES, move_document(move, **names))
        uow.emit(
            MovePlanned(
                move_id=move.id,
                team_id=team.id,
                from_building_id=move.from_building_id,
                to_building_id=move.to_building_id,
                planned_for=planned_for,
                **_event_names(names),
            )
        )
        return doc

    return resource(await rt.transaction(work))


def _move_names(team: Team, source: dict[str, Any] | None, dest: dict[str, Any]) -> dict[str, Any]:
    return {
        "team_name": team.name,
        "directorate": team.directorate,
        "from_building_name": source["name"] if source else "",
        "to_building_name": dest["name"],
    }


def _event_names(names: dict[str, Any]) -> dict[str, Any]:
    return {k: names[k] for k in ("team_name", "directorate", "from_building_name", "to_building_name")}


async def transition_move(
    rt: Runtime, move_id: str, to: str, on: date | None, expected_version: int | None
) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc = await load(uow, MOVES, move_id, kind="move")
        check_version(doc, expected_version)
        move = move_from(doc)
        team_doc = await load(uow, TEAMS, move.team_id, kind="team")
        dest_doc = await load(uow, BUILDINGS, move.to_building_id, kind="building")
        team = team_from(team_doc)
        day = move.transition(to, today=today(), on=on, team=team, destination=building_from(dest_doc))
        saved = await save(uow, MOVES, move_document(move, doc), doc["version"])
        if to == COMPLETED:
            await save(uow, TEAMS, team_document(team, team_doc), team_doc["version"])
            uow.emit(
                MoveCompleted(
                    move_id=move.id,
                    team_id=team.id,
                    from_building_id=move.from_building_id,
                    to_building_id=move.to_building_id,
                    planned_for=move.planned_for,
                    completed_on=day,
                    team_name=team.name,
                    directorate=team.directorate,
                    from_building_name=doc.get("from_building_name", ""),
                    to_building_name=dest_doc["name"],
                )
            )
        return saved

    return resource(await rt.transaction(work))


async def get_move(rt: Runtime, move_id: str) -> dict[str, Any]:
    return resource(await load(rt.db, MOVES, move_id, kind="move"))


# --- reports ---------------------------------------------------------------------------------


async def _all(rt: Runtime, collection: str, query: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    return list(await rt.db[collection].find(query or {}).to_list())


async def desk_demand_report(rt: Runtime) -> dict[str, Any]:
    buildings = [building_from(d) for d in await _all(rt, BUILDINGS, {"status": {"$in": list(IN_USE)}})]
    teams = [team_from(d) for d in await _all(rt, TEAMS)]
    moves = [move_from(d) for d in await _all(rt, MOVES, {"status": PLANNED})]
    return reports.desk_demand(buildings, teams, await desk_ratios(rt), moves)


async def move_plan_report(rt: Runtime, directorate: str | None, include_cancelled: bool) -> dict[str, Any]:
    query: dict[str, Any] = {} if include_cancelled else {"status": {"$ne": "cancelled"}}
    if directorate:
        query["directorate"] = directorate
    moves = [move_from(d) for d in await _all(rt, MOVES, query)]
    team_ids = list({m.team_id for m in moves})
    building_ids = list({b for m in moves for b in (m.from_building_id, m.to_building_id)})
    teams = {t["_id"]: team_from(t) for t in await _all(rt, TEAMS, {"_id": {"$in": team_ids}})}
    buildings = {
        b["_id"]: building_from(b) for b in await _all(rt, BUILDINGS, {"_id": {"$in": building_ids}})
    }
    return reports.move_plan(moves, teams, buildings, await desk_ratios(rt))


async def rationalisation_report(rt: Runtime, from_year: str | None, to_year: str | None) -> dict[str, Any]:
    buildings = [building_from(d) for d in await _all(rt, BUILDINGS)]
    first, last = reports.default_years(buildings, today())
    for value, field in ((from_year, "from_year"), (to_year, "to_year")):
        if value is not None:
            try:
                financial_year_start(value)
            except Invalid as exc:
                raise Invalid(
                    exc.detail, errors=[{"field": field, "message": exc.errors[0]["message"]}]
                ) from exc
    return reports.rationalisation(buildings, from_year or first, to_year or last)


async def summary(rt: Runtime) -> dict[str, Any]:
    """The dashboard's small picture: cheap, from indexed queries and the month read model."""
    counts = await (
        await rt.db[BUILDINGS].aggregate([{"$group": {"_id": "$status", "n": {"$sum": 1}}}])
    ).to_list()
    planned = (
        await rt.db[BUILDINGS]
        .find({"status": CLOSURE_PLANNED}, {"name": 1, "closure_date": 1})
        .sort("closure_date", ASCENDING)
        .to_list()
    )
    vacated = (
        await rt.db[BUILDINGS]
        .find({"status": {"$in": list(VACATED)}}, {"annual_running_cost_pence": 1})
        .to_list()
    )
    in_use = (
        await rt.db[BUILDINGS].find({"status": {"$in": list(IN_USE)}}, {"name": 1}).sort("name").to_list()
    )
    # the last 30 days, ending yesterday (today's reading may not be in yet)
    last = date.fromordinal(today().toordinal() - 1)
    first = date.fromordinal(last.toordinal() - 29)
    threshold = await under_used_threshold(rt)
    days = await _days_for(rt, [b["_id"] for b in in_use], first, last) if in_use else {}
    means, under_used = [], []
    for b in in_use:
        u = utilisation(days.get(b["_id"], []), threshold)
        if u.mean is not None:
            means.append(u.mean)
            if u.under_used:
                under_used.append({"building_id": b["_id"], "name": b["name"], "mean": u.mean})
    return {
        "buildings_by_status": {c["_id"]: c["n"] for c in counts},
        "planned_closures": [
            {"building_id": b["_id"], "name": b["name"], "closure_date": b.get("closure_date")}
            for b in planned
        ],
        "utilisation": {
            "from": first.isoformat(),
            "to": last.isoformat(),
            "mean": round(sum(means) / len(means), 4) if means else None,
            "under_used": under_used,
        },
        "annual_running_cost_saved_pence": sum(b["annual_running_cost_pence"] for b in vacated),
    }

