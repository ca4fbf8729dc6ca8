"""The disaggregation report: what is due, what has slipped, what is done, by host council, with the cost
each council still carries for the services it shares.

One read of the shared services (a council shares tens of them: seed 001's 50), classified in Python by the
domain's rules on the day asked (``as_of``): slipping is relative to a day, with no change to count, so no
tally can keep it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from civic_savings.disaggregation.domain import SharedService, add_months, slip_of, standing
from civic_savings.repository import SHARED_SERVICES, shared_service_model

SECTIONS = ("due", "slipped", "done", "deferred")


def _line(shared: SharedService, as_of: date) -> dict[str, Any]:
    def text(day: date | None) -> str | None:
        return day.isoformat() if day is not None else None

    return {
        "id": shared.id, "service": shared.service, "directorate": shared.directorate, "kind": shared.kind,
        "host_council": shared.host_council, "other_council": shared.other_council, "status": shared.status,
        "planned_on": text(shared.planned_on), "first_planned_on": text(shared.first_planned_on),
        "actual_on": text(shared.actual_on), "deferred_reason": shared.deferred_reason,
        "slipped": slip_of(shared, as_of),
    }  # fmt: skip


def _empty_host(host: str) -> dict[str, Any]:
    return {"host_council": host, "services": 0, **{section: 0 for section in SECTIONS},
            "still_shared": {"services": 0, "annual_cost_pence": 0, "host_pence": 0, "other_pence": 0,
                             "without_cost": 0}}  # fmt: skip


def _add_shared_cost(totals: dict[str, Any], shared: SharedService) -> None:
    totals["services"] += 1
    shares = shared.cost_split.shares_pence() if shared.cost_split is not None else None
    if shares is None:
        totals["without_cost"] += 1
        return
    totals["host_pence"] += shares[0]
    totals["other_pence"] += shares[1]
    totals["annual_cost_pence"] += shares[0] + shares[1]


def classify(services: list[SharedService], as_of: date, months: int) -> dict[str, Any]:
    """The report of ``services`` on ``as_of``, looking ``months`` ahead (pure: the route reads, this sorts).
    ``still_shared`` totals the cost split of the services not yet disaggregated nor cancelled on ``as_of``:
    what each host council still runs for the other, and what each council pays of it."""
    sections: dict[str, list[dict[str, Any]]] = {section: [] for section in SECTIONS}
    hosts: dict[str, dict[str, Any]] = defaultdict(lambda: _empty_host(""))
    overall = _empty_host("")
    for shared in services:
        host = hosts[shared.host_council]
        host["host_council"] = shared.host_council
        host["services"] += 1
        overall["services"] += 1
        found = standing(shared, as_of, months)
        for section in found:
            sections[section].append(_line(shared, as_of))
            host[section] += 1
            overall[section] += 1
        if shared.status != "cancelled" and "done" not in found:
            _add_shared_cost(host["still_shared"], shared)
            _add_shared_cost(overall["still_shared"], shared)
    sections["due"].sort(key=lambda line: (line["planned_on"], line["service"]))
    sections["slipped"].sort(key=lambda line: (-(line["slipped"].get("days_late") or 0), line["service"]))
    sections["done"].sort(key=lambda line: (line["actual_on"], line["service"]))
    sections["deferred"].sort(key=lambda line: line["service"])
    del overall["host_council"]
    return {
        "as_of": as_of.isoformat(), "months": months, "until": add_months(as_of, months).isoformat(), **sections,
        "by_host": [hosts[name] for name in sorted(hosts, key=str.casefold)], "totals": overall,
    }  # fmt: skip


async def disaggregation(db: AsyncDatabase[Any], as_of: date, months: int) -> dict[str, Any]:
    docs = await db[SHARED_SERVICES].find({}).sort("_id", 1).to_list()
    return classify([shared_service_model(doc) for doc in docs], as_of, months)
