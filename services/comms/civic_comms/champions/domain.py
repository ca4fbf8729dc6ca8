"""Change champions (seed 003): at least one per council service; the coverage gap is the services
with none (332 champions across eight councils, 71 more needed to cover every service).

Plain Python: stdlib and ``civic.errors`` only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from civic.errors import FieldErrors, Invalid


def service_key(name: str) -> str:
    """Service names compare without case or extra spaces: 'Waste  Collection' is 'waste collection'."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class CouncilService:
    """A service of the council (e.g. Libraries, Waste collection): each needs a change champion."""

    name: str
    directorate: str

    @classmethod
    def register(cls, name: str, directorate: str) -> CouncilService:
        """A service as the register keeps it (spaces in its name collapsed), with both name and directorate."""
        name, directorate = " ".join(name.split()), directorate.strip()
        if not name or not directorate:
            raise Invalid(
                "A service has a name and a directorate.",
                errors=[{"field": "name" if not name else "directorate", "message": "blank"}],
            )
        return cls(name, directorate)


@dataclass(frozen=True)
class Champion:
    """A member of staff who carries the change programme into their service."""

    name: str
    service: str
    directorate: str
    council: str | None = None
    email: str | None = None

    @classmethod
    def appoint(
        cls,
        *,
        name: str,
        service: str,
        directorate: str,
        council: str | None = None,
        email: str | None = None,
    ) -> Champion:
        name, service, directorate = " ".join(name.split()), " ".join(service.split()), directorate.strip()
        errors = FieldErrors(
            {"field": f, "message": "blank"}
            for f, v in (("name", name), ("service", service), ("directorate", directorate))
            if not v
        )
        errors.raise_if_any("A champion has a name, a service and a directorate.")
        return cls(name, service, directorate, council, email)

    @property
    def council_service(self) -> CouncilService:
        """The service this champion covers, as the register would keep it."""
        return CouncilService(self.service, self.directorate)


@dataclass(frozen=True)
class ChampionCoverage:
    services: int
    covered: int
    champions: int
    uncovered: list[CouncilService]

    @property
    def champions_needed(self) -> int:
        """At least one champion per service: one more for each service that has none."""
        return len(self.uncovered)

    @property
    def coverage_percentage(self) -> float:
        return round(100 * self.covered / self.services, 1) if self.services else 0.0


def champion_coverage(
    services: Iterable[CouncilService], champion_services: Iterable[str]
) -> ChampionCoverage:
    """Which services have no change champion (the coverage gap), by directorate then name."""
    by_key = {service_key(s.name): s for s in services}
    counts: dict[str, int] = {}
    champions = 0
    for name in champion_services:
        champions += 1
        counts[service_key(name)] = counts.get(service_key(name), 0) + 1
    uncovered = sorted(
        (s for k, s in by_key.items() if not counts.get(k)),
        key=lambda s: (s.directorate.casefold(), s.name.casefold()),
    )
    return ChampionCoverage(
        services=len(by_key), covered=len(by_key) - len(uncovered), champions=champions, uncovered=uncovered
    )
