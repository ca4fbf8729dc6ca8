"""Use cases of occupancy monitoring: record and import readings, configure and review utilisation.

Each use case's ``work`` runs in ``rt.transaction``, which runs it again when a concurrent change
won the race, so ``work`` reads what it needs afresh and has no effect outside the database. A
reading names its building in the path (unknown: 404); an import row's ``building_id`` that names
nothing is a validation failure of that row (422 naming the line).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING, Any

from civic.calendar import today
from civic.documents import day_from_text, insert, load, now, resource
from civic.errors import Invalid
from civic.http import Page, paginate
from civic_contracts.property import LowUtilisationDetected
from pymongo import ASCENDING, UpdateOne

from civic_property.buildings.domain import IN_USE
from civic_property.buildings.service import get_building
from civic_property.occupancy.domain import (
    DEFAULT_UNDER_USED_THRESHOLD,
    BuildingFacts,
    Reading,
    Row,
    check_period,
    check_rows,
    check_threshold,
    parse_csv,
    reading,
    rows_from_json,
)
from civic_property.occupancy.figures import utilisation
from civic_property.occupancy.reports import UTILISATION_ID, days_for, under_used_threshold
from civic_property.repository import (
    BUILDINGS,
    FINDINGS,
    OCCUPANCY,
    OCCUPANCY_MONTHS,
    SETTINGS,
    month_id,
    put_setting,
    reading_document,
)

if TYPE_CHECKING:
    from civic.service import Runtime
    from civic.uow import UnitOfWork


def _facts(doc: dict[str, Any]) -> BuildingFacts:
    return BuildingFacts(doc["name"], doc["desks"], doc["status"], day_from_text(doc.get("closed_on")))


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
    """One day's reading; a second reading for the same day corrects the first. Returns the reading
    and whether it is new (201) rather than a correction (200)."""

    async def work(uow: UnitOfWork) -> tuple[dict[str, Any], bool]:
        doc = await load(uow, BUILDINGS, building_id, kind="building")
        r = reading(building_id, _facts(doc), on, occupied_desks, today())
        created, _ = await _write_readings(uow, [r])
        stored = await uow.db[OCCUPANCY].find_one({"_id": reading_document(r)["_id"]}, session=uow.session)
        assert stored is not None
        return resource(stored), created == 1

    return await rt.transaction(work)


async def list_readings(
    rt: Runtime, building_id: str, page: Page, period_from: date | None, period_to: date | None
) -> dict[str, Any]:
    await get_building(rt, building_id)  # 404 for an unknown building
    query: dict[str, Any] = {"building_id": building_id}
    if period_from or period_to:
        query["date"] = {}
        if period_from:
            query["date"]["$gte"] = period_from.isoformat()
        if period_to:
            query["date"]["$lte"] = period_to.isoformat()
    return await paginate(rt.db[OCCUPANCY], query, page)


async def import_csv(rt: Runtime, text: str) -> dict[str, Any]:
    """A CSV with columns building_id, date, occupied_desks (see ``import_readings``)."""
    return await import_readings(rt, parse_csv(text))


async def import_json(rt: Runtime, items: list[dict[str, Any]]) -> dict[str, Any]:
    """A JSON list of {building_id, date, occupied_desks} (see ``import_readings``)."""
    return await import_readings(rt, rows_from_json(items))


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


# --- the under-use threshold and the review ----------------------------------------------------


async def get_utilisation_settings(rt: Runtime) -> dict[str, Any]:
    doc = await rt.db[SETTINGS].find_one({"_id": UTILISATION_ID})
    if doc is None:
        return {"id": UTILISATION_ID, "threshold": DEFAULT_UNDER_USED_THRESHOLD, "version": 0}
    return resource(doc)


async def put_utilisation_settings(
    rt: Runtime, threshold: Any, expected_version: int | None
) -> dict[str, Any]:
    value = check_threshold(threshold)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        return await put_setting(uow, UTILISATION_ID, {"threshold": value}, expected_version)

    return resource(await rt.transaction(work))


async def review_utilisation(rt: Runtime, first: date, last: date, threshold: float | None) -> dict[str, Any]:
    """Every building in use over a past period; each under-used one is reported once per period
    (a repeated review finds the same buildings but publishes nothing new). Publishes
    ``property.building.low_utilisation_detected`` once per under-used building and period."""
    if threshold is not None:
        threshold = check_threshold(threshold)
    check_period(first, last)
    if last >= today():
        raise Invalid.at("to", "must be before today", "Review a period that has ended.")
    limit = threshold if threshold is not None else await under_used_threshold(rt)
    buildings = (
        await rt.db[BUILDINGS].find({"status": {"$in": list(IN_USE)}}).sort("name", ASCENDING).to_list()
    )
    days = await days_for(rt, [b["_id"] for b in buildings], first, last)
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

