"""Missed milestones: which are announced on a day (still planned after their due date, not yet announced for
that date; announced again once re-dated), and the event's fields (ids, no owner). No servers."""

from __future__ import annotations

from datetime import date

import pytest
from civic_contracts.savings import MilestoneMissed
from civic_savings.milestones.domain import is_missed

DUE = date(2024, 3, 31)


@pytest.mark.parametrize(
    ("status", "on", "announced_for", "missed"),
    [
        ("planned", date(2024, 4, 1), None, True),  # due yesterday
        ("planned", date(2024, 5, 1), None, True),
        ("planned", DUE, None, False),  # due today: not missed until tomorrow
        ("planned", date(2024, 3, 1), None, False),
        ("planned", date(2024, 4, 1), DUE, False),  # announced for this date already
        ("planned", date(2024, 4, 1), date(2024, 2, 29), True),  # re-dated since: announced again
        ("done", date(2024, 4, 1), None, False),
        ("dropped", date(2024, 4, 1), None, False),
    ],
)
def test_which_milestones_are_missed_on_a_day(status: str, on: date, announced_for: date | None, missed: bool) -> None:
    assert is_missed(status, DUE, announced_for, on) is missed


def test_the_event_carries_no_owner() -> None:
    assert "owner" not in MilestoneMissed.model_fields
    event = MilestoneMissed(milestone_id="m1", initiative_id="i1", programme="LGR", title="Staff consultation closes",
                            due_on=DUE, days_overdue=1)
    assert MilestoneMissed.event_type == "savings.milestone.missed"
    assert event.model_dump(mode="json")["due_on"] == "2024-03-31"
