"""Safeguarding Adults Reviews (Care Act 2014 s44): referral to publication, in order, then closed once
every action of its plan is done (with evidence) and the learning briefing is recorded.

The case summary and the person's details are confidential (s45: need-to-know only). They live
on the review for the service to keep, and the API shows them only to callers with
`safeguarding:confidential`; CONFIDENTIAL_FIELDS names them so every edge can strip them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from civic.errors import FieldErrors, Invalid, NotFound, Refused

from civic_safeguarding.boards.domain import Board
from civic_safeguarding.domain import CaseReview, case_opened, last_step_on, mentions_name, next_step_in_order, stage_after

CONFIDENTIAL_FIELDS = ("case_summary", "person")
STAGES = ("referral", "decision", "commissioned", "report_received", "action_plan", "published", "closed")
STEPS = STAGES[1:]  # the stages a review moves to, one at a time, after its referral
NEXT_STEP_WORDS = {
    "decision": "decide whether the s44 criteria are met (criteria_met, reasons)",
    "commissioned": "commission an independent author (author, author_organisation, cost_pence)",
    "report_received": "record that the author's report was received",
    "action_plan": "agree the action plan (actions with owners and due dates)",
    "published": "publish the review",
    "closed": "close the review, every action done and the learning briefing recorded",
}


def for_an_adults_board(board: Board) -> None:
    """SARs are an adults' board's (Care Act 2014 s44); a children's partnership holds practice reviews."""
    if board.partnership:
        raise Refused(
            f"{board.name} is a children's safeguarding partnership: its reviews are Child Safeguarding Practice "
            "Reviews (Children Act 2004 s16F, POST /v1/boards/{board_id}/practice-reviews), not Safeguarding Adults "
            "Reviews (Care Act 2014 s44).",
            kind=board.kind,
        )


@dataclass
class Action:
    action: str
    owner: str
    due_on: date
    id: str = ""  # given when the plan is agreed (plans agreed before actions had ids get theirs on loading)
    completed_on: date | None = None
    evidence: str | None = None

    def overdue(self, today: date) -> bool:
        return self.completed_on is None and self.due_on < today


@dataclass
class LearningBriefing:
    """What partners are to learn from the review, recorded before it closes."""

    summary: str
    issued_on: date


@dataclass
class Sar(CaseReview):
    person: dict[str, str]
    referred_by: str
    referred_on: date
    status: str = "referral"
    criteria_met: bool | None = None
    reasons: str | None = None
    decided_on: date | None = None
    author: str | None = None
    author_organisation: str | None = None
    cost_pence: int | None = None
    commissioned_on: date | None = None
    report_received_on: date | None = None
    actions: list[Action] = field(default_factory=list)
    action_plan_on: date | None = None
    published_on: date | None = None
    learning_briefing: LearningBriefing | None = None
    closed_on: date | None = None

    def __post_init__(self) -> None:
        for i, action in enumerate(self.actions):
            action.id = action.id or f"a{i + 1}"

    @classmethod
    def refer(
        cls,
        id: str,
        board_id: str,
        reference: str,
        case_summary: str,
        person: Mapping[str, object],
        referred_by: str,
        referred_on: date,
    ) -> Sar:
        errors = FieldErrors()
        # The reference travels in events and public lists, so it must not identify the adult.
        shown = "it is shown without the confidential scope and published in events"
        reference, case_summary, person = case_opened(errors, reference, case_summary, person, "person", shown)
        referred_by = (referred_by or "").strip()
        if not referred_by:
            errors.add("referred_by", "the organisation making the referral")
        errors.raise_if_any("The referral cannot be recorded as given.")
        return cls(id, board_id, reference, case_summary, person, referred_by, referred_on)

    @property
    def next_stage(self) -> str | None:
        if self.status == "decision" and self.criteria_met is False:
            return None
        return stage_after(STAGES, self.status)

    def advance(
        self,
        to: str,
        on: date,
        *,
        criteria_met: bool | None = None,
        reasons: str | None = None,
        author: str | None = None,
        author_organisation: str | None = None,
        cost_pence: int | None = None,
        actions: list[Action] | None = None,
        member_organisations: list[str] | None = None,
    ) -> None:
        """Move one step along the statutory path; anything out of order is refused, naming the next step."""
        ended = (
            f"Review {self.reference} was closed on {self.closed_on}; it is complete."
            if self.status == "closed"
            else f"On {self.decided_on} the board decided the criteria for review {self.reference} were not met "
            f"({self.reasons}); it does not go further. Make a new referral if new information comes to light."
        )
        next_step_in_order(
            self.reference, self.status, to, STEPS, self.next_stage, NEXT_STEP_WORDS, ended, on, self._last_date()
        )
        if to == "decision":
            self._to_decision(on, criteria_met, reasons)
        elif to == "commissioned":
            self._to_commissioned(on, author, author_organisation, cost_pence, member_organisations or [])
        elif to == "report_received":
            self.report_received_on = on
        elif to == "action_plan":
            self._to_action_plan(on, actions)
        elif to == "published":
            self.published_on = on
        else:
            self._to_closed(on)
        self.status = to

    def _last_date(self) -> date:
        return last_step_on(
            self.referred_on,
            self.decided_on,
            self.commissioned_on,
            self.report_received_on,
            self.action_plan_on,
            self.published_on,
            self.closed_on,
        )

    def _to_decision(self, on: date, criteria_met: bool | None, reasons: str | None) -> None:
        asked, summary = "say whether the s44 criteria are met", "A SAR decision needs criteria_met and reasons."
        reasons = self._decided_with_reasons("criteria_met", criteria_met, asked, reasons, summary)
        self.criteria_met, self.reasons, self.decided_on = criteria_met, reasons, on

    def _to_commissioned(
        self, on: date, author: str | None, author_organisation: str | None, cost_pence: int | None, members: list[str]
    ) -> None:
        errors = FieldErrors()
        author, org = self._commissioned_from(errors, "author", author, author_organisation)
        if cost_pence is None or isinstance(cost_pence, bool) or not isinstance(cost_pence, int) or cost_pence < 0:
            errors.add("cost_pence", "the cost in whole pence, zero or more")
        errors.raise_if_any("Commissioning a SAR needs the author and the cost.")
        self._independent_of_the_board(
            org,
            members,
            f"A SAR is independently authored: {org} sits on the board. Commission an author "
            "independent of the agencies involved.",
        )
        self.author, self.author_organisation = author, org
        self.cost_pence, self.commissioned_on = cost_pence, on

    def _to_action_plan(self, on: date, actions: list[Action] | None) -> None:
        errors = FieldErrors()
        if not actions:
            errors.add("actions", "at least one action with owner and due date")
        for i, action in enumerate(actions or []):
            if not action.action.strip():
                errors.add(f"actions.{i}.action", "say what is to be done")
            if not action.owner.strip():
                errors.add(f"actions.{i}.owner", "who owns the action")
            if action.due_on < on:
                errors.add(f"actions.{i}.due_on", "cannot be before the plan is agreed")
        errors.raise_if_any("The action plan cannot be accepted as given.")
        self.actions = [
            Action(a.action.strip(), a.owner.strip(), a.due_on, id=f"a{i + 1}") for i, a in enumerate(actions or [])
        ]
        self.action_plan_on = on

    def _to_closed(self, on: date) -> None:
        """A review finishes when its plan is done and its learning is shared, not when it is published."""
        still_open = [a.id for a in self.actions if a.completed_on is None]
        if still_open:
            raise Refused(
                f"Review {self.reference} still has {len(still_open)} open action(s) ({', '.join(still_open)}): "
                "record each one's completion with its evidence before closing it.",
                open_actions=still_open,
            )
        if self.learning_briefing is None:
            raise Refused(
                f"Review {self.reference} has no learning briefing: record it "
                "(POST /v1/sars/{id}/learning-briefing) before closing the review."
            )
        self.closed_on = on

    def complete_action(self, action_id: str, evidence: str, on: date) -> Action:
        """An action of the plan done, with the evidence that it was; once only."""
        if self.action_plan_on is None:
            raise Refused(f"Review {self.reference} has no action plan yet.", current_stage=self.status)
        if self.status == "closed":
            raise Refused(f"Review {self.reference} was closed on {self.closed_on}; it is complete.")
        action = next((a for a in self.actions if a.id == action_id), None)
        if action is None:
            raise NotFound(f"action of review {self.reference}", action_id)
        if action.completed_on is not None:
            raise Refused(
                f"Action {action.id} of review {self.reference} was already completed on {action.completed_on}.",
                action_id=action.id,
            )
        evidence = self._statement("evidence", evidence, "Say what shows the action is done.")
        if on < self.action_plan_on:
            raise Invalid.at(
                "completed_on",
                "not before the plan",
                f"The plan was agreed on {self.action_plan_on}; an action is not done before it.",
            )
        action.completed_on, action.evidence = on, evidence
        return action

    def record_learning_briefing(self, summary: str, on: date) -> None:
        """The briefing that shares the review's learning with partners: once the report is in, once only."""
        if self.report_received_on is None:
            raise Refused(
                f"Review {self.reference} has no report yet; its learning briefing follows the report.",
                current_stage=self.status,
            )
        if self.learning_briefing is not None:
            raise Refused(
                f"Review {self.reference} already has its learning briefing, issued on {self.learning_briefing.issued_on}."
            )
        summary = self._statement("summary", summary, "Say what partners are to learn.")
        if on < self.report_received_on:
            raise Invalid.at("issued_on", "not before the report", f"The report was received on {self.report_received_on}.")
        self.learning_briefing = LearningBriefing(summary, on)

    def _statement(self, field_name: str, text: str | None, asked: str) -> str:
        """What an officer wrote about the review's progress (shown without safeguarding:confidential): given,
        and not naming the adult."""
        text = (text or "").strip()
        if not text:
            raise Invalid.at(field_name, "required", asked)
        self._not_naming_the_adult(field_name, text)
        return text

    def _not_naming_the_adult(self, field_name: str, text: str) -> None:
        # shown without the confidential scope, like the reference: it must not identify the adult
        if mentions_name(text, self.person.get("name", "")):
            raise Invalid.at(
                field_name,
                "must not contain the adult's name",
                "It is shown without the confidential scope: leave the adult's name out.",
            )

    def overdue_actions(self, today: date) -> list[Action]:
        return [] if self.status == "closed" else [a for a in self.actions if a.overdue(today)]
