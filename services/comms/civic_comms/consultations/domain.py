"""Consultations and surveys: the questions, the window responses are taken in, answers that fit.

Plain Python: stdlib, ``civic.errors`` and ``civic.calendar`` only. A consultation "closing on 12 March" takes responses
until midnight at the end of that day in England; times are kept in UTC.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from civic.calendar import date_of, start_of_day
from civic.errors import FieldErrors, Invalid, Refused

from civic_comms.domain import aware_time, required_text

CONSULTATION_KINDS = ("consultation", "survey", "place_standard")
#: how a response reached the council: typed in from paper or a call, or given online or at an event
RESPONSE_CHANNELS = ("paper", "telephone", "online", "event")
#: paper responses typed in per request, at most
BULK_LIMIT = 1000

LIKERT, SINGLE, MULTIPLE = "likert", "single_choice", "multiple_choice"
FREE_TEXT, SCALE = "free_text", "scale_1_7"
QUESTION_KINDS = (LIKERT, SINGLE, MULTIPLE, FREE_TEXT, SCALE)
#: the five-point agreement scale, least to most agreeing
LIKERT_LEVELS = ("strongly_disagree", "disagree", "neutral", "agree", "strongly_agree")
AGREEING = ("agree", "strongly_agree")
DISAGREEING = ("strongly_disagree", "disagree")
#: the Place Standard tool scores each theme 1 (lots of room to improve) to 7 (little room)
SCALE_POINTS = tuple(range(1, 8))
FREE_TEXT_LIMIT = 5000


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    kind: str
    options: tuple[str, ...] = ()
    required: bool = False

    @property
    def choices(self) -> tuple[Any, ...]:
        """The values an answer may take (empty for free text)."""
        if self.kind == LIKERT:
            return LIKERT_LEVELS
        if self.kind == SCALE:
            return SCALE_POINTS
        return self.options


def build_questions(raw: Sequence[Mapping[str, Any]]) -> list[Question]:
    """Questions from the request: ids given or numbered q1, q2…; options only where they mean something."""
    if not raw:
        raise Invalid.at("questions", "empty", "A consultation asks at least one question.")
    errors = FieldErrors()
    questions: list[Question] = []
    seen: set[str] = set()
    for i, q in enumerate(raw):
        where = f"questions.{i}"
        qid = (q.get("id") or f"q{i + 1}").strip()
        kind = q.get("kind")
        text = (q.get("text") or "").strip()
        options = [str(o).strip() for o in (q.get("options") or [])]
        if not re.fullmatch(r"[A-Za-z0-9_.-]{1,40}", qid):
            errors.add(f"{where}.id", "letters, digits, _ . - only (at most 40)")
        elif qid in seen:
            errors.add(f"{where}.id", f"{qid!r} is used twice")
        seen.add(qid)
        if not text:
            errors.add(f"{where}.text", "blank")
        if kind not in QUESTION_KINDS:
            errors.add(f"{where}.kind", f"one of {', '.join(QUESTION_KINDS)}")
        elif kind in (SINGLE, MULTIPLE):
            if len(options) < 2 or any(not o for o in options):
                errors.add(f"{where}.options", "at least two non-blank options")
            elif len(set(options)) != len(options):
                errors.add(f"{where}.options", "options repeat")
        elif options:
            errors.add(f"{where}.options", f"a {kind} question has fixed answers; leave options out")
        questions.append(Question(qid, text, str(kind), tuple(options), bool(q.get("required", False))))
    errors.raise_if_any("Some questions are not well formed.")
    return questions


def opening_instant(day: date) -> datetime:
    """A consultation opening on a day opens at the start of that day, council time."""
    return start_of_day(day)


def closing_instant(day: date) -> datetime:
    """A consultation closing on a day takes responses until the end of that day, council time."""
    return start_of_day(day + timedelta(days=1))


@dataclass
class Consultation:
    id: str
    title: str
    questions: list[Question]
    opens_at: datetime
    #: responses are taken while opens_at <= now < closes_at
    closes_at: datetime
    owner: str
    description: str | None = None
    kind: str = "consultation"
    #: set by the scheduler once the opened / closed events are out (each exactly once)
    opened_announced: bool = False
    closed_announced: bool = False

    @classmethod
    def plan(
        cls,
        *,
        id: str,
        title: str,
        questions: Sequence[Mapping[str, Any]],
        owner: str,
        opens_at: datetime | None = None,
        opens_on: date | None = None,
        closes_at: datetime | None = None,
        closes_on: date | None = None,
        description: str | None = None,
        kind: str = "consultation",
    ) -> Consultation:
        opening = _one_moment(opens_at, opens_on, "opens", opening_instant)
        closing = _one_moment(closes_at, closes_on, "closes", closing_instant)
        if closing <= opening:
            raise Invalid.at(
                "closes_at" if closes_at else "closes_on", "not after the opening",
                "A consultation must close after it opens.",
            )
        if kind not in CONSULTATION_KINDS:
            raise Invalid.at(
                "kind", "consultation, survey or place_standard",
                "kind is consultation, survey or place_standard.",
            )
        return cls(
            id=id,
            title=required_text(title, "title", 300),
            questions=build_questions(questions),
            opens_at=opening,
            closes_at=closing,
            owner=owner,
            description=description.strip() if description else None,
            kind=kind,
        )

    def state(self, now: datetime) -> str:
        if now < self.opens_at:
            return "upcoming"
        return "open" if now < self.closes_at else "closed"

    @property
    def opens_on(self) -> date:
        return date_of(self.opens_at)

    @property
    def closes_on(self) -> date:
        """The last day responses are taken."""
        return date_of(self.closes_at - timedelta(microseconds=1))

    def question(self, qid: str) -> Question | None:
        return next((q for q in self.questions if q.id == qid), None)

    def check_open(self, now: datetime) -> None:
        state = self.state(now)
        if state == "upcoming":
            raise Refused(
                f"This consultation opens at {self.opens_at.isoformat()}; no responses before then.",
                opens_at=self.opens_at.isoformat(),
            )
        if state == "closed":
            raise Refused(
                f"This consultation closed at {self.closes_at.isoformat()}; it takes no more responses.",
                closes_at=self.closes_at.isoformat(),
            )

    def accept(
        self, answers: Mapping[str, Any], now: datetime, field_name: str = "answers"
    ) -> dict[str, Any]:
        """The answers of one response, checked against the questions (window first: 409 beats 422)."""
        self.check_open(now)
        return self.check_answers(answers, field_name)

    def check_answers(self, answers: Mapping[str, Any], field_name: str = "answers") -> dict[str, Any]:
        if not answers:
            raise Invalid.at(field_name, "empty", "A response answers at least one question.")
        errors = FieldErrors()
        clean: dict[str, Any] = {}
        for qid, value in answers.items():
            question = self.question(qid)
            where = f"{field_name}.{qid}"
            if question is None:
                errors.add(where, "no such question in this consultation")
                continue
            problem, normalised = _check_answer(question, value)
            if problem:
                errors.add(where, problem)
            else:
                clean[qid] = normalised
        for q in self.questions:
            if q.required and q.id not in answers:
                errors.add(f"{field_name}.{q.id}", "this question must be answered")
        errors.raise_if_any("Some answers do not fit the questions.")
        return clean

    def close_now(self, now: datetime) -> None:
        """Close early (e.g. the decision was taken); the window's end moves to now."""
        if self.state(now) != "open":
            raise Refused(f"Only an open consultation can be closed; this one is {self.state(now)}.")
        self.closes_at = now


def _one_moment(at: datetime | None, on: date | None, what: str, from_day: Any) -> datetime:
    if at is not None and on is not None:
        raise Invalid.at(f"{what}_on", f"given together with {what}_at", f"Give {what}_at or {what}_on, not both.")
    if at is not None:
        return aware_time(at, f"{what}_at")
    if on is not None:
        moment: datetime = from_day(on)
        return moment
    raise Invalid.at(
        f"{what}_on", "required",
        f"Say when the consultation {what}: {what}_on (a date) or {what}_at (a time).",
    )


def _check_answer(question: Question, value: Any) -> tuple[str | None, Any]:
    """(problem, normalised value): the problem says, in words, what would fit."""
    kind = question.kind
    if kind in (LIKERT, SINGLE):
        if not isinstance(value, str) or value not in question.choices:
            return f"one of {', '.join(question.choices)}", None
        return None, value
    if kind == MULTIPLE:
        if not isinstance(value, list) or not value or any(not isinstance(v, str) for v in value):
            return f"a non-empty list drawn from {', '.join(question.choices)}", None
        unknown = [v for v in value if v not in question.choices]
        if unknown:
            return f"not options of this question: {', '.join(unknown)}", None
        if len(set(value)) != len(value):
            return "an option is chosen twice", None
        return None, value
    if kind == SCALE:
        if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE_POINTS:
            return "a whole number from 1 to 7", None
        return None, value
    # free text
    if not isinstance(value, str) or not value.strip():
        return "some text", None
    if len(value) > FREE_TEXT_LIMIT:
        return f"at most {FREE_TEXT_LIMIT} characters", None
    return None, value.strip()
