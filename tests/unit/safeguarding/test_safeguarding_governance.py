"""Quorum, declarations, voting and between-meetings decisions: every clause of "Quoracy & Voting"."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from civic.errors import Invalid, Refused
from civic_safeguarding.boards.domain import Board, Member
from civic_safeguarding.decisions.domain import Decision, Vote
from civic_safeguarding.domain import financial_year_bounds, financial_year_of
from civic_safeguarding.meetings.domain import Meeting
from civic_safeguarding.quorum.domain import AttendanceEntry, assess_quorum

_ids = itertools.count(1)


def new_id() -> str:
    return f"id{next(_ids)}"


def make_board() -> tuple[Board, dict[str, Member]]:
    """A board like the seeds': independent chair, three statutory partners, others; all signed."""
    board = Board.establish(
        "b1",
        "Northamptonshire Safeguarding Adults Board",
        "adults",
        statutory_partners=[
            "West Northamptonshire Council",
            "Northamptonshire Police",
            "NHS Northamptonshire ICB",
        ],
    )
    spec = {
        "chair": ("Sue Chair", "Independent", "independent_chair", False),
        "vice": ("Vic Vice", "Healthwatch Northamptonshire", "vice_chair", False),
        "council": ("Dee Dass", "West Northamptonshire Council", "statutory_partner", True),
        "council2": ("Cal Second", "West Northamptonshire Council", "member", False),
        "police": ("Pat Police", "Northamptonshire Police", "statutory_partner", True),
        "icb": ("Nia Nurse", "NHS Northamptonshire ICB", "statutory_partner", True),
        "vcs": ("Val Voluntary", "Northamptonshire Voluntary Sector", "member", False),
        "unsigned": ("Una Unsigned", "Public Health Northamptonshire", "member", False),
    }
    members: dict[str, Member] = {}
    for key, (name, org, role, statutory) in spec.items():
        m = Member.appoint(key, board, list(members.values()), name, org, role, statutory)
        if key != "unsigned":
            m.sign_mou(date(2021, 4, 1))
        members[key] = m
    return board, members


def make_meeting(board: Board, agenda: list[tuple[str, str]] | None = None) -> Meeting:
    return Meeting.schedule(
        "m1",
        board,
        date(2021, 6, 10),
        agenda
        if agenda is not None
        else [("SAR Adult A findings", "decision"), ("Annual report", "decision")],
        new_id=new_id,
    )


ALL_PRESENT = {
    k: "present" for k in ("chair", "vice", "council", "council2", "police", "icb", "vcs", "unsigned")
}


def register(members: dict[str, Member], statuses: dict[str, str], deputies: dict[str, str] | None = None):
    deputies = deputies or {}
    return [AttendanceEntry(members[k].id, s, deputies.get(k)) for k, s in statuses.items()]


# --------------------------------------------------------------------------- financial years


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2021, 3, 31), "2020/21"),
        (date(2021, 4, 1), "2021/22"),
        (date(1999, 12, 31), "1999/00"),
    ],
)
def test_financial_year_of(day: date, year: str) -> None:
    assert financial_year_of(day) == year


@pytest.mark.parametrize("bad", ["2020/22", "2020-21", "20/21", "", "2020/2021"])
def test_malformed_financial_year_is_invalid(bad: str) -> None:
    with pytest.raises(Invalid):
        financial_year_bounds(bad)


def test_financial_year_bounds() -> None:
    assert financial_year_bounds("2020/21") == (date(2020, 4, 1), date(2021, 3, 31))


# --------------------------------------------------------------------------- board and members


def test_board_rejects_unknown_kind_and_duplicate_partners() -> None:
    with pytest.raises(Invalid) as err:
        Board.establish("b", "X", "pets", statutory_partners=["Police", "police"])
    fields = {e["field"] for e in err.value.errors}
    assert fields == {"kind", "statutory_partners"}


def test_statutory_organisations_come_from_board_and_statutory_members() -> None:
    board, members = make_board()
    orgs = board.statutory_organisations(list(members.values()))
    assert orgs == ["West Northamptonshire Council", "Northamptonshire Police", "NHS Northamptonshire ICB"]
    bare = Board.establish("b2", "Children's Partnership", "children")
    # a children's partnership's statutory member says which of its three safeguarding partners it is
    m = Member.appoint(
        "x", bare, [], "A", "Northamptonshire Police", "statutory_partner", True, safeguarding_partner="police"
    )
    assert bare.statutory_organisations([m]) == ["Northamptonshire Police"]


def test_only_one_independent_chair_and_one_vice_chair() -> None:
    board, members = make_board()
    with pytest.raises(Refused, match="already has its independent chair"):
        Member.appoint("x", board, list(members.values()), "Other", "Independent", "independent_chair", False)
    with pytest.raises(Refused):
        Member.appoint("y", board, list(members.values()), "Other", "Org", "vice_chair", False)


def test_member_validation() -> None:
    board, _ = make_board()
    with pytest.raises(Invalid) as err:
        Member.appoint("x", board, [], " ", "", "president", False)
    assert {e["field"] for e in err.value.errors} == {"name", "organisation", "role"}


def test_mou_signed_once() -> None:
    _board, members = make_board()
    with pytest.raises(Refused, match="already signed"):
        members["council"].sign_mou(date(2022, 1, 1))
    assert members["council"].mou_signed_on == date(2021, 4, 1)
    assert not members["unsigned"].signed


def test_named_deputy_rules() -> None:
    _, members = make_board()
    with pytest.raises(Invalid):
        members["police"].name_deputy(" ")
    with pytest.raises(Invalid):
        members["police"].name_deputy("pat police")
    members["police"].name_deputy("Dan Deputy")
    assert members["police"].deputy_name == "Dan Deputy"


# --------------------------------------------------------------------------- agenda


@pytest.mark.parametrize(
    ("agenda", "expected_kinds"),
    [
        ([], ["declarations"]),
        ([("Budget", "decision")], ["declarations", "decision"]),
        (
            [("Budget", "decision"), ("Declarations of interest", "declarations")],
            ["declarations", "decision"],
        ),
        (
            [("Declarations", "declarations_of_interest"), ("Declarations again", "declarations")],
            ["declarations"],
        ),
        ([("Apologies", "information"), ("Budget", "decision")], ["declarations", "information", "decision"]),
    ],
)
def test_agenda_always_starts_with_one_declarations_item(agenda, expected_kinds) -> None:
    board, _ = make_board()
    meeting = make_meeting(board, agenda)
    assert [i.kind for i in meeting.agenda] == expected_kinds
    assert meeting.agenda[0].kind == "declarations"


def test_agenda_item_needs_title_and_kind() -> None:
    board, _ = make_board()
    with pytest.raises(Invalid) as err:
        make_meeting(board, [("", "decision"), ("Budget", " ")])
    assert {e["field"] for e in err.value.errors} == {"agenda.0.title", "agenda.1.kind"}


def test_pending_between_meetings_decisions_become_ratification_items() -> None:
    board, _ = make_board()
    meeting = Meeting.schedule(
        "m",
        board,
        date(2021, 8, 1),
        [("Budget", "decision")],
        new_id=new_id,
        to_ratify=[("d9", "Commission SAR Adult B")],
    )
    item = meeting.agenda[-1]
    assert (item.kind, item.ratifies_decision_id, item.title) == (
        "ratification",
        "d9",
        "Ratification: Commission SAR Adult B",
    )


# --------------------------------------------------------------------------- quorum (table)

QUORUM_CASES = [
    # (case, statuses changed from all present, deputies, quorate, words expected in missing)
    ("everyone present", {}, {}, True, []),
    ("chair absent, vice chair present", {"chair": "apologies"}, {}, True, []),
    (
        "chair and vice absent",
        {"chair": "apologies", "vice": "absent"},
        {},
        False,
        ["The chair", "Sue Chair (independent chair): sent apologies", "Vic Vice (vice chair): absent"],
    ),
    (
        "chair sends a deputy: the chair counts only in person",
        {"chair": "deputy", "vice": "absent"},
        {"chair": "Someone"},
        False,
        ["The chair"],
    ),
    (
        "police absent",
        {"police": "absent"},
        {},
        False,
        [
            "Northamptonshire Police (statutory partner): no member or named deputy present "
            "(Pat Police: absent)"
        ],
    ),
    ("police by named deputy", {"police": "deputy"}, {"police": "Dan Deputy"}, True, []),
    ("council DASS away but another council member present", {"council": "apologies"}, {}, True, []),
    (
        "whole council absent",
        {"council": "apologies", "council2": "absent"},
        {},
        False,
        [
            "West Northamptonshire Council (statutory partner)",
            "Dee Dass: sent apologies",
            "Cal Second: absent",
        ],
    ),
    (
        "two statutory partners and chair missing",
        {"icb": "apologies", "police": "absent", "chair": "absent", "vice": "absent"},
        {},
        False,
        ["The chair", "Northamptonshire Police", "NHS Northamptonshire ICB"],
    ),
    ("voluntary sector absence does not matter", {"vcs": "absent", "unsigned": "absent"}, {}, True, []),
]


@pytest.mark.parametrize(
    ("case", "changes", "deputies", "quorate", "words"), QUORUM_CASES, ids=[c[0] for c in QUORUM_CASES]
)
def test_quorum(case, changes, deputies, quorate, words) -> None:
    board, members = make_board()
    result = assess_quorum(
        board, list(members.values()), register(members, {**ALL_PRESENT, **changes}, deputies)
    )
    assert result.quorate is quorate
    text = " | ".join(result.missing)
    for w in words:
        assert w in text
    if quorate:
        assert result.missing == []


def test_quorum_without_register_names_everything_missing() -> None:
    board, members = make_board()
    result = assess_quorum(board, list(members.values()), [])
    assert not result.quorate
    assert len(result.missing) == 4
    assert "attendance not recorded" in result.missing[0]


def test_nominated_chair_can_preside() -> None:
    board, members = make_board()
    nominated = Member.appoint(
        "nom",
        board,
        list(members.values()),
        "Nora Nominated",
        "Northamptonshire Police",
        "member",
        False,
        nominated_chair=True,
    )
    allm = [*members.values(), nominated]
    statuses = {**ALL_PRESENT, "chair": "apologies", "vice": "apologies", "nom": "present"}
    entries = [AttendanceEntry(k, s) for k, s in statuses.items()]
    result = assess_quorum(board, allm, entries)
    assert result.quorate and result.presiding is nominated


def test_statutory_partner_with_no_members_is_missing() -> None:
    board, members = make_board()
    board.statutory_partners.append("North Northamptonshire Council")
    result = assess_quorum(board, list(members.values()), register(members, ALL_PRESENT))
    assert result.missing == [
        "North Northamptonshire Council (statutory partner): the board has no member from this organisation"
    ]


# --------------------------------------------------------------------------- attendance register


def test_register_rules() -> None:
    board, members = make_board()
    meeting = make_meeting(board)
    allm = list(members.values())
    with pytest.raises(Invalid) as err:
        meeting.record_attendance(
            allm,
            [
                AttendanceEntry("police", "deputy"),
                AttendanceEntry("icb", "late"),
                AttendanceEntry("icb", "present"),
                AttendanceEntry("vcs", "present", "Someone"),
            ],
        )
    assert {e["field"] for e in err.value.errors} == {
        "0.deputy_name",
        "1.status",
        "2.member_id",
        "3.deputy_name",
    }
    with pytest.raises(Refused, match="not a member"):
        meeting.record_attendance(allm, [AttendanceEntry("stranger", "present")])
    members["police"].name_deputy("Dan Deputy")
    with pytest.raises(Refused, match="named deputy is Dan Deputy"):
        meeting.record_attendance(allm, [AttendanceEntry("police", "deputy", "Someone Else")])
    assert meeting.attendance == []
    meeting.record_attendance(allm, [AttendanceEntry("police", "deputy", "dan deputy")])
    assert meeting.attendance[0].deputy_name == "dan deputy"


def test_register_closed_once_held_and_held_needs_register() -> None:
    board, members = make_board()
    meeting = make_meeting(board)
    with pytest.raises(Refused, match="Record the attendance"):
        meeting.mark_held(board, list(members.values()))
    meeting.record_attendance(list(members.values()), register(members, {**ALL_PRESENT, "police": "absent"}))
    quorum = meeting.mark_held(board, list(members.values()))
    assert not quorum.quorate and meeting.held_quorate is False
    with pytest.raises(Refused, match="register is closed"):
        meeting.record_attendance(list(members.values()), register(members, ALL_PRESENT))
    with pytest.raises(Refused):
        meeting.mark_held(board, list(members.values()))


# --------------------------------------------------------------------------- declarations


def test_declarations() -> None:
    board, members = make_board()
    meeting = make_meeting(board)
    item = meeting.agenda[1].id
    with pytest.raises(Invalid):
        meeting.declare("d", members["vcs"], meeting.agenda[0].id, "x", date(2021, 6, 10))
    with pytest.raises(Invalid):
        meeting.declare("d", members["vcs"], "nope", "x", date(2021, 6, 10))
    with pytest.raises(Invalid):
        meeting.declare("d", members["vcs"], item, "  ", date(2021, 6, 10))
    meeting.declare("d1", members["vcs"], item, "Trustee of the provider", date(2021, 6, 10))
    with pytest.raises(Refused, match="already declared"):
        meeting.declare("d2", members["vcs"], item, "again", date(2021, 6, 10))
    assert len(meeting.declarations) == 1


def test_no_declaration_after_the_decision() -> None:
    board, members = make_board()
    meeting = make_meeting(board)
    meeting.record_attendance(list(members.values()), register(members, ALL_PRESENT))
    item = meeting.agenda[1].id
    meeting.decide(board, list(members.values()), item, "consensus", None, None, "dec1")
    with pytest.raises(Refused, match="already been decided"):
        meeting.declare("d1", members["vcs"], item, "late", date(2021, 6, 10))


# --------------------------------------------------------------------------- decisions (table)


def V(**votes: str) -> list[Vote]:
    return [Vote(member_id=k, vote=v) for k, v in votes.items()]


DECISION_CASES = [
    # (case, attendance changes, deputies, declarations [member], method, votes, casting, expected)
    # expected: ("ok", outcome, for, against) or ("refused"|"invalid", words in detail)
    ("consensus when quorate", {}, {}, [], "consensus", None, None, ("ok", "agreed", 0, 0)),
    (
        "consensus refused when inquorate",
        {"police": "absent"},
        {},
        [],
        "consensus",
        None,
        None,
        ("refused", "not quorate"),
    ),
    (
        "vote refused when inquorate (no chair)",
        {"chair": "absent", "vice": "apologies"},
        {},
        [],
        "vote",
        V(council="for"),
        None,
        ("refused", "The chair"),
    ),
    (
        "simple majority carries",
        {},
        {},
        [],
        "vote",
        V(council="for", police="for", icb="against"),
        None,
        ("ok", "carried", 2, 1),
    ),
    (
        "majority against: not carried",
        {},
        {},
        [],
        "vote",
        V(council="against", police="against", icb="for"),
        None,
        ("ok", "not_carried", 1, 2),
    ),
    (
        "abstentions do not count",
        {},
        {},
        [],
        "vote",
        V(council="for", police="abstain", icb="abstain", vcs="abstain"),
        None,
        ("ok", "carried", 1, 0),
    ),
    (
        "tie without casting vote refused",
        {},
        {},
        [],
        "vote",
        V(council="for", police="against"),
        None,
        ("refused", "casting vote"),
    ),
    (
        "tie: casting vote for carries",
        {},
        {},
        [],
        "vote",
        V(council="for", police="against"),
        "for",
        ("ok", "carried", 1, 1),
    ),
    (
        "tie: casting vote against",
        {},
        {},
        [],
        "vote",
        V(council="for", police="against"),
        "against",
        ("ok", "not_carried", 1, 1),
    ),
    (
        "all abstain is a tie",
        {},
        {},
        [],
        "vote",
        V(council="abstain"),
        None,
        ("refused", "tied (0 for, 0 against)"),
    ),
    (
        "vote from absent member",
        {"vcs": "absent"},
        {},
        [],
        "vote",
        V(council="for", vcs="for"),
        None,
        ("refused", "Val Voluntary (Northamptonshire Voluntary Sector) cannot vote: absent"),
    ),
    (
        "vote from member who sent apologies",
        {"vcs": "apologies"},
        {},
        [],
        "vote",
        V(vcs="for"),
        None,
        ("refused", "sent apologies"),
    ),
    (
        "vote from member not on the register",
        {},
        {},
        [],
        "vote",
        V(late="for"),
        None,
        ("refused", "not a member"),
    ),
    (
        "deputy votes for the member",
        {"police": "deputy"},
        {"police": "Dan Deputy"},
        [],
        "vote",
        V(police="for", council="against", icb="for"),
        None,
        ("ok", "carried", 2, 1),
    ),
    (
        "vote from unsigned member",
        {},
        {},
        [],
        "vote",
        V(council="for", unsigned="for"),
        None,
        ("refused", "not signed the memorandum of understanding"),
    ),
    (
        "vote from conflicted member",
        {},
        {},
        ["vcs"],
        "vote",
        V(council="for", vcs="for"),
        None,
        ("refused", "declared an interest"),
    ),
    (
        "conflicted member's organisation colleague may vote",
        {},
        {},
        ["council"],
        "vote",
        V(council2="for", police="for"),
        None,
        ("ok", "carried", 2, 0),
    ),
    (
        "two votes for one organisation",
        {},
        {},
        [],
        "vote",
        V(council="for", council2="for"),
        None,
        ("refused", "no organisation has more than one vote"),
    ),
    (
        "consensus with votes is invalid",
        {},
        {},
        [],
        "consensus",
        V(council="for"),
        None,
        ("invalid", "consensus"),
    ),
    ("vote without votes is invalid", {}, {}, [], "vote", [], None, ("invalid", "votes")),
    ("unknown method", {}, {}, [], "acclaim", None, None, ("invalid", "method")),
    ("bad ballot", {}, {}, [], "vote", V(council="maybe"), None, ("invalid", "for, against or abstain")),
    (
        "bad casting vote",
        {},
        {},
        [],
        "vote",
        V(council="for", police="against"),
        "abstain",
        ("invalid", "casting"),
    ),
]


@pytest.mark.parametrize(
    ("case", "changes", "deputies", "conflicts", "method", "votes", "casting", "expected"),
    DECISION_CASES,
    ids=[c[0] for c in DECISION_CASES],
)
def test_decision(case, changes, deputies, conflicts, method, votes, casting, expected) -> None:
    board, members = make_board()
    allm = list(members.values())
    meeting = make_meeting(board)
    if deputies:
        for key, name in deputies.items():
            members[key].name_deputy(name)
    meeting.record_attendance(allm, register(members, {**ALL_PRESENT, **changes}, deputies))
    item = meeting.agenda[1]
    for key in conflicts:
        meeting.declare(f"decl-{key}", members[key], item.id, "Trustee", date(2021, 6, 10))
    kind = expected[0]
    if kind == "ok":
        outcome = meeting.decide(board, allm, item.id, method, votes, casting, "dec1")
        assert (outcome.outcome, outcome.votes_for, outcome.votes_against) == expected[1:]
        assert item.decision_id == "dec1"
        assert outcome.presiding_member_id in ("chair", "vice")
    else:
        error = Refused if kind == "refused" else Invalid
        with pytest.raises(error) as err:
            meeting.decide(board, allm, item.id, method, votes, casting, "dec1")
        assert expected[1] in err.value.detail
        assert item.decision_id is None  # nothing changed


def test_inquorate_refusal_lists_missing() -> None:
    board, members = make_board()
    meeting = make_meeting(board)
    meeting.record_attendance(list(members.values()), register(members, {**ALL_PRESENT, "icb": "apologies"}))
    with pytest.raises(Refused) as err:
        meeting.decide(board, list(members.values()), meeting.agenda[1].id, "consensus", None, None, "d")
    assert err.value.extra["missing"] == [
        "NHS Northamptonshire ICB (statutory partner): no member or named deputy present "
        "(Nia Nurse: sent apologies)"
    ]


def test_item_decided_once_and_declarations_item_not_decided() -> None:
    board, members = make_board()
    allm = list(members.values())
    meeting = make_meeting(board)
    meeting.record_attendance(allm, register(members, ALL_PRESENT))
    with pytest.raises(Refused, match="recorded, not decided"):
        meeting.decide(board, allm, meeting.agenda[0].id, "consensus", None, None, "d0")
    meeting.decide(board, allm, meeting.agenda[1].id, "consensus", None, None, "d1")
    with pytest.raises(Refused, match="already been decided"):
        meeting.decide(board, allm, meeting.agenda[1].id, "consensus", None, None, "d2")
    with pytest.raises(Invalid):
        meeting.decide(board, allm, "nope", "consensus", None, None, "d3")


def test_casting_vote_ignored_when_no_tie() -> None:
    board, members = make_board()
    allm = list(members.values())
    meeting = make_meeting(board)
    meeting.record_attendance(allm, register(members, ALL_PRESENT))
    outcome = meeting.decide(board, allm, meeting.agenda[1].id, "vote", V(council="for"), "against", "d")
    assert outcome.outcome == "carried" and outcome.casting_vote is None


def test_cancelled_meeting_cannot_decide() -> None:
    board, members = make_board()
    meeting = make_meeting(board)
    meeting.cancel()
    with pytest.raises(Refused, match="cancelled"):
        meeting.decide(board, list(members.values()), meeting.agenda[1].id, "consensus", None, None, "d")


# --------------------------------------------------------------------------- between meetings (table)

BETWEEN_CASES = [
    ("chair with all three statutory partners", "chair", ["council", "police", "icb"], None),
    ("vice chair with all three", "vice", ["council", "police", "icb"], None),
    ("colleague counts for the organisation", "chair", ["council2", "police", "icb"], None),
    ("police not consulted", "chair", ["council", "icb"], "Not consulted: Northamptonshire Police"),
    ("no one consulted", "chair", [], "West Northamptonshire Council, Northamptonshire Police"),
    ("a statutory partner cannot decide alone", "council", ["council", "police", "icb"], "only the chair"),
    ("stranger consulted", "chair", ["council", "police", "icb", "ghost"], "not members"),
    ("stranger decides", "ghost", ["council", "police", "icb"], "not a member"),
]


@pytest.mark.parametrize(
    ("case", "by", "consulted", "refusal"), BETWEEN_CASES, ids=[c[0] for c in BETWEEN_CASES]
)
def test_between_meetings(case, by, consulted, refusal) -> None:
    board, members = make_board()
    allm = list(members.values())
    if refusal is None:
        decision = Decision.between_meetings(
            "d", board, allm, "Commission SAR Adult B", by, consulted, date(2021, 7, 1)
        )
        assert (decision.method, decision.outcome, decision.requires_ratification, decision.ratification) == (
            "between_meetings",
            "agreed",
            True,
            "pending",
        )
    else:
        with pytest.raises(Refused) as err:
            Decision.between_meetings(
                "d", board, allm, "Commission SAR Adult B", by, consulted, date(2021, 7, 1)
            )
        assert refusal in err.value.detail


def test_ratification() -> None:
    board, members = make_board()
    allm = list(members.values())
    decision = Decision.between_meetings(
        "d", board, allm, "X", "chair", ["council", "police", "icb"], date(2021, 7, 1)
    )
    # only a decision in effect, its partners having confirmed it, is ratified (issue 21)
    for key in ("council", "police", "icb"):
        decision.confirm(allm, members[key].organisation, key, None, date(2021, 7, 2))
    meeting = Meeting.schedule("m2", board, date(2021, 8, 1), [], new_id=new_id, to_ratify=[("d", "X")])
    meeting.record_attendance(allm, register(members, ALL_PRESENT))
    outcome = meeting.decide(
        board, allm, meeting.agenda[1].id, "vote", V(council="against", police="against"), None, "d-r"
    )
    assert decision.ratify(meeting.id, outcome, date(2021, 8, 1)) is False
    assert decision.ratification == "not_ratified" and not decision.approves
    with pytest.raises(Refused):
        decision.ratify(meeting.id, outcome, date(2021, 8, 1))
