"""The savings programme in the council's terms: themes and categories, programme targets, cost avoided.

Plain Python: no web framework, no database, no event schemas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from civic.errors import FieldErrors

from civic_savings.domain import MAX_REASON, MAX_TEXT, amount_problem, text_problem, year_problem

# The six savings themes of the council's efficiency plan, in the order its reports use.
THEMES: dict[str, str] = {
    "redesign_reorganisation": "Redesign & Reorganisation",
    "demand_prevention": "Demand & Prevention",
    "buying_commissioning": "Buying & Commissioning",
    "charging_income": "Charging & Income",
    "technology_innovation": "Technology & Innovation",
    "process_policy": "Process & Policy",
}

# Budget proposals fall in three categories; only transformation counts as transformation savings. A
# fourth holds in-year recovery: proposals agreed during a year on top of the budget's (seed 001's "Survive
# to Thrive": over 150 proposals worth £10,792k for 2023-24), reported on their own, in no budget line.
CATEGORIES: dict[str, str] = {
    "transformation": "Transformation",
    "centrally_controlled": "Centrally controlled",
    "technical_adjustment": "Technical adjustment",
    "in_year_recovery": "In-year recovery",
}
#: the categories of the budget report's savings figure, which the reconciliation takes apart
BUDGET_CATEGORIES = ("transformation", "centrally_controlled", "technical_adjustment")


# ---------------------------------------------------------------- targets


def target_name_problem(name: Any) -> str | None:
    problem = text_problem(name, required=True, limit=100)
    if problem:
        return problem
    if name != name.strip():
        return "must not start or end with spaces"
    return None


@dataclass
class Target:
    """A savings target for a programme (named as the programme, e.g. "LGR")."""

    name: str
    amount_pence: int
    description: str | None = None
    #: the target amount at which it was passed; it passes once per amount
    passed_amount_pence: int | None = None
    passed_on: date | None = None

    @classmethod
    def set(cls, existing: Target | None, name: Any, amount_pence: Any, description: Any) -> Target:
        errors = FieldErrors()
        errors.add_if("name", target_name_problem(name))
        errors.add_if("amount_pence", amount_problem(amount_pence))
        errors.add_if("description", text_problem(description, required=False, limit=MAX_REASON))
        errors.raise_if_any()
        if existing is None:
            return cls(name=name, amount_pence=amount_pence, description=description)
        existing.amount_pence = amount_pence
        existing.description = description
        return existing

    def is_passed(self) -> bool:
        return self.passed_amount_pence == self.amount_pence

    def check(self, delivered_pence: int, anticipated_pence: int, today: date) -> bool:
        """True exactly when delivered plus anticipated first reaches this target amount."""
        if self.is_passed() or delivered_pence + anticipated_pence < self.amount_pence:
            return False
        self.passed_amount_pence = self.amount_pence
        self.passed_on = today
        return True


# ---------------------------------------------------------------- cost avoidance


def check_cost_avoidance(fields: dict[str, Any]) -> dict[str, Any]:
    """Cost avoided (e.g. by a spending review panel) is recorded apart and never counted as a saving."""
    errors = FieldErrors()
    for name, required, limit in (
        ("title", True, MAX_TEXT),
        ("directorate", True, MAX_TEXT),
        ("programme", False, MAX_TEXT),
        ("description", False, MAX_REASON),
    ):
        errors.add_if(name, text_problem(fields.get(name), required=required, limit=limit))
    errors.add_if("year", year_problem(fields.get("year")))
    errors.add_if("amount_pence", amount_problem(fields.get("amount_pence")))
    errors.raise_if_any()
    return {
        "title": fields["title"].strip(),
        "directorate": fields["directorate"].strip(),
        "programme": (fields.get("programme") or "").strip() or None,
        "description": fields.get("description"),
        "year": fields["year"],
        "amount_pence": fields["amount_pence"],
    }
