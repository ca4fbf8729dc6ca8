"""Versioned documents: ids, optimistic concurrency and the API form of a stored document."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase

from civic.errors import NotFound, PreconditionFailed, Refused

if TYPE_CHECKING:
    from civic.uow import UnitOfWork


def new_id() -> str:
    """Unique and roughly time-ordered, so sorting by id is sorting by creation."""
    return str(ObjectId())


def now() -> datetime:
    return datetime.now(UTC)


def _target(source: UnitOfWork | AsyncDatabase[Any]) -> tuple[AsyncDatabase[Any], Any]:
    if isinstance(source, AsyncDatabase):
        return source, None
    return source.db, source.session


async def insert(uow: UnitOfWork, collection: str, doc: dict[str, Any]) -> dict[str, Any]:
    stamp = now()
    doc = {"_id": doc.get("_id") or new_id(), **{k: v for k, v in doc.items() if k != "_id"}}
    doc.update(version=1, created_at=stamp, updated_at=stamp)
    await uow.db[collection].insert_one(doc, session=uow.session)
    return doc


async def load(
    source: UnitOfWork | AsyncDatabase[Any], collection: str, id: str, kind: str = "resource"
) -> dict[str, Any]:
    db, session = _target(source)
    doc = await db[collection].find_one({"_id": id}, session=session)
    if doc is None:
        raise NotFound(kind, id)
    return dict(doc)


def check_version(doc: dict[str, Any], expected: int | None) -> None:
    if expected is not None and doc.get("version") != expected:
        raise PreconditionFailed(
            f"This resource is at version {doc.get('version')}, not {expected}: reload it and try again.",
            current_version=doc.get("version"),
        )


async def save(uow: UnitOfWork, collection: str, doc: dict[str, Any], expected_version: int) -> dict[str, Any]:
    doc = dict(doc)
    doc["version"] = expected_version + 1
    doc["updated_at"] = now()
    result = await uow.db[collection].replace_one(
        {"_id": doc["_id"], "version": expected_version}, doc, session=uow.session
    )
    if result.matched_count != 1:
        raise Refused("Someone else changed this resource at the same moment; reload it and try again.")
    return doc


def resource(doc: dict[str, Any]) -> dict[str, Any]:
    """The API form: ``_id`` becomes ``id``; keys starting with ``_`` are internal and dropped."""
    out = {"id": doc["_id"]} if "_id" in doc else {}
    out.update({k: v for k, v in doc.items() if not k.startswith("_")})
    return out
