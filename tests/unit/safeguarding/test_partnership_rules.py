"""Issue 21's rules, no servers: the children's partnership (three equal safeguarding partners, no independent
chair, practice reviews with a rapid review in 15 working days), the constitution's yearly review, notice of
leaving and the vacancies it leaves."""

from __future__ import annotations

from datetime import date

import pytest
from civic.calendar import working_days_after
from civic.errors import Invalid, Refused
from civic_safeguarding.boards.domain import Board, Member, a_year_after, vacancies
from civic_safeguarding.decisions.domain import Decision
from civic_safeguarding.practice_reviews.domain import PracticeReview
from civic_safeguarding.practice_reviews.service import BANK_HOLIDAYS
from civic_safeguarding.quorum.domain import AttendanceEntry, assess_quorum

from tests.unit.safeguarding.test_safeguarding_governance import make_board

PARTNERS = {"la": ("Lee", "Council", "local_authority"), "police": ("Pam", "Police", "police"),
            "health": ("Hal", "ICB", "health")}  # fmt: skip


def partnership(lead: str | None = "police") -> tuple[Board, dict[str, Member]]:
    board = Board.establish("p", "Children Partnership", "children", lead_partner=lead, on=date(2026, 1, 5))
    members: dict[str, Member] = {}
    for key, (name, org, partner) in PARTNERS.items():
        members[key] = Member.appoint(key, board, list(members.values()), name, org, "statutory_partner", True,
                                      safeguarding_partner=partner)  # fmt: skip
        members[key].sign_mou(date(2026, 1, 5))
    return board, members


def present(*keys: str) -> list[AttendanceEntry]:
    return [AttendanceEntry(k, "present") for k in keys]


def test_working_days_skip_weekends() -> None:
    assert working_days_after(date(2026, 9, 7), 15, BANK_HOLIDAYS) == date(2026, 9, 28)  # a Monday: three weeks on
    assert working_days_after(date(2026, 9, 4), 5, BANK_HOLIDAYS) == date(2026, 9, 11)  # a Friday: the next Friday
    assert working_days_after(date(2026, 9, 5), 1, BANK_HOLIDAYS) == date(2026, 9, 7)  # a Saturday: the Monday


def test_working_days_skip_englands_bank_holidays() -> None:
    # Christmas 2026: Christmas Day a Friday, Boxing Day a Saturday (taken on Monday 28th), New Year's Day a Friday
    assert all(d in BANK_HOLIDAYS for d in (date(2026, 12, 25), date(2026, 12, 28), date(2027, 1, 1)))
    assert not any(d in BANK_HOLIDAYS for d in (date(2026, 12, 24), date(2026, 12, 29), date(2026, 12, 31)))
    # notified Monday 21 December: 15 working days skip the 25th, the 28th and 1 January, to Thursday 14 January
    # (Monday to Friday only, it would be Monday 11 January)
    assert working_days_after(date(2026, 12, 21), 15, BANK_HOLIDAYS) == date(2027, 1, 14)
    assert working_days_after(date(2026, 12, 21), 15, ()) == date(2027, 1, 11)
    # Easter 2027: Good Friday 26 March, Easter Monday 29 March
    assert date(2027, 3, 26) in BANK_HOLIDAYS and date(2027, 3, 29) in BANK_HOLIDAYS
    assert working_days_after(date(2027, 3, 25), 1, BANK_HOLIDAYS) == date(2027, 3, 30)
    assert working_days_after(date(2027, 3, 22), 5, BANK_HOLIDAYS) == date(2027, 3, 31)
    # Easter 2026 (Good Friday 3 April, Easter Monday 6 April) and the early May bank holiday (4 May 2026)
    assert working_days_after(date(2026, 4, 2), 1, BANK_HOLIDAYS) == date(2026, 4, 7)
    assert working_days_after(date(2026, 5, 1), 1, BANK_HOLIDAYS) == date(2026, 5, 5)
    # England's, not Scotland's: St Andrew's Day (Monday 30 November 2026) and 2 January (Tuesday, 2029) are worked
    assert date(2026, 11, 30) not in BANK_HOLIDAYS and date(2029, 1, 2) not in BANK_HOLIDAYS
    assert date(2029, 1, 1) in BANK_HOLIDAYS


def test_each_kind_of_board_holds_its_own_case_reviews() -> None:
    board, _ = partnership()
    assert board.review_kind == "practice_review"
    assert Board.establish("a", "Adults Board", "adults").review_kind == "sar"


def test_a_partnership_has_no_independent_chair_and_an_adults_board_no_scrutineer() -> None:
    board, _ = partnership()
    with pytest.raises(Refused, match="no independent chair"):
        Member.appoint("c", board, [], "Ivy", "Independent", "independent_chair", False)
    Member.appoint("s", board, [], "Sam", "Independent", "independent_scrutineer", False)
    adults, _ = make_board()
    with pytest.raises(Refused, match="independent chair"):
        Member.appoint("s", adults, [], "Sam", "Independent", "independent_scrutineer", False)
    with pytest.raises(Invalid, match="say which in safeguarding_partner") as named:
        Member.appoint("x", board, [], "Nat", "Council", "statutory_partner", True)
    assert [e["field"] for e in named.value.errors] == ["safeguarding_partner"]
    with pytest.raises(Invalid) as err:
        Member.appoint("x", board, [], "Nat", "Council", "member", False, safeguarding_partner="police")
    assert err.value.errors[0]["field"] == "safeguarding_partner"
    # an adults' board's statutory partners are the same three (Care Act 2014 Schedule 2): a member may say which
    assert Member.appoint("x", adults, [], "Nat", "Police", "statutory_partner", True, safeguarding_partner="police")
    with pytest.raises(Invalid):
        Board.establish("b", "Adults", "adults", lead_partner="police")


def test_the_three_partners_make_the_quorum_and_the_lead_partner_chairs() -> None:
    board, members = partnership()
    allm = list(members.values())
    result = assess_quorum(board, allm, present("la", "police", "health"))
    assert (result.quorate, result.presiding) == (True, members["police"])
    result = assess_quorum(board, allm, present("la", "health"))
    assert result.quorate is False and result.missing == [
        "The chair: no member of the lead partner (the chief officer of police) nor a nominated chair is present "
        "(Pam: attendance not recorded)",
        "the chief officer of police (safeguarding partner): no member or named deputy present "
        "(Pam: attendance not recorded)",
    ]
    board.change_lead_partner("health")
    assert assess_quorum(board, allm, present("la", "police", "health")).presiding == members["health"]
    unagreed, members = partnership(lead=None)
    assert assess_quorum(unagreed, list(members.values()), present("la", "police", "health")).presiding == members["la"]


def test_between_meetings_the_lead_partner_decides() -> None:
    board, members = partnership()
    allm = list(members.values())
    with pytest.raises(Refused, match="lead partner"):
        Decision.between_meetings("d", board, allm, "Protocol", "la", ["la", "police", "health"], date(2026, 2, 1))
    decision = Decision.between_meetings("d", board, allm, "Protocol", "police", ["la", "police", "health"],
                                         date(2026, 2, 1))  # fmt: skip
    assert decision.awaiting == ["Council", "Police", "ICB"]


def test_a_member_counts_until_their_last_day_and_leaves_a_vacancy() -> None:
    board, members = partnership()
    police = members["police"]
    with pytest.raises(Invalid, match="cannot end membership before it") as early:
        police.give_notice(date(2026, 3, 1), date(2026, 3, 2))
    assert [e["field"] for e in early.value.errors] == ["leaves_on"]
    police.give_notice(date(2026, 3, 31), date(2026, 3, 2))
    with pytest.raises(Refused, match="already gave notice"):
        police.give_notice(date(2026, 4, 30), date(2026, 3, 3))
    allm = list(members.values())
    assert police.serving_on(date(2026, 3, 31)) and not police.serving_on(date(2026, 4, 1))
    assert assess_quorum(board, allm, present("la", "police", "health"), date(2026, 3, 31)).quorate
    after = assess_quorum(board, allm, present("la", "police", "health"), date(2026, 4, 1))
    assert "the chief officer of police (safeguarding partner): no member serving on the partnership" in after.missing
    assert vacancies(board, allm, date(2026, 3, 31)) == []
    (vacancy,) = vacancies(board, allm, date(2026, 4, 1))
    assert (vacancy.partner, vacancy.left_by, vacancy.since) == ("police", "police", date(2026, 4, 1))
    adults, people = make_board()
    assert [v.partner for v in vacancies(adults, [m for k, m in people.items() if k != "icb"], date(2026, 1, 1))] == [
        "NHS Northamptonshire ICB"]  # fmt: skip


def test_the_constitution_is_due_for_review_a_year_on() -> None:
    board, _ = partnership()
    assert board.constitution_review_due_on == date(2027, 1, 5)
    assert not board.constitution_review_overdue(date(2027, 1, 5)) and board.constitution_review_overdue(date(2027, 1, 6))
    with pytest.raises(Refused, match="in favour"):
        board.review_constitution("d1", False, date(2026, 12, 1), date(2026, 12, 2))
    with pytest.raises(Invalid, match="not recorded before it") as early:
        board.review_constitution("d1", True, date(2026, 12, 1), date(2026, 11, 30))
    assert [e["field"] for e in early.value.errors] == ["reviewed_on"]
    board.review_constitution("d1", True, date(2026, 12, 1), date(2026, 12, 2))
    assert (board.constitution_reviewed_on, board.constitution_review_due_on) == (date(2026, 12, 2), date(2027, 12, 2))
    with pytest.raises(Refused, match="already approved"):
        board.review_constitution("d1", True, date(2026, 12, 1), date(2026, 12, 3))
    assert a_year_after(date(2028, 2, 29)) == date(2029, 2, 28)
    legacy = Board("old", "Old Board", "adults")
    assert legacy.constitution_review_due_on is None and legacy.constitution_review_overdue(date(2026, 1, 1))


def test_a_practice_review_decides_in_fifteen_working_days() -> None:
    board, _ = partnership()
    adults, _ = make_board()
    with pytest.raises(Refused, match="Safeguarding Adults Reviews"):
        PracticeReview.notify("r", adults, "Child B", "x", {"name": "Bea Example"}, date(2026, 9, 4), date(2026, 9, 7))
    with pytest.raises(Invalid) as err:
        PracticeReview.notify("r", board, "Bea's review", "", {"name": "Bea Example"}, date(2026, 9, 4), date(2026, 9, 4))
    assert {e["field"] for e in err.value.errors} == {"reference", "case_summary"}
    with pytest.raises(Invalid) as early:
        PracticeReview.notify("r", board, "Child B", "x", {"name": "Bea Example"}, date(2026, 9, 4), date(2026, 9, 3))
    assert [e["field"] for e in early.value.errors] == ["notified_on"]
    review = PracticeReview.notify("r", board, "Child B", "x", {"name": "Bea Example"}, date(2026, 9, 4), date(2026, 9, 14))
    assert (review.notification_due_on(BANK_HOLIDAYS), review.notified_late(BANK_HOLIDAYS)) == (date(2026, 9, 11), True)
    assert review.rapid_review_due_on(BANK_HOLIDAYS) == date(2026, 10, 5)
    assert not review.rapid_review_overdue(date(2026, 10, 5), BANK_HOLIDAYS)
    assert review.rapid_review_overdue(date(2026, 10, 6), BANK_HOLIDAYS)
    # the days a caller counts are the ones it hands in (the service hands the council's calendar's)
    assert review.rapid_review_due_on({date(2026, 9, 28)}) == date(2026, 10, 6)  # were 28 September a holiday
    with pytest.raises(Refused, match="the next step is 'rapid_review'"):
        review.advance("commissioned", date(2026, 9, 20), reviewer="R", reviewer_organisation="O")
    with pytest.raises(Invalid) as early:
        review.advance("rapid_review", date(2026, 9, 13), local_review=True, reasons="Before the notification")
    assert [e["field"] for e in early.value.errors] == ["on"]
    with pytest.raises(Invalid):
        review.advance("rapid_review", date(2026, 9, 20), local_review=True)
    review.advance("rapid_review", date(2026, 10, 6), local_review=False, reasons="Single-agency learning")
    assert (review.rapid_review_late(BANK_HOLIDAYS), review.next_stage) == (True, None)
    with pytest.raises(Refused, match="no local review"):
        review.advance("commissioned", date(2026, 10, 7), reviewer="R", reviewer_organisation="O")


def test_a_reviews_personal_details_are_kept_as_text_and_only_those_given() -> None:
    board, _ = partnership()
    child = {"name": " Bea Example ", "date_of_birth": date(2019, 5, 1), "address": None, "other": "  "}
    review = PracticeReview.notify("r", board, "Child B", "x", child, date(2026, 9, 4), date(2026, 9, 7))
    assert review.child == {"name": "Bea Example", "date_of_birth": "2019-05-01"}
