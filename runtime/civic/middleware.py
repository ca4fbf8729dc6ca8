"""ASGI middleware every component shares: request ids, trace id header, metrics, body limit.

Idempotency-Key lives in :mod:`civic.idempotency`, beside the write path that records it."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from civic import metrics
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


def body_once(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the app ``body`` (already read) whole, then waits on the connection as usual."""
    delivered = False

    async def again() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


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
        await self.app(scope, body_once(body, receive), send)

    def _too_large(self, scope: Scope) -> Any:
        return problem(413, f"The request body is larger than the limit of {self.max_bytes} bytes.",
                       instance=scope.get("path"), limit_bytes=self.max_bytes)


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def dumps(value: Any) -> str:
    return json.dumps(value, default=str)
