"""The outcome's rules: what we asked defaults from the consultation, a draft only is amended, and publishing
needs an approver, a closed consultation and something written for "we did"."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from civic.errors import Forbidden, Invalid, Refused
from civic_comms.outcomes.domain import DRAFT, PUBLISHED, Outcome

NOW = datetime(2021, 11, 10, 9, tzinfo=UTC)
SAID = {"title": "Corporate plan", "kind": "consultation", "closes_on": "2021-10-31", "responses": 612,
        "headline": []}


def draft(**written: object) -> Outcome:
    return Outcome.record(id="k1", consultation_id="k1", recorded_by="amira", asked_by_default="Our vision?",
                          written=written)


def publish(outcome: Outcome, *, may: bool = True, state: str = "closed") -> None:
    outcome.publish(by="ben", may_publish=may, consultation_state=state, now=NOW, published_as=SAID)


def test_what_we_asked_defaults_from_the_consultation_and_comes_back_when_cleared():
    outcome = draft(you_said="  Most agreed. ")
    assert outcome.we_asked == "Our vision?" and outcome.you_said == "Most agreed." and outcome.status == DRAFT
    outcome.amend({"we_asked": "Did you agree?"}, asked_by_default="Our vision?")
    assert outcome.we_asked == "Did you agree?"
    outcome.amend({"we_asked": "  "}, asked_by_default="Our vision?")
    assert outcome.we_asked == "Our vision?"


def test_publishing_freezes_the_results_and_records_who_and_when():
    outcome = draft(we_did="Cabinet adopted the plan.", decision_reference="CAB-2021-045",
                    decided_on=date(2021, 11, 9))
    publish(outcome)
    assert outcome.status == PUBLISHED and outcome.published_by == "ben" and outcome.published_at == NOW
    assert outcome.published_as["responses"] == 612


@pytest.mark.parametrize("state", ["open", "upcoming"])
def test_not_before_the_consultation_has_closed(state):
    outcome = draft(we_did="Decided.")
    with pytest.raises(Refused) as refused:
        publish(outcome, state=state)
    assert refused.value.extra["consultation_state"] == state
    assert outcome.status == DRAFT and outcome.published_at is None


@pytest.mark.parametrize("we_did", [None, "", "   \n"])
def test_not_with_nothing_written_for_we_did(we_did):
    outcome = draft(we_did=we_did)
    with pytest.raises(Refused) as refused:
        publish(outcome)
    assert refused.value.extra["missing"] == ["we_did"]
    assert outcome.status == DRAFT


def test_only_an_approver_publishes_and_the_check_comes_first():
    outcome = draft()  # nothing for we_did either: the scope is said first
    with pytest.raises(Forbidden):
        publish(outcome, may=False, state="open")
    assert outcome.status == DRAFT


def test_a_published_outcome_is_neither_amended_nor_published_again():
    outcome = draft(we_did="Decided.")
    publish(outcome)
    with pytest.raises(Refused):
        outcome.amend({"we_did": "Changed our mind."}, asked_by_default="x")
    with pytest.raises(Refused):
        publish(outcome)
    assert outcome.we_did == "Decided."


def test_overlong_and_unknown_parts_are_invalid():
    with pytest.raises(Invalid) as invalid:
        draft(we_did="x" * 10_001, colour="blue")
    assert {e["field"] for e in invalid.value.errors} == {"we_did", "colour"}
