"""The dataclass <-> document mapping keeps every field, dates and nested records included."""

from __future__ import annotations

from datetime import date, datetime

from civic_safeguarding.decisions.domain import Decision, Vote
from civic_safeguarding.meetings.domain import Meeting
from civic_safeguarding.oversight.domain import Budget, BudgetLine
from civic_safeguarding.quorum.domain import AttendanceEntry
from civic_safeguarding.repository import to_document, to_model
from civic_safeguarding.sars.domain import Action, Sar

from .test_safeguarding_governance import make_board, new_id


def test_meeting_round_trip_keeps_day_or_datetime() -> None:
    board, _ = make_board()
    for when in (date(2026, 6, 11), datetime(2026, 6, 11, 10, 30)):
        meeting = Meeting.schedule("m", board, when, [("Budget", "decision")], new_id=new_id)
        meeting.attendance = [AttendanceEntry("police", "deputy", "Dan Deputy")]
        doc = to_document(meeting, quorum=None)
        assert doc["_id"] == "m" and doc["scheduled_for"] == when.isoformat() and "id" not in doc
        assert to_model(Meeting, doc) == meeting


def test_decision_sar_and_budget_round_trip() -> None:
    decision = Decision(
        "d",
        "b",
        "m",
        "i",
        "Budget",
        "vote",
        "carried",
        date(2026, 6, 11),
        votes=[Vote("police", "for")],
        ratified_on=None,
    )
    assert to_model(Decision, to_document(decision)) == decision
    sar = Sar.refer("s", "b", "Adult A", "summary", {"name": "Demo Person"}, "Police", date(2026, 7, 1))
    sar.actions = [Action("Protocol", "Police", date(2027, 3, 31), id="a1")]
    assert to_model(Sar, to_document(sar)) == sar
    budget = Budget.set("b", "2020/21", [BudgetLine("Chair", 2_000_000)], [])
    doc = to_document(budget, _id="b:2020/21")
    assert doc["_id"] == "b:2020/21" and to_model(Budget, doc) == budget
