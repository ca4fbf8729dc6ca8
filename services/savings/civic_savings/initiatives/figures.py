"""The arithmetic of a building's saving: what its closure saves in which financial year.

Plain Python (stdlib and the runtime's calendar). The rule is the one property's rationalisation report
uses (``civic_property.figures.saved_in_year``), from the same calendar function, so the two services
give the same figure for the same closure:

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

from civic.calendar import FinancialYear, share_of_year_after


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
