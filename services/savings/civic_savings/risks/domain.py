"""A programme's RAID log in the council's terms: its risks, assumptions, issues and dependencies, and those
of each of its initiatives.

Each item has an owner, a likelihood and an impact on a scale of 1 to 5, and a rating from them: the score is
likelihood times impact, as seed 003's risk registers score their risks ("Likelihood x Impact = Inherent Risk
Score", scores of 6, 9 and 12), and its RAG band follows a common 5x5 matrix (the seeds give scores but no
bands, so the bands are this register's): red from 15, amber from 8, green below. It has a mitigation, a
review date, and is ``open`` until ``closed`` with the reason it no longer needs managing (final). An item
whose rating reaches red is announced, once each time it reaches it. An item may need a decision of the
programme board (``decision_needed``, with the ``decision`` asked for in a line): the open ones are the
highlight report's "decisions needed".

Plain Python: no web framework, no database, no event schemas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from civic.calendar import date_of
from civic.errors import Invalid, Refused

from civic_savings.domain import MAX_REASON, checked, cleaned, date_problem, one_of, set_changes, text_check, text_problem

RAID_KINDS = ("risk", "assumption", "issue", "dependency")
RAID_STATUSES = ("open", "closed")
RATINGS = ("green", "amber", "red")
#: the scale of likelihood and of impact
LOWEST, HIGHEST = 1, 5
#: the lowest score of each band above green
RED_FROM, AMBER_FROM = 15, 8
#: text fields: whether required, and their limit
TEXTS = {"title": (True, 200), "owner": (True, 200), "description": (False, MAX_REASON),
         "mitigation": (False, MAX_REASON), "decision": (False, 200)}  # fmt: skip
#: the fields an amendment may send
AMENDABLE = (*TEXTS, "likelihood", "impact", "review_on", "decision_needed")


def score(likelihood: int, impact: int) -> int:
    return likelihood * impact


def rating(likelihood: int, impact: int) -> str:
    """The RAG band of a likelihood and an impact (1 to 5 each)."""
    points = score(likelihood, impact)
    return "red" if points >= RED_FROM else "amber" if points >= AMBER_FROM else "green"


def _scale_problem(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return "must be a whole number from 1 to 5"
    if not LOWEST <= value <= HIGHEST:
        return "must be from 1 to 5"
    return None


#: each field's check (an amendment sends only the AMENDABLE ones)
CHECKS = {
    **{name: text_check(required=required, limit=limit) for name, (required, limit) in TEXTS.items()},
    "likelihood": _scale_problem, "impact": _scale_problem, "review_on": date_problem, "kind": one_of(RAID_KINDS),
    "decision_needed": lambda value: None if isinstance(value, bool) else "must be true or false",
}  # fmt: skip


def _decision_problem(needed: bool, decision: Any) -> str | None:
    """A decision needed is said in a line: what the board is asked to decide."""
    if needed and not (isinstance(decision, str) and decision.strip()):
        return "is required when decision_needed is true: say what the board is asked to decide"
    return None


@dataclass
class RaidItem:
    id: str
    kind: str
    #: the programme it belongs to (an initiative's item: its initiative's programme, if it has one)
    programme: str | None
    #: None for an item of the programme as a whole
    initiative_id: str | None
    title: str
    owner: str
    likelihood: int
    impact: int
    review_on: date
    description: str | None = None
    mitigation: str | None = None
    #: the programme board is asked to decide something (``decision`` says what, in a line)
    decision_needed: bool = False
    decision: str | None = None
    status: str = "open"
    closed_reason: str | None = None
    closed_on: date | None = None
    closed_by: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def score(self) -> int:
        return score(self.likelihood, self.impact)

    @property
    def rating(self) -> str:
        return rating(self.likelihood, self.impact)

    @classmethod
    def record(
        cls, *, id: str, programme: str | None, initiative_id: str | None, fields: dict[str, Any], by: str,
        now: datetime,
    ) -> RaidItem:  # fmt: skip
        """A new open item. Every broken field is named at once."""
        wanted = {name: fields.get(name) for name in ("kind", "title", "owner", "likelihood", "impact", "review_on")}
        given = {**wanted, **{k: v for k, v in fields.items() if k not in wanted}}
        errors = checked(given, CHECKS)
        errors.add_if("decision", _decision_problem(bool(given.get("decision_needed")), given.get("decision")))
        errors.raise_if_any("The RAID item has invalid fields.")
        item = cls(id=id, programme=programme, initiative_id=initiative_id,
                   **{k: cleaned(v) for k, v in given.items()})  # fmt: skip
        item._note(now, by, "recorded", rating=item.rating)
        return item

    def reached_red(self, before: str | None) -> bool:
        """Whether its rating is red now and was not ``before`` (None: it did not exist)."""
        return self.rating == "red" and before != "red"

    def amend(self, changes: dict[str, Any], *, by: str, now: datetime) -> bool:
        """Change the fields sent, while it is open; a new rating is noted with the old. True when anything
        changed."""
        errors = checked({k: v for k, v in changes.items() if k in AMENDABLE}, CHECKS)
        for name in changes:
            if name not in AMENDABLE:
                errors.add(name, "cannot be changed here")
        # the decision asked for is judged as the item will be: a request setting decision_needed may rely on
        # the decision text the item already holds
        needed = changes.get("decision_needed", self.decision_needed)
        errors.add_if("decision", _decision_problem(needed is True, changes.get("decision", self.decision)))
        errors.raise_if_any("The RAID item has invalid fields.")
        self._check_open("amended")
        rating_was = self.rating
        _, changed = set_changes(self, changes)
        if not changed:
            return False
        details: dict[str, Any] = {"fields": changed}
        if self.rating != rating_was:
            details.update(rating_was=rating_was, rating=self.rating)
        self._note(now, by, "amended", **details)
        return True

    def close(self, reason: Any, *, by: str, now: datetime) -> None:
        """Closed, with the reason it no longer needs managing (final)."""
        problem = text_problem(reason, required=True, limit=MAX_REASON)
        if problem:
            raise Invalid.at("reason", problem, "A RAID item is closed with the reason it no longer needs managing.")
        self._check_open("closed")
        self.status, self.closed_reason = "closed", reason.strip()
        self.closed_on, self.closed_by = date_of(now), by
        self._note(now, by, "closed", reason=self.closed_reason)

    def _check_open(self, doing: str) -> None:
        if self.status != "open":
            raise Refused(f"A closed {self.kind} cannot be {doing}; closing is final.", current_status=self.status)

    def _note(self, now: datetime, by: str, kind: str, **details: Any) -> None:
        self.history.append({"at": now, "by": by, "kind": kind, **details})
