"""The trace view's API, for operators (scope ``ops``): ``GET /ops/traces``, the recent traces, and
``GET /ops/traces/{trace_id}``, one trace's spans as a waterfall, read from the configured
:class:`~civic_gateway.traces.TraceStore`. The web app's operations pages show them; the gateway answers them
itself because a trace crosses every service, and the web may ask only the gateway.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from civic.errors import NotFound
from civic.problems import BEARER, problem_response
from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from civic_gateway.gateway import Gateway
from civic_gateway.traces import PlacedSpan, Status, TraceQuery, TraceStore, TraceSummary, waterfall

TRACE_ID = r"^[0-9a-f]{32}$"
SERVICE = r"^[a-z][a-z0-9._-]{0,62}$"
Attribute = str | int | float | bool


class TraceOverview(BaseModel):
    trace_id: str = Field(pattern=TRACE_ID)
    service: str = Field(description="The root span's service (the earliest span's when the root is not found)")
    name: str = Field(description="The root span's name, e.g. POST /api/property/*")
    route: str | None = Field(description="The route the caller asked, as the service that answered names it")
    status: Status = Field(description="error when any span of the trace failed")
    started_at: datetime
    duration_ms: float = Field(ge=0)
    span_count: int = Field(ge=1)
    services: list[str] = Field(description="Every service with a span in the trace")


class RecentTraces(BaseModel):
    items: list[TraceOverview]
    source: str = Field(description="Where the spans were read: span_file (the local stack) or jaeger")


class SpanInTrace(BaseModel):
    span_id: str
    parent_id: str | None
    depth: int = Field(ge=0, description="How deep under the trace's root: 0 for the root")
    service: str
    name: str
    kind: str = Field(description="SERVER, CLIENT (a MongoDB command), PRODUCER (a Kafka publish), "
                                   "CONSUMER (a Kafka message processed) or INTERNAL")
    start_ms: float = Field(ge=0, description="When it started after the trace did")
    duration_ms: float = Field(ge=0)
    status: Status
    attributes: dict[str, Attribute] = Field(
        description="What the span is about: http.route, db.operation, db.mongodb.collection, "
                    "messaging.destination, cloudevents.event_type, ...")


class TraceWaterfall(BaseModel):
    trace_id: str = Field(pattern=TRACE_ID)
    started_at: datetime
    duration_ms: float = Field(ge=0)
    status: Status
    services: list[str]
    spans: list[SpanInTrace] = Field(description="In tree order: each after its parent, siblings as they started")
    source: str


def _overview(summary: TraceSummary) -> TraceOverview:
    first = summary.first
    return TraceOverview(
        trace_id=summary.trace_id, service=first.service, name=first.name, route=summary.route,
        status=summary.status, started_at=_when(summary.start_ns), duration_ms=summary.duration_ms,
        span_count=summary.span_count, services=sorted(summary.services),
    )


def _span(placed: PlacedSpan) -> SpanInTrace:
    span = placed.span
    return SpanInTrace(
        span_id=span.span_id, parent_id=span.parent_id, depth=placed.depth, service=span.service, name=span.name,
        kind=span.kind, start_ms=placed.offset_ms, duration_ms=placed.duration_ms,
        status="error" if span.error else "ok", attributes=span.key_attributes(),
    )


def _when(ns: int) -> datetime:
    return datetime.fromtimestamp(ns / 1e9, UTC)


class UnknownTrace(NotFound):
    def __init__(self, trace_id: str) -> None:
        super().__init__("trace", trace_id)
        self.detail = (f"No spans of trace {trace_id} were found: it may be older than the traces kept, "
                       "or its spans not written yet (within a second or so).")


def trace_view(gateway: Gateway, store: TraceStore) -> APIRouter:
    router = APIRouter(tags=["operations"])
    # the token and the ops scope are checked by the gateway itself (gateway.caller), as the composed views do
    answers: dict[int | str, dict[str, Any]] = {429: problem_response(429, "Over the rate limit for this caller"),
               503: problem_response(503, "The trace store cannot be read (or the token keys are unreachable)")}

    @router.get("/ops/traces", response_model=RecentTraces, openapi_extra={"security": [{BEARER: ["ops"]}]},
                responses=answers)
    async def recent_traces(
        request: Request,
        service: Annotated[str | None, Query(pattern=SERVICE, description="A service with a span in the trace, "
                                             "e.g. property (or civic-property)")] = None,
        route: Annotated[str | None, Query(min_length=1, max_length=200,
                                           description="Part of a route any service answered in the trace, e.g. "
                                                       "/v1/buildings/{building_id}/transitions")] = None,
        status: Annotated[Status | None, Query(description="ok, or error when any span failed")] = None,
        min_ms: Annotated[float | None, Query(ge=0, le=86_400_000, description="Taking at least this long")] = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> RecentTraces:
        """The recent traces, newest first: each one's root span (service, name, route), status, start,
        duration, span count and the services it touched. Needs ``ops``."""
        await gateway.caller(request, "ops")
        query = TraceQuery(service=service, route=route, status=status, min_ms=min_ms, limit=limit)
        found = await store.recent(query)
        return RecentTraces(items=[_overview(s) for s in found], source=store.source)

    @router.get("/ops/traces/{trace_id}", response_model=TraceWaterfall,
                openapi_extra={"security": [{BEARER: ["ops"]}]}, responses=answers)
    async def one_trace(
        request: Request,
        trace_id: Annotated[str, Path(pattern=TRACE_ID, description="32 lower-case hex digits (X-Trace-Id)")],
    ) -> TraceWaterfall:
        """One trace's every span in tree order, with its service, name, kind, parent, start after the trace's
        start, duration, status and what it is about (http.route, db.operation, messaging.destination, ...).
        Needs ``ops``; 404 when no span of it is found."""
        await gateway.caller(request, "ops")
        spans = await store.trace(trace_id)
        if not spans:
            raise UnknownTrace(trace_id)
        placed = waterfall(spans)
        start = min(s.start_ns for s in spans)
        end = max(s.end_ns for s in spans)
        return TraceWaterfall(
            trace_id=trace_id, started_at=_when(start), duration_ms=round((end - start) / 1e6, 3),
            status="error" if any(s.error for s in spans) else "ok", services=sorted({s.service for s in spans}),
            spans=[_span(p) for p in placed], source=store.source,
        )

    return router
