"""The highlight report generated from the data: a programme's initiatives (by the ``programme`` index, with
their history), its milestones done in the month and due in the next (by the milestones' ``initiative_id``
index), its top open risks and issues and the decisions it needs (the RAID log's ``(programme, status,
score)`` index), and last month's issued report. The rules are in ``domain.py``.

RAG, savings, risks and decisions are the position when the report is generated (``as_at``); the milestones
are the month's. That is why a report is issued: the issued one keeps the position the board saw.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from civic.errors import NotFound
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from civic_savings.highlight_reports import domain
from civic_savings.repository import HIGHLIGHT_REPORTS, INITIATIVES, MILESTONES, RAID, TARGETS, highlight_report_id

#: decisions listed (a board's agenda, not the log: the log has them all)
DECISIONS_LISTED = 50
#: what the report shows of a RAID item
RAID_SHOWN = ("kind", "title", "owner", "initiative_id", "likelihood", "impact", "score", "rating", "mitigation",
              "review_on")  # fmt: skip


def _raid_line(doc: Mapping[str, Any], *extra: str) -> dict[str, Any]:
    return {"id": doc["_id"], **{k: doc.get(k) for k in (*RAID_SHOWN, *extra)}}


def _milestone_line(doc: Mapping[str, Any], titles: Mapping[str, str | None]) -> dict[str, Any]:
    return {"id": doc["_id"], "initiative_id": doc["initiative_id"],
            "initiative_title": titles.get(doc["initiative_id"]),
            **{k: doc.get(k) for k in ("title", "owner", "due", "status", "completed_on")}}  # fmt: skip


async def _initiatives(db: AsyncDatabase[Any], name: str, session: AsyncClientSession | None) -> list[dict[str, Any]]:
    shown = {k: 1 for k in ("title", "status", "rag", "rag_reason", "planned_pence", "delivered_pence", "history")}
    return await db[INITIATIVES].find({"programme": name}, shown, session=session).sort("_id", 1).to_list()


async def check_programme(db: AsyncDatabase[Any], name: str, session: AsyncClientSession | None = None) -> None:
    """404 unless the programme has a target or an initiative names it."""
    if await db[TARGETS].find_one({"_id": name}, {"_id": 1}, session=session) is None and (
        await db[INITIATIVES].find_one({"programme": name}, {"_id": 1}, session=session) is None
    ):
        raise NotFound("programme", name)


async def issued(db: AsyncDatabase[Any], name: str, month: str,
                 session: AsyncClientSession | None = None) -> dict[str, Any] | None:  # fmt: skip
    found: dict[str, Any] | None = await db[HIGHLIGHT_REPORTS].find_one(
        {"_id": highlight_report_id(name, month)}, session=session
    )
    return found


async def generate(db: AsyncDatabase[Any], name: str, month: str, now: datetime,
                   session: AsyncClientSession | None = None) -> dict[str, Any]:  # fmt: skip
    """The programme's report for ``month`` from the data as it stands at ``now`` (404: no such programme)."""
    domain.month_parts(month)
    initiatives = await _initiatives(db, name, session)
    if not initiatives:
        await check_programme(db, name, session)
    rag = domain.programme_rag((i.get("status"), i.get("rag")) for i in initiatives)
    previous_month = domain.month_before(month)
    last = await issued(db, name, previous_month, session)
    if last is not None:
        previous = {"month": previous_month, "rag": last["report"].get("rag"), "source": "issued"}
    else:
        # what a report generated at the end of that month would have said (or now, if it has not ended)
        moment = min(domain.month_end(previous_month), now)
        then = (domain.state_at(i.get("history", []), i.get("status", ""), i.get("rag"), moment) for i in initiatives)
        previous = {"month": previous_month, "rag": domain.programme_rag(then), "source": "generated"}

    next_month = domain.month_after(month)
    start, end = domain.first_day(month).isoformat(), domain.first_day(next_month).isoformat()
    after_next = domain.first_day(domain.month_after(next_month)).isoformat()
    titles = {i["_id"]: i.get("title") for i in initiatives}
    in_programme = {"$in": list(titles)}
    done = await db[MILESTONES].find(
        {"initiative_id": in_programme, "status": "done", "completed_on": {"$gte": start, "$lt": end}},
        session=session,
    ).sort([("completed_on", 1), ("_id", 1)]).to_list()
    due = await db[MILESTONES].find(
        {"initiative_id": in_programme, "status": {"$ne": "dropped"}, "due": {"$gte": end, "$lt": after_next}},
        session=session,
    ).sort([("due", 1), ("_id", 1)]).to_list()

    open_items = {"programme": name, "status": "open"}
    by_score = [("score", -1), ("_id", 1)]
    top = {}
    for kind in ("risk", "issue"):
        found = await db[RAID].find({**open_items, "kind": kind}, session=session).sort(by_score).limit(
            domain.TOP).to_list()  # fmt: skip
        top[kind] = [_raid_line(doc) for doc in domain.ranked(found, kind)]
    decisions = await db[RAID].find({**open_items, "decision_needed": True}, session=session).sort(by_score).limit(
        DECISIONS_LISTED).to_list()  # fmt: skip

    return {
        "programme": name,
        "month": month,
        "as_at": domain.now_text(now),
        "rag": rag,
        "previous": previous,
        "direction": domain.direction(rag, previous["rag"]),
        "savings": domain.savings(initiatives, domain.month_end(previous_month), domain.month_end(month)),
        "milestones": {
            "done": [_milestone_line(doc, titles) for doc in done],
            "next_month": next_month,
            "due_next_month": [_milestone_line(doc, titles) for doc in due],
        },
        "top_risks": top["risk"],
        "top_issues": top["issue"],
        "decisions_needed": [_raid_line(doc, "decision") for doc in decisions],
    }
