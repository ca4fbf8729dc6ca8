"""Disaggregation's rules: a shared service's lifecycle (the moves allowed, deferral and slip), the split of its
cost adding up, and where it stands in the report (due, slipped, done, deferred) on a given day. No servers."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from typing import Any

import pytest
from civic.errors import FieldErrors, Invalid, Refused
from civic_savings.disaggregation.domain import (
    STATUSES,
    TRANSITIONS,
    CostSplit,
    SharedService,
    add_months,
    slip_of,
    standing,
)
from civic_savings.disaggregation.reports import classify

NOW = datetime(2022, 11, 1, 9, 0, tzinfo=UTC)
TODAY = date(2022, 11, 1)
MARCH_23, MARCH_24 = date(2023, 3, 31), date(2024, 3, 31)


def shared(**overrides: Any) -> SharedService:
    fields: dict[str, Any] = {"service": "Shared Lives", "directorate": "People - Adults", "kind": "hosted",
                              "host_council": "North Northamptonshire", "other_council": "West Northamptonshire",
                              "planned_on": MARCH_23}  # fmt: skip
    fields.update(overrides)
    return SharedService.register(id="s1", fields=fields, by="officer", now=NOW)


def move(service: SharedService, to: str, **given: Any) -> str | None:
    return service.transition(to, on=given.pop("on", None), today=given.pop("today", TODAY), by="officer", now=NOW,
                              **given)  # fmt: skip


# ---------------------------------------------------------------- the split of costs


@pytest.mark.parametrize(
    ("given", "host", "other"),
    [
        ({"basis": "percent", "host_percent": 50, "other_percent": 50, "annual_cost_pence": 10_001}, 5_001, 5_000),
        ({"basis": "percent", "host_percent": 100, "other_percent": 0, "annual_cost_pence": 7}, 7, 0),
        ({"basis": "pence", "annual_cost_pence": 9_000_000, "host_pence": 5_000_000, "other_pence": 4_000_000},
         5_000_000, 4_000_000),
    ],
)
def test_a_split_that_adds_up_gives_each_council_its_share(given: dict[str, Any], host: int, other: int) -> None:
    errors = FieldErrors()
    split = CostSplit.of(given, errors)
    assert not errors and split is not None
    assert split.shares_pence() == (host, other)
    assert sum(split.shares_pence() or ()) == given["annual_cost_pence"]  # rounding never loses a penny


def test_a_split_in_percent_without_its_cost_has_no_pence() -> None:
    split = CostSplit.of({"basis": "percent", "host_percent": 60, "other_percent": 40}, FieldErrors())
    assert split is not None and split.shares_pence() is None


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"basis": "percent", "host_percent": 60, "other_percent": 30}, "cost_split"),  # 90%
        ({"basis": "percent", "host_percent": 60, "other_percent": 60}, "cost_split"),  # 120%
        ({"basis": "pence", "annual_cost_pence": 100, "host_pence": 60, "other_pence": 30}, "cost_split"),
        ({"basis": "percent", "host_percent": 101, "other_percent": -1}, "cost_split.host_percent"),
        ({"basis": "percent", "host_percent": 50.5, "other_percent": 49.5}, "cost_split.host_percent"),
        ({"basis": "pence", "host_pence": 60, "other_pence": 40}, "cost_split.annual_cost_pence"),
        ({"basis": "thirds"}, "cost_split.basis"),
        ({"basis": "percent", "host_percent": 50, "other_percent": 50, "host_pence": 1}, "cost_split.host_pence"),
    ],
)
def test_a_split_that_does_not_add_up_is_refused(given: dict[str, Any], field: str) -> None:
    errors = FieldErrors()
    assert CostSplit.of(given, errors) is None
    assert field in {e["field"] for e in errors}
    with pytest.raises(Invalid) as caught:
        shared(cost_split=given)
    assert field in {e["field"] for e in caught.value.errors}


# ---------------------------------------------------------------- registering and amending


def test_planned_for_a_date_or_deferred_with_the_reason() -> None:
    planned = shared(cost_split={"basis": "percent", "host_percent": 50, "other_percent": 50})
    assert (planned.status, planned.planned_on, planned.first_planned_on) == ("planned", MARCH_23, MARCH_23)
    assert planned.next_statuses == ["in_progress", "disaggregated", "deferred", "cancelled"]
    deferred = shared(planned_on=None, deferred_reason="Deferred until safe & legal")
    assert (deferred.status, deferred.planned_on, deferred.first_planned_on) == ("deferred", None, None)
    assert deferred.history == [{"at": NOW, "by": "officer", "kind": "deferred",
                                 "reason": "Deferred until safe & legal"}]  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "broken"),
    [
        ({"planned_on": None}, {"planned_on"}),
        ({"deferred_reason": "both"}, {"deferred_reason"}),
        ({"kind": "shared"}, {"kind"}),
        ({"other_council": " north northamptonshire "}, {"other_council"}),
        ({"service": " ", "host_council": None, "planned_on": "2023-03-31"}, {"service", "host_council", "planned_on"}),
        ({"status": "disaggregated"}, {"status"}),
    ],
)
def test_every_broken_field_is_named(fields: dict[str, Any], broken: set[str]) -> None:
    with pytest.raises(Invalid) as caught:
        shared(**fields)
    assert {e["field"] for e in caught.value.errors} == broken


def test_a_planned_date_moved_later_is_a_slip_and_the_first_is_kept() -> None:
    service = shared()
    assert service.amend({"planned_on": MARCH_24}, by="officer", now=NOW) == (True, True)
    assert (service.planned_on, service.first_planned_on) == (MARCH_24, MARCH_23)
    assert service.history[-1] == {"at": NOW, "by": "officer", "kind": "amended", "slipped": True,
                                   "fields": ["planned_on"], "planned_on_was": "2023-03-31",
                                   "planned_on": "2024-03-31"}  # fmt: skip
    assert service.amend({"planned_on": date(2023, 12, 31)}, by="officer", now=NOW) == (True, False)  # earlier
    assert service.amend({"planned_on": date(2023, 12, 31)}, by="officer", now=NOW) == (False, False)  # the same


@pytest.mark.parametrize(
    ("status_path", "changes"),
    [
        (["deferred"], {"planned_on": MARCH_24}),  # planned again by its transition
        (["disaggregated"], {"cost_split": None}),
        (["cancelled"], {"host_council": "West Northamptonshire Council"}),
        ([], {"deferred_reason": "not deferred"}),
    ],
)
def test_refused_amendments_change_nothing(status_path: list[str], changes: dict[str, Any]) -> None:
    service = shared()
    for to in status_path:
        move(service, to, reason="a reason")
    before = copy.deepcopy(service)
    with pytest.raises(Refused):
        service.amend(changes, by="officer", now=NOW)
    assert service == before


def test_invalid_amendments_change_nothing() -> None:
    service = shared()
    before = copy.deepcopy(service)
    with pytest.raises(Invalid) as caught:
        service.amend({"planned_on": None, "other_council": "North Northamptonshire", "status": "cancelled",
                       "cost_split": {"basis": "percent", "host_percent": 10, "other_percent": 10}},
                      by="officer", now=NOW)  # fmt: skip
    assert {e["field"] for e in caught.value.errors} == {"planned_on", "other_council", "status", "cost_split"}
    assert service == before


def test_notes_still_change_once_disaggregated() -> None:
    service = shared()
    move(service, "disaggregated")
    assert service.amend({"notes": "Staff TUPE'd on 1 April"}, by="officer", now=NOW) == (True, False)


# ---------------------------------------------------------------- the lifecycle


def test_every_move_the_lifecycle_does_not_allow_is_refused() -> None:
    for status, allowed in TRANSITIONS.items():
        for to in STATUSES:
            if to in allowed:
                continue
            service = shared()
            service.status = status
            before = copy.deepcopy(service)
            with pytest.raises(Refused) as caught:
                move(service, to, reason="a reason", planned_on=MARCH_24 if to == "planned" else None)
            assert caught.value.extra["current_status"] == status
            assert service == before


def test_a_split_started_then_done_on_its_actual_date_is_announced() -> None:
    service = shared()
    assert move(service, "in_progress", on=date(2022, 10, 3)) is None
    assert move(service, "disaggregated", on=TODAY) == "disaggregated"
    assert (service.status, service.started_on, service.actual_on) == ("disaggregated", date(2022, 10, 3), TODAY)
    assert service.next_statuses == []


@pytest.mark.parametrize(
    ("to", "given", "field"),
    [
        ("disaggregated", {"on": date(2022, 11, 2)}, "on"),  # tomorrow: recorded once it has happened
        ("in_progress", {"on": date(2023, 1, 1)}, "on"),
        ("deferred", {}, "reason"),
        ("cancelled", {"reason": "  "}, "reason"),
        ("in_progress", {"planned_on": MARCH_24}, "planned_on"),
        ("in_progress", {"to": "hosted"}, "to"),
    ],
)
def test_a_transition_missing_what_it_needs_is_refused(to: str, given: dict[str, Any], field: str) -> None:
    service = shared()
    before = copy.deepcopy(service)
    with pytest.raises(Invalid) as caught:
        move(service, given.pop("to", to), **given)
    assert field in {e["field"] for e in caught.value.errors}
    assert service == before


def test_not_disaggregated_before_it_started() -> None:
    service = shared()
    move(service, "in_progress", on=date(2022, 10, 3))
    with pytest.raises(Invalid) as caught:
        move(service, "disaggregated", on=date(2022, 10, 2))
    assert caught.value.errors[0]["field"] == "on"


def test_deferring_a_planned_split_is_a_slip_and_planning_it_again_keeps_the_first_date() -> None:
    service = shared()
    assert move(service, "deferred", reason="£90k additional cost to WNC to split") == "slipped"
    assert (service.status, service.planned_on, service.first_planned_on) == ("deferred", None, MARCH_23)
    assert service.deferred_reason == "£90k additional cost to WNC to split"
    assert move(service, "planned", planned_on=MARCH_24) is None  # the slip was said when it was deferred
    assert (service.planned_on, service.first_planned_on, service.deferred_reason) == (MARCH_24, MARCH_23, None)
    never_dated = shared(planned_on=None, deferred_reason="Deferred until safe & legal")
    assert move(never_dated, "planned", planned_on=MARCH_24) is None
    assert never_dated.first_planned_on == MARCH_24  # its first date is the one it is first planned for


def test_a_planned_split_is_not_planned_again_without_a_date() -> None:
    service = shared(planned_on=None, deferred_reason="Deferred until safe & legal")
    with pytest.raises(Invalid) as caught:
        move(service, "planned")
    assert caught.value.errors[0]["field"] == "planned_on"


# ---------------------------------------------------------------- due, slipped, done


def test_add_months_keeps_the_day_or_the_months_last() -> None:
    assert add_months(date(2022, 11, 1), 6) == date(2023, 5, 1)
    assert add_months(date(2022, 8, 31), 6) == date(2023, 2, 28)
    assert add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)
    assert add_months(date(2022, 12, 15), 1) == date(2023, 1, 15)


def test_where_each_split_stands_on_a_day() -> None:
    due = shared()  # March 2023, within six months of November 2022
    later = shared(planned_on=MARCH_24)
    assert standing(due, TODAY) == {"due"} and standing(later, TODAY) == set()
    assert standing(later, TODAY, months=18) == {"due"}
    # seed 001's Assistive Technology Service: March 2023 moved to March 2024 for the new contract
    moved = shared()
    moved.amend({"planned_on": MARCH_24}, by="officer", now=NOW)
    assert slip_of(moved, TODAY) == {"why": "moved_later", "days_late": 366}
    assert standing(moved, TODAY) == {"slipped"} and standing(moved, date(2024, 1, 1)) == {"slipped", "due"}
    # the date passed and it is not done: slipped, by the days since
    assert slip_of(due, date(2023, 4, 10)) == {"why": "passed", "days_late": 10}
    assert standing(due, date(2023, 4, 10)) == {"slipped"}
    deferred = shared()
    move(deferred, "deferred", reason="£150k additional cost to WNC to split")
    assert standing(deferred, TODAY) == {"slipped"} and slip_of(deferred, TODAY) == {"why": "deferred"}
    never_dated = shared(planned_on=None, deferred_reason="Deferred until safe & legal")
    assert standing(never_dated, TODAY) == {"deferred"} and slip_of(never_dated, TODAY) is None
    done = shared()
    move(done, "disaggregated", on=date(2022, 10, 31))
    assert standing(done, TODAY) == {"done"} and slip_of(done, TODAY) is None
    assert standing(done, date(2022, 10, 1)) == {"due"}  # before its actual date it was still to come
    cancelled = shared()
    move(cancelled, "cancelled", reason="the benefits do not justify the investment")
    assert standing(cancelled, TODAY) == set()


def test_the_report_counts_by_host_council_with_the_cost_still_shared() -> None:
    def one(id: str, host: str, other: str, **fields: Any) -> SharedService:
        service = shared(host_council=host, other_council=other, **fields)
        service.id = id
        return service

    north, west = "North Northamptonshire", "West Northamptonshire"
    done = one("a", west, north, cost_split={"basis": "pence", "annual_cost_pence": 900, "host_pence": 500,
                                             "other_pence": 400})  # fmt: skip
    move(done, "disaggregated", on=date(2022, 10, 1))
    due = one("b", west, north, cost_split={"basis": "percent", "host_percent": 50, "other_percent": 50,
                                            "annual_cost_pence": 1_001})  # fmt: skip
    unpriced = one("c", north, west, planned_on=None, deferred_reason="Deferred until safe & legal",
                   cost_split={"basis": "percent", "host_percent": 70, "other_percent": 30})  # fmt: skip
    report = classify([done, due, unpriced], TODAY, 6)
    assert (report["as_of"], report["until"]) == ("2022-11-01", "2023-05-01")
    assert [line["id"] for line in report["done"]] == ["a"] and [line["id"] for line in report["due"]] == ["b"]
    assert [line["id"] for line in report["deferred"]] == ["c"] and report["slipped"] == []
    assert report["by_host"] == [
        {"host_council": north, "services": 1, "due": 0, "slipped": 0, "done": 0, "deferred": 1,
         "still_shared": {"services": 1, "annual_cost_pence": 0, "host_pence": 0, "other_pence": 0,
                          "without_cost": 1}},
        {"host_council": west, "services": 2, "due": 1, "slipped": 0, "done": 1, "deferred": 0,
         "still_shared": {"services": 1, "annual_cost_pence": 1_001, "host_pence": 501, "other_pence": 500,
                          "without_cost": 0}},
    ]  # fmt: skip
    assert report["totals"]["still_shared"]["annual_cost_pence"] == 1_001 and report["totals"]["services"] == 3
