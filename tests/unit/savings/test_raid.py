"""The RAID log's rules: the rating from likelihood and impact, an item recorded and amended while open (its
rating reaching red), closing with a reason (final). No servers."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime

import pytest
from civic.errors import Invalid, Refused
from civic_savings.risks.domain import RaidItem, rating, score

NOW = datetime(2024, 3, 10, 9, 0, tzinfo=UTC)


def item(**overrides: object) -> RaidItem:
    fields: dict[str, object] = {"kind": "risk", "title": "Legal challenge", "owner": "Monitoring Officer",
                                 "likelihood": 3, "impact": 4, "review_on": date(2024, 4, 30)}  # fmt: skip
    fields.update(overrides)
    return RaidItem.record(id="r1", programme="LGR", initiative_id=None, fields=fields, by="officer", now=NOW)


@pytest.mark.parametrize(
    ("likelihood", "impact", "points", "band"),
    [
        (1, 1, 1, "green"), (2, 3, 6, "green"),  # seed 003 scores 6 ...
        (3, 3, 9, "amber"), (2, 4, 8, "amber"), (3, 4, 12, "amber"),  # ... 9 and 12
        (3, 5, 15, "red"), (4, 4, 16, "red"), (5, 5, 25, "red"),
    ],
)
def test_the_rating_is_likelihood_times_impact_in_bands(likelihood: int, impact: int, points: int, band: str) -> None:
    assert (score(likelihood, impact), rating(likelihood, impact)) == (points, band)


def test_a_new_item_is_open_rated_and_noted() -> None:
    recorded = item(title="  Legal challenge ")
    assert (recorded.status, recorded.title, recorded.score, recorded.rating) == ("open", "Legal challenge", 12, "amber")
    assert recorded.history == [{"at": NOW, "by": "officer", "kind": "recorded", "rating": "amber"}]
    assert not recorded.reached_red(None)
    assert item(likelihood=5, impact=3).reached_red(None)  # recorded red


@pytest.mark.parametrize(
    ("fields", "broken"),
    [
        ({"likelihood": 0}, {"likelihood"}),
        ({"impact": 6}, {"impact"}),
        ({"impact": True}, {"impact"}),
        ({"kind": "threat"}, {"kind"}),
        ({"review_on": "2024-04-30"}, {"review_on"}),
        ({"title": " ", "owner": None, "likelihood": 2.5}, {"title", "owner", "likelihood"}),
    ],
)
def test_every_broken_field_is_named(fields: dict[str, object], broken: set[str]) -> None:
    with pytest.raises(Invalid) as caught:
        item(**fields)
    assert {e["field"] for e in caught.value.errors} == broken


def test_an_amendment_that_makes_it_red_is_noted_with_the_old_rating() -> None:
    recorded = item()
    assert recorded.amend({"likelihood": 4}, by="officer", now=NOW) is True
    assert recorded.history[-1] == {"at": NOW, "by": "officer", "kind": "amended", "fields": ["likelihood"],
                                    "rating_was": "amber", "rating": "red"}  # fmt: skip
    assert recorded.reached_red("amber") and not recorded.reached_red("red")
    assert recorded.amend({"likelihood": 4}, by="officer", now=NOW) is False  # the same again changes nothing


def test_refused_amendments_change_nothing() -> None:
    recorded = item()
    before = copy.deepcopy(recorded)
    with pytest.raises(Invalid) as caught:
        recorded.amend({"impact": 9, "kind": "issue", "status": "closed"}, by="officer", now=NOW)
    assert {e["field"] for e in caught.value.errors} == {"impact", "kind", "status"}
    assert recorded == before


def test_closing_needs_a_reason_and_is_final() -> None:
    recorded = item()
    before = copy.deepcopy(recorded)
    for reason in (None, "  "):
        with pytest.raises(Invalid) as caught:
            recorded.close(reason, by="officer", now=NOW)
        assert caught.value.errors[0]["field"] == "reason"
    assert recorded == before
    recorded.close("Legal advice: the risk of challenge is low", by="officer", now=NOW)
    assert (recorded.status, recorded.closed_on, recorded.closed_by) == ("closed", date(2024, 3, 10), "officer")
    closed = copy.deepcopy(recorded)
    with pytest.raises(Refused):
        recorded.close("again", by="officer", now=NOW)
    with pytest.raises(Refused):
        recorded.amend({"likelihood": 5}, by="officer", now=NOW)
    assert recorded == closed


def test_a_decision_needed_says_what_the_board_is_asked_to_decide():
    now = datetime(2024, 5, 1, tzinfo=UTC)
    fields = {"kind": "risk", "title": "t", "owner": "o", "likelihood": 2, "impact": 2, "review_on": date(2024, 6, 1)}
    with pytest.raises(Invalid):
        RaidItem.record(id="1", programme="P", initiative_id=None, fields={**fields, "decision_needed": True},
                        by="x", now=now)  # fmt: skip
    item = RaidItem.record(id="1", programme="P", initiative_id=None, fields=fields, by="x", now=now)
    with pytest.raises(Invalid):
        item.amend({"decision_needed": True}, by="x", now=now)
    assert item.amend({"decision_needed": True, "decision": " Agree the spend "}, by="x", now=now)
    assert (item.decision_needed, item.decision) == (True, "Agree the spend")
    assert item.amend({"decision_needed": False}, by="x", now=now) and not item.decision_needed
