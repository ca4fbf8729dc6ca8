"""Change champions (seed 003): at least one per council service; the coverage gap is the services
with none (332 champions across eight councils, 71 more needed to cover every service). Some services
need exploring before anyone can say whether they need a champion at all (8 in seed 003, "e.g. service
is currently outsourced"): they are registered as such and left out of the gap until agreed.

Champions belong to an organisation (their council: seed 003 counts them across eight), and so do services:
coverage is reported per council as well as overall. A champion who stands down is kept, with the day and
the reason, so that joiners and leavers can be counted month by month.

Plain Python: stdlib and ``civic.errors`` only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from civic.errors import FieldErrors, Invalid, Refused


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
    #: the organisation (council) whose service it is, where known
    council: str | None = None

    @classmethod
    def register(cls, name: str, directorate: str, representation: str | None = None,
                 council: str | None = None) -> CouncilService:
        """A service as the register keeps it (spaces in its name collapsed), with both name and directorate."""
        name, directorate = " ".join(name.split()), directorate.strip()
        errors = FieldErrors(
            {"field": f, "message": "blank"} for f, v in (("name", name), ("directorate", directorate)) if not v
        )
        representation = representation or REQUIRED
        if representation not in REPRESENTATIONS:
            errors.add("representation", f"must be one of {', '.join(REPRESENTATIONS)}")
        errors.raise_if_any("A service has a name and a directorate." if not (name and directorate) else None)
        return cls(name, directorate, representation, _organisation(council))


def _organisation(council: str | None) -> str | None:
    """A council's name as kept (spaces collapsed); blank is not known."""
    return " ".join(council.split()) or None if council else None


@dataclass(frozen=True)
class Champion:
    """A member of staff who carries the change programme into their service."""

    name: str
    service: str
    directorate: str
    council: str | None = None
    email: str | None = None
    #: the day they became a champion (a joiner in that month)
    appointed_on: date | None = None
    #: the day they stood down (a leaver in that month), and why, if they said
    stood_down_on: date | None = None
    stand_down_reason: str | None = None

    @classmethod
    def appoint(
        cls,
        *,
        name: str,
        service: str,
        directorate: str,
        today: date,
        council: str | None = None,
        email: str | None = None,
        appointed_on: date | None = None,
    ) -> Champion:
        name, service, directorate = " ".join(name.split()), " ".join(service.split()), directorate.strip()
        errors = FieldErrors(
            {"field": f, "message": "blank"}
            for f, v in (("name", name), ("service", service), ("directorate", directorate))
            if not v
        )
        if appointed_on is not None and appointed_on > today:
            errors.add("appointed_on", "in the future: an appointment is recorded once made")
        errors.raise_if_any("A champion has a name, a service and a directorate, appointed by today.")
        return cls(name, service, directorate, _organisation(council), email, appointed_on or today)

    @property
    def serving(self) -> bool:
        return self.stood_down_on is None

    def stand_down(self, *, today: date, on: date | None = None, reason: str | None = None) -> Champion:
        """The champion as stood down (on ``on``, default today), kept for the joiners and leavers."""
        if not self.serving:
            raise Refused(f"This champion stood down on {self.stood_down_on}.",
                          stood_down_on=str(self.stood_down_on))
        on = on or today
        if on > today:
            raise Invalid.at("stood_down_on", "in the future", "A stand-down is recorded once it has happened.")
        if self.appointed_on is not None and on < self.appointed_on:
            raise Invalid.at("stood_down_on", "before the appointment",
                             f"They were appointed on {self.appointed_on}; they cannot stand down before that.")
        return replace(self, stood_down_on=on, stand_down_reason=(reason or "").strip() or None)

    @property
    def council_service(self) -> CouncilService:
        """The service this champion covers, as the register would keep it (in the champion's council)."""
        return CouncilService(self.service, self.directorate, council=self.council)


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


@dataclass(frozen=True)
class CouncilCoverage:
    """One council's services and their champions: the coverage gap per organisation."""

    council: str | None
    coverage: ChampionCoverage
    #: each covered service, with how many champions it has
    covered: list[tuple[CouncilService, int]]


def coverage_by_council(services: Iterable[CouncilService], champion_services: Iterable[str]) -> list[CouncilCoverage]:
    """Per council (by name; services of no known council last), its services with and without a champion. A
    champion counts for the council of the service they cover."""
    by_council: dict[str | None, list[CouncilService]] = {}
    for s in services:
        by_council.setdefault(s.council, []).append(s)
    counts: dict[str, int] = {}
    for name in champion_services:
        counts[service_key(name)] = counts.get(service_key(name), 0) + 1
    out = []
    for council in sorted(by_council, key=lambda c: (c is None, (c or "").casefold())):
        own = by_council[council]
        keys = {service_key(s.name) for s in own}
        theirs = [k for k in keys for _ in range(counts.get(k, 0))]
        coverage = champion_coverage(own, theirs)
        covered = sorted(
            ((s, counts[service_key(s.name)]) for s in own if counts.get(service_key(s.name))),
            key=lambda pair: (pair[0].directorate.casefold(), pair[0].name.casefold()),
        )
        out.append(CouncilCoverage(council, coverage, covered))
    return out


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def months_to(last: str, count: int) -> list[str]:
    """``count`` months ending with ``last`` (``YYYY-MM``), oldest first."""
    year, month = (int(part) for part in last.split("-"))
    index = year * 12 + month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def joiners_and_leavers(champions: Iterable[Champion], months: list[str]) -> list[dict[str, int | str]]:
    """Per month: champions appointed (joined) and stood down (left) in it, and the net change."""
    joined = dict.fromkeys(months, 0)
    left = dict.fromkeys(months, 0)
    for c in champions:
        if c.appointed_on is not None and month_of(c.appointed_on) in joined:
            joined[month_of(c.appointed_on)] += 1
        if c.stood_down_on is not None and month_of(c.stood_down_on) in left:
            left[month_of(c.stood_down_on)] += 1
    return [{"month": m, "joined": joined[m], "left": left[m], "net": joined[m] - left[m]} for m in months]
