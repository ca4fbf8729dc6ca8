"""Versioned documents: ids, optimistic concurrency and the API form of a stored document."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from bson import ObjectId
from pymongo import InsertOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ClientBulkWriteException, DuplicateKeyError, PyMongoError

from civic.errors import NotFound, PreconditionFailed, Refused

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pymongo.asynchronous.mongo_client import _WriteOp
    from pymongo.results import ClientBulkWriteResult

    from civic.service import Runtime
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
    doc = new_document(doc)
    await uow.db[collection].insert_one(doc, session=uow.session)
    return doc


def new_document(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` as :func:`insert` stores it: ``_id`` (if absent), ``version=1``, ``created_at``, ``updated_at``."""
    stamp = now()
    doc = {"_id": doc.get("_id") or new_id(), **{k: v for k, v in doc.items() if k != "_id"}}
    doc.update(version=1, created_at=stamp, updated_at=stamp)
    return doc


def namespace(uow: UnitOfWork, collection: str) -> str:
    """The ``database.collection`` a write of :func:`write_together` names."""
    return f"{uow.db.name}.{collection}"


def insert_op(uow: UnitOfWork, collection: str, doc: dict[str, Any]) -> tuple[InsertOne[Any], dict[str, Any]]:
    """The write that inserts ``doc`` as :func:`insert` would, for :func:`write_together`; and the stored doc."""
    doc = new_document(doc)
    return InsertOne(doc, namespace=namespace(uow, collection)), doc


async def write_together(uow: UnitOfWork, writes: Sequence[_WriteOp]) -> ClientBulkWriteResult:
    """Several writes, in any collections, as one command in ``uow``'s transaction (MongoDB 8's bulkWrite).

    One round trip instead of one per collection. Each write names its collection (``namespace=`` from
    :func:`namespace`); they run in order and the first that fails stops the rest, like the writes one
    by one. A failure is raised as the writes one by one raise it: a conflict with another transaction
    keeps its ``TransientTransactionError`` label (so the change is retried), a duplicate key is a
    :class:`~pymongo.errors.DuplicateKeyError`.
    """
    try:
        return await uow.db.client.bulk_write(writes, session=uow.session, ordered=True)
    except ClientBulkWriteException as exc:
        raise _as_single_write_error(exc) from exc


def _as_single_write_error(exc: ClientBulkWriteException) -> PyMongoError:
    if isinstance(exc.error, PyMongoError):
        return exc.error  # the command failed as a whole: a write conflict, the connection, the transaction
    write_errors: list[dict[str, Any]] = exc.details.get("writeErrors") or []  # documents, whatever the stub says
    for error in write_errors:
        if error.get("code") == 11000:
            return DuplicateKeyError(error.get("errmsg", "duplicate key"), 11000, error)
    return exc


async def load(
    source: UnitOfWork | AsyncDatabase[Any],
    collection: str,
    id: str,
    kind: str = "resource",
    *,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """The document ``id``: ``NotFound(kind, id)`` when there is none, and, for a change that names the
    version it starts from (If-Match), ``PreconditionFailed`` when it is at another (:func:`check_version`)."""
    db, session = _target(source)
    doc = await db[collection].find_one({"_id": id}, session=session)
    if doc is None:
        raise NotFound(kind, id)
    check_version(doc, expected_version)
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


M = TypeVar("M")


@dataclass(frozen=True)
class Stored(Generic[M]):
    """One kind of versioned document and the domain object it holds, so that a use case that changes one
    reads ``doc, model = await STORED.load(uow, id, if_match)``, applies a rule, and
    ``await STORED.save(uow, doc, model)``: where it is kept, how a 404 names it, and the repository's two
    mappings, said once. ``document(model, loaded)`` writes the model over the document it was loaded from."""

    collection: str
    kind: str
    model: Callable[[dict[str, Any]], M]
    document: Callable[[M, dict[str, Any]], dict[str, Any]]

    async def load(
        self, source: UnitOfWork | AsyncDatabase[Any], id: str, expected_version: int | None = None
    ) -> tuple[dict[str, Any], M]:
        """The document and the model made from it: ``NotFound`` naming the kind, ``PreconditionFailed``
        when If-Match (``expected_version``) names another version (as :func:`load`)."""
        doc = await load(source, self.collection, id, self.kind, expected_version=expected_version)
        return doc, self.model(doc)

    async def save(self, uow: UnitOfWork, loaded: dict[str, Any], model: M) -> dict[str, Any]:
        """The changed model saved over the document it was loaded from (as :func:`save`: ``Refused`` when
        someone changed it meanwhile)."""
        return await save(uow, self.collection, self.document(model, loaded), loaded["version"])

    async def change(
        self, rt: Runtime, id: str, expected_version: int | None, rule: Callable[[M], object]
    ) -> dict[str, Any]:
        """The whole of a change that only applies one of the model's rules, `rule`, needing nothing else read
        and announcing nothing: loaded (If-Match), changed, saved, in its own transaction. The saved document."""

        async def work(uow: UnitOfWork) -> dict[str, Any]:
            doc, model = await self.load(uow, id, expected_version)
            rule(model)
            return await self.save(uow, doc, model)

        return await rt.transaction(work)


def fields_of(model: object, *names: str) -> dict[str, Any]:
    """The model's attributes ``names``, under the same names and in that order: the part of a document
    (or of an event's data) that copies the model as it is. A mapping writes the fields it renames or
    converts (``_id``, days as text) beside it, e.g. ``{"_id": m.id, **fields_of(m, "title", "owner")}``."""
    return {name: getattr(model, name) for name in names}


def values_of(doc: dict[str, Any], *names: str) -> dict[str, Any]:
    """The document's values ``names``, for the model's fields that keep the stored value as it is; a name
    the document lacks raises ``KeyError``, as ``doc[name]`` would (optional ones: :func:`values_or_none`)."""
    return {name: doc[name] for name in names}


def values_or_none(doc: dict[str, Any], *names: str) -> dict[str, Any]:
    """The document's values ``names`` for the model's optional fields kept as stored, None where absent
    (a field added since the document was written): :func:`values_of` for optional fields."""
    return {name: doc.get(name) for name in names}


def resource(doc: dict[str, Any]) -> dict[str, Any]:
    """The API form: ``_id`` becomes ``id``; keys starting with ``_`` are internal and dropped."""
    out = {"id": doc["_id"]} if "_id" in doc else {}
    out.update({k: v for k, v in doc.items() if not k.startswith("_")})
    return out


def day_text(day: date | None) -> str | None:
    """A day as documents keep it: ISO text ("2023-03-31"), which sorts and compares as the days do (BSON
    has no date-only type); None stays None."""
    return day.isoformat() if day else None


def day_from_text(text: str | None) -> date | None:
    """The day a document keeps as ISO text; None (or nothing) stays None."""
    return date.fromisoformat(text) if text else None


def matching(**fields: Any) -> dict[str, Any]:
    """A query for the documents whose fields equal the values given; a field given as None (a filter the
    caller left out) is not filtered on: ``matching(status="open", town=None)`` is ``{"status": "open"}``."""
    return {name: value for name, value in fields.items() if value is not None}
