"""Reading the champions register: the services, the champions, the coverage gap (overall and per council),
and the joiners and leavers month by month. A champion who has stood down covers nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from civic.calendar import today
from civic.http import Page, paginate

from civic_comms.champions.domain import (
    CouncilService,
    champion_coverage,
    coverage_by_council,
    joiners_and_leavers,
    month_of,
    months_to,
    service_key,
)
from civic_comms.champions.repository import champion_to_model, council_service_to_model
from civic_comms.repository import CHAMPIONS, SERVICES

if TYPE_CHECKING:
    from civic.service import Runtime

#: champions still serving (those recorded before stand-downs were kept have no such field: serving too)
SERVING: dict[str, Any] = {"stood_down_on": None}


async def list_services(rt: Runtime, page: Page) -> dict[str, Any]:
    return await paginate(rt.db[SERVICES], {}, page)


async def list_champions(
    rt: Runtime, page: Page, service_name: str | None = None, stood_down: bool = False
) -> dict[str, Any]:
    query: dict[str, Any] = {"stood_down_on": {"$ne": None}} if stood_down else dict(SERVING)
    if service_name:
        query["service_key"] = service_key(service_name)
    return await paginate(rt.db[CHAMPIONS], query, page)


async def _register(rt: Runtime) -> tuple[list[CouncilService], list[str]]:
    services = [council_service_to_model(d) async for d in rt.db[SERVICES].find({})]
    champions = [d["service"] async for d in rt.db[CHAMPIONS].find(SERVING, {"service": 1})]
    return services, champions


def _named(services: list[CouncilService]) -> list[dict[str, Any]]:
    return [{"name": s.name, "directorate": s.directorate} for s in services]


async def champion_coverage_report(rt: Runtime) -> dict[str, Any]:
    report = champion_coverage(*await _register(rt))
    return {
        "services": report.services,
        "covered": report.covered,
        "champions": report.champions,
        "champions_needed": report.champions_needed,
        "coverage_percentage": report.coverage_percentage,
        "services_without_champion": _named(report.uncovered),
        # no champion, and whether one is needed is still to be agreed (e.g. an outsourced service)
        "to_explore": len(report.to_explore),
        "services_to_explore": _named(report.to_explore),
    }


async def coverage_by_council_report(rt: Runtime) -> dict[str, Any]:
    """Per council (organisation): its services with a champion and without, and its champions."""
    councils = []
    for c in coverage_by_council(*await _register(rt)):
        r = c.coverage
        councils.append({
            "council": c.council,
            "services": r.services,
            "covered": r.covered,
            "champions": r.champions,
            "champions_needed": r.champions_needed,
            "coverage_percentage": r.coverage_percentage,
            "services_with_champion": [{"name": s.name, "directorate": s.directorate, "champions": n}
                                       for s, n in c.covered],
            "services_without_champion": _named(r.uncovered),
            "services_to_explore": _named(r.to_explore),
        })
    return {"councils": councils}


async def joiners_and_leavers_report(rt: Runtime, to: str | None, months: int, council: str | None) -> dict[str, Any]:
    """Champions appointed and stood down per month, ``months`` months up to ``to`` (default this month)."""
    span = months_to(to or month_of(today()), months)
    query: dict[str, Any] = {"council": " ".join(council.split())} if council else {}
    champions = [champion_to_model(d) async for d in rt.db[CHAMPIONS].find(query)]
    rows = joiners_and_leavers(champions, span)
    return {
        "from": span[0],
        "to": span[-1],
        "council": council,
        "joined": sum(int(r["joined"]) for r in rows),
        "left": sum(int(r["left"]) for r in rows),
        "months": rows,
    }
