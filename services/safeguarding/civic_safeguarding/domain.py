"""What the safeguarding areas' rules share: financial years, days, today, required text, and the steps both
reviews of a case (SARs, practice reviews) take alike.

The areas' own rules are in their packages (boards, meetings, decisions, minutes, sars, oversight),
all from the board's constitution (seed 003) under the Care Act 2014. Plain Python: the service
layer loads and saves the areas' objects; nothing here knows about HTTP or MongoDB.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from civic.calendar import FinancialYear, NotAFinancialYear, today
from civic.calendar import financial_year_of as financial_year_of
from civic.errors import FieldErrors, Invalid, Refused


def financial_year_bounds(year: str) -> tuple[date, date]:
    """First and last day of a financial year written "2020/21"; Invalid when malformed (the council
    calendar's rule, ``civic.calendar``, in the board's words)."""
    try:
        return FinancialYear.parse(year).bounds
    except NotAFinancialYear:
        raise Invalid.at(
            "year",
            "expected YYYY/YY with consecutive years",
            f'{year!r} is not a financial year: write it like "2020/21" (April to March).',
        ) from None


def day_of(moment: date | datetime) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def given_or_today(day: date | None) -> date:
    """A date a request may leave out: the council's date today (``civic.calendar``) when it does.

    The service layer reads the clock and hands the rules their dates."""
    return day or today()


def require_text(value: str | None, name: str, errors: FieldErrors, message: str) -> str:
    """The text stripped; when blank, `message` is added to `errors` for the field `name`."""
    text = (value or "").strip()
    if not text:
        errors.add(name, message)
    return text


def mentions_name(text: str, name: str) -> bool:
    """Whether `text` names the person `name` (any word of it longer than two letters, without case): what is
    shown without the confidential scope, or travels in events, must not identify the adult or the child."""
    names = {w for w in re.findall(r"[^\W\d_]+", name.casefold()) if len(w) > 2}
    return bool(names & set(re.findall(r"[^\W\d_]+", text.casefold())))


@dataclass
class CaseReview:
    """What every review of a case (a SAR, a child safeguarding practice review) keeps first: whose it is and
    the case; the details of the person it is about follow in each kind of review, confidential. And the two
    steps both kinds take alike, each in its own statute's words: the decision whether the review goes further,
    and its commissioning from someone independent of the board."""

    id: str
    board_id: str
    reference: str  # non-identifying, e.g. "Adult A" or "Child B": the only name that leaves the service
    case_summary: str

    def _decided_with_reasons(self, field: str, decided: bool | None, asked: str, reasons: str | None, summary: str) -> str:
        """The decision whether the review goes further (a SAR's s44 criteria, a rapid review's local review): yes
        or no (`field`, `asked` when not said) and its reasons, both required (`summary`: the 422's title when
        either is missing). The reasons, stripped."""
        errors = FieldErrors()
        if decided is None:
            errors.add(field, asked)
        reasons = require_text(reasons, "reasons", errors, "give the reasons for the decision")
        errors.raise_if_any(summary)
        return reasons

    def _commissioned_from(
        self, errors: FieldErrors, role: str, who: str | None, organisation: str | None
    ) -> tuple[str, str]:
        """Whom the review is commissioned from: the independent `role` ("author", "reviewer"), named in the field
        of that name, and their organisation (`role`_organisation), stripped; either missing is added to `errors`."""
        who = require_text(who, role, errors, f"name the independent {role}")
        organisation = require_text(organisation, f"{role}_organisation", errors, f"the {role}'s organisation")
        return who, organisation

    def _independent_of_the_board(self, organisation: str, member_organisations: Iterable[str], refusal: str) -> None:
        """The review is led by someone independent of the agencies in the case: Refused (`refusal`) when their
        `organisation` sits on the board or partnership (`member_organisations`, compared without case)."""
        if organisation.casefold() in {o.casefold() for o in member_organisations}:
            raise Refused(refusal, organisation=organisation)


def case_opened(
    errors: FieldErrors, reference: str, case_summary: str, details: Mapping[str, object], about: str, shown: str
) -> tuple[str, str, dict[str, str]]:
    """What every review of a case opens with, stripped, its faults added to `errors`: a non-identifying
    reference, the case summary and the details of the person the review is about (`about`: the field, "person"
    or "child"), their name among them, all kept confidential but the reference, which must not name them
    (`shown`: where the reference goes). The details are kept as text, a date of birth as ``2019-05-01``; a detail
    not given (None, or blank) is not kept."""
    whose = "adult" if about == "person" else about
    reference, case_summary = (reference or "").strip(), (case_summary or "").strip()
    as_text = {k: str(v).strip() for k, v in (details or {}).items() if v is not None}
    kept = {k: v for k, v in as_text.items() if v}
    if not reference:
        errors.add("reference", f'a non-identifying reference, e.g. "{whose.title()} A"')
    if not case_summary:
        errors.add("case_summary", "summarise the case")
    if not kept.get("name"):
        errors.add(f"{about}.name", f"the {whose}'s name (kept confidential)")
    elif reference and mentions_name(reference, kept["name"]):
        errors.add("reference", f"must not contain the {whose}'s name: {shown}")
    return reference, case_summary, kept


def next_step_in_order(
    review: str,
    status: str,
    to: str,
    steps: tuple[str, ...],
    expected: str | None,
    asks: dict[str, str],
    ended: str,
    on: date,
    last: date,
) -> None:
    """A review (named by its reference) moves along its statutory path one step at a time: `to` is one of its
    `steps` and the `expected` next one (`asks`: what each step asks for; `ended`: why there is none), on a day
    not before the last step's (`last`: the request's own date compared with the stored review, 422 naming `on`)."""
    if to not in steps:
        raise Invalid.at("to", "one of " + ", ".join(steps), f"{to!r} is not a stage of a review.")
    if expected is None:
        raise Refused(ended)
    if to != expected:
        raise Refused(
            f"Review {review} is at '{status}'; the next step is '{expected}': {asks[expected]}.",
            current_stage=status,
            next_stage=expected,
        )
    if on < last:
        raise Invalid.at("on", "cannot be before the previous step", f"The date {on} is before the previous step ({last}).")


def stage_after(stages: tuple[str, ...], status: str) -> str | None:
    """The stage a review at `status` comes to next along its statutory `stages`; None after the last."""
    index = stages.index(status)
    return stages[index + 1] if index + 1 < len(stages) else None


def last_step_on(*days: date | None) -> date:
    """The day of a review's latest step, from the `days` of its steps (None: a step not taken)."""
    return max(day for day in days if day is not None)
