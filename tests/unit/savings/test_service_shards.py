"""How a change picks the read-model shard it writes."""

from __future__ import annotations

from civic_savings.service import ShardsInUse


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
