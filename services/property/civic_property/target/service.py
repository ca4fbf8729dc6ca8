"""Use cases of the rationalisation target: read it, set it, and the report of its progress."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from civic.calendar import today
from civic.documents import day_from_text, resource

from civic_property.domain import check_report_years, financial_year_of
from civic_property.repository import BUILDINGS, MOVES, SETTINGS, TEAMS, building_from, move_from, put_setting
from civic_property.target import figures
from civic_property.target.domain import RationalisationTarget, TargetStep

if TYPE_CHECKING:
    from civic.service import Runtime
    from civic.uow import UnitOfWork

TARGET_ID = "rationalisation_target"


def _target_from(doc: dict[str, Any] | None) -> RationalisationTarget:
    if doc is None:
        return RationalisationTarget()
    steps = tuple(
        TargetStep(s["year"], s["annual_saving_pence"], day_from_text(s.get("by"))) for s in doc.get("steps", [])
    )
    return RationalisationTarget(steps, doc.get("source"))


async def get_target(rt: Runtime) -> dict[str, Any]:
    doc = await rt.db[SETTINGS].find_one({"_id": TARGET_ID})
    if doc is None:
        return {"id": TARGET_ID, **RationalisationTarget().as_dict(), "version": 0}
    return resource(doc)


async def put_target(
    rt: Runtime, steps: list[dict[str, Any]], source: str | None, expected_version: int | None
) -> dict[str, Any]:
    target = RationalisationTarget.checked(
        [TargetStep(s["year"], s["annual_saving_pence"], s.get("by")) for s in steps], source
    )

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        return await put_setting(uow, TARGET_ID, target.as_dict(), expected_version)

    return resource(await rt.transaction(work))


async def target_report(rt: Runtime, from_year: str | None, to_year: str | None) -> dict[str, Any]:
    check_report_years(from_year, to_year)
    target = _target_from(await rt.db[SETTINGS].find_one({"_id": TARGET_ID}))
    this_year = financial_year_of(today())
    first, last = figures.default_years(target) or (this_year, this_year)
    buildings = [building_from(d) for d in await rt.db[BUILDINGS].find({}).to_list()]
    moves = [move_from(d) for d in await rt.db[MOVES].find({"status": {"$ne": "cancelled"}}).to_list()]
    names = {t["_id"]: t["name"] for t in await rt.db[TEAMS].find({}, {"name": 1}).to_list()}
    return figures.progress(target, buildings, moves, names, from_year or first, to_year or last)
