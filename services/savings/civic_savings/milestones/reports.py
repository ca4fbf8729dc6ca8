"""The overdue milestones, read where they show: on an initiative (and a page of them), on a programme and
on the dashboard. Each is one query on an index of the milestones (``repository.ensure_indexes``): an
initiative's plan by ``initiative_id``, the overdue ones of the whole register by ``(status, due)``, so
the dashboard counts the overdue milestones only, not every milestone.

Overdue is relative to the council's today (``civic.calendar.today``, London), which the callers hand in:
a milestone becomes overdue by the passing of a day, with no change to count, so no tally can keep it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from civic_savings.milestones.domain import overdue_days
from civic_savings.repository import INITIATIVES, MILESTONES

#: what a list of overdue milestones shows of each (its initiative's identity is added where it helps)
SHOWN = {"title": 1, "owner": 1, "due": 1, "initiative_id": 1}
#: overdue milestones listed on a programme or in the report (the count is always the whole)
LISTED = 200


def _overdue(today: date, **match: Any) -> dict[str, Any]:
    return {"status": "planned", "due": {"$lt": today.isoformat()}, **match}


def _line(doc: dict[str, Any], today: date) -> dict[str, Any]:
    return {
        "id": doc["_id"], "initiative_id": doc["initiative_id"], "title": doc["title"], "owner": doc["owner"],
        "due": doc["due"], "days_overdue": overdue_days(date.fromisoformat(doc["due"]), today),
    }  # fmt: skip


async def overdue_of(
    db: AsyncDatabase[Any], initiative_ids: Iterable[str], today: date, session: AsyncClientSession | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Each initiative's overdue milestones, earliest due first (one query for a page of initiatives)."""
    ids = list(initiative_ids)
    out: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    if not ids:
        return out
    query = _overdue(today, initiative_id=ids[0] if len(ids) == 1 else {"$in": ids})
    for doc in await db[MILESTONES].find(query, SHOWN, session=session).to_list():
        out[doc["initiative_id"]].append(_line(doc, today))
    for lines in out.values():
        lines.sort(key=lambda line: (line["due"], line["id"]))
    return out


def shown_with(form: dict[str, Any], overdue: list[dict[str, Any]]) -> dict[str, Any]:
    """An initiative's API form with its overdue milestones: the count and the list."""
    return {**form, "overdue_milestone_count": len(overdue), "overdue_milestones": overdue}


async def overdue_count(db: AsyncDatabase[Any], today: date) -> int:
    """How many milestones of the whole register are overdue today (the dashboard's figure)."""
    return await db[MILESTONES].count_documents(_overdue(today))


async def overdue_in(db: AsyncDatabase[Any], today: date, programme: str | None = None) -> dict[str, Any]:
    """The overdue milestones, of one programme or of the whole register, earliest due first, each with its
    initiative's title and programme: ``{on, programme, overdue_milestone_count, overdue_milestones}``."""
    match: dict[str, Any] = {}
    titles: dict[str, dict[str, Any]] = {}
    if programme is not None:
        found = db[INITIATIVES].find({"programme": programme}, {"title": 1, "programme": 1})
        titles = {doc["_id"]: doc for doc in await found.to_list()}
        match["initiative_id"] = {"$in": list(titles)}
    query = _overdue(today, **match)
    count = await db[MILESTONES].count_documents(query)
    docs = await db[MILESTONES].find(query, SHOWN).sort([("due", 1), ("_id", 1)]).limit(LISTED).to_list()
    missing = {doc["initiative_id"] for doc in docs} - set(titles)
    if missing:
        found = db[INITIATIVES].find({"_id": {"$in": sorted(missing)}}, {"title": 1, "programme": 1})
        titles.update({doc["_id"]: doc for doc in await found.to_list()})
    lines = []
    for doc in docs:
        initiative = titles.get(doc["initiative_id"], {})
        lines.append({**_line(doc, today), "initiative_title": initiative.get("title"),
                      "programme": initiative.get("programme")})  # fmt: skip
    return {"on": today.isoformat(), "programme": programme, "overdue_milestone_count": count,
            "overdue_milestones": lines}  # fmt: skip
