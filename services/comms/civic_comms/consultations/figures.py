"""Consultation results: counts, percentages, agreement rates, per-question breakdowns, CSV.

Plain Python over the stored answers, so the figures are checked against hand counts in unit tests.
Percentages are of the respondents who answered that question (not of all responses), to one
decimal place; for multiple choice they can add up to more than 100.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from civic_comms.consultations.domain import (
    AGREEING,
    DISAGREEING,
    FREE_TEXT,
    LIKERT,
    MULTIPLE,
    SCALE,
    Question,
)


def percentage(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


class Tally:
    """Counts built in one pass over the responses (the results of thousands stay cheap)."""

    def __init__(self, questions: Sequence[Question]) -> None:
        self.questions = list(questions)
        self.responses = 0
        self.answered = {q.id: 0 for q in self.questions}
        self.counts: dict[str, dict[Any, int]] = {q.id: dict.fromkeys(q.choices, 0) for q in self.questions}

    def add(self, answers: Mapping[str, Any]) -> None:
        self.responses += 1
        for q in self.questions:
            if q.id not in answers:
                continue
            value = answers[q.id]
            self.answered[q.id] += 1
            if q.kind == FREE_TEXT:
                continue
            for chosen in value if q.kind == MULTIPLE else [value]:
                if chosen in self.counts[q.id]:
                    self.counts[q.id][chosen] += 1

    def question_result(self, q: Question) -> dict[str, Any]:
        answered = self.answered[q.id]
        result: dict[str, Any] = {
            "question_id": q.id,
            "text": q.text,
            "kind": q.kind,
            "answered": answered,
            "skipped": self.responses - answered,
        }
        if q.kind == FREE_TEXT:
            return result  # the words themselves are in the CSV export of responses
        counts = self.counts[q.id]
        result["options"] = [
            {"value": v, "count": c, "percentage": percentage(c, answered)} for v, c in counts.items()
        ]
        if q.kind == LIKERT:
            agreeing = sum(counts[v] for v in AGREEING)
            disagreeing = sum(counts[v] for v in DISAGREEING)
            result.update(
                agreeing=agreeing,
                agreement_percentage=percentage(agreeing, answered),
                disagreeing=disagreeing,
                disagreement_percentage=percentage(disagreeing, answered),
            )
        if q.kind == SCALE:
            scores = [point for point, c in counts.items() for _ in range(c)]
            result.update(
                mean=round(statistics.fmean(scores), 2) if scores else None,
                median=statistics.median(scores) if scores else None,
            )
        return result

    def results(self) -> dict[str, Any]:
        return {"responses": self.responses, "questions": [self.question_result(q) for q in self.questions]}


def tally(questions: Sequence[Question], responses: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    counter = Tally(questions)
    for answers in responses:
        counter.add(answers)
    return counter.results()


def headline(results: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One figure per question for the closed event and the press: agreement, top choice or mean."""
    lines = []
    for r in results["questions"]:
        line: dict[str, Any] = {
            "question_id": r["question_id"],
            "text": r["text"],
            "kind": r["kind"],
            "answered": r["answered"],
            "agreement_percentage": None,
            "top_option": None,
            "mean": None,
        }
        if r["kind"] == LIKERT:
            line["agreement_percentage"] = r["agreement_percentage"]
        elif r["kind"] == SCALE:
            line["mean"] = r["mean"]
        elif "options" in r and r["answered"]:
            top = max(r["options"], key=lambda o: o["count"])
            line["top_option"] = top["value"]
        lines.append(line)
    return lines


def results_csv(results: Mapping[str, Any]) -> str:
    """One row per question and answer value: what a spreadsheet or the website table needs."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["question_id", "question", "kind", "value", "count", "percentage", "answered"])
    for r in results["questions"]:
        if "options" not in r:
            writer.writerow([r["question_id"], r["text"], r["kind"], "", r["answered"], "", r["answered"]])
            continue
        for option in r["options"]:
            writer.writerow(
                [
                    r["question_id"],
                    r["text"],
                    r["kind"],
                    option["value"],
                    option["count"],
                    option["percentage"],
                    r["answered"],
                ]
            )
    return out.getvalue()


def responses_csv(questions: Sequence[Question], rows: Iterable[Mapping[str, Any]]) -> Iterable[str]:
    """Every response as a row (multiple choices joined by '; '), streamed line by line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")

    def flush() -> str:
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text

    # the respondent type, never the monitoring answers nor the contact details (kept apart from the answers);
    # it comes last, so the answers keep the columns spreadsheets made from earlier exports read them from
    writer.writerow(["response_id", "received_at", "channel", *(q.id for q in questions), "respondent_type"])
    yield flush()
    for row in rows:
        answers = row["answers"]
        cells = []
        for q in questions:
            value = answers.get(q.id, "")
            cells.append("; ".join(value) if isinstance(value, list) else value)
        writer.writerow(
            [row["id"], row["received_at"], row.get("channel", "online"), *cells, row.get("respondent_type") or ""]
        )
        yield flush()
