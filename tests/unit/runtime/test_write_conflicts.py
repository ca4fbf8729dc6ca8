"""Which failures of a unit of work are a lost write conflict (tried again at once: a consumer's group, a replay batch)
and which are not (the one-by-one path: retries, dead letters, or waiting for the database)."""

from __future__ import annotations

from civic.errors import Unavailable
from civic.uow import lost_a_write_conflict
from pymongo.errors import AutoReconnect, DuplicateKeyError, OperationFailure, ServerSelectionTimeoutError


def _conflict() -> OperationFailure:
    error = OperationFailure("WriteConflict", code=112)
    error._add_error_label("TransientTransactionError")
    return error


def _as_the_unit_of_work_raises(cause: Exception) -> Unavailable:
    try:
        raise Unavailable("Another change to the same record was being made at the same moment.") from cause
    except Unavailable as exc:
        return exc


def test_a_write_conflict_is_one_whether_raised_as_is_or_by_the_unit_of_work() -> None:
    assert lost_a_write_conflict(_conflict())
    assert lost_a_write_conflict(_as_the_unit_of_work_raises(_conflict()))


def test_the_database_away_is_not_a_conflict_even_with_the_transient_label() -> None:
    away = AutoReconnect("connection closed")
    away._add_error_label("TransientTransactionError")
    assert not lost_a_write_conflict(_as_the_unit_of_work_raises(away))
    assert not lost_a_write_conflict(_as_the_unit_of_work_raises(ServerSelectionTimeoutError("no server")))


def test_a_handler_failing_or_a_duplicate_is_not_a_conflict() -> None:
    assert not lost_a_write_conflict(ValueError("bad data"))
    assert not lost_a_write_conflict(DuplicateKeyError("E11000"))
    assert not lost_a_write_conflict(Unavailable("The database is not reachable"))
