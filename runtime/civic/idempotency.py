"""Idempotency-Key: a retried POST gets the first result, always, and never makes a second change.

The key's record is written in the same MongoDB transaction as the change it guards (by the one write
path, :func:`civic.uow.run_in_transaction`), so the key and the change are committed together or not
at all:

- a replay finds the key as soon as the change exists, even while the first answer is still on its way;
- a refusal aborts the transaction, so the key stays free for a corrected retry;
- two requests with the same key at once: the second's insert of the key conflicts, its transaction is
  rolled back, and it answers with the first one's result;
- a process that stops between commit and answer leaves the key with the committed result.

The record holds the caller (by the hash of subject and key), the fingerprint of the request (path,
query, body), the caller's scopes, and the result of the change. Before the answer is sent it is
completed with the exact answer (status, the headers that matter, body), which a replay sends back
as it was. A record with the result but no answer yet (the first process stopped in between) is
replayed by running the route again with the change's result handed back in place of a second change:
the route renders it as it rendered the first time.
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from fastapi.encoders import jsonable_encoder
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from civic.auth import TokenVerifier
from civic.errors import DomainError
from civic.middleware import body_once
from civic.problems import problem

if TYPE_CHECKING:
    from collections.abc import Callable

    from civic.uow import UnitOfWork

log = logging.getLogger("civic.http")
IDEMPOTENCY = "idempotency_keys"
_KEPT_HEADERS = {b"etag", b"location", b"content-type"}
_NO_RESULT = object()


@dataclass
class Claim:
    """One keyed request in flight: what its change's transaction records, and what it replays."""

    record_id: str
    fingerprint: str
    scopes: list[str]
    open: bool = True  # only the request's own changes record it (not a task that outlives it)
    recorded: bool = False  # a change committed with this key
    replay_result: Any = _NO_RESULT  # the committed result, handed back instead of changing again

    def record(self) -> dict[str, Any]:
        return {
            "_id": self.record_id,
            "state": "committed",
            "fingerprint": self.fingerprint,
            "scopes": self.scopes,
            "result": None,
            "created_at": datetime.now(UTC),
        }


_CLAIM: contextvars.ContextVar[Claim | None] = contextvars.ContextVar("civic_idempotency_claim", default=None)


class KeyAlreadyUsed(Exception):
    """Another request with the same key committed its change first: this one's is rolled back."""


def replayed_result() -> tuple[bool, Any]:
    """(True, result) when the current request replays a committed change instead of making it again."""
    claim = _CLAIM.get()
    if claim is not None and claim.open and not claim.recorded and claim.replay_result is not _NO_RESULT:
        claim.recorded = True  # only the request's first change was recorded; later ones run as usual
        return True, claim.replay_result
    return False, None


async def claim_in(uow: UnitOfWork) -> bool:
    """Write the current request's key as the first write of ``uow``'s transaction (once per request).

    First, so that a request racing with the same key conflicts before it reads anything the first one
    changes (it would otherwise be refused by the first one's effect: "already registered"). True when
    this transaction holds the key: pass the result to :func:`record_result`, and if the transaction
    does not commit, call :func:`rolled_back`.
    """
    claim = _CLAIM.get()
    if claim is None or not claim.open or claim.recorded:
        return False
    try:
        await uow.db[IDEMPOTENCY].insert_one(claim.record(), session=uow.session)
    except DuplicateKeyError as exc:
        raise KeyAlreadyUsed(claim.record_id) from exc
    claim.recorded = True
    return True


async def record_result(uow: UnitOfWork, result: Any) -> None:
    """Keep the change's result with the key, in the same transaction."""
    claim = _CLAIM.get()
    if claim is not None:
        await uow.db[IDEMPOTENCY].update_one(
            {"_id": claim.record_id}, {"$set": {"result": jsonable_encoder(result)}}, session=uow.session
        )


# A fault the end-to-end tests set on a process of their own: it stops the process the moment a keyed
# change has committed, before its answer, as a crash or a kill -9 there would (tests/e2e).
_STOP_AFTER_COMMIT = os.environ.get("CIVIC_FAILPOINT") == "exit-after-idempotent-commit"


def committed() -> None:
    """The transaction holding the key has committed."""
    if _STOP_AFTER_COMMIT:
        log.warning("failpoint: stopping between the commit and the answer")
        os._exit(70)


def rolled_back() -> None:
    """The transaction that recorded the key did not commit: it is tried again, or the request is refused."""
    claim = _CLAIM.get()
    if claim is not None:
        claim.recorded = False


def fingerprint_of(scope: Scope, body: bytes) -> str:
    return hashlib.sha256(scope["path"].encode() + b"\n" + scope.get("query_string", b"") + b"\n" + body).hexdigest()


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


async def _send(send: Send, response: Response) -> None:
    await send({"type": "http.response.start", "status": response.status_code, "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})


@dataclass
class _Captured:
    status: int = 500
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: list[bytes] = field(default_factory=list)

    def response(self) -> Response:
        response = Response(b"".join(self.body), status_code=self.status)
        response.raw_headers = self.headers
        return response

    def answer(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "headers": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in self.headers if k.lower() in _KEPT_HEADERS],
            "body": b"".join(self.body).decode("utf-8", errors="replace"),
        }


class IdempotencyMiddleware:
    """``Idempotency-Key`` on a POST: the same key and body again returns the first result, changing nothing.

    Keys are scoped to the verified caller, so one caller can never see another's replay, and to the
    scopes the caller had: a replay under a token with other scopes is refused (422), since the first
    answer may hold what the caller may no longer see (confidential fields). A refused request leaves
    the key free for a corrected retry.

    The answer of a keyed request is held until its record is complete, so whoever retries after
    seeing it finds the exact answer.
    """

    def __init__(self, app: ASGIApp, database: Callable[[], AsyncDatabase[Any] | None],
                 verifier: Callable[[], TokenVerifier | None]) -> None:
        self.app = app
        self.database = database
        self.verifier = verifier

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _header(scope, b"idempotency-key") if scope["type"] == "http" else None
        db = self.database()
        verifier = self.verifier()
        if key is None or scope.get("method") != "POST" or db is None or verifier is None:
            await self.app(scope, receive, send)
            return
        if not key or len(key) > 255:
            await _send(send, problem(422, "Idempotency-Key must be 1 to 255 characters.",
                                      instance=scope.get("path"),
                                      errors=[{"field": "Idempotency-Key", "message": "bad length"}]))
            return
        try:
            caller = await verifier.caller_of(_header(scope, b"authorization"))
        except DomainError:
            await self.app(scope, receive, send)  # the route answers 401 itself
            return
        body: bytes = scope.get("state", {}).get("civic_body", b"")
        claim = Claim(
            record_id=hashlib.sha256(f"{caller.sub}\n{key}".encode()).hexdigest(),
            fingerprint=fingerprint_of(scope, body),
            scopes=sorted(caller.scopes),
        )
        coll = db[IDEMPOTENCY]
        try:
            existing = await coll.find_one({"_id": claim.record_id})
        except PyMongoError:
            await _send(send, problem(503, "The database is not reachable; nothing was changed.",
                                      instance=scope.get("path"), headers={"Retry-After": "5"}))
            return
        if existing is None:
            try:
                await self._first(scope, receive, send, claim, coll)
                return
            except KeyAlreadyUsed:
                # the same key committed by a request running at the same moment: answer as a retry would
                existing = await coll.find_one({"_id": claim.record_id})
                if existing is None:  # pragma: no cover - the winner's record is there once it committed
                    raise
        await self._again(scope, receive, send, claim, existing)

    async def _run(self, scope: Scope, receive: Receive, claim: Claim) -> _Captured:
        """Run the route with ``claim`` current; its answer is captured, not sent."""
        captured = _Captured()
        # The body was read (and kept) by BodyLimitMiddleware. Each run of the route is handed it afresh:
        # a replay after a lost race runs the route a second time in the same request, and a route
        # waiting for a body already taken would wait for ever.
        body_again = body_once(scope.get("state", {}).get("civic_body", b""), receive)

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured.status = message["status"]
                captured.headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                captured.body.append(message.get("body", b""))

        token = _CLAIM.set(claim)
        try:
            await self.app(scope, body_again, capture)
        finally:
            claim.open = False
            _CLAIM.reset(token)
        return captured

    async def _first(self, scope: Scope, receive: Receive, send: Send, claim: Claim, coll: Any) -> None:
        captured = await self._run(scope, receive, claim)
        # The answer goes first: a change's key was committed with its result, so a retry arriving before
        # the answer below is kept replays that result ("committed"), and the caller does not wait for a
        # write that is only about answering a retry byte for byte.
        await _send(send, captured.response())
        if 200 <= captured.status < 300:
            answer = {**captured.answer(), "state": "done", "completed_at": datetime.now(UTC)}
            try:
                if claim.recorded:  # the change committed the key: complete it with the exact answer
                    await coll.update_one({"_id": claim.record_id}, {"$set": answer})
                else:  # a POST that changed nothing (a query, a computation): keep its answer all the same
                    await coll.insert_one({"_id": claim.record_id, "fingerprint": claim.fingerprint,
                                           "scopes": claim.scopes, "created_at": datetime.now(UTC), **answer})
            except DuplicateKeyError:
                pass  # the same request at the same moment, which changed nothing either
            except PyMongoError:
                # the change (if any) and its key are committed; a replay rebuilds the answer from the result
                log.warning("could not record the idempotent answer", extra={"path": scope.get("path")})

    async def _again(self, scope: Scope, receive: Receive, send: Send, claim: Claim,
                     existing: dict[str, Any]) -> None:
        path = scope.get("path")
        if existing.get("fingerprint") != claim.fingerprint:
            await _send(send, problem(422, "This Idempotency-Key was already used with a different request.",
                                      instance=path,
                                      errors=[{"field": "Idempotency-Key", "message": "reused with another body"}]))
            return
        if existing.get("scopes", claim.scopes) != claim.scopes:
            await _send(send, problem(422, "This Idempotency-Key was used under a token with other scopes; "
                                           "send the request with a new key.", instance=path,
                                      errors=[{"field": "Idempotency-Key", "message": "reused with other scopes"}]))
            return
        state = existing.get("state")
        if state == "done":
            headers = {k: v for k, v in existing.get("headers", [])}
            headers["Idempotent-Replayed"] = "true"
            await _send(send, Response(content=existing.get("body", "").encode(), status_code=existing["status"],
                                       headers=headers, media_type=headers.get("content-type", "application/json")))
            return
        if state == "committed":
            # The change committed but its answer was never recorded (the first process stopped in
            # between): the route renders the committed result again, changing nothing.
            claim.replay_result = existing.get("result")
            claim.open = True
            captured = await self._run(scope, receive, claim)
            if 200 <= captured.status < 300 and claim.recorded:
                captured.headers.append((b"idempotent-replayed", b"true"))
                await _send(send, captured.response())
                return
            log.warning("a committed idempotent result could not be rendered again",
                        extra={"path": path, "status": captured.status})
            await _send(send, problem(
                409, "A request with this Idempotency-Key took effect, but its answer cannot be rebuilt; "
                     "the result it committed is attached.", instance=path, result=existing.get("result")))
            return
        started = existing.get("created_at")
        when = started.isoformat(timespec="seconds") if isinstance(started, datetime) else "an unknown time"
        # written by an earlier version, which recorded keys apart from the change: whether it took effect is unknown
        await _send(send, problem(409, f"A request with this Idempotency-Key started at {when} and never "
                                       "finished, so whether it took effect is unknown. Check, and send the "
                                       "request again with a new key if it did not.", instance=path))
