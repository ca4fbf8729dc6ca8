"""The highlight report's rules, pure: month arithmetic, the programme's RAG and its direction of travel, an
initiative's state at a moment from its history, savings at risk, the top open items by score, and what may be
issued."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from civic.errors import Invalid, Refused
from civic_savings.highlight_reports import domain


def test_months_before_and_after_cross_the_year():
    assert (domain.month_before("2024-01"), domain.month_after("2024-12")) == ("2023-12", "2025-01")
    assert (domain.month_before("2024-05"), domain.month_after("2024-05")) == ("2024-04", "2024-06")
    assert domain.month_of(date(2024, 3, 31)) == "2024-03"
    # the register's first and last months still have a month either side to compare with
    assert (domain.month_before("2000-01"), domain.month_end("2099-12")) == ("1999-12", datetime(2100, 1, 1, tzinfo=UTC))


def test_a_month_ends_at_midnight_in_london():
    assert domain.month_end("2024-06") == datetime(2024, 6, 30, 23, 0, tzinfo=UTC)  # BST
    assert domain.month_end("2024-12") == datetime(2025, 1, 1, 0, 0, tzinfo=UTC)  # GMT


def test_not_a_month_is_invalid():
    for month in ("2024-13", "1999-12"):
        with pytest.raises(Invalid):
            domain.month_parts(month)


def test_the_programme_is_as_red_as_its_reddest_delivering_initiative():
    assert domain.programme_rag([("approved", "green"), ("in_delivery", "amber"), ("slipped", None)]) == "amber"
    assert domain.programme_rag([("proposed", "red"), ("delivered", "red"), ("approved", "green")]) == "green"
    assert domain.programme_rag([("proposed", "red")]) is None


@pytest.mark.parametrize(("now", "before", "expected"), [
    ("amber", "red", "improving"), ("red", "green", "worsening"), ("amber", "amber", "unchanged"),
    ("red", None, None), (None, "red", None),
])  # fmt: skip
def test_direction_of_travel(now, before, expected):
    assert domain.direction(now, before) == expected


def at(day: int) -> datetime:
    return datetime(2024, 5, day, 12, tzinfo=UTC)


def test_state_at_a_moment_from_the_first_change_after_it():
    history = [
        {"at": at(1), "kind": "status", "to": "proposed"},
        {"at": at(3), "kind": "status", "from": "proposed", "to": "approved"},
        {"at": at(5), "kind": "rag", "from": "green", "to": "amber"},
        {"at": at(9), "kind": "rag", "from": "amber", "to": "red"},
    ]
    assert domain.state_at(history, "approved", "red", at(10)) == ("approved", "red")
    assert domain.state_at(history, "approved", "red", at(6)) == ("approved", "amber")
    assert domain.state_at(history, "approved", "red", at(2)) == ("proposed", "green")
    assert domain.state_at(history, "approved", "red", at(1).replace(hour=0)) == (None, "green")  # not yet


def test_savings_at_risk_are_the_amber_and_red_delivering_initiatives_planned():
    start, end = at(1), at(31)
    initiatives = [
        {"_id": "a", "status": "in_delivery", "rag": "amber", "planned_pence": 100, "delivered_pence": 40,
         "history": [{"at": at(2), "kind": "actual", "delivered_pence": 40, "previous_pence": 10},
                     {"at": datetime(2024, 4, 2, tzinfo=UTC), "kind": "actual", "delivered_pence": 10}]},
        {"_id": "b", "status": "approved", "rag": "red", "planned_pence": 50},
        {"_id": "c", "status": "delivered", "rag": "red", "planned_pence": 70, "delivered_pence": 70},
        {"_id": "d", "status": "rejected", "rag": "red", "planned_pence": 999},
    ]  # fmt: skip
    figures = domain.savings(initiatives, start, end)
    assert (figures["planned_pence"], figures["delivered_pence"], figures["delivered_in_month_pence"]) == (220, 110, 30)
    assert (figures["at_risk_pence"], figures["at_risk_amber_pence"], figures["at_risk_red_pence"]) == (150, 100, 50)
    assert [i["initiative_id"] for i in figures["initiatives_at_risk"]] == ["b", "a"]  # red first


def test_top_five_open_items_of_a_kind_by_score_earliest_first_on_a_tie():
    items = [{"_id": f"{n:02d}", "kind": "risk", "status": "open", "score": score}
             for n, score in enumerate([4, 20, 9, 20, 12, 1, 16])]  # fmt: skip
    items += [{"_id": "98", "kind": "risk", "status": "closed", "score": 25},
              {"_id": "99", "kind": "issue", "status": "open", "score": 25}]  # fmt: skip
    assert [i["_id"] for i in domain.ranked(items, "risk")] == ["01", "03", "06", "04", "02"]
    assert [i["_id"] for i in domain.ranked(items, "issue")] == ["99"]


def test_only_a_month_begun_is_issued_and_only_once():
    domain.check_issuable("2024-05", date(2024, 5, 1))
    domain.check_issuable("2024-04", date(2024, 5, 1))
    with pytest.raises(Invalid):
        domain.check_issuable("2024-06", date(2024, 5, 31))
    domain.check_not_issued("2024-05", None)
    with pytest.raises(Refused):
        domain.check_not_issued("2024-05", {"issued_at": "2024-05-31T10:00:00+00:00"})
