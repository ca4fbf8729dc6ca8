"""Delivery plans: a milestone's rules (planned, changed, done with evidence, dropped with a reason, overdue
against the council's today), and an ended initiative's plan closed. No servers."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime

import pytest
from civic.errors import Invalid, Refused
from civic_savings.milestones.domain import MAX_MILESTONES, Milestone, check_plan_open, overdue_days

NOW = datetime(2024, 3, 10, 9, 0, tzinfo=UTC)


def plan(initiative_status: str = "in_delivery", **overrides: object) -> Milestone:
    fields: dict[str, object] = {"title": "Staff consultation closes", "owner": "Head of HR", "due": date(2024, 3, 31)}
    fields.update(overrides)
    return Milestone.plan(id="m1", initiative_id="i1", initiative_status=initiative_status, planned_so_far=0,
                          by="officer", now=NOW, **fields)  # type: ignore[arg-type]


def test_a_new_milestone_is_planned_and_noted() -> None:
    milestone = plan(title="  Staff consultation closes ", owner=" Head of HR")
    assert (milestone.status, milestone.title, milestone.owner) == ("planned", "Staff consultation closes", "Head of HR")
    assert milestone.history == [{"at": NOW, "by": "officer", "kind": "planned", "due": "2024-03-31"}]


@pytest.mark.parametrize(
    ("fields", "broken"),
    [
        ({"title": "  "}, {"title"}),
        ({"owner": None}, {"owner"}),
        ({"due": "2024-03-31"}, {"due"}),
        ({"title": "x" * 201, "owner": "", "due": None}, {"title", "owner", "due"}),
    ],
)
def test_every_broken_field_is_named(fields: dict[str, object], broken: set[str]) -> None:
    with pytest.raises(Invalid) as caught:
        plan(**fields)
    assert {e["field"] for e in caught.value.errors} == broken


@pytest.mark.parametrize("status", ["delivered", "undeliverable", "rejected"])
def test_an_ended_initiative_takes_no_milestone(status: str) -> None:
    with pytest.raises(Refused) as caught:
        plan(initiative_status=status)
    assert status in caught.value.detail and caught.value.extra["initiative_status"] == status
    check_plan_open("proposed")  # a proposal may have its plan made before it is approved


def test_a_plan_has_a_limit() -> None:
    with pytest.raises(Refused):
        Milestone.plan(id="m", initiative_id="i1", initiative_status="approved", planned_so_far=MAX_MILESTONES,
                       title="t", owner="o", due=date(2024, 1, 1), by="o", now=NOW)  # fmt: skip


@pytest.mark.parametrize(
    ("today", "overdue", "days"),
    [(date(2024, 3, 30), False, 0), (date(2024, 3, 31), False, 0), (date(2024, 4, 1), True, 1)],
)
def test_overdue_once_today_is_after_the_due_date(today: date, overdue: bool, days: int) -> None:
    milestone = plan()
    assert milestone.is_overdue(today) is overdue
    assert overdue_days(milestone.due, today) == days


def test_done_needs_evidence_and_is_never_overdue() -> None:
    milestone = plan(due=date(2024, 3, 1))
    before = copy.deepcopy(milestone)
    with pytest.raises(Invalid) as caught:
        milestone.complete("   ", "in_delivery", by="o", now=NOW)
    assert caught.value.errors[0]["field"] == "evidence"
    assert milestone == before
    milestone.complete("Cabinet minute 2024/031", "in_delivery", by="o", now=NOW)
    assert (milestone.status, milestone.evidence, milestone.completed_on) == ("done", "Cabinet minute 2024/031",
                                                                              date(2024, 3, 10))
    assert milestone.history[-1]["late_by_days"] == 9
    assert not milestone.is_overdue(date(2030, 1, 1))


def test_the_completion_date_is_the_council_s_date() -> None:
    milestone = plan()
    # 23:30 UTC on 30 June is already 1 July in London (BST)
    milestone.complete("done", "approved", by="o", now=datetime(2024, 6, 30, 23, 30, tzinfo=UTC))
    assert milestone.completed_on == date(2024, 7, 1)


def test_dropping_needs_a_reason() -> None:
    milestone = plan()
    with pytest.raises(Invalid):
        milestone.drop(None, "approved", by="o", now=NOW)
    milestone.drop("superseded by the new operating model", "approved", by="o", now=NOW)
    assert (milestone.status, milestone.dropped_on) == ("dropped", date(2024, 3, 10))


@pytest.mark.parametrize("ending", ["complete", "drop"])
def test_done_and_dropped_are_final(ending: str) -> None:
    milestone = plan()
    getattr(milestone, ending)("reason", "in_delivery", by="o", now=NOW)
    before = copy.deepcopy(milestone)
    for attempt in (
        lambda: milestone.complete("again", "in_delivery", by="o", now=NOW),
        lambda: milestone.drop("again", "in_delivery", by="o", now=NOW),
        lambda: milestone.change({"due": date(2025, 1, 1)}, "in_delivery", by="o", now=NOW),
    ):
        with pytest.raises(Refused) as caught:
            attempt()
        assert caught.value.extra["current_status"] == milestone.status
    assert milestone == before


def test_a_change_notes_the_old_due_date_and_the_same_again_notes_nothing() -> None:
    milestone = plan()
    milestone.change({"due": date(2024, 6, 30), "owner": "Head of HR"}, "slipped", by="o", now=NOW)
    assert milestone.due == date(2024, 6, 30)
    assert milestone.history[-1] == {"at": NOW, "by": "o", "kind": "changed", "fields": ["due"],
                                     "due_was": "2024-03-31", "due": "2024-06-30"}  # fmt: skip
    entries = len(milestone.history)
    milestone.change({"title": "Staff consultation closes"}, "slipped", by="o", now=NOW)
    assert len(milestone.history) == entries


@pytest.mark.parametrize(("changes", "field"), [({"title": " "}, "title"), ({"status": "done"}, "status"),
                                                ({"due": 5}, "due")])  # fmt: skip
def test_a_bad_change_changes_nothing(changes: dict[str, object], field: str) -> None:
    milestone = plan()
    before = copy.deepcopy(milestone)
    with pytest.raises(Invalid) as caught:
        milestone.change(changes, "approved", by="o", now=NOW)
    assert caught.value.errors[0]["field"] == field
    assert milestone == before


def test_an_ended_initiative_drops_its_plan_but_a_change_to_it_is_refused() -> None:
    milestone = plan()
    with pytest.raises(Refused):
        milestone.change({"owner": "someone"}, "rejected", by="o", now=NOW)
    milestone.drop("the initiative is rejected", None, by="o", now=NOW)  # the initiative's own ending
    assert milestone.status == "dropped"
