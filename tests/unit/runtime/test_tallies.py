"""What a change moves in a tally of records by status: one fewer where it was, one more where it is,
with its figures."""

from __future__ import annotations

from civic.tallies import RECORDS, ShardsInUse, Tally

ESTATE = Tally("estate", "buildings", figures=("cost",))


def test_a_new_record_counts_once_in_its_status_with_its_figures() -> None:
    assert ESTATE.moves(None, {"status": "in_use", "cost": 500}) == {"in_use": {RECORDS: 1, "cost": 500}}


def test_a_record_moving_status_leaves_one_and_joins_the_other() -> None:
    assert ESTATE.moves({"status": "in_use", "cost": 500}, {"status": "closed", "cost": 500}) == {
        "in_use": {RECORDS: -1, "cost": -500},
        "closed": {RECORDS: 1, "cost": 500},
    }


def test_a_figure_changing_in_the_same_status_moves_only_the_figure() -> None:
    assert ESTATE.moves({"status": "in_use", "cost": 500}, {"status": "in_use", "cost": 650}) == {
        "in_use": {RECORDS: 0, "cost": 150}
    }


def test_a_missing_figure_counts_as_nothing() -> None:
    assert ESTATE.moves(None, {"status": "in_use"}) == {"in_use": {RECORDS: 1, "cost": 0}}


def test_nothing_written_when_nothing_moved() -> None:
    class Db:
        name = "civic_property"

    same = {"status": "in_use", "cost": 500}
    assert ESTATE.writes(Db(), same, dict(same), 3) == []  # type: ignore[arg-type]
    [write] = ESTATE.writes(Db(), None, same, 3)  # type: ignore[arg-type]
    assert write._filter == {"_id": "in_use:3"} and write._doc["$inc"] == {RECORDS: 1, "cost": 500}


def test_a_shard_in_use_is_not_given_to_another_change_of_the_process() -> None:
    shards = ShardsInUse(4)
    with shards.holding() as first, shards.holding() as second, shards.holding() as third:
        assert len({first, second, third}) == 3
