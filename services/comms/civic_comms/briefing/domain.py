"""The weekly councillor briefing, the media coverage it reports, and the drafts the team gets when
other services act.

Plain Python: stdlib and the runtime's plain modules only. Events arrive here as their contract models,
read through the protocols of ``sources.py`` (what each function reads of an event), so this module does
not depend on the contracts package; the handlers pass the models and mypy checks they fit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from civic.calendar import COUNCIL_TZ, date_of, start_of_day
from civic.errors import Invalid

from civic_comms.briefing.sources import (
    AnnualReport,
    BoardDecision,
    Closure,
    DeliveredSaving,
    Disposal,
    LeaseBreak,
    LeaseDate,
    MissedMilestone,
    MovedPayback,
    PassedTarget,
    PlannedClosure,
    PlannedMove,
    RealisedSaving,
    RedRisk,
    SlippedSaving,
)
from civic_comms.content.domain import SAFEGUARDING_BOARD
from civic_comms.domain import required_text

# --- ISO weeks (the briefing goes out weekly) -------------------------------------------------

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class IsoWeek:
    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        match = _WEEK.match(text)
        if match:
            try:
                date.fromisocalendar(int(match[1]), int(match[2]), 1)
                return cls(int(match[1]), int(match[2]))
            except ValueError:
                pass
        raise Invalid.at(
            "iso_week", "YYYY-Www, a week that exists in that year",
            f"{text!r} is not an ISO week such as 2026-W48.",
        )

    @classmethod
    def of(cls, moment: datetime | date) -> IsoWeek:
        """The week, in council time, that a moment (or a day) falls in."""
        day = date_of(moment) if isinstance(moment, datetime) else moment
        year, week, _ = day.isocalendar()
        return cls(year, week)

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def starts_at(self) -> datetime:
        return start_of_day(self.monday)

    @property
    def ends_at(self) -> datetime:
        """Exclusive: the Monday after, at midnight council time."""
        return start_of_day(self.monday + timedelta(days=7))


# --- words for figures ------------------------------------------------------------------------


def pounds(pence: int) -> str:
    """£17,530,000 or £145,340.50: whole pounds without pence, the way reports print them."""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}£{whole:,}" + (f".{part:02d}" if part else "")


def long_date(value: str | date) -> str:
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {day:%B %Y}"


def _names(items: Iterable[str]) -> str:
    names = list(items)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


# --- briefing items from events ---------------------------------------------------------------

SECTIONS = ("property", "savings", "safeguarding", "media")

#: a briefing item's words: the headline, and a line of detail when there is one
Words = tuple[str, str | None]


@dataclass(frozen=True)
class BriefingItem:
    section: str
    kind: str
    headline: str
    #: when it happened: decides the week the item belongs to
    occurred_at: datetime
    source: str
    detail: str | None = None


def item_from_event(event_type: str, words: Words, occurred_at: datetime) -> BriefingItem:
    """One line for councillors about something another service did (``words`` from the functions below)."""
    section, kind = event_type.split(".", 1)
    headline, detail = words
    return BriefingItem(
        section=section,
        kind=kind,
        headline=headline,
        detail=detail,
        occurred_at=occurred_at,
        source=event_type,
    )


def planned_closure_words(d: PlannedClosure) -> Words:
    teams = [t.name for t in d.teams]
    detail = f"Teams to move: {_names(teams)}." if teams else "No teams are based there."
    return f"{d.name} ({d.town}) is planned to close on {long_date(d.closure_date)}.", detail


def closure_words(d: Closure) -> Words:
    return (
        f"{d.name} ({d.town}) closed on {long_date(d.closed_on)}.",
        f"Saves {pounds(d.annual_running_cost_pence)} a year in running costs and "
        f"{d.annual_carbon_kg:,} kg of carbon.",
    )


def disposal_words(d: Disposal) -> Words:
    return (
        f"{d.name} ({d.town}) was disposed of by {d.method} on {long_date(d.disposed_on)}.",
        f"Receipt {pounds(d.receipt_pence)}; running costs of "
        f"{pounds(d.annual_running_cost_pence)} a year no longer fall on the council.",
    )


def delivered_saving_words(d: DeliveredSaving) -> Words:
    return (
        f"Savings delivered: {d.title} ({d.directorate}), {pounds(d.delivered_pence)}.",
        f"Programme: {d.programme}." if d.programme else None,
    )


def realised_saving_words(d: RealisedSaving) -> Words:
    return (
        f"Savings realised: {d.building_name} left the estate on {long_date(d.realised_on)}, realising "
        f"{pounds(d.realised_pence)} a year of {d.title} ({d.directorate}).",
        f"Delivered so far: {pounds(d.delivered_pence)}.",
    )


def slipped_saving_words(d: SlippedSaving) -> Words:
    return (
        f"Savings slipped: {d.title} ({d.directorate}), {pounds(d.amount_pence)} "
        f"moved from {d.from_year} to {d.to_year}.",
        "A profile issue: the saving is expected in the later year.",
    )


def passed_target_words(d: PassedTarget) -> Words:
    total = d.delivered_pence + d.anticipated_pence
    return (
        f"The {d.name} savings target of {pounds(d.target_pence)} has been passed.",
        f"Delivered {pounds(d.delivered_pence)} and anticipated {pounds(d.anticipated_pence)}: "
        f"{pounds(total - d.target_pence)} above the target.",
    )


def payback_words(d: MovedPayback) -> Words:
    """The year a programme's savings first pay back its cost of change: councillors weigh its investment by it."""
    was = f" (was {d.previous_payback_year})" if d.previous_payback_year else ""
    if d.payback_year is None:
        headline = f"The {d.programme} programme's investment no longer pays back within its savings{was}."
    else:
        headline = f"The {d.programme} programme's investment now pays back in {d.payback_year}{was}."
    return headline, f"Invested {pounds(d.investment_pence)} against savings of {pounds(d.savings_pence)}."


def red_risk_words(d: RedRisk) -> Words:
    """A RAID item rated red; its title and owner stay in the programme's log (the event carries ids)."""
    where = f"the {d.programme} programme" if d.programme else "a savings initiative"
    article = "An" if d.kind[:1] in "aeiou" else "A"
    was = f" It was {d.previous_rating}." if d.previous_rating else " It was recorded red."
    return (
        f"{article} {d.kind} in {where} has been rated red.",
        f"Likelihood {d.likelihood} and impact {d.impact} out of 5 (score {d.score}).{was} "
        "The programme's RAID log has the detail.",
    )


def missed_milestone_words(d: MissedMilestone) -> Words:
    """A milestone of a delivery plan still planned after its due date; its owner stays in the plan."""
    of = f"the {d.programme} programme" if d.programme else "a savings initiative"
    days = "1 day" if d.days_overdue == 1 else f"{d.days_overdue} days"
    return (
        f"A milestone of {of} is overdue: {d.title}, due on {long_date(d.due_on)}.",
        f"{days} overdue and still planned. The initiative's delivery plan has the detail.",
    )


def _lease_terms(d: LeaseDate) -> str:
    return f"Landlord {d.landlord}; rent {pounds(d.annual_rent_pence)} a year; the lease ends on {long_date(d.expires_on)}."


def lease_break_words(d: LeaseBreak) -> Words:
    """A break in a lease the council holds is in sight: a closure decision may depend on serving notice."""
    notice = f", notice to be served by {long_date(d.notice_by)}" if d.notice_by else ""
    return f"The lease of {d.name} ({d.town}) can be broken on {long_date(d.break_on)}{notice}.", _lease_terms(d)


def lease_expiry_words(d: LeaseDate) -> Words:
    return f"The lease of {d.name} ({d.town}) ends on {long_date(d.expires_on)}.", _lease_terms(d)


def decision_words(d: BoardDecision) -> Words:
    outcome = {"carried": "carried", "not_carried": "not carried", "agreed": "agreed"}[d.outcome]
    how = {"consensus": "by consensus", "vote": "by vote", "between_meetings": "between meetings"}[d.method]
    ratification = "To be ratified at the board's next meeting." if d.requires_ratification else None
    return (
        f"{d.board_name}: \u2018{d.item_title}\u2019 {outcome} {how} on {long_date(d.decided_on)}.",
        ratification,
    )


def annual_report_words(d: AnnualReport) -> Words:
    return (
        f"{d.board_name} published its annual report {d.year}: {d.title}.",
        "A press release awaits the board's sign-off.",
    )


def item_from_media(
    outlet: str, headline: str, sentiment: str, published_on: date, summary: str | None = None
) -> BriefingItem:
    occurred = datetime.combine(published_on, time(12), COUNCIL_TZ).astimezone(UTC)
    return BriefingItem(
        section="media",
        kind=f"coverage.{sentiment}",
        headline=f"{outlet}: \u2018{headline}\u2019",
        detail=summary,
        occurred_at=occurred,
        source="media_coverage",
    )


def compose(week: IsoWeek, items: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The briefing: every section present (empty when quiet), items in the order they happened."""
    sections: dict[str, list[dict[str, Any]]] = {s: [] for s in SECTIONS}
    for item in sorted(items, key=lambda i: (i["occurred_at"], i.get("id", ""))):
        sections.setdefault(item["section"], []).append(dict(item))
    return {
        "week": str(week),
        "from": week.monday.isoformat(),
        "to": week.sunday.isoformat(),
        "items": sum(len(v) for v in sections.values()),
        "sections": sections,
    }


# --- media coverage ---------------------------------------------------------------------------

SENTIMENTS = ("positive", "neutral", "negative")


@dataclass(frozen=True)
class MediaCoverage:
    id: str
    outlet: str
    headline: str
    published_on: date
    sentiment: str
    logged_by: str
    url: str | None = None
    summary: str | None = None

    @classmethod
    def log(
        cls,
        *,
        id: str,
        outlet: str,
        headline: str,
        published_on: date,
        sentiment: str,
        logged_by: str,
        url: str | None = None,
        summary: str | None = None,
    ) -> MediaCoverage:
        if sentiment not in SENTIMENTS:
            raise Invalid.at("sentiment", "positive, neutral or negative", "sentiment is positive, neutral or negative.")
        if url is not None and not re.match(r"^https?://\S+$", url):
            raise Invalid.at("url", "not a URL", "url must be an http(s) address.")
        return cls(
            id=id,
            outlet=required_text(outlet, "outlet", 200),
            headline=required_text(headline, "headline", 500),
            published_on=published_on,
            sentiment=sentiment,
            logged_by=logged_by,
            url=url,
            summary=summary.strip() if summary else None,
        )


# --- drafts written in reaction to other services --------------------------------------------


@dataclass(frozen=True)
class ReactionDraft:
    """A draft the team finishes and sends through the normal workflow."""

    source_key: str
    title: str
    body: str
    channels: tuple[str, ...]
    audience: tuple[str, ...]
    requires_approval_by: str | None = None

    @classmethod
    def staff_notice(cls, *, source_key: str, title: str, body: str) -> ReactionDraft:
        """A notice to staff goes where staff read it: the intranet and the staff briefing."""
        return cls(source_key, title, body, channels=("intranet", "staff_briefing"), audience=("staff",))


def staff_notice_for_closure(d: PlannedClosure) -> ReactionDraft:
    teams = d.teams
    when = long_date(d.closure_date)
    if teams:
        lines = "\n".join(f"- {t.name} ({t.directorate})" for t in teams)
        affected = (
            f"The teams affected are:\n{lines}\n\nYour manager will confirm where you will work and when."
        )
    else:
        affected = "No teams are based there now; anyone who uses it occasionally should plan elsewhere."
    return ReactionDraft.staff_notice(
        source_key=f"property.building.closure_planned:{d.building_id}",
        title=f"Staff notice: {d.name} closes on {when}",
        body=f"{d.name} in {d.town} is planned to close on {when} as part of the office "
        f"rationalisation programme.\n\n{affected}",
    )


def staff_notice_for_move(d: PlannedMove) -> ReactionDraft:
    when = long_date(d.planned_for)
    return ReactionDraft.staff_notice(
        source_key=f"property.move.planned:{d.move_id}",
        title=f"Staff notice: {d.team_name} moves to {d.to_building_name} on {when}",
        body=f"The {d.team_name} team ({d.directorate}) moves from {d.from_building_name} to "
        f"{d.to_building_name} on {when}.\n\nTeams affected: {d.team_name}. "
        "Your manager will share desk arrangements and what to pack before the move.",
    )


def press_release_for_annual_report(d: AnnualReport) -> ReactionDraft:
    return ReactionDraft(
        source_key=f"safeguarding.annual_report.published:{d.annual_report_id}",
        title=f"{d.board_name} publishes its annual report {d.year}",
        body=f"{d.board_name} has published its annual report for {d.year}, "
        f"\u2018{d.title}\u2019, on {long_date(d.published_on)}. The report sets out how partners "
        "have worked together to keep adults safe and the board's priorities for the year ahead.",
        channels=("press_release", "website"),
        audience=("residents", "media"),
        # the board authorises its own media communications
        requires_approval_by=SAFEGUARDING_BOARD,
    )
