"""The forward plan's notice (28 clear days, or 5 under the general exception) and the decision notice: what
was decided, who decided, the vote, the interests declared, the date."""

from __future__ import annotations

from datetime import date

import pytest
from civic.errors import Invalid, Refused
from civic_safeguarding.decisions.domain import Decision, Vote
from civic_safeguarding.forward_plan.domain import KeyDecision, clear_days, earliest_on
from civic_safeguarding.interests.domain import Interest
from civic_safeguarding.meetings.domain import Meeting
from civic_safeguarding.notices.domain import DecisionNotice

from .test_safeguarding_governance import ALL_PRESENT, make_board, new_id, register

ADDED = date(2026, 3, 1)


def plan(on: date, **overrides) -> KeyDecision:
    fields = {"title": "Strategic plan 2026-29", "decision_maker": "The board at its meeting", **overrides}
    return KeyDecision.plan("k", "b1", to_be_taken_on=on, added_on=ADDED, **fields)


# --------------------------------------------------------------------------- the forward plan


def test_clear_days_count_neither_the_notice_nor_the_decision() -> None:
    assert clear_days(ADDED, date(2026, 3, 30)) == 28
    assert earliest_on(ADDED) == date(2026, 3, 30)
    assert earliest_on(ADDED, urgent=True) == date(2026, 3, 7)


def test_a_key_decision_with_28_clear_days_notice_is_planned() -> None:
    key = plan(date(2026, 3, 30), documents=["Draft plan", " draft  plan ", "Consultation summary"])
    assert (key.notice_clear_days, key.urgent, key.urgency_reason) == (28, False, None)
    assert key.documents == ["Draft plan", "Consultation summary"]


def test_less_notice_is_refused_naming_the_earliest_day() -> None:
    with pytest.raises(Refused, match="at least 28 clear days") as err:
        plan(date(2026, 3, 29))
    assert err.value.extra == {"notice_clear_days": 27, "earliest_on": "2026-03-30"}


def test_urgent_with_a_reason_is_the_general_exception_with_five_clear_days() -> None:
    key = plan(date(2026, 3, 7), urgent=True, urgency_reason="The funding offer closes on 8 March")
    assert (key.urgent, key.notice_clear_days, key.urgency_reason) == (True, 5, "The funding offer closes on 8 March")
    with pytest.raises(Refused, match="special urgency") as err:
        plan(date(2026, 3, 6), urgent=True, urgency_reason="Sooner still")
    assert err.value.extra["earliest_on"] == "2026-03-07"


def test_urgent_needs_its_reason_and_a_decision_needs_a_title_and_a_maker() -> None:
    with pytest.raises(Invalid) as err:
        plan(date(2026, 3, 7), urgent=True, urgency_reason="  ", title=" ", decision_maker="")
    assert {e["field"] for e in err.value.errors} == {"urgency_reason", "title", "decision_maker"}


def test_a_day_that_has_passed_is_refused_even_when_urgent() -> None:
    with pytest.raises(Refused, match="has passed"):
        plan(date(2026, 2, 28), urgent=True, urgency_reason="Too late")


def test_a_reason_without_urgency_is_not_kept() -> None:
    assert plan(date(2026, 4, 30), urgency_reason="not needed").urgency_reason is None


# --------------------------------------------------------------------------- decision notices


def _decided_meeting():
    board, members = make_board()
    meeting = Meeting.schedule("m1", board, date(2021, 6, 10), [("Advocacy contract", "decision")], new_id=new_id,
                               matters=[["Age UK Northamptonshire"]])  # fmt: skip
    meeting.record_attendance(list(members.values()), register(members, ALL_PRESENT))
    entry = Interest.register("i1", members["vcs"], "pecuniary", "Trustee (paid)", ["Age UK Northamptonshire"],
                              date(2021, 5, 1), details="SECRET particulars")  # fmt: skip
    meeting.declarations_from_register([entry], new_id, date(2021, 6, 1))
    item = meeting.agenda[1].id
    meeting.declare("d", members["police"], item, "Spouse volunteers there", date(2021, 6, 10), prejudicial=False,
                    reason="Unpaid, no say in the contract")  # fmt: skip
    votes = [Vote("council", "for"), Vote("police", "for"), Vote("icb", "against")]
    outcome = meeting.decide(board, list(members.values()), item, "vote", votes, None, "dec1")
    decision = Decision.at_meeting("dec1", meeting, item, outcome, meeting.on)
    return board, members, meeting, decision


def test_a_meeting_decisions_notice_says_what_who_the_vote_the_interests_and_the_date() -> None:
    board, members, meeting, decision = _decided_meeting()
    notice = DecisionNotice.of("n1", decision, board, list(members.values()), meeting.declarations, date(2021, 6, 11))
    assert notice.decision == "'Advocacy contract': carried by a vote of 2 for, 1 against, 0 abstaining."
    assert notice.decision_maker == f"{board.name} at its meeting of 2021-06-10, chaired by Sue Chair."
    assert (notice.votes_for, notice.votes_against, notice.abstentions, notice.casting_vote) == (2, 1, 0, None)
    assert (notice.decided_on, notice.published_on, notice.meeting_id) == (date(2021, 6, 10), date(2021, 6, 11), "m1")
    assert notice.presiding is not None and notice.presiding.member_id == "chair"
    declared = {d.member_id: d for d in notice.declared_interests}
    assert set(declared) == {"vcs", "police"}
    vcs = declared["vcs"]
    assert (vcs.from_register, vcs.prejudicial, vcs.name) == (True, True, "Val Voluntary")
    assert (declared["police"].prejudicial, declared["police"].reason) == (False, "Unpaid, no say in the contract")
    assert "SECRET" not in repr(notice)


def test_a_between_meetings_notice_names_the_chair_and_the_partners_consulted() -> None:
    board, members = make_board()
    decision = Decision.between_meetings("dec", board, list(members.values()), "Urgent funding bid", "chair",
                                         ["council", "police", "icb"], date(2021, 7, 1))  # fmt: skip
    notice = DecisionNotice.of("n", decision, board, list(members.values()), [], date(2021, 7, 1))
    assert notice.decision == (
        "'Urgent funding bid': agreed between meetings, for ratification at the board's next meeting."
    )
    assert notice.decision_maker.startswith("Sue Chair (independent chair of Northamptonshire")
    assert [c.member_id for c in notice.consulted] == ["council", "police", "icb"]
    assert (notice.requires_ratification, notice.declared_interests, notice.meeting_id) == (True, [], None)
