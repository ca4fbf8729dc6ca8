"""Reading the champions register: the services, the champions, and the coverage gap report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from civic.http import Page, paginate

from civic_comms.champions.domain import REQUIRED, CouncilService, champion_coverage, service_key
from civic_comms.repository import CHAMPIONS, SERVICES

if TYPE_CHECKING:
    from civic.service import Runtime


async def list_services(rt: Runtime, page: Page) -> dict[str, Any]:
    return await paginate(rt.db[SERVICES], {}, page)


async def list_champions(rt: Runtime, page: Page, service_name: str | None = None) -> dict[str, Any]:
    query = {"service_key": service_key(service_name)} if service_name else {}
    return await paginate(rt.db[CHAMPIONS], query, page)


async def champion_coverage_report(rt: Runtime) -> dict[str, Any]:
    services = [
        CouncilService(d["name"], d["directorate"], d.get("representation", REQUIRED))
        async for d in rt.db[SERVICES].find({})
    ]
    champions = [d["service"] async for d in rt.db[CHAMPIONS].find({}, {"service": 1})]
    report = champion_coverage(services, champions)
    return {
        "services": report.services,
        "covered": report.covered,
        "champions": report.champions,
        "champions_needed": report.champions_needed,
        "coverage_percentage": report.coverage_percentage,
        "services_without_champion": [
            {"name": s.name, "directorate": s.directorate} for s in report.uncovered
        ],
        # no champion, and whether one is needed is still to be agreed (e.g. an outsourced service)
        "to_explore": len(report.to_explore),
        "services_to_explore": [{"name": s.name, "directorate": s.directorate} for s in report.to_explore],
    }
