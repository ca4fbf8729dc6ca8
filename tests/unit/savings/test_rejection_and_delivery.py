"""A proposal can be rejected (with a reason), and leaves the figures; delivered needs its actuals. No servers."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime

import pytest
from civic.errors import Invalid, Refused
from civic_savings import figures
from civic_savings.initiatives.domain import FINAL, TRANSITIONS

from tests.unit.savings.test_domain import propose, walk

NOW = datetime(2023, 5, 17, 10, 0, tzinfo=UTC)


def test_a_proposal_can_be_rejected_with_a_reason() -> None:
    initiative = propose()
    initiative.transition("rejected", by="star-chamber", now=NOW, reason="duplicates the contracts review")
    assert initiative.status == "rejected"
    assert (initiative.rejected_by, initiative.rejected_on, initiative.rejection_reason) == (
        "star-chamber", date(2023, 5, 17), "duplicates the contracts review",
    )  # fmt: skip
    assert initiative.history[-1]["to"] == "rejected" and initiative.history[-1]["from"] == "proposed"


def test_rejection_needs_a_reason_and_changes_nothing_without_one() -> None:
    initiative = propose()
    before = copy.deepcopy(initiative)
    with pytest.raises(Invalid) as caught:
        initiative.transition("rejected", by="o", now=NOW)
    assert caught.value.errors == [{"field": "reason", "message": "is required: say why the proposal is rejected"}]
    assert initiative == before


@pytest.mark.parametrize("steps", [("approved",), ("approved", "in_delivery"), ("approved", "undeliverable")])
def test_only_a_proposal_can_be_rejected(steps: tuple[str, ...]) -> None:
    initiative = walk(propose(), *steps)
    before = copy.deepcopy(initiative)
    with pytest.raises(Refused):
        initiative.transition("rejected", by="o", now=NOW, reason="too late")
    assert initiative == before


def test_rejected_is_final() -> None:
    assert TRANSITIONS["rejected"] == frozenset()
    assert FINAL == {"delivered", "undeliverable", "rejected"}


def test_a_rejected_proposal_leaves_every_figure() -> None:
    proposal = propose()
    assert figures.contribution(proposal)  # its pipeline and planned amounts count while it is proposed
    rejected = walk(copy.deepcopy(proposal), "rejected")
    assert figures.contribution(rejected) == {}
    delta = figures.difference(figures.contribution(proposal), figures.contribution(rejected))
    assert sum(cell.get("pipeline_pence", 0) for cell in delta.values()) == -150_000
    assert sum(cell.get("planned_pence", 0) for cell in delta.values()) == -150_000


def test_delivered_needs_every_year_s_actual() -> None:
    initiative = walk(propose(), "approved", "in_delivery")
    initiative.record_actual("2022/23", 100_000, by="o", now=NOW)
    before = copy.deepcopy(initiative)
    with pytest.raises(Refused) as caught:
        initiative.transition("delivered", by="o", now=NOW)
    assert caught.value.extra["missing_years"] == ["2023/24"]
    assert "2023/24" in caught.value.detail
    assert initiative == before
    initiative.record_actual("2023/24", 20_000, by="o", now=NOW)  # a shortfall is the smaller figure
    initiative.transition("delivered", by="o", now=NOW)
    assert initiative.status == "delivered" and initiative.delivered_pence == 120_000


def test_the_highlights_have_a_rejected_section() -> None:
    change = {"kind": "status", "to": "rejected", "from": "proposed", "reason": "no", "initiative_id": "i1"}
    report = figures.highlights("2023-05", [change])
    assert [line["initiative_id"] for line in report["rejected"]] == ["i1"]
    assert report["counts"]["rejected"] == 1 and report["moved"] == 1

