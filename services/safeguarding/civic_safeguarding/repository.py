"""MongoDB adapter: collection names, indexes, documents <-> the domain's dataclasses, and the
loads and saves every area's use cases share.

Dates are stored as ISO strings (BSON has no date-only type), which also sort correctly; a
meeting's `scheduled_for` keeps the form it was given (a day, or a day and time).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from typing import Any, TypeVar

from civic import documents
from civic.uow import UnitOfWork
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

BOARDS = "boards"
MEMBERS = "members"
MEETINGS = "meetings"
DECISIONS = "decisions"
MINUTES = "minutes"
CORRECTIONS = "minute_corrections"
SARS = "sars"
PRACTICE_REVIEWS = "practice_reviews"
BUDGETS = "budgets"
SUB_GROUPS = "sub_groups"
ANNUAL_REPORTS = "annual_reports"
DISPUTES = "disputes"
INTERESTS = "interests"
INTEREST_REVIEWS = "interest_reviews"
KEY_DECISIONS = "key_decisions"
DECISION_NOTICES = "decision_notices"

T = TypeVar("T")
# a unit of work (reads and writes inside its transaction) or the database (reads outside one)
Source = UnitOfWork | AsyncDatabase[Any]
# stored alongside the model by the documents helpers; not part of the domain object
_BOOKKEEPING = {"_id", "version", "created_at", "updated_at"}


async def ensure_indexes(db: AsyncDatabase[Any]) -> None:
    await db[MEMBERS].create_index([("board_id", ASCENDING), ("_id", ASCENDING)])
    await db[MEETINGS].create_indexes(
        [
            IndexModel([("board_id", ASCENDING), ("scheduled_for", ASCENDING)]),
            IndexModel([("status", ASCENDING), ("scheduled_for", ASCENDING)]),
            IndexModel([("board_id", ASCENDING), ("_id", ASCENDING)]),
        ]
    )
    await db[DECISIONS].create_indexes(
        [
            IndexModel([("board_id", ASCENDING), ("_id", ASCENDING)]),
            IndexModel([("board_id", ASCENDING), ("ratification", ASCENDING)]),
        ]
    )
    # one set of minutes per meeting: corrections are separate, linked records
    await db[MINUTES].create_index("meeting_id", unique=True)
    await db[CORRECTIONS].create_index([("minutes_id", ASCENDING), ("_id", ASCENDING)])
    await db[SARS].create_index([("board_id", ASCENDING), ("_id", ASCENDING)])
    await db[PRACTICE_REVIEWS].create_index([("board_id", ASCENDING), ("_id", ASCENDING)])
    await db[BUDGETS].create_index([("board_id", ASCENDING), ("year", DESCENDING)])
    await db[SUB_GROUPS].create_index([("board_id", ASCENDING), ("_id", ASCENDING)])
    await db[ANNUAL_REPORTS].create_index([("board_id", ASCENDING), ("_id", ASCENDING)])
    await db[INTERESTS].create_indexes(
        [
            IndexModel([("board_id", ASCENDING), ("_id", ASCENDING)]),
            IndexModel([("member_id", ASCENDING), ("_id", ASCENDING)]),
        ]
    )
    await db[INTEREST_REVIEWS].create_index([("member_id", ASCENDING), ("reviewed_on", DESCENDING)])
    await db[KEY_DECISIONS].create_indexes(
        [
            IndexModel([("board_id", ASCENDING), ("_id", ASCENDING)]),
            IndexModel([("board_id", ASCENDING), ("to_be_taken_on", ASCENDING)]),
        ]
    )
    await db[DECISION_NOTICES].create_indexes(
        [
            IndexModel([("board_id", ASCENDING), ("_id", ASCENDING)]),
            IndexModel([("board_id", ASCENDING), ("decided_on", ASCENDING), ("_id", ASCENDING)]),
        ]
    )
    await db[DISPUTES].create_indexes(
        [
            IndexModel([("board_id", ASCENDING), ("_id", ASCENDING)]),
            IndexModel([("status", ASCENDING), ("joint_meeting_due_on", ASCENDING)]),
        ]
    )


def budget_id(board_id: str, year: str) -> str:
    return f"{board_id}:{year}"


def end_of(day: date) -> str:
    """Sorts after every stored form of `day` ("2026-11-23" or "2026-11-23T10:00:00")."""
    return day.isoformat() + "T99"


# --------------------------------------------------------------------------- loading and saving


def _db(source: Source) -> tuple[AsyncDatabase[Any], Any]:
    if isinstance(source, UnitOfWork):
        return source.db, source.session
    return source, None


async def find(
    source: Source,
    coll: str,
    query: dict[str, Any],
    sort: list[tuple[str, int]] | None = None,
    limit: int = 0,
) -> list[dict[str, Any]]:
    db, session = _db(source)
    cursor = db[coll].find(query, session=session)
    if sort:
        cursor = cursor.sort(sort)
    if limit:
        cursor = cursor.limit(limit)
    return list(await cursor.to_list())


async def find_one(source: Source, coll: str, query: dict[str, Any]) -> dict[str, Any] | None:
    db, session = _db(source)
    found: dict[str, Any] | None = await db[coll].find_one(query, session=session)
    return found


async def loaded(
    source: Source, coll: str, id: str, kind: str, expected: int | None = None
) -> dict[str, Any]:
    """The document, or NotFound naming `kind`; PreconditionFailed when If-Match gave another version."""
    doc = await documents.load(source, coll, id, kind=kind)
    documents.check_version(doc, expected)
    return doc


async def insert_model(uow: UnitOfWork, coll: str, model: Any, **extra: Any) -> dict[str, Any]:
    return await documents.insert(uow, coll, to_document(model, **extra))


async def save_model(
    uow: UnitOfWork, coll: str, loaded: dict[str, Any], model: Any, **extra: Any
) -> dict[str, Any]:
    """Save a changed model over the document it was loaded from (keeps created_at)."""
    doc = {**loaded, **to_document(model, **extra)}
    return await documents.save(uow, coll, doc, loaded["version"])


# --------------------------------------------------------------------------- conversion


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def to_document(model: Any, **extra: Any) -> dict[str, Any]:
    """The model as a document; `id` becomes `_id`; `extra` keys (derived, for queries and lists) added."""
    doc: dict[str, Any] = _plain(model)
    doc["_id"] = doc.pop("id", None) or extra.pop("_id")
    doc.update({k: _plain(v) for k, v in extra.items()})
    return doc


def _parse(kind: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        if date in options and datetime in options:
            return datetime.fromisoformat(value) if len(value) > 10 else date.fromisoformat(value)
        return _parse(options[0], value) if len(options) == 1 else value
    if origin is list:
        (inner,) = typing.get_args(kind)
        return [_parse(inner, v) for v in value]
    if kind is date:
        return date.fromisoformat(value)
    if kind is datetime:
        return datetime.fromisoformat(value)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return to_model(kind, value)
    return value


def to_model(cls: type[T], doc: dict[str, Any]) -> T:
    hints = typing.get_type_hints(cls)
    values = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        key = "_id" if f.name == "id" and "_id" in doc else f.name
        if key in doc:
            values[f.name] = _parse(hints[f.name], doc[key])
    return cls(**values)
