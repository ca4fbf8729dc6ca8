"""ASGI middleware every component shares: request ids, trace id header, metrics, body limit, Idempotency-Key."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from civic import metrics
from civic.auth import TokenVerifier
from civic.errors import DomainError
from civic.problems import problem
from civic.telemetry import current_trace_id

log = logging.getLogger("civic.http")
IDEMPOTENCY = "idempotency_keys"
# A request still pending after this long was cut off (its process stopped): no request runs this long
# (the gateway gives up after seconds; a stopping service drains for at most 25 s).
INTERRUPTED_AFTER = timedelta(minutes=2)
_KEPT_HEADERS = {b"etag", b"location", b"content-type"}


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


class RequestContextMiddleware:
    """X-Request-Id in and out, X-Trace-Id out, request metrics by route template."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _header(scope, b"x-request-id") or uuid.uuid4().hex
        if len(request_id) > 128 or not request_id.isprintable():
            request_id = uuid.uuid4().hex
        started = time.perf_counter()
        status_holder = {"status": 500}

        async def send_with_ids(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                trace_id = current_trace_id()
                if trace_id:
                    headers.append((b"x-trace-id", trace_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_ids)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "GET")
            metrics.REQUESTS.labels(self.service, method, template, str(status_holder["status"])).inc()
            metrics.LATENCY.labels(self.service, method, template).observe(time.perf_counter() - started)


async def _send_response(send: Send, response: Any) -> None:
    await send({"type": "http.response.start", "status": response.status_code, "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})


_ESCAPE = re.compile(rb"\\(u[0-9a-fA-F]{4}|.)", re.DOTALL)


def lone_surrogate(body: bytes) -> bool:
    """True when a JSON text escapes a UTF-16 surrogate that has no partner (e.g. "\\ud800"): such a
    string is not Unicode text; it cannot be stored (BSON is UTF-8) nor sent back (RFC 7493, I-JSON)."""
    high_ends_at = -1
    for match in _ESCAPE.finditer(body):
        escape = match.group(1)
        code = int(escape[1:], 16) if escape[:1] == b"u" and len(escape) == 5 else None
        low = code is not None and 0xDC00 <= code <= 0xDFFF
        if high_ends_at >= 0 and not (match.start() == high_ends_at and low):
            return True  # a high surrogate not followed at once by a low one
        if high_ends_at >= 0:
            high_ends_at = -1
            continue
        if code is not None and 0xD800 <= code <= 0xDBFF:
            high_ends_at = match.end()
        elif low:
            return True  # a low surrogate with no high one before it
    return high_ends_at >= 0


class BodyLimitMiddleware:
    """Refuses bodies over the limit with 413, by Content-Length or by counting a streamed body, and
    JSON bodies whose strings are not Unicode text (a lone surrogate escape) with 400."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _send_response(send, self._too_large(scope))
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _send_response(send, self._too_large(scope))
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        content_type = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
        if body and content_type.endswith(("/json", "+json")):
            unreadable = None
            try:
                body.decode("utf-8")  # JSON text is UTF-8 (RFC 8259); encoded surrogates are not UTF-8 either
            except UnicodeDecodeError:
                unreadable = "The request body is not UTF-8 text."
            if unreadable is None and b"\\u" in body and lone_surrogate(body):
                unreadable = "The request body is not valid JSON text: a string holds a lone UTF-16 surrogate escape."
            if unreadable is not None:
                await _send_response(send, problem(400, unreadable, type_slug="malformed-json",
                                                   instance=scope.get("path")))
                return
        scope.setdefault("state", {})["civic_body"] = body
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _too_large(self, scope: Scope) -> Any:
        return problem(413, f"The request body is larger than the limit of {self.max_bytes} bytes.",
                       instance=scope.get("path"), limit_bytes=self.max_bytes)


class IdempotencyMiddleware:
    """``Idempotency-Key`` on a POST: the same key and body again returns the first result, creating nothing.

    Keys are scoped to the verified caller, so one caller can never see another's replay, and to the
    scopes the caller had: a replay under a token with other scopes is refused (422), since the first
    answer may hold what the caller may no longer see (confidential fields). Only
    successful results are kept; a refusal leaves the key free for a corrected retry.
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
            await _send_response(send, problem(422, "Idempotency-Key must be 1 to 255 characters.",
                                               instance=scope.get("path"),
                                               errors=[{"field": "Idempotency-Key", "message": "bad length"}]))
            return
        try:
            caller = await verifier.caller_of(_header(scope, b"authorization"))
        except DomainError:
            await self.app(scope, receive, send)  # the route answers 401 itself
            return
        body: bytes = scope.get("state", {}).get("civic_body", b"")
        fingerprint = hashlib.sha256(
            scope["path"].encode() + b"\n" + scope.get("query_string", b"") + b"\n" + body
        ).hexdigest()
        record_id = hashlib.sha256(f"{caller.sub}\n{key}".encode()).hexdigest()
        coll = db[IDEMPOTENCY]
        try:
            existing = await coll.find_one({"_id": record_id})
            if existing is not None:
                await _send_response(send, self._answer_existing(scope, existing, fingerprint, sorted(caller.scopes)))
                return
            await coll.insert_one({"_id": record_id, "state": "pending", "fingerprint": fingerprint,
                                   "scopes": sorted(caller.scopes),
                                   "created_at": datetime.now(UTC)})
        except DuplicateKeyError:
            await _send_response(send, problem(409, "A request with this Idempotency-Key is still in progress.",
                                               instance=scope.get("path")))
            return
        except PyMongoError:
            await _send_response(send, problem(503, "The database is not reachable; nothing was changed.",
                                               instance=scope.get("path")))
            return

        captured: dict[str, Any] = {"status": 500, "headers": [], "body": []}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = [
                    [k.decode("latin-1"), v.decode("latin-1")]
                    for k, v in message.get("headers", []) if k.lower() in _KEPT_HEADERS
                ]
            elif message["type"] == "http.response.body":
                captured["body"].append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            try:
                if 200 <= captured["status"] < 300:
                    await coll.update_one({"_id": record_id}, {"$set": {
                        "state": "done", "status": captured["status"], "headers": captured["headers"],
                        "body": b"".join(captured["body"]).decode("utf-8", errors="replace"),
                        "completed_at": datetime.now(UTC),
                    }})
                else:
                    await coll.delete_one({"_id": record_id})
            except PyMongoError:
                log.warning("could not record the idempotency result", extra={"path": scope.get("path")})

    @staticmethod
    def _answer_existing(scope: Scope, existing: dict[str, Any], fingerprint: str, scopes: list[str]) -> Any:
        from starlette.responses import Response

        if existing.get("fingerprint") != fingerprint:
            return problem(422, "This Idempotency-Key was already used with a different request.",
                           instance=scope.get("path"),
                           errors=[{"field": "Idempotency-Key", "message": "reused with another body"}])
        if existing.get("scopes", scopes) != scopes:
            return problem(422, "This Idempotency-Key was used under a token with other scopes; "
                                "send the request with a new key.",
                           instance=scope.get("path"),
                           errors=[{"field": "Idempotency-Key", "message": "reused with other scopes"}])
        if existing.get("state") != "done":
            started = existing.get("created_at")
            if isinstance(started, datetime):
                started = started if started.tzinfo else started.replace(tzinfo=UTC)
                if datetime.now(UTC) - started > INTERRUPTED_AFTER:
                    # The first request's process stopped before it recorded an outcome. Running it again
                    # could create the thing twice, so the key stays spent; the caller is told so.
                    return problem(409, "A request with this Idempotency-Key started at "
                                        f"{started.isoformat(timespec='seconds')} and never finished (the "
                                        "service stopped during it), so whether it took effect is unknown. "
                                        "Check, and send the request again with a new key if it did not.",
                                   instance=scope.get("path"), started_at=started.isoformat())
            return problem(409, "A request with this Idempotency-Key is still in progress.",
                           instance=scope.get("path"))
        headers = {k: v for k, v in existing.get("headers", [])}
        headers["Idempotent-Replayed"] = "true"
        return Response(content=existing.get("body", "").encode(), status_code=existing["status"],
                        headers=headers, media_type=headers.get("content-type", "application/json"))


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def dumps(value: Any) -> str:
    return json.dumps(value, default=str)
