"""A board decision that authorises a comms content item for publication (the board's sign-off on its own
media communications): at a meeting or between meetings, the item's id kept on the decision and refused
when it is not an id. No servers."""

from __future__ import annotations

from datetime import date

import pytest
from civic.errors import Invalid
from civic_safeguarding.decisions.domain import Decision, DecisionOutcome, content_to_authorise

from tests.unit.safeguarding.test_safeguarding_governance import ALL_PRESENT, V, make_board, make_meeting, register

CONTENT = "674d2a0f9c1e4b0012ab34cd"
PARTNERS = ["council", "police", "icb"]
NOT_IDS = ["", " ", "has space", "a/b", "x" * 65, "caf\u00e9", "id\n", "../content"]


def test_between_meetings_the_chair_with_the_partners_authorises_a_content_item() -> None:
    board, members = make_board()
    decision = Decision.between_meetings(
        "d", board, list(members.values()), "Press release: annual report 2025/26", "chair", PARTNERS,
        date(2026, 11, 20), authorises_content_id=CONTENT,
    )
    assert decision.authorises_content_id == CONTENT
    # it approves nothing until the statutory partners have confirmed it (issue 21)
    assert (decision.outcome, decision.requires_ratification, decision.approves) == ("agreed", True, False)
    for key in PARTNERS:
        decision.confirm(list(members.values()), members[key].organisation, key, None, date(2026, 11, 20))
    assert (decision.status, decision.approves) == ("in_effect", True)


def test_at_a_meeting_the_decision_names_the_content_item() -> None:
    board, members = make_board()
    allm = list(members.values())
    meeting = make_meeting(board, [("Press release: annual report", "decision")])
    meeting.record_attendance(allm, register(members, ALL_PRESENT))
    item = meeting.agenda[1]
    outcome = meeting.decide(board, allm, item.id, "vote", V(council="for", police="for"), None, "d1")
    decision = Decision.at_meeting("d1", meeting, item.id, outcome, meeting.on, CONTENT)
    assert (decision.authorises_content_id, decision.outcome, decision.item_title) == (
        CONTENT,
        "carried",
        "Press release: annual report",
    )


def test_a_decision_authorises_nothing_unless_it_says_so() -> None:
    board, members = make_board()
    decision = Decision.between_meetings(
        "d", board, list(members.values()), "Commission SAR Adult B", "chair", PARTNERS, date(2026, 11, 20)
    )
    assert decision.authorises_content_id is None


@pytest.mark.parametrize("value", [CONTENT, "a", "content_1-x", "x" * 64])
def test_content_ids(value: str) -> None:
    assert content_to_authorise(value) == value


@pytest.mark.parametrize("value", NOT_IDS)
def test_what_is_not_an_id_is_invalid_naming_the_field(value: str) -> None:
    with pytest.raises(Invalid) as refusal:
        content_to_authorise(value)
    assert refusal.value.errors == [{"field": "authorises_content_id", "message": "not a content id"}]


@pytest.mark.parametrize("value", NOT_IDS[:3])
def test_a_malformed_id_refuses_the_decision_either_way(value: str) -> None:
    board, members = make_board()
    with pytest.raises(Invalid):
        Decision.between_meetings(
            "d", board, list(members.values()), "X", "chair", PARTNERS, date(2026, 11, 20),
            authorises_content_id=value,
        )
    meeting = make_meeting(board)
    with pytest.raises(Invalid):
        Decision.at_meeting("d", meeting, meeting.agenda[1].id, DecisionOutcome.by_consensus(None), meeting.on, value)
