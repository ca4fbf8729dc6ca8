"""Minutes, Safeguarding Adults Reviews, budget, attendance, sub-groups, annual report, disputes."""

from __future__ import annotations

from datetime import date

import pytest
from civic.errors import Invalid, Refused
from civic_safeguarding.decisions.domain import Decision
from civic_safeguarding.meetings.domain import Meeting
from civic_safeguarding.minutes.domain import Minutes
from civic_safeguarding.oversight.domain import (
    AnnualReport,
    Budget,
    BudgetLine,
    Dispute,
    SubGroup,
    WorkPlanEntry,
    attendance_report,
    first_meeting_of_year,
    newly_persistent,
)
from civic_safeguarding.quorum.domain import AttendanceEntry
from civic_safeguarding.sars.domain import Action, Sar

from .test_safeguarding_governance import ALL_PRESENT, make_board, new_id, register

# --------------------------------------------------------------------------- minutes


def _meetings():
    board, members = make_board()
    allm = list(members.values())
    first = Meeting.schedule("m1", board, date(2021, 6, 10), [], new_id=new_id)
    later = Meeting.schedule("m2", board, date(2021, 8, 12), [], new_id=new_id)
    return board, members, allm, first, later


def test_minutes_lifecycle_draft_submitted_approved() -> None:
    board, members, allm, first, later = _meetings()
    minutes = Minutes.draft("min1", first, "Present: ...")
    with pytest.raises(Refused, match="still a draft"):
        minutes.approve(first, later, board, allm, date(2021, 8, 12))
    minutes.redraft("Present: all")
    minutes.submit(date(2021, 6, 20))
    with pytest.raises(Refused, match="only draft"):
        minutes.submit(date(2021, 6, 21))
    # approval at a later, quorate meeting
    with pytest.raises(Refused, match="later meeting"):
        minutes.approve(first, first, board, allm, date(2021, 6, 10))
    with pytest.raises(Refused, match="not quorate"):
        minutes.approve(first, later, board, allm, date(2021, 8, 12))
    later.record_attendance(allm, register(members, ALL_PRESENT))
    minutes.approve(first, later, board, allm, date(2021, 8, 12))
    assert (minutes.status, minutes.approved_at_meeting_id) == ("approved", "m2")


def test_approved_minutes_never_change_corrections_are_linked_records() -> None:
    board, members, allm, first, later = _meetings()
    later.record_attendance(allm, register(members, ALL_PRESENT))
    minutes = Minutes.draft("min1", first, "Original text")
    with pytest.raises(Refused, match="not approved yet"):
        minutes.correct("c0", "x", "y", date(2021, 6, 11))
    minutes.submit(date(2021, 6, 20))
    minutes.approve(first, later, board, allm, date(2021, 8, 12))
    with pytest.raises(Refused, match="permanent record"):
        minutes.redraft("Rewritten")
    with pytest.raises(Refused, match="already approved"):
        minutes.approve(first, later, board, allm, date(2021, 8, 12))
    with pytest.raises(Invalid):
        minutes.correct("c1", "", "", date(2021, 9, 1))
    correction = minutes.correct(
        "c1", "Item 3: the police attended by deputy", "Attendance misrecorded", date(2021, 9, 1)
    )
    assert (correction.minutes_id, correction.meeting_id) == ("min1", "m1")
    assert minutes.text == "Original text" and minutes.status == "approved"


def test_redraft_of_submitted_minutes_returns_them_to_draft() -> None:
    _, _, _, first, _ = _meetings()
    minutes = Minutes.draft("min1", first, "v1")
    minutes.submit(date(2021, 6, 20))
    minutes.redraft("v2")
    assert minutes.status == "draft" and minutes.submitted_on is None
    with pytest.raises(Invalid):
        minutes.redraft("  ")


def test_no_minutes_for_a_cancelled_meeting() -> None:
    _, _, _, first, _ = _meetings()
    first.cancel()
    with pytest.raises(Refused):
        Minutes.draft("x", first, "text")


# --------------------------------------------------------------------------- SARs


def referral() -> Sar:
    return Sar.refer(
        "s1",
        "b1",
        "Adult A",
        "Died after repeated missed visits",
        {"name": "Mary Example", "date_of_birth": "1941-02-03"},
        "Northamptonshire Police",
        date(2021, 1, 5),
    )


def test_sar_reference_must_not_name_the_adult() -> None:
    with pytest.raises(Invalid) as err:
        Sar.refer("s", "b", "Mary's review", "x", {"name": "Mary Example"}, "Police", date(2021, 1, 1))
    assert err.value.errors[0]["field"] == "reference"
    with pytest.raises(Invalid) as err:
        Sar.refer("s", "b", "", "", {}, "", date(2021, 1, 1))
    assert {e["field"] for e in err.value.errors} == {
        "reference",
        "case_summary",
        "referred_by",
        "person.name",
    }


def test_sar_full_path() -> None:
    sar = referral()
    sar.advance(
        "decision",
        date(2021, 2, 1),
        criteria_met=True,
        reasons="s44(2) met: agencies could have worked better",
    )
    sar.advance(
        "commissioned",
        date(2021, 2, 10),
        author="Jo Author",
        author_organisation="Independent Reviews Ltd",
        cost_pence=650_000,
        member_organisations=["Northamptonshire Police"],
    )
    sar.advance("report_received", date(2021, 6, 1))
    sar.advance(
        "action_plan",
        date(2021, 6, 20),
        actions=[Action("Joint visit protocol", "Northamptonshire Police", date(2021, 9, 30))],
    )
    sar.advance("published", date(2021, 7, 1))
    # published is not finished (issue 21): closed once the plan is done and the learning briefing recorded
    assert sar.status == "published" and sar.next_stage == "closed"
    with pytest.raises(Refused, match="open action"):
        sar.advance("closed", date(2021, 10, 1))
    sar.complete_action("a1", "Protocol signed off by both forces", date(2021, 9, 1))
    with pytest.raises(Refused, match="no learning briefing"):
        sar.advance("closed", date(2021, 10, 1))
    sar.record_learning_briefing("Share concerns across agencies", date(2021, 9, 2))
    sar.advance("closed", date(2021, 10, 1))
    assert (sar.status, sar.closed_on, sar.next_stage) == ("closed", date(2021, 10, 1), None)
    with pytest.raises(Refused, match="complete"):
        sar.advance("closed", date(2021, 10, 2))


SAR_REFUSALS = [
    ("skip the decision", [], "commissioned", {}, Refused, "next step is 'decision'"),
    ("publish from referral", [], "published", {}, Refused, "next step is 'decision'"),
    ("back to decision", ["decision"], "decision", {}, Refused, "next step is 'commissioned'"),
    ("decision without reasons", [], "decision", {"criteria_met": True}, Invalid, "criteria_met and reasons"),
    (
        "commission without cost",
        ["decision"],
        "commissioned",
        {"author": "A", "author_organisation": "X"},
        Invalid,
        "author and the cost",
    ),
    (
        "negative cost",
        ["decision"],
        "commissioned",
        {"author": "A", "author_organisation": "X", "cost_pence": -1},
        Invalid,
        "author and the cost",
    ),
    (
        "author from a member organisation",
        ["decision"],
        "commissioned",
        {
            "author": "A",
            "author_organisation": "northamptonshire police",
            "cost_pence": 1,
            "member_organisations": ["Northamptonshire Police"],
        },
        Refused,
        "independently authored",
    ),
    (
        "empty action plan",
        ["decision", "commissioned", "report_received"],
        "action_plan",
        {"actions": []},
        Invalid,
        "action plan",
    ),
    ("unknown stage", [], "archived", {}, Invalid, "not a stage"),
]


@pytest.mark.parametrize(
    ("case", "done", "to", "params", "error", "words"), SAR_REFUSALS, ids=[c[0] for c in SAR_REFUSALS]
)
def test_sar_refusals(case, done, to, params, error, words) -> None:
    sar = referral()
    steps = {
        "decision": {"criteria_met": True, "reasons": "met"},
        "commissioned": {"author": "A", "author_organisation": "Indie", "cost_pence": 1},
        "report_received": {},
    }
    for step in done:
        sar.advance(step, date(2021, 2, 1), **steps[step])
    before = (sar.status, sar.author, sar.cost_pence, list(sar.actions))
    with pytest.raises(error) as err:
        sar.advance(to, date(2021, 3, 1), **params)
    assert words in err.value.detail
    assert (sar.status, sar.author, sar.cost_pence, list(sar.actions)) == before


def test_sar_criteria_not_met_ends_the_path() -> None:
    sar = referral()
    sar.advance("decision", date(2021, 2, 1), criteria_met=False, reasons="Single-agency learning only")
    with pytest.raises(Refused, match="not met"):
        sar.advance("commissioned", date(2021, 2, 2), author="A", author_organisation="X", cost_pence=1)


def test_sar_dates_do_not_go_backwards_and_actions_due_after_plan() -> None:
    sar = referral()
    with pytest.raises(Invalid):
        sar.advance("decision", date(2020, 12, 1), criteria_met=True, reasons="x")
    sar.advance("decision", date(2021, 2, 1), criteria_met=True, reasons="x")
    sar.advance("commissioned", date(2021, 2, 1), author="A", author_organisation="X", cost_pence=0)
    sar.advance("report_received", date(2021, 5, 1))
    with pytest.raises(Invalid) as err:
        sar.advance("action_plan", date(2021, 5, 2), actions=[Action("x", "", date(2021, 5, 1))])
    assert {e["field"] for e in err.value.errors} == {"actions.0.owner", "actions.0.due_on"}


# --------------------------------------------------------------------------- budget (seed 003)

SEED_EXPENDITURE_POUNDS = [
    ("Salaries - staffing 2 x FT posts including on costs", 79_800),
    ("Independent Chair", 20_000),
    ("SAR independent authors", 26_000),
    ("Service user engagement & awareness raising", 500),
    ("Marketing campaign(s)", 5_000),
    ("Annual conference(s)", 4_000),
    ("Office costs (postage)", 40),
    ("SAR training for SAR sub-group members", 2_000),
    ("e-Learning for VCS/providers and SAR learning", 6_000),
    ("Estimated legal fees - SAR", 2_000),
]


def test_budget_2020_21_matches_the_seed() -> None:
    budget = Budget.set(
        "b1",
        "2020/21",
        [BudgetLine(n, p * 100) for n, p in SEED_EXPENDITURE_POUNDS],
        [
            BudgetLine(o, 3_897_400)
            for o in ("Northamptonshire County Council", "Northamptonshire Police", "Northamptonshire CCG")
        ],
    )
    assert budget.total_expenditure_pence == 14_534_000  # £145,340
    assert budget.total_contributions_pence == 11_692_200  # £116,922 = 3 x £38,974
    assert budget.gap_pence == 2_841_800


@pytest.mark.parametrize(
    ("year", "expenditure", "contributions", "fields"),
    [
        ("2020-21", [], [], {"year"}),
        ("2020/21", [BudgetLine("A", -1)], [], {"expenditure.0.amount_pence"}),
        ("2020/21", [BudgetLine("A", 1), BudgetLine("a", 2)], [], {"expenditure.1.name"}),
        ("2020/21", [], [BudgetLine(" ", 1)], {"contributions.0.name"}),
    ],
)
def test_budget_validation(year, expenditure, contributions, fields) -> None:
    with pytest.raises(Invalid) as err:
        Budget.set("b1", year, expenditure, contributions)
    assert {e["field"] for e in err.value.errors} == fields


# --------------------------------------------------------------------------- attendance report


def _series(statuses_per_meeting: list[dict[str, str]]):
    board, members = make_board()
    allm = list(members.values())
    meetings = []
    for i, statuses in enumerate(statuses_per_meeting):
        m = Meeting.schedule(f"m{i}", board, date(2021, 4 + i, 1), [], new_id=new_id)
        m.record_attendance(allm, register(members, {**ALL_PRESENT, **statuses}))
        meetings.append(m)
    return board, members, allm, meetings


def test_attendance_report_flags_three_in_a_row() -> None:
    _, _, allm, meetings = _series(
        [
            {"police": "absent"},
            {"police": "apologies"},
            {"police": "absent"},
            {"icb": "apologies"},
            {"icb": "apologies"},
        ]
    )
    rows = {r.organisation: r for r in attendance_report(allm, meetings, last=5)}
    police, icb = rows["Northamptonshire Police"], rows["NHS Northamptonshire ICB"]
    assert (police.attended, police.apologies, police.absent, police.consecutive_missed) == (2, 1, 2, 0)
    assert not police.persistent_non_attendance  # attended the last two
    assert (icb.consecutive_missed, icb.persistent_non_attendance) == (2, False)
    rows3 = {r.organisation: r for r in attendance_report(allm, meetings[:3], last=3)}
    assert rows3["Northamptonshire Police"].persistent_non_attendance
    assert rows3["Northamptonshire Police"].attendance_rate == 0.0


def test_organisation_attends_when_any_member_or_deputy_attends() -> None:
    _, _, allm, meetings = _series([{"council": "apologies"}, {"council": "absent", "council2": "absent"}])
    row = next(r for r in attendance_report(allm, meetings, last=2) if r.organisation.startswith("West"))
    assert (row.attended, row.in_person, row.absent) == (1, 1, 1)


def test_last_n_counts_only_recent_meetings() -> None:
    _, _, allm, meetings = _series([{"police": "absent"}] * 3 + [{}])
    row = next(
        r for r in attendance_report(allm, meetings, last=2) if r.organisation == "Northamptonshire Police"
    )
    assert (row.meetings, row.attended, row.absent) == (2, 1, 1)
    with pytest.raises(Invalid):
        attendance_report(allm, meetings, last=0)


def test_newly_persistent_only_at_the_third_meeting() -> None:
    _, _, allm, meetings = _series([{"police": "absent"}] * 4)
    assert newly_persistent(allm, meetings[:2], meetings[1]) == []
    assert newly_persistent(allm, meetings[:3], meetings[2]) == [("Northamptonshire Police", 3)]
    assert newly_persistent(allm, meetings, meetings[3]) == []  # already told at the third
    meetings[2].non_attendance_flagged.append("Northamptonshire Police")
    assert newly_persistent(allm, meetings[:3], meetings[2]) == []  # register re-recorded: no second event


# --------------------------------------------------------------------------- sub-groups


def test_terms_of_reference_review_due_at_first_meeting_of_year() -> None:
    board, members = make_board()
    group = SubGroup.form(
        "g1",
        "b1",
        "SAR sub-group",
        members["police"],
        [WorkPlanEntry("Commission reviews promptly", "Learning from reviews")],
    )
    meetings = [
        Meeting.schedule("a", board, date(2022, 3, 1), [], new_id=new_id),
        Meeting.schedule("b", board, date(2022, 4, 14), [], new_id=new_id),
        Meeting.schedule("c", board, date(2022, 6, 9), [], new_id=new_id),
    ]
    first = first_meeting_of_year(meetings, date(2022, 5, 1))
    assert first == date(2022, 4, 14)
    assert group.review_status(first, date(2022, 4, 10)) == "due"
    assert group.review_status(first, date(2022, 5, 1)) == "overdue"
    group.review_terms_of_reference(date(2022, 4, 14))
    assert group.review_status(first, date(2022, 5, 1)) == "reviewed"
    with pytest.raises(Refused, match="already reviewed"):
        group.review_terms_of_reference(date(2022, 9, 1))
    # next financial year it is due again
    assert group.review_status(None, date(2023, 4, 2)) == "due"


def test_sub_group_validation() -> None:
    with pytest.raises(Invalid):
        SubGroup.form("g", "b1", " ", None, [])
    with pytest.raises(Invalid):
        SubGroup.form("g", "b1", "QA", None, [WorkPlanEntry("x", "")])
    _, members = make_board()
    members["police"].board_id = "other"
    with pytest.raises(Refused):
        SubGroup.form("g", "b1", "QA", members["police"], [])


# --------------------------------------------------------------------------- annual report


def _decision(outcome="carried", board_id="b1", ratification=None) -> Decision:
    return Decision(
        id="d1",
        board_id=board_id,
        meeting_id="m1",
        item_id="i1",
        item_title="Annual report 2020/21",
        method="vote",
        outcome=outcome,
        decided_on=date(2021, 9, 1),
        ratification=ratification,
    )


def test_annual_report_draft_approved_published() -> None:
    report = AnnualReport.draft("r1", "b1", "2020/21", "Annual report 2020/21")
    with pytest.raises(Refused, match="approved by a board decision"):
        report.publish(date(2021, 9, 2))
    with pytest.raises(Refused, match="not carried"):
        report.approve(_decision("not_carried"))
    with pytest.raises(Refused, match="not ratified"):
        report.approve(_decision("agreed", ratification="not_ratified"))
    with pytest.raises(Refused, match="another board"):
        report.approve(_decision(board_id="b2"))
    assert report.status == "draft"
    report.approve(_decision())
    with pytest.raises(Refused):
        report.revise("New", None)
    report.publish(date(2021, 9, 30))
    assert (report.status, report.published_on) == ("published", date(2021, 9, 30))
    with pytest.raises(Refused, match="already published"):
        report.publish(date(2021, 10, 1))


def test_annual_report_validation() -> None:
    with pytest.raises(Invalid):
        AnnualReport.draft("r", "b1", "2020", "x")
    with pytest.raises(Invalid):
        AnnualReport.draft("r", "b1", "2020/21", " ")


# --------------------------------------------------------------------------- disputes


def test_dispute_joint_meeting_within_28_days() -> None:
    orgs = ["Northamptonshire Police", "West Northamptonshire Council"]
    dispute = Dispute.raise_("x", "b1", orgs, "Threshold for referrals", date(2021, 5, 1), orgs)
    assert dispute.joint_meeting_due_on == date(2021, 5, 29)
    assert not dispute.overdue(date(2021, 5, 29))
    assert dispute.overdue(date(2021, 5, 30))
    with pytest.raises(Refused, match="joint meeting"):
        dispute.resolve(date(2021, 5, 2), "agreed")
    dispute.hold_joint_meeting(date(2021, 5, 20))
    assert not dispute.overdue(date(2021, 7, 1))
    with pytest.raises(Refused):
        dispute.hold_joint_meeting(date(2021, 5, 21))
    dispute.resolve(date(2021, 5, 21), "Shared threshold document agreed")
    assert dispute.status == "resolved"


def test_dispute_validation() -> None:
    orgs = ["Northamptonshire Police", "West Northamptonshire Council"]
    with pytest.raises(Invalid):
        Dispute.raise_(
            "x", "b1", ["Northamptonshire Police", "northamptonshire police"], "s", date(2021, 5, 1), orgs
        )
    with pytest.raises(Refused, match="not on the board"):
        Dispute.raise_("x", "b1", ["Northamptonshire Police", "A Stranger Ltd"], "s", date(2021, 5, 1), orgs)


def test_attendance_entry_attending() -> None:
    assert AttendanceEntry("a", "deputy", "X").attending
    assert not AttendanceEntry("a", "apologies").attending
