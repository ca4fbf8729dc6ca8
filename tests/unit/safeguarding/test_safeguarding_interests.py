"""The register of members' interests: entries, amendment and withdrawal, the yearly review, and what the
register does at a meeting (a member with a registered interest in an item is kept out of its decision
unless they declare the interest not prejudicial)."""

from __future__ import annotations

from datetime import date

import pytest
from civic.errors import Invalid, Refused
from civic_safeguarding.decisions.domain import Vote
from civic_safeguarding.interests.domain import Interest, Review, months_after, review_status
from civic_safeguarding.meetings.domain import Meeting
from civic_safeguarding.quorum.domain import AttendanceEntry

from .test_safeguarding_governance import ALL_PRESENT, make_board, new_id, register

ON = date(2021, 5, 1)
MEETING_DAY = date(2021, 6, 10)


def interest(member, concerns=("Age UK Northamptonshire",), **overrides) -> Interest:
    fields = {"kind": "pecuniary", "description": "Trustee, paid", "concerns": list(concerns), "on": ON, **overrides}
    return Interest.register(new_id(), member, **fields)


def meeting_with_matters(board, members, matters: list[list[str]]) -> Meeting:
    meeting = Meeting.schedule(
        "m1", board, MEETING_DAY, [("Advocacy contract", "decision"), ("Annual report", "decision")],
        new_id=new_id, matters=matters,
    )  # fmt: skip
    meeting.record_attendance(list(members.values()), register(members, ALL_PRESENT))
    return meeting


# --------------------------------------------------------------------------- the register


def test_an_interest_is_registered_with_its_concerns_once_and_held_from_the_day_registered() -> None:
    _, members = make_board()
    entry = interest(members["council"], concerns=["Age UK  Northamptonshire", "age uk northamptonshire", "Care Co"])
    assert entry.concerns == ["Age UK Northamptonshire", "Care Co"]
    assert (entry.held_from, entry.registered_on, entry.status, entry.board_id) == (ON, ON, "registered", "b1")


def test_an_interest_needs_a_kind_a_description_a_concern_and_dates_in_order() -> None:
    _, members = make_board()
    with pytest.raises(Invalid) as err:
        Interest.register("i", members["council"], "shares", " ", ["  "], ON, held_until=date(2021, 4, 30))
    assert {e["field"] for e in err.value.errors} == {"kind", "description", "concerns", "held_until"}


def test_amending_changes_the_fields_sent_and_checks_them_again() -> None:
    _, members = make_board()
    entry = interest(members["council"])
    entry.amend({"description": "Trustee, unpaid", "kind": "non_pecuniary", "details": "  "})
    assert (entry.description, entry.kind, entry.details) == ("Trustee, unpaid", "non_pecuniary", None)
    with pytest.raises(Invalid) as err:
        entry.amend({"held_until": date(2021, 1, 1)})
    assert err.value.errors[0]["field"] == "held_until"


def test_a_withdrawn_interest_is_neither_amended_nor_withdrawn_again_nor_held() -> None:
    _, members = make_board()
    entry = interest(members["council"])
    with pytest.raises(Invalid):
        entry.withdraw(date(2021, 4, 30), None)
    entry.withdraw(date(2021, 7, 1), "Stood down as trustee")
    assert (entry.status, entry.withdrawal_reason) == ("withdrawn", "Stood down as trustee")
    assert entry.held_on(MEETING_DAY) is False
    with pytest.raises(Refused, match="withdrawn from the register on 2021-07-01"):
        entry.amend({"description": "x"})
    with pytest.raises(Refused, match="already withdrawn"):
        entry.withdraw(date(2021, 7, 2), None)


def test_an_interest_is_held_between_its_dates() -> None:
    _, members = make_board()
    entry = interest(members["council"], held_from=date(2021, 6, 1), held_until=date(2021, 6, 30))
    assert [entry.held_on(d) for d in (date(2021, 5, 31), date(2021, 6, 1), date(2021, 6, 30), date(2021, 7, 1))] == [
        False, True, True, False,
    ]  # fmt: skip


# --------------------------------------------------------------------------- the yearly review


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [(date(2020, 2, 29), 12, date(2021, 2, 28)), (date(2021, 1, 31), 1, date(2021, 2, 28)),
     (date(2021, 11, 15), 12, date(2022, 11, 15)), (date(2021, 12, 1), 1, date(2022, 1, 1))],
)  # fmt: skip
def test_months_after(day: date, months: int, expected: date) -> None:
    assert months_after(day, months) == expected


def test_a_review_is_overdue_once_more_than_twelve_months_have_passed() -> None:
    last = date(2021, 5, 1)
    assert review_status(last, date(2020, 1, 1), date(2022, 5, 1)).overdue is False  # twelve months to the day
    status = review_status(last, date(2020, 1, 1), date(2022, 5, 2))
    assert (status.due_on, status.overdue, status.last_reviewed_on) == (date(2022, 5, 1), True, last)
    never = review_status(None, date(2021, 3, 1), date(2022, 3, 2))  # never reviewed: from the register's start
    assert (never.due_on, never.overdue) == (date(2022, 3, 1), True)


def test_a_review_says_who_and_is_not_dated_after_today() -> None:
    _, members = make_board()
    review = Review.record("r", members["council"], date(2021, 5, 1), " Business Manager ", date(2021, 5, 2))
    assert (review.reviewed_by, review.member_id) == ("Business Manager", "council")
    with pytest.raises(Invalid) as err:
        Review.record("r", members["council"], date(2021, 5, 3), "", date(2021, 5, 2))
    assert {e["field"] for e in err.value.errors} == {"reviewed_by", "reviewed_on"}


# --------------------------------------------------------------------------- at a meeting


def test_the_register_prefills_the_declaration_of_an_item_naming_a_matter_it_concerns() -> None:
    board, members = make_board()
    meeting = meeting_with_matters(board, members, [["age uk northamptonshire"], []])
    entry = interest(members["council"], details="SECRET particulars")
    other = interest(members["police"], concerns=["Somewhere Else"])
    meeting.declarations_from_register([entry, other], new_id, ON)
    [declared] = meeting.declarations
    assert (declared.member_id, declared.item_id, declared.source, declared.interest_id, declared.prejudicial) == (
        "council", meeting.agenda[1].id, "register", entry.id, True,
    )  # fmt: skip
    assert declared.nature == "pecuniary interest (registered): Trustee, paid" and "SECRET" not in declared.nature
    meeting.declarations_from_register([entry, other], new_id, ON)  # again: nothing doubled
    assert len(meeting.declarations) == 1


def test_a_prefill_goes_when_its_interest_no_longer_applies_and_a_members_own_declaration_stays() -> None:
    board, members = make_board()
    meeting = meeting_with_matters(board, members, [["Age UK Northamptonshire"], ["Age UK Northamptonshire"]])
    entry = interest(members["council"])
    meeting.declarations_from_register([entry], new_id, ON)
    meeting.declare("d", members["council"], meeting.agenda[2].id, "Trustee", ON)  # their own, on the second item
    entry.withdraw(date(2021, 6, 1), None)
    meeting.declarations_from_register([entry], new_id, ON)
    assert [(d.item_id, d.source) for d in meeting.declarations] == [(meeting.agenda[2].id, "member")]


def test_not_held_on_the_meeting_day_no_prefill() -> None:
    board, members = make_board()
    meeting = meeting_with_matters(board, members, [["Age UK Northamptonshire"], []])
    meeting.declarations_from_register([interest(members["council"], held_from=date(2021, 7, 1))], new_id, ON)
    assert meeting.declarations == []


def test_a_member_with_a_registered_interest_is_kept_out_of_the_vote() -> None:
    board, members = make_board()
    meeting = meeting_with_matters(board, members, [["Age UK Northamptonshire"], []])
    meeting.declarations_from_register([interest(members["council"])], new_id, ON)
    item = meeting.agenda[1].id
    votes = [Vote("council", "for"), Vote("police", "for"), Vote("icb", "against")]
    with pytest.raises(Refused, match=r"registered interest .* unless they declare that it is not prejudicial") as err:
        meeting.decide(board, list(members.values()), item, "vote", votes, None, "dec1")
    assert err.value.extra["member_id"] == "council"
    assert meeting.agenda[1].decision_id is None
    # the same member votes on the item their interest does not concern
    outcome = meeting.decide(board, list(members.values()), meeting.agenda[2].id, "vote", votes, None, "dec2")
    assert outcome.votes_for == 2


def test_declaring_the_interest_not_prejudicial_lets_the_member_vote() -> None:
    board, members = make_board()
    meeting = meeting_with_matters(board, members, [["Age UK Northamptonshire"], []])
    entry = interest(members["council"])
    meeting.declarations_from_register([entry], new_id, ON)
    item = meeting.agenda[1].id
    prefill = meeting.declarations[0]
    with pytest.raises(Invalid) as err:
        meeting.declare("d", members["council"], item, "Trustee", ON, prejudicial=False)
    assert err.value.errors[0]["field"] == "reason"
    declared = meeting.declare("d", members["council"], item, "Trustee, unpaid now", ON, prejudicial=False,
                               reason="The contract is with another branch")  # fmt: skip
    assert (declared.id, declared.interest_id, declared.source, declared.prejudicial) == (
        prefill.id, entry.id, "member", False,
    )  # fmt: skip
    assert len(meeting.declarations) == 1
    meeting.declarations_from_register([entry], new_id, ON)  # the member's answer stays
    assert meeting.declarations == [declared]
    with pytest.raises(Refused, match="already declared"):  # their own declaration is made once
        meeting.declare("d2", members["council"], item, "x", ON)
    votes = [Vote("council", "for"), Vote("police", "for"), Vote("icb", "against")]
    outcome = meeting.decide(board, list(members.values()), item, "vote", votes, None, "dec1")
    assert (outcome.outcome, outcome.votes_for) == ("carried", 2)


def test_a_prejudicial_declaration_of_their_own_still_keeps_the_member_out() -> None:
    board, members = make_board()
    meeting = meeting_with_matters(board, members, [[], []])
    meeting.declare("d", members["police"], meeting.agenda[1].id, "Spouse employed by the provider", ON)
    votes = [Vote("police", "for")]
    with pytest.raises(Refused, match=r"they declared an interest .* take no part"):
        meeting.decide(board, list(members.values()), meeting.agenda[1].id, "vote", votes, None, "dec")


def test_agenda_matters_are_kept_once_each() -> None:
    board, _ = make_board()
    meeting = Meeting.schedule("m", board, MEETING_DAY, [("A", "decision")], new_id=new_id,
                               matters=[["Care Co", " care  co ", "Other"]])  # fmt: skip
    assert meeting.agenda[1].matters == ["Care Co", "Other"]


def test_attendance_entries_unchanged_by_the_register() -> None:
    # the register says who has an interest, never who attended
    board, members = make_board()
    meeting = meeting_with_matters(board, members, [["Age UK Northamptonshire"], []])
    before = list(meeting.attendance)
    meeting.declarations_from_register([interest(members["council"])], new_id, ON)
    assert meeting.attendance == before and all(isinstance(e, AttendanceEntry) for e in before)
