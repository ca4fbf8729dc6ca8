"""Reports read from the read model (savings_totals, status_counts), never a scan of initiatives, but for
the monthly highlights (initiatives whose history moved that month, by index). The arithmetic is in
figures.py; this module only fetches the sums."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from civic.calendar import today
from civic.documents import matching
from civic.errors import Invalid, NotFound
from civic.tallies import RECORDS
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from civic_savings import figures
from civic_savings.domain import financial_year
from civic_savings.initiatives.domain import STATUSES
from civic_savings.milestones.reports import overdue_count, overdue_in
from civic_savings.programme.domain import CATEGORIES, Target
from civic_savings.repository import COST_AVOIDANCE, INITIATIVES, STATUS_COUNTS, TARGETS, TOTALS, target_to_model

ALL = "all"
# The theme report shows transformation savings unless asked otherwise: centrally controlled
# proposals and technical adjustments are budget lines, reconciled separately.
DEFAULT_CATEGORY = "transformation"


def _filters(
    *,
    directorate: str | None = None,
    programme: str | None = None,
    category: str | None = None,
    years: list[str] | None = None,
) -> dict[str, Any]:
    # an empty filter (``?directorate=``) filters on nothing, as one left out does
    match = matching(directorate=directorate or None, programme=programme or None)
    if category and category != ALL:
        if category not in CATEGORIES:
            raise Invalid.at("category", "unknown category", f"category must be one of {', '.join(CATEGORIES)} or 'all'.")
        match["category"] = category
    if years is not None:
        match["year"] = {"$in": years}
    return match


async def _sums(
    db: AsyncDatabase[Any], match: dict[str, Any], by: list[str], session: AsyncClientSession | None = None
) -> list[dict[str, Any]]:
    pipeline: list[dict[str, Any]] = [
        {"$match": match},
        {"$group": {"_id": {k: f"${k}" for k in by}, **{m: {"$sum": f"${m}"} for m in figures.MEASURES}}},
    ]
    rows = await (await db[TOTALS].aggregate(pipeline, session=session)).to_list()
    return [{**row["_id"], **{m: row.get(m, 0) for m in figures.MEASURES}} for row in rows]


@dataclass(frozen=True)
class RegisterFilter:
    """The part of the register the theme and variance reports cover: the years (all, when not given),
    a directorate, a programme and a category (transformation, when not given)."""

    years: str | None = None
    directorate: str | None = None
    programme: str | None = None
    category: str | None = None

    def wanted_years(self) -> list[str] | None:
        return figures.parse_years(self.years)

    @property
    def category_shown(self) -> str:
        return self.category or DEFAULT_CATEGORY

    def match(self, wanted_years: list[str] | None) -> dict[str, Any]:
        return _filters(
            directorate=self.directorate, programme=self.programme, category=self.category_shown, years=wanted_years
        )

    def described(self) -> dict[str, Any]:
        """The filters as a report states them."""
        return {"directorate": self.directorate, "programme": self.programme, "category": self.category_shown}


async def theme_report(db: AsyncDatabase[Any], register: RegisterFilter) -> dict[str, Any]:
    wanted = register.wanted_years()
    report = figures.theme_matrix(await _sums(db, register.match(wanted), ["theme", "year"]), wanted)
    report["filters"] = register.described()
    return report


async def programme_sums(
    db: AsyncDatabase[Any], programme: str, session: AsyncClientSession | None = None
) -> list[dict[str, Any]]:
    """A programme's measures by year, every category (what its target and its payback count)."""
    return await _sums(db, {"programme": programme}, ["year"], session=session)


async def programme_position(
    db: AsyncDatabase[Any], target: Target, session: AsyncClientSession | None = None
) -> dict[str, Any]:
    rows = await programme_sums(db, target.name, session=session)
    return figures.target_position(name=target.name, amount_pence=target.amount_pence, sums=rows)


async def target_report(db: AsyncDatabase[Any], name: str) -> dict[str, Any]:
    doc = await db[TARGETS].find_one({"_id": name})
    if doc is None:
        raise NotFound("target", name)
    target = target_to_model(doc)
    position = await programme_position(db, target)
    position.update(
        description=target.description,
        passed=target.is_passed(),
        passed_on=target.passed_on.isoformat() if target.passed_on else None,
    )
    # the programme's delivery plans: its initiatives' overdue milestones (the council's today)
    overdue = await overdue_in(db, today(), programme=name)
    position.update(overdue_milestone_count=overdue["overdue_milestone_count"],
                    overdue_milestones=overdue["overdue_milestones"])  # fmt: skip
    return position


async def reconciliation(
    db: AsyncDatabase[Any],
    *,
    year: str,
    budget_report_pence: int | None,
    directorate: str | None,
) -> dict[str, Any]:
    financial_year(year)
    if budget_report_pence is not None and budget_report_pence < 0:
        raise Invalid.at(
            "budget_report_pence", "must not be negative",
            "budget_report_pence is the savings figure as a positive amount of pence.",
        )
    rows = await _sums(db, _filters(directorate=directorate, years=[year]), ["category"])
    by_category = {row["category"]: row["planned_pence"] for row in rows}
    return figures.reconciliation(year, by_category, budget_report_pence)


async def variance(db: AsyncDatabase[Any], register: RegisterFilter) -> dict[str, Any]:
    rows = figures.variance_by_year(await _sums(db, register.match(register.wanted_years()), ["year"]))
    totals = {k: sum(r[k] for r in rows) for k in (rows[0] if rows else {}) if k != "year"}
    return {"years": rows, "totals": totals, "filters": register.described()}


async def highlights(db: AsyncDatabase[Any], month: str) -> dict[str, Any]:
    figures.month(month)
    start = datetime(int(month[:4]), int(month[5:]), 1, tzinfo=UTC)
    end = datetime(start.year + (start.month == 12), start.month % 12 + 1, 1, tzinfo=UTC)
    in_month = {"$gte": start, "$lt": end}
    found = db[INITIATIVES].find(
        {"history.at": in_month},
        {"title": 1, "theme": 1, "directorate": 1, "programme": 1, "history": 1},
    )
    changes = []
    for doc in await found.to_list():
        identity = {
            "initiative_id": doc["_id"],
            **{k: doc.get(k) for k in ("title", "theme", "directorate", "programme")},
        }
        changes += [{**identity, **entry} for entry in doc["history"] if start <= entry["at"] < end]
    changes.sort(key=lambda c: (c["at"], c["initiative_id"]))
    return figures.highlights(month, changes)


async def summary(db: AsyncDatabase[Any]) -> dict[str, Any]:
    """The dashboard's savings panel: a handful of small reads."""
    targets = []
    for doc in await db[TARGETS].find({}).sort("_id", 1).limit(50).to_list():
        position = await programme_position(db, target_to_model(doc))
        targets.append(
            {k: position[k] for k in ("name", "target_pence", "delivered_pence", "anticipated_pence", "excess_pence")}
        )
    # the read model's counts (their shards added up): counting the initiatives, six times, on every
    # dashboard held the database up for every other caller once there were a few thousand
    kept = await STATUS_COUNTS.read(db)
    counts = {s: kept[s][RECORDS] for s in STATUSES if s in kept}
    totals = await _sums(db, _filters(category=DEFAULT_CATEGORY), [])
    cost_avoided = await (
        await db[COST_AVOIDANCE].aggregate([{"$group": {"_id": None, "amount_pence": {"$sum": "$amount_pence"}}}])
    ).to_list()
    return {
        "targets": targets,
        "initiatives_by_status": counts,
        "planned_pence": totals[0]["planned_pence"] if totals else 0,
        "delivered_pence": totals[0]["delivered_pence"] if totals else 0,
        # recorded apart: never part of planned or delivered savings
        "cost_avoided_pence": cost_avoided[0]["amount_pence"] if cost_avoided else 0,
        # a count on the (status, due) index: the overdue milestones are read, not every milestone
        "overdue_milestone_count": await overdue_count(db, today()),
    }
