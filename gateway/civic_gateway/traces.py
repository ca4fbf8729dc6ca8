"""The trace view's reading side: recent traces and one trace's spans, from wherever the platform keeps them.

A port, :class:`TraceStore`, with two adapters chosen by configuration (:func:`trace_store`): the local stack's
span file (:class:`SpanFileTraces`, ``traces.jsonl``) and Jaeger's HTTP query API (:class:`JaegerTraces`,
``CIVIC_JAEGER_QUERY_URL``), where spans go in production through the OpenTelemetry Collector. Both hand back
:class:`SpanRecord`; what a trace's summary (:class:`TraceSummary`) and its waterfall (:func:`waterfall`) are is
worked out here once, whatever the store, so the two answer alike.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import httpx
from civic.errors import Unavailable
from civic.trace_file import spans_from_end, spans_of_trace
from civic_contracts import SERVICES

#: what each component is called in its spans (``service.name``, set by civic.telemetry.configure_tracing)
COMPONENTS = ("gateway", "web", *SERVICES)
#: the trace view's own routes: reading the view must not fill it with its own requests
TRACE_VIEW_ROUTES = frozenset({"/ops/traces", "/ops/traces/{trace_id}"})
#: the attributes an operator reads a span by, under the names the view gives them (OpenTelemetry's older and
#: newer names, and what civic.telemetry records: the MongoDB command's name in db.statement)
KEY_ATTRIBUTES = {
    "http.request.method": "http.request.method", "http.method": "http.request.method",
    "http.route": "http.route",
    "http.response.status_code": "http.response.status_code", "http.status_code": "http.response.status_code",
    "db.system": "db.system", "db.name": "db.name",
    "db.operation": "db.operation", "db.operation.name": "db.operation", "db.statement": "db.operation",
    "db.mongodb.collection": "db.mongodb.collection",
    "messaging.system": "messaging.system",
    "messaging.destination": "messaging.destination", "messaging.destination.name": "messaging.destination",
    "messaging.consumer.group.name": "messaging.consumer.group",
    "cloudevents.event_type": "cloudevents.event_type",
    "error.type": "error.type",
}
Status = Literal["ok", "error"]
TRACE_ID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class SpanRecord:
    """One span as either store gives it."""

    trace_id: str
    span_id: str
    parent_id: str | None
    service: str
    name: str
    kind: str  # SERVER, CLIENT, PRODUCER, CONSUMER, INTERNAL
    start_ns: int
    end_ns: int
    error: bool
    attributes: Mapping[str, Any]

    @property
    def route(self) -> str | None:
        route = self.attributes.get("http.route")
        return route if isinstance(route, str) and route else None

    def key_attributes(self) -> dict[str, str | int | float | bool]:
        found: dict[str, str | int | float | bool] = {}
        for name, value in self.attributes.items():
            shown = KEY_ATTRIBUTES.get(name)
            if shown is not None and shown not in found and isinstance(value, str | int | float | bool):
                found[shown] = value
        return found


def from_span_file(span: Mapping[str, Any]) -> SpanRecord:
    """A line of the span file (civic.telemetry.JsonLinesSpanExporter's shape)."""
    attributes = span.get("attributes")
    return SpanRecord(
        trace_id=str(span["trace_id"]), span_id=str(span.get("span_id", "")),
        parent_id=str(span["parent_id"]) if span.get("parent_id") else None,
        service=str(span.get("service") or "unknown"), name=str(span.get("name", "")),
        kind=str(span.get("kind") or "INTERNAL"), start_ns=int(span["start"]), end_ns=int(span["end"]),
        error=span.get("status") == "ERROR", attributes=attributes if isinstance(attributes, dict) else {},
    )


@dataclass(frozen=True)
class TraceQuery:
    service: str | None = None
    route: str | None = None
    status: Status | None = None
    min_ms: float | None = None
    limit: int = 50


def named(service: str) -> set[str]:
    """The names a component may have in spans: as asked ("property") and as the platform names it."""
    return {service, service if service.startswith("civic-") else f"civic-{service}"}


@dataclass
class TraceSummary:
    """A trace folded from its spans one at a time, so listing many keeps none of their spans."""

    trace_id: str
    start_ns: int = 0
    end_ns: int = 0
    span_count: int = 0
    services: set[str] = field(default_factory=set)
    error: bool = False
    root: SpanRecord | None = None
    earliest: SpanRecord | None = None
    routes: set[str] = field(default_factory=set)
    #: the route a SERVER span answered, by its parent: the service's route under the gateway's forward
    routes_under: dict[str, str] = field(default_factory=dict)

    def add(self, span: SpanRecord) -> None:
        if self.span_count == 0 or span.start_ns < self.start_ns:
            self.start_ns = span.start_ns
            self.earliest = span
        self.end_ns = max(self.end_ns, span.end_ns)
        self.span_count += 1
        self.services.add(span.service)
        self.error = self.error or span.error
        if span.parent_id is None:
            self.root = span
        if span.route is not None:
            self.routes.add(span.route)
            if span.kind == "SERVER" and span.parent_id is not None:
                self.routes_under.setdefault(span.parent_id, span.route)

    @property
    def first(self) -> SpanRecord:
        """The root span, or the earliest when the root is not (yet) among the spans read."""
        found = self.root or self.earliest
        assert found is not None, "a summary has at least one span"
        return found

    @property
    def route(self) -> str | None:
        """The route as the caller asked it: the root's; the gateway's forward (``/api/property/*``) completed
        with the route of the service that answered it."""
        root = self.first
        route = root.route
        if route is not None and route.endswith("/*") and root.span_id in self.routes_under:
            return route[:-1] + self.routes_under[root.span_id].lstrip("/")
        return route

    @property
    def duration_ms(self) -> float:
        return round(max(self.end_ns - self.start_ns, 0) / 1e6, 3)

    @property
    def status(self) -> Status:
        return "error" if self.error else "ok"

    def chosen_by(self, query: TraceQuery) -> bool:
        if self.routes & TRACE_VIEW_ROUTES:
            return False
        if query.service and not (named(query.service) & self.services):
            return False
        if query.route:
            wanted = query.route.casefold()
            if not any(wanted in route.casefold() for route in {*self.routes, self.route or ""}):
                return False
        if query.status and self.status != query.status:
            return False
        return not (query.min_ms is not None and self.duration_ms < query.min_ms)


def summaries(spans: Iterable[SpanRecord]) -> dict[str, TraceSummary]:
    found: dict[str, TraceSummary] = {}
    for span in spans:
        if not TRACE_ID.fullmatch(span.trace_id):  # not a span any exporter wrote: nothing to link to
            continue
        summary = found.get(span.trace_id)
        if summary is None:
            summary = found[span.trace_id] = TraceSummary(span.trace_id)
        summary.add(span)
    return found


def newest(found: Iterable[TraceSummary], query: TraceQuery) -> list[TraceSummary]:
    """The traces the query chooses, newest first, at most its limit."""
    chosen = [s for s in found if s.chosen_by(query)]
    return sorted(chosen, key=lambda s: s.start_ns, reverse=True)[:query.limit]


@dataclass(frozen=True)
class PlacedSpan:
    """A span in its waterfall: how deep under the root, when it started after the trace did."""

    span: SpanRecord
    depth: int
    offset_ms: float

    @property
    def duration_ms(self) -> float:
        return round(max(self.span.end_ns - self.span.start_ns, 0) / 1e6, 3)  # a clock stepped back: none


def waterfall(spans: Sequence[SpanRecord]) -> list[PlacedSpan]:
    """A trace's spans in tree order (each after its parent, siblings as they started), with their depth; a span
    whose parent is missing (not exported, or outside what was read) starts a tree of its own."""
    if not spans:
        return []
    start = min(s.start_ns for s in spans)
    ids = {s.span_id for s in spans}
    children: dict[str | None, list[SpanRecord]] = {}
    for span in sorted(spans, key=lambda s: (s.start_ns, s.span_id)):
        children.setdefault(span.parent_id if span.parent_id in ids else None, []).append(span)
    placed: list[PlacedSpan] = []
    stack: list[tuple[SpanRecord, int]] = [(s, 0) for s in reversed(children.get(None, []))]
    seen: set[str] = set()
    while stack:  # depth first, without recursion: a deep trace must not reach Python's recursion limit
        span, depth = stack.pop()
        if span.span_id in seen:
            continue
        seen.add(span.span_id)
        placed.append(PlacedSpan(span, depth, round((span.start_ns - start) / 1e6, 3)))
        stack.extend((child, depth + 1) for child in reversed(children.get(span.span_id, [])))
    return placed


class TraceStore(Protocol):
    """Where the platform's spans can be read back."""

    source: str

    async def recent(self, query: TraceQuery) -> list[TraceSummary]: ...

    async def trace(self, trace_id: str) -> list[SpanRecord]: ...

    async def aclose(self) -> None: ...


class SpanFileTraces:
    """The local stack's span file: the recent traces are those among its last ``window_bytes``; one trace is
    looked for in the same window (a trace older than that is no longer "recent": ``civic trace`` reads it all)."""

    source = "span_file"

    def __init__(self, path: Path, window_bytes: int) -> None:
        self.path = path
        self.window_bytes = window_bytes

    def _recent(self, query: TraceQuery) -> list[TraceSummary]:
        spans = (from_span_file(s) for s in spans_from_end(self.path, self.window_bytes))
        return newest(summaries(spans).values(), query)

    async def recent(self, query: TraceQuery) -> list[TraceSummary]:
        return await asyncio.to_thread(self._recent, query)  # file reading and parsing: off the event loop

    async def trace(self, trace_id: str) -> list[SpanRecord]:
        found = await asyncio.to_thread(spans_of_trace, self.path, trace_id, self.window_bytes)
        return [from_span_file(s) for s in found]

    async def aclose(self) -> None:
        return None


#: how far back Jaeger is asked for recent traces
JAEGER_LOOKBACK_SECONDS = 3 * 3600


class JaegerTraces:
    """Jaeger's HTTP query API (``/api/traces``, ``/api/traces/{id}``), the one its UI uses.

    Jaeger finds traces by one service at a time, so without a service every component is asked, in parallel,
    and the answers merged; it matches tags exactly, so a route is matched here, on what it answered. Asked
    for more than the limit, since a trace Jaeger gives may be one this view leaves out."""

    source = "jaeger"

    def __init__(self, url: str, timeout_seconds: float, client: httpx.AsyncClient | None = None) -> None:
        self.url = url.rstrip("/")
        self.client = client or httpx.AsyncClient(timeout=timeout_seconds)

    async def _get(self, path: str, params: Mapping[str, str] | None = None) -> httpx.Response:
        try:
            return await self.client.get(f"{self.url}{path}", params=params)
        except httpx.HTTPError as exc:
            raise Unavailable(f"The trace store (Jaeger) did not answer: {type(exc).__name__}.") from exc

    def _spans(self, answer: httpx.Response) -> list[SpanRecord]:
        if answer.status_code != 200:
            raise Unavailable(f"The trace store (Jaeger) answered {answer.status_code}.")
        try:
            traces = answer.json().get("data") or []
        except ValueError as exc:
            raise Unavailable("The trace store (Jaeger) answered with something that is not JSON.") from exc
        return [span for found in traces if isinstance(found, dict) for span in from_jaeger(found)]

    async def recent(self, query: TraceQuery) -> list[TraceSummary]:
        now_us = int(time.time() * 1e6)
        params = {"limit": str(min(query.limit * 4, 1000)), "end": str(now_us),
                  "start": str(now_us - JAEGER_LOOKBACK_SECONDS * 1_000_000)}
        if query.min_ms is not None:
            params["minDuration"] = f"{int(query.min_ms * 1000)}us"
        if query.status == "error":
            params["tags"] = json.dumps({"error": "true"})
        services = [f"civic-{c}" for c in COMPONENTS] if not query.service else \
            sorted(named(query.service) - {query.service}) or [query.service]
        answers = await asyncio.gather(*(self._get("/api/traces", {**params, "service": s}) for s in services))
        spans: list[SpanRecord] = []
        for answer in answers:
            spans.extend(self._spans(answer))
        # a trace found through two services comes twice: each span once
        unique = {(s.trace_id, s.span_id): s for s in spans}
        return newest(summaries(unique.values()).values(), query)

    async def trace(self, trace_id: str) -> list[SpanRecord]:
        answer = await self._get(f"/api/traces/{trace_id}")
        if answer.status_code == 404:
            return []
        return [s for s in self._spans(answer) if s.trace_id == trace_id]

    async def aclose(self) -> None:
        await self.client.aclose()


def _tags(items: Any) -> dict[str, Any]:
    return {str(t["key"]): t.get("value") for t in items or () if isinstance(t, dict) and "key" in t}


def from_jaeger(found: Mapping[str, Any]) -> list[SpanRecord]:
    """A trace as Jaeger's query API gives it: its spans, each naming its process (the service) by id."""
    processes = found.get("processes") or {}
    spans = []
    for span in found.get("spans") or ():
        tags = _tags(span.get("tags"))
        parent = next((r.get("spanID") for r in span.get("references") or ()
                       if isinstance(r, dict) and r.get("refType") == "CHILD_OF"), None)
        process = processes.get(span.get("processID")) or {}
        start_us, took_us = int(span.get("startTime", 0)), int(span.get("duration", 0))
        status = str(tags.pop("otel.status_code", "")).upper()
        error = tags.pop("error", False) in (True, "true") or status == "ERROR"
        kind = str(tags.pop("span.kind", "internal")).upper()
        attributes = {k: v for k, v in tags.items() if not k.startswith(("otel.", "internal."))}
        spans.append(SpanRecord(
            # Jaeger drops the leading zeros of an id; the platform writes them in full
            trace_id=str(span.get("traceID", "")).zfill(32), span_id=str(span.get("spanID", "")).zfill(16),
            parent_id=str(parent).zfill(16) if parent else None, service=str(process.get("serviceName") or "unknown"),
            name=str(span.get("operationName", "")), kind=kind, start_ns=start_us * 1000,
            end_ns=(start_us + took_us) * 1000, error=error, attributes=attributes,
        ))
    return spans


def trace_store(jaeger_url: str | None, trace_file: Path, window_bytes: int, timeout_seconds: float) -> TraceStore:
    """Jaeger when its query API is configured (production), else the local stack's span file."""
    if jaeger_url:
        return JaegerTraces(jaeger_url, timeout_seconds)
    return SpanFileTraces(trace_file, window_bytes)
