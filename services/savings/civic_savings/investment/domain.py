"""A programme's investment in the council's terms: the cost of change, line by line (seed 003's Future
Northants finance monitoring: a transformation budget of £22,697k in 2020/21, split between business rates
retention pilots, transformation, other programme costs and staff costs).

An investment line is what a programme spends in one financial year on one category of cost. It is a cost,
never a negative saving: its amount is not negative, and it is only ever set against the savings the
programme buys (``figures.py``), never taken off them. Cost avoided stays apart as well (``programme/``).

Plain Python: no web framework, no database, no event schemas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from civic_savings.domain import MAX_REASON, amount_problem, checked, one_of, set_changes, text_check, year_problem

#: the categories of a programme's cost of change, in the order seed 003's finance report lists them
INVESTMENT_CATEGORIES: dict[str, str] = {
    "pilots": "Pilots (e.g. business rates retention pilots)",
    "transformation": "Transformation",
    "other": "Other programme costs",
    "staff": "Staff costs",
}


#: the fields a new line gives and a change may send, each with its check
CHECKS = {"category": one_of(INVESTMENT_CATEGORIES), "year": year_problem, "amount_pence": amount_problem,
          "description": text_check(required=False, limit=MAX_REASON)}  # fmt: skip


@dataclass
class InvestmentLine:
    """What ``programme`` spends on one category of cost in one financial year, in pence."""

    id: str
    programme: str
    category: str
    year: str
    amount_pence: int
    description: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def record(
        cls, *, id: str, programme: str, category: Any, year: Any, amount_pence: Any, description: Any = None,
        by: str, now: datetime,
    ) -> InvestmentLine:  # fmt: skip
        fields = {"category": category, "year": year, "amount_pence": amount_pence, "description": description}
        checked(fields, CHECKS).raise_if_any("The investment line has invalid fields.")
        line = cls(id=id, programme=programme, category=category, year=year, amount_pence=amount_pence,
                   description=description)  # fmt: skip
        line._note(now, by, "recorded", amount_pence=amount_pence)
        return line

    def change(self, changes: dict[str, Any], *, by: str, now: datetime) -> bool:
        """Change the fields sent (the old amount is noted with the new). True when anything changed."""
        checked(changes, CHECKS).raise_if_any("The investment line has invalid fields.")
        before, changed = set_changes(self, changes, trim=False)
        if not changed:
            return False
        details: dict[str, Any] = {"fields": changed}
        if "amount_pence" in changed:
            details.update(amount_was_pence=before["amount_pence"], amount_pence=self.amount_pence)
        self._note(now, by, "changed", **details)
        return True

    def _note(self, now: datetime, by: str, kind: str, **details: Any) -> None:
        self.history.append({"at": now, "by": by, "kind": kind, **details})
