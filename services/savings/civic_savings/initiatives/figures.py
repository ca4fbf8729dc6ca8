"""The arithmetic of an initiative's saving: its profile by financial year, a slip, and a building's closure.

Plain Python (stdlib and the runtime's calendar and errors). A profile is the saving planned in each
financial year (year -> pence, in year order); the actuals are what was delivered in each; a year's unmet
saving is what it planned beyond what it delivered.

A slip moves a year's unmet saving on to a later year: the year keeps what it delivered, the rest moves.

A building's closure books its saving by the rule property's rationalisation report uses
(``civic_property.figures.saved_in_year``), from the same calendar function, so the two services give the
same figure for the same closure:

- in the closure year, the part of the year after the closing day (the building runs on its closing
  day): the annual running cost times ``civic.calendar.share_of_year_after(closed_on)``, rounded down to
  the penny;
- from the next year, the full annual amount.

The register books savings as each year's *new* saving (the theme table adds the years up), so a closure
is booked as the part-year in its year and the rest of the full amount in the next: together the annual
running cost, and from the next year on the budget is the full amount lower, as property's in-year figure
says. A closure on 31 March saves nothing that year: the whole amount is booked in the next.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from civic.calendar import FinancialYear, share_of_year_after
from civic.errors import FieldErrors, Invalid, Refused

from civic_savings.domain import amount_problem, year_problem

# ---------------------------------------------------------------- profiles


def check_profile(profile: Any, field_name: str = "profile") -> dict[str, int]:
    """A profile is a non-empty list of {year, planned_pence} with each year at most once."""
    errors = FieldErrors()
    planned: dict[str, int] = {}
    if not isinstance(profile, list) or not profile:
        errors.add(field_name, "must list at least one year")
        errors.raise_if_any()
    for i, entry in enumerate(profile):
        where = f"{field_name}.{i}"
        if not isinstance(entry, dict):
            errors.add(where, "must be an object with year and planned_pence")
            continue
        # anything a caller sent: checked below before it is kept
        year: Any = entry.get("year")
        amount: Any = entry.get("planned_pence")
        problem = errors.add_if(f"{where}.year", year_problem(year))
        if not problem and year in planned:
            errors.add(f"{where}.year", f"{year} appears more than once")
        amount_issue = errors.add_if(f"{where}.planned_pence", amount_problem(amount))
        if not problem and not amount_issue and year not in planned:
            planned[year] = amount
    errors.raise_if_any()
    return dict(sorted(planned.items()))


def check_delivered(profile: dict[str, int], actuals: dict[str, int], status: str) -> None:
    """Delivered only with what each year of the profile delivered recorded: a saving marked delivered
    without its actuals would leave the target position silently (neither delivered nor anticipated)."""
    missing = [year for year in profile if year not in actuals]
    if missing:
        raise Refused(
            f"An initiative is delivered with its actuals: record what {', '.join(missing)} delivered first "
            "(POST its actuals; a shortfall is recorded as the smaller figure).",
            current_status=status,
            missing_years=missing,
        )


def check_actual(profile: dict[str, int], year: Any, delivered_pence: Any) -> None:
    """What a year delivered is whole pence, for a year of the profile."""
    errors = FieldErrors()
    errors.add_if("year", year_problem(year))
    errors.add_if("delivered_pence", amount_problem(delivered_pence))
    errors.raise_if_any()
    if year not in profile:
        raise Invalid.at(
            "year", "is not a year of the profile",
            f"{year} is outside this initiative's profile ({', '.join(profile)}).",
        )


def unmet(profile: dict[str, int], actuals: dict[str, int], year: str) -> int:
    """What ``year`` planned beyond what it delivered (nothing when it delivered as much or more)."""
    return max(profile.get(year, 0) - actuals.get(year, 0), 0)


def slip(
    profile: dict[str, int], actuals: dict[str, int], to_year: str | None, from_year: str | None
) -> tuple[dict[str, int], str, int]:
    """The profile after moving ``from_year``'s unmet saving to ``to_year`` (by default from the earliest
    year before ``to_year`` that still has one): returns the new profile, the year slipped from and the
    amount moved. Refused when there is nothing to move or the years do not run forward."""
    errors = FieldErrors()
    if to_year is None:
        errors.add("to_year", "is required: the year the unmet saving moves to")
    elif year_problem(to_year):
        errors.add("to_year", str(year_problem(to_year)))
    if from_year is not None and year_problem(from_year):
        errors.add("from_year", str(year_problem(from_year)))
    errors.raise_if_any()
    assert to_year is not None
    if from_year is None:
        candidates = [y for y in profile if y < to_year and unmet(profile, actuals, y) > 0]
        if not candidates:
            raise Refused(f"Nothing to slip: no year before {to_year} has an unmet saving.")
        from_year = candidates[0]
    elif from_year not in profile:
        raise Refused(
            f"{from_year} is not in this initiative's profile ({', '.join(profile)}).",
            profile_years=list(profile),
        )
    if to_year <= from_year:
        raise Refused(f"A saving can only slip to a later year: {to_year} is not after {from_year}.")
    amount = unmet(profile, actuals, from_year)
    if amount == 0:
        raise Refused(f"Nothing to slip: {from_year} is delivered in full.")
    # a profile issue, not a failure: the year keeps what was delivered, the rest moves on
    moved = dict(profile)
    moved[from_year] -= amount
    moved[to_year] = moved.get(to_year, 0) + amount
    return dict(sorted(moved.items())), from_year, amount


# ---------------------------------------------------------------- a building's closure


def part_year_saving(annual_pence: int, closed_on: date) -> int:
    """What a building closed on ``closed_on`` saves of ``annual_pence`` within its closure year."""
    share = share_of_year_after(closed_on)
    return annual_pence * share.numerator // share.denominator


def closure_saving(annual_pence: int, closed_on: date) -> dict[str, int]:
    """The saving a closure books, by financial year: the part-year in the closure year and the rest of
    the full amount in the next; a year with nothing is left out (a closure of a building that cost
    nothing books 0 in its closure year)."""
    year = FinancialYear.of(closed_on)
    part = part_year_saving(annual_pence, closed_on)
    booked = {year.label: part, FinancialYear(year.start + 1).label: annual_pence - part}
    return {y: amount for y, amount in booked.items() if amount} or {year.label: 0}


def closure_booking(annual_running_cost_pence: int, closed_on: date) -> dict[str, int]:
    """What a closure told with that annual running cost books (``closure_saving``); refused when the
    figure is not an amount of money."""
    problem = amount_problem(annual_running_cost_pence)
    if problem:
        raise Invalid(f"annual_running_cost_pence {problem}")
    return closure_saving(annual_running_cost_pence, closed_on)


def book(
    profile: dict[str, int], actuals: dict[str, int], booked: dict[str, int]
) -> tuple[dict[str, int], dict[str, int]]:
    """The profile and actuals with a closure's saving added to the actuals of its years (a year the
    profile did not have joins it with nothing planned)."""
    profile, actuals = dict(profile), dict(actuals)
    for year, amount in booked.items():
        actuals[year] = actuals.get(year, 0) + amount
        profile.setdefault(year, 0)
    return dict(sorted(profile.items())), dict(sorted(actuals.items()))


def realisation(
    building_id: str, building_name: str, on: date, annual_running_cost_pence: int, booked: dict[str, int],
    cause: str, event_id: str | None, *, planned: bool,
) -> dict[str, Any]:  # fmt: skip
    """The record of the closure (or disposal) that realised a saving: what it booked in which year, and
    whether an initiative had planned it."""
    return {
        "building_id": building_id,
        "building_name": building_name,
        "on": on.isoformat(),
        "annual_running_cost_pence": annual_running_cost_pence,
        "by_year": [{"year": y, "amount_pence": a} for y, a in booked.items()],
        "realised_pence": sum(booked.values()),
        "event_type": cause,
        "event_id": event_id,
        "planned": planned,
    }
