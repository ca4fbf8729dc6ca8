"""How a change picks the read-model shard it writes, and when it looks at a programme's target."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from civic_savings.figures import contribution, difference, target_measure_change
from civic_savings.initiatives.domain import Initiative
from civic_savings.read_model.service import SHARDS, ShardsInUse
from civic_savings.read_model.service import shard_of_unit as _shard_of_unit

NOW = datetime(2024, 2, 1, tzinfo=UTC)


def test_a_change_takes_a_shard_no_other_change_of_the_process_holds() -> None:
    shards = ShardsInUse(8)
    with shards.holding() as a, shards.holding() as b, shards.holding() as c:
        assert len({a, b, c}) == 3
        taken = {a, b, c}
        assert all(shards.pick() not in taken for _ in range(200))
    # released: every shard can be taken again
    assert {shards.pick() for _ in range(500)} == set(range(8))


def test_when_every_shard_is_held_a_change_still_gets_one() -> None:
    shards = ShardsInUse(2)
    with shards.holding() as a, shards.holding() as b:
        assert {a, b} == {0, 1}
        with shards.holding() as c:
            assert c in (0, 1)
        assert shards._held == {0: 1, 1: 1}
    assert shards._held == {}


def _initiative(programme: str | None = "LGR") -> Initiative:
    return Initiative.propose(
        id="i", title="Early help", directorate="People", theme="demand_prevention", category="transformation",
        profile=[{"year": "2023/24", "planned_pence": 100}, {"year": "2024/25", "planned_pence": 50}],
        programme=programme, by="o", now=NOW,
    )  # fmt: skip


def test_a_proposal_does_not_move_a_target_and_an_approval_does() -> None:
    proposed = _initiative()
    assert target_measure_change(difference({}, contribution(proposed)), "LGR") == 0
    approved = _initiative()
    approved.transition("approved", by="chamber", now=NOW)
    delta = difference(contribution(proposed), contribution(approved))
    assert target_measure_change(delta, "LGR") == 150
    assert target_measure_change(delta, "Other") == 0


def test_a_slip_between_years_leaves_the_target_where_it_was_and_an_actual_moves_it() -> None:
    i = _initiative()
    i.transition("approved", by="chamber", now=NOW)
    before = contribution(i)
    i.transition("slipped", by="o", now=NOW, to_year="2024/25", reason="profile")
    assert target_measure_change(difference(before, contribution(i)), "LGR") == 0
    before = contribution(i)
    i.record_actual("2024/25", 40, by="o", now=NOW)
    # delivered 40, and 40 less anticipated: the sum stays; more delivered than planned moves it
    assert target_measure_change(difference(before, contribution(i)), "LGR") == 0
    before = contribution(i)
    i.record_actual("2024/25", 500, by="o", now=NOW)
    assert target_measure_change(difference(before, contribution(i)), "LGR") > 0


class _Session:
    """Stands in for a unit of work's session (only its identity matters here)."""


def test_an_event_handlers_unit_of_work_writes_one_shard_whatever_its_number_of_events() -> None:
    first, second = SimpleNamespace(session=_Session(), kept={}), SimpleNamespace(session=_Session(), kept={})
    shards = {_shard_of_unit(first) for _ in range(20)}  # type: ignore[arg-type]
    assert len(shards) == 1
    with SHARDS.holding() as held:
        # another unit of work picks a shard no change of the process holds now
        assert all(_shard_of_unit(SimpleNamespace(session=_Session(), kept={})) != held for _ in range(50))  # type: ignore[arg-type]
    assert _shard_of_unit(second) in range(SHARDS.count)  # type: ignore[arg-type]
