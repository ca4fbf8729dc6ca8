"""Change champions (seed 003): at least one per council service; the coverage gap is the services
with none (332 champions across eight councils, 71 more needed to cover every service). Some services
need exploring before anyone can say whether they need a champion at all (8 in seed 003, "e.g. service
is currently outsourced"): they are registered as such and left out of the gap until agreed.

Plain Python: stdlib and ``civic.errors`` only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from civic.errors import FieldErrors


def service_key(name: str) -> str:
    """Service names compare without case or extra spaces: 'Waste  Collection' is 'waste collection'."""
    return " ".join(name.split()).casefold()


#: whether a service needs a champion: ``required`` (every service, unless said otherwise), or
#: ``to_explore`` (to be agreed with its leaders first, e.g. an outsourced or shared service)
REQUIRED = "required"
TO_EXPLORE = "to_explore"
REPRESENTATIONS = (REQUIRED, TO_EXPLORE)


@dataclass(frozen=True)
class CouncilService:
    """A service of the council (e.g. Libraries, Waste collection): each needs a change champion, unless its
    representation is still to be explored."""

    name: str
    directorate: str
    representation: str = REQUIRED

    @classmethod
    def register(cls, name: str, directorate: str, representation: str | None = None) -> CouncilService:
        """A service as the register keeps it (spaces in its name collapsed), with both name and directorate."""
        name, directorate = " ".join(name.split()), directorate.strip()
        errors = FieldErrors(
            {"field": f, "message": "blank"} for f, v in (("name", name), ("directorate", directorate)) if not v
        )
        representation = representation or REQUIRED
        if representation not in REPRESENTATIONS:
            errors.add("representation", f"must be one of {', '.join(REPRESENTATIONS)}")
        errors.raise_if_any("A service has a name and a directorate." if not (name and directorate) else None)
        return cls(name, directorate, representation)


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
    #: services that need a champion and have none: the gap
    uncovered: list[CouncilService]
    #: services with no champion whose need is still to be explored (not in the gap)
    to_explore: list[CouncilService] = field(default_factory=list)

    @property
    def champions_needed(self) -> int:
        """At least one champion per service: one more for each service that needs one and has none."""
        return len(self.uncovered)

    @property
    def coverage_percentage(self) -> float:
        """Covered services out of those that need a champion (a covered one to explore counts as covered)."""
        needing = self.covered + len(self.uncovered)
        return round(100 * self.covered / needing, 1) if needing else 0.0


def champion_coverage(
    services: Iterable[CouncilService], champion_services: Iterable[str]
) -> ChampionCoverage:
    """Which services have no change champion (the coverage gap), and which are still to be explored, each
    by directorate then name."""
    by_key = {service_key(s.name): s for s in services}
    counts: dict[str, int] = {}
    champions = 0
    for name in champion_services:
        champions += 1
        counts[service_key(name)] = counts.get(service_key(name), 0) + 1

    def without_champion(representation: str) -> list[CouncilService]:
        return sorted(
            (s for k, s in by_key.items() if not counts.get(k) and s.representation == representation),
            key=lambda s: (s.directorate.casefold(), s.name.casefold()),
        )

    uncovered, to_explore = without_champion(REQUIRED), without_champion(TO_EXPLORE)
    return ChampionCoverage(
        services=len(by_key),
        covered=len(by_key) - len(uncovered) - len(to_explore),
        champions=champions,
        uncovered=uncovered,
        to_explore=to_explore,
    )
