"""Issue 21's rules, no servers: an interim decision in effect only when every statutory partner confirmed it,
and a SAR's action plan tracked to completion (overdue actions, ids for plans agreed before them)."""

from __future__ import annotations

from datetime import date

import pytest
from civic.errors import Invalid, NotFound, Refused
from civic_safeguarding.decisions.domain import Decision
from civic_safeguarding.repository import to_model
from civic_safeguarding.sars.domain import Action, Sar

from tests.unit.safeguarding.test_safeguarding_governance import make_board, make_meeting

PARTNERS = ["council", "police", "icb"]


def _interim() -> tuple[Decision, list]:
    board, members = make_board()
    allm = list(members.values())
    return Decision.between_meetings("d", board, allm, "Protocol", "chair", PARTNERS, date(2026, 7, 1)), allm


def test_an_interim_decision_takes_effect_with_the_last_confirmation() -> None:
    decision, allm = _interim()
    assert (decision.status, decision.awaiting, decision.approves) == (
        "awaiting_confirmation", ["West Northamptonshire Council", "Northamptonshire Police", "NHS Northamptonshire ICB"],
        False,
    )  # fmt: skip
    with pytest.raises(Refused, match="has not taken effect"):
        decision.check_in_effect()
    assert decision.confirm(allm, "northamptonshire police", "police", None, date(2026, 7, 2)) is False
    assert decision.confirm(allm, "West Northamptonshire Council", "council", None, date(2026, 7, 2)) is False
    assert decision.confirm(allm, "NHS Northamptonshire ICB", "icb", None, date(2026, 7, 3)) is True
    assert (decision.status, decision.in_effect_on, decision.approves) == ("in_effect", date(2026, 7, 3), True)


@pytest.mark.parametrize(("organisation", "member", "deputy", "words"), [
    ("Northamptonshire Voluntary Sector", "vcs", None, "not a statutory partner"),
    ("Northamptonshire Police", "council", None, "member on the board"),
    ("West Northamptonshire Council", "council2", "Someone", "not the named deputy"),
])  # fmt: skip
def test_a_confirmation_from_anyone_else_is_refused(organisation, member, deputy, words) -> None:
    decision, allm = _interim()
    with pytest.raises(Refused, match=words):
        decision.confirm(allm, organisation, member, deputy, date(2026, 7, 2))
    assert (decision.confirmations, len(decision.awaiting)) == ([], 3)


def test_a_partner_confirms_once() -> None:
    decision, allm = _interim()
    decision.confirm(allm, "Northamptonshire Police", "police", None, date(2026, 7, 2))
    with pytest.raises(Refused, match="already confirmed"):
        decision.confirm(allm, "Northamptonshire Police", "police", None, date(2026, 7, 2))
    with pytest.raises(Invalid):
        decision.confirm(allm, "NHS Northamptonshire ICB", "icb", None, date(2026, 6, 30))


def test_a_decision_stored_before_confirmations_is_in_effect() -> None:
    stored = {"_id": "d", "board_id": "b", "meeting_id": None, "item_id": None, "item_title": "Old",
              "method": "between_meetings", "outcome": "agreed", "decided_on": "2025-01-01"}  # fmt: skip
    assert to_model(Decision, stored).approves


def _planned() -> Sar:
    sar = Sar.refer("s", "b", "Adult A", "summary", {"name": "Demo Person"}, "Police", date(2026, 1, 1))
    sar.advance("decision", date(2026, 1, 2), criteria_met=True, reasons="met")
    sar.advance("commissioned", date(2026, 1, 3), author="A", author_organisation="Indie", cost_pence=1)
    sar.advance("report_received", date(2026, 2, 1))
    sar.advance("action_plan", date(2026, 2, 2), actions=[
        Action("One", "Police", date(2026, 3, 1)), Action("Two", "Council", date(2026, 9, 1))])  # fmt: skip
    return sar


def test_overdue_actions_are_open_ones_past_their_day() -> None:
    sar = _planned()
    assert [a.id for a in sar.overdue_actions(date(2026, 3, 2))] == ["a1"]
    sar.complete_action("a1", "Done", date(2026, 3, 5))
    assert sar.overdue_actions(date(2026, 9, 2))[0].id == "a2"
    with pytest.raises(NotFound):
        sar.complete_action("a3", "Done", date(2026, 3, 5))
    with pytest.raises(Invalid):
        sar.complete_action("a2", "Visited Demo Person", date(2026, 3, 5))


def test_a_plan_agreed_before_actions_had_ids_gets_them_on_loading() -> None:
    doc = {"_id": "s", "board_id": "b", "reference": "Adult A", "case_summary": "x", "person": {"name": "P"},
           "referred_by": "Police", "referred_on": "2026-01-01", "status": "published",
           "actions": [{"action": "One", "owner": "Police", "due_on": "2026-03-01"}]}  # fmt: skip
    assert [a.id for a in to_model(Sar, doc).actions] == ["a1"]


def test_a_meeting_still_to_be_held_takes_an_interim_decision_for_ratification_once() -> None:
    board, _ = make_board()
    meeting = make_meeting(board)
    ids = iter(("r1", "r2"))
    item = meeting.take_for_ratification("d1", "Interim escalation protocol", lambda: next(ids))
    assert (item.kind, item.title, item.ratifies_decision_id) == (
        "ratification",
        "Ratification: Interim escalation protocol",
        "d1",
    )
    assert meeting.agenda[-1] is item
    with pytest.raises(Refused, match="already on this meeting's agenda"):
        meeting.take_for_ratification("d1", "Interim escalation protocol", lambda: "r3")
    meeting.cancel()
    with pytest.raises(Refused, match="is cancelled: it takes no more items"):
        meeting.take_for_ratification("d2", "Another", lambda: "r4")
    assert [i.ratifies_decision_id for i in meeting.agenda if i.kind == "ratification"] == ["d1"]
