"""What the safeguarding areas' rules share: financial years, days, today, required text.

The areas' own rules are in their packages (boards, meetings, decisions, minutes, sars, oversight),
all from the board's constitution (seed 003) under the Care Act 2014. Plain Python: the service
layer loads and saves the areas' objects; nothing here knows about HTTP or MongoDB.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
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
    the case; the details of the person it is about follow in each kind of review, confidential."""

    id: str
    board_id: str
    reference: str  # non-identifying, e.g. "Adult A" or "Child B": the only name that leaves the service
    case_summary: str


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
