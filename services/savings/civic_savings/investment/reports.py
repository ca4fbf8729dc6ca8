"""A programme's payback, read: its investment lines (a programme has a few dozen at most), its savings by
year from the read model (``civic_savings.reports.programme_sums``, as its target reads them) and its cost
avoided (shown apart). The arithmetic is in figures.py."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from civic_savings import reports
from civic_savings.investment import figures
from civic_savings.repository import COST_AVOIDANCE, INVESTMENT


async def payback(db: AsyncDatabase[Any], programme: str, session: AsyncClientSession | None = None) -> dict[str, Any]:
    """``programme``'s investment, savings, net benefit and cumulative net benefit by year, and its payback
    year: ``{programme, payback_year, investment_pence, planned_pence, delivered_pence, anticipated_pence,
    savings_pence, net_benefit_pence, cost_avoided_pence, investment_by_category, years}``."""
    lines = await db[INVESTMENT].find(
        {"programme": programme}, {"year": 1, "category": 1, "amount_pence": 1}, session=session
    ).to_list()
    savings = await reports.programme_sums(db, programme, session=session)
    avoided = await (await db[COST_AVOIDANCE].aggregate(
        [{"$match": {"programme": programme}}, {"$group": {"_id": "$year", "amount_pence": {"$sum": "$amount_pence"}}}],
        session=session,
    )).to_list()  # fmt: skip
    table = figures.payback(lines, savings, [{"year": row["_id"], "amount_pence": row["amount_pence"]} for row in avoided])
    return {"programme": programme, **table}

