"""The rationalisation target, year by year.

Plain Python on purpose (stdlib, ``civic.errors``, ``civic.calendar``). Seed 001: "Under our plans we will save
£500k a year initially, rising to £750k a year by the end of 2023." A target is a list of steps, each a financial
year, the saving a year it promises from then on (``annual_saving_pence``) and, where the plan names one, the day
it is due by (``by``, within that year: "by the end of 2023" is 31 December 2023 in 2023/24); without ``by`` a
step is measured at its year's end. A year without a step of its own carries the step before it forward.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from civic.calendar import FinancialYear, NotAFinancialYear
from civic.errors import FieldErrors

MAX_STEPS = 25


@dataclass(frozen=True)
class TargetStep:
    year: str
    annual_saving_pence: int
    by: date | None = None

    @property
    def measured_on(self) -> date:
        return self.by or FinancialYear.parse(self.year).last_day


@dataclass(frozen=True)
class RationalisationTarget:
    steps: tuple[TargetStep, ...] = ()
    source: str | None = None

    @classmethod
    def checked(cls, steps: list[TargetStep], source: str | None = None) -> RationalisationTarget:
        """The steps in order, each year once, each ``by`` within its year; every broken rule at once (422)."""
        errors = FieldErrors()
        previous: FinancialYear | None = None
        for i, step in enumerate(steps):
            try:
                year = FinancialYear.parse(step.year)
            except NotAFinancialYear:
                errors.add(f"steps.{i}.year", 'must look like "2023/24" (April to March)')
                continue
            if previous is not None and year <= previous:
                errors.add(f"steps.{i}.year", f"must come after {previous.label} (each year once, in order)")
            previous = year
            if isinstance(step.annual_saving_pence, bool) or not isinstance(step.annual_saving_pence, int) or (
                step.annual_saving_pence < 0
            ):
                errors.add(f"steps.{i}.annual_saving_pence", "must be whole pence, zero or more")
            if step.by is not None and step.by not in year:
                errors.add(f"steps.{i}.by", f"must fall within {year.label} ({year.first_day} to {year.last_day})")
        if len(steps) > MAX_STEPS:
            errors.add("steps", f"at most {MAX_STEPS} steps")
        errors.raise_if_any("The rationalisation target has invalid steps.")
        return cls(tuple(steps), source)

    @property
    def first_year(self) -> str | None:
        return self.steps[0].year if self.steps else None

    def step_for(self, year: str) -> TargetStep | None:
        """The step that holds in ``year``: its own, or the latest before it (None before the first)."""
        asked = FinancialYear.parse(year)
        held = [s for s in self.steps if FinancialYear.parse(s.year) <= asked]
        return held[-1] if held else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "steps": [
                {"year": s.year, "annual_saving_pence": s.annual_saving_pence, "by": s.by.isoformat() if s.by else None}
                for s in self.steps
            ],
            "source": self.source,
        }
