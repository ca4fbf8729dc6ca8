"""OpenTelemetry set-up: one tracer provider per process, exporter chosen by configuration.

Production: OTLP over HTTP to the collector (``OTEL_EXPORTER_OTLP_ENDPOINT``). Locally: a JSON-lines
file in the state directory, shared by every process, which ``civic trace <id>`` prints as a tree.
"""

from __future__ import annotations

import json
import os
import threading
import time
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, cast

from fastapi.telemetry import TelemetryConfig
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.sampling import ALWAYS_ON, Decision, ParentBased, Sampler, SamplingResult
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import Link, NonRecordingSpan, Span, SpanContext, SpanKind, Status, StatusCode, TraceFlags
from opentelemetry.util.types import Attributes
from pymongo import monitoring
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_configured = False
_lock = threading.Lock()
# FastAPI's own OpenTelemetry support is off: the server span comes from ServerSpanMiddleware below,
# once per request (FastAPI's would add a second root span and several spans per request).
FRAMEWORK_TELEMETRY_OFF: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}
UNTRACED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class JsonLinesSpanExporter(SpanExporter):
    """Appends finished spans to a file, one JSON object a line (O_APPEND keeps lines whole)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        lines = []
        for span in spans:
            ctx = span.get_span_context()
            if ctx is None:
                continue
            lines.append(
                json.dumps(
                    {
                        "trace_id": format(ctx.trace_id, "032x"),
                        "span_id": format(ctx.span_id, "016x"),
                        "parent_id": format(span.parent.span_id, "016x") if span.parent else None,
                        "name": span.name,
                        "kind": span.kind.name,
                        "service": span.resource.attributes.get("service.name"),
                        "start": span.start_time,
                        "end": span.end_time,
                        "status": span.status.status_code.name,
                        "attributes": {k: _plain(v) for k, v in (span.attributes or {}).items()},
                    }
                )
            )
        if lines:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, ("\n".join(lines) + "\n").encode())
            finally:
                os.close(fd)
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        return None


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


class NoLoneCallsOut(Sampler):
    """Samples every root span except a call out (a database query) made outside any request or event.

    Background loops (the outbox relay's poll, leases, schedulers) query the database several times a
    second; traced, each query would be a trace of its own, burying the traces operators look for.
    Their work that matters is still traced: a relay publish continues the trace of the write behind it.
    The decision is on the span kind alone: PyMongo's instrumentation sets its ``db.*`` attributes
    after the span has started, so the sampler never sees them.
    """

    def should_sample(self, parent_context: otel_context.Context | None, trace_id: int, name: str,
                      kind: SpanKind | None = None, attributes: Attributes = None,
                      links: Sequence[Link] | None = None, trace_state: Any = None) -> SamplingResult:
        if kind is SpanKind.CLIENT:
            return SamplingResult(Decision.DROP)
        return ALWAYS_ON.should_sample(parent_context, trace_id, name, kind, attributes, links, trace_state)

    def get_description(self) -> str:
        return "NoLoneCallsOut"


def configure_tracing(service: str, otlp_endpoint: str | None, trace_file: Path | None) -> None:
    """Idempotent: tests build several apps in one process; the first configuration wins."""
    global _configured
    with _lock:
        if _configured:
            return
        provider = TracerProvider(resource=Resource.create({"service.name": f"civic-{service}"}),
                                  sampler=ParentBased(root=NoLoneCallsOut()))
        exporter: SpanExporter | None = None
        if otlp_endpoint:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            exporter = OTLPSpanExporter(endpoint=otlp_endpoint.rstrip("/") + "/v1/traces")
        elif trace_file is not None:
            exporter = JsonLinesSpanExporter(trace_file)
        if exporter is not None:
            global _finished
            processor = BatchSpanProcessor(exporter, schedule_delay_millis=500)
            provider.add_span_processor(processor)
            _finished = FinishedSpans(provider, processor)
            monitoring.register(MongoCommandSpans(_finished))
        trace.set_tracer_provider(provider)
        _configured = True


class FinishedSpans:
    """Spans the platform records itself, built once they are over and handed to the exporting processor.

    An SDK span is a live object (sampler call, attribute checks and copies, a lock, the processors'
    start and end hooks): about 40-60 us each. The request span and the MongoDB command spans, several
    per request, are plain data known in full when they end; built as ReadableSpan they cost a fraction.
    """

    def __init__(self, provider: TracerProvider, processor: SpanProcessor) -> None:
        self.provider = provider
        self.processor = processor
        self.scopes: dict[str, InstrumentationScope] = {}

    def child_of(self, parent: SpanContext) -> SpanContext:
        """A new span's context in ``parent``'s trace (a new trace when there is no parent), sampled as
        the platform samples a span that is not a lone call out: with its parent, or always as a root."""
        ids = self.provider.id_generator
        if not parent.is_valid:
            return SpanContext(ids.generate_trace_id(), ids.generate_span_id(), is_remote=False,
                               trace_flags=TraceFlags(TraceFlags.SAMPLED))
        return SpanContext(parent.trace_id, ids.generate_span_id(), is_remote=False,
                           trace_flags=TraceFlags(parent.trace_flags & TraceFlags.SAMPLED),
                           trace_state=parent.trace_state)

    def finish(self, scope: str, name: str, context: SpanContext, parent: SpanContext | None, kind: SpanKind,
               attributes: dict[str, Any], start_time: int, status: Status,
               events: Sequence[Event] = ()) -> None:
        if not context.trace_flags.sampled:
            return
        instrumentation = self.scopes.get(scope) or self.scopes.setdefault(scope, InstrumentationScope(scope))
        self.processor.on_end(ReadableSpan(
            name, context=context, parent=parent if parent is not None and parent.is_valid else None,
            resource=self.provider.resource, attributes=attributes, events=events, kind=kind, status=status,
            start_time=start_time, end_time=time.time_ns(), instrumentation_scope=instrumentation,
        ))


_finished: FinishedSpans | None = None


class MongoCommandSpans(monitoring.CommandListener):
    """A CLIENT span for each MongoDB command made inside a traced request, event or publish.

    What OpenTelemetry's PyMongo instrumentation records (the same name, ``<database>.<command>``, and
    the same attributes: db.system, db.name, db.statement as the command's name, the collection, the
    server's address), for half its cost: the instrumentation starts a full SDK span per command, about
    60 us a command, several commands a request. Here a command's span is built once, finished, from
    what the driver reports (:class:`FinishedSpans`). Sampling is the platform's (ParentBased over
    NoLoneCallsOut): a command is traced exactly when the work it belongs to is, never as a trace of its own.
    """

    def __init__(self, spans: FinishedSpans) -> None:
        self.spans = spans
        self._open: dict[Any, tuple[SpanContext, int, str, dict[str, Any]]] = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        parent = trace.get_current_span().get_span_context()
        if not (parent.is_valid and parent.trace_flags.sampled):
            return
        attributes: dict[str, Any] = {"db.system": "mongodb", "db.name": event.database_name,
                                      "db.statement": event.command_name}
        collection = event.command.get(event.command_name)
        if isinstance(collection, str) and collection:
            attributes["db.mongodb.collection"] = collection
        if event.connection_id is not None:
            attributes["net.peer.name"] = event.connection_id[0]
            if event.connection_id[1] is not None:
                attributes["net.peer.port"] = event.connection_id[1]
        name = f"{event.database_name}.{event.command_name}"
        self._open[(event.request_id, event.connection_id)] = (parent, time.time_ns(), name, attributes)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self._finish(event, None)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        failure = event.failure if isinstance(event.failure, Mapping) else {}
        self._finish(event, failure)

    def _finish(self, event: monitoring.CommandSucceededEvent | monitoring.CommandFailedEvent,
                failure: Mapping[str, Any] | None) -> None:
        opened = self._open.pop((event.request_id, event.connection_id), None)
        if opened is None:
            return
        parent, started, name, attributes = opened
        status = Status(StatusCode.UNSET)
        if failure is not None:
            status = Status(StatusCode.ERROR, str(failure.get("errmsg", "Unknown error")))
            attributes["error.type"] = str(failure.get("codeName", "UnknownError"))
        self.spans.finish("civic.mongodb", name, self.spans.child_of(parent), parent, SpanKind.CLIENT, attributes,
                          started, status)


_server_tracer = trace.get_tracer("civic.http")


class ServerSpanMiddleware:
    """One server span per request, continued from the caller's W3C ``traceparent``.

    The generic ASGI instrumentation costs over a millisecond a request (per-message spans, metrics,
    many attributes); this keeps what an operator uses: the span continues the caller's trace, is
    named by method and route template, carries the status (and an exception that escaped, as an
    event), and is current while the app runs, so database and Kafka spans, the events' traceparent
    and the X-Trace-Id response header belong to it. Once tracing exports, the span is current as its
    context alone and is built when the request is over (:class:`FinishedSpans`).
    """

    def __init__(self, app: ASGIApp, untraced_paths: frozenset[str] = UNTRACED_PATHS) -> None:
        self.app = app
        self.untraced_paths = untraced_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.untraced_paths:
            await self.app(scope, receive, send)
            return
        carrier = {
            key.decode("latin-1"): value.decode("latin-1")
            for key, value in scope["headers"]
            if key in (b"traceparent", b"tracestate")
        }
        incoming = context_from(carrier) if carrier else otel_context.Context()
        spans = _finished
        if spans is None:  # tracing not set up to export: the SDK's own span, as any library's
            await self._through_sdk(scope, receive, send, incoming)
            return
        method = scope.get("method", "GET")
        parent = trace.get_current_span(incoming).get_span_context()
        context = spans.child_of(parent)
        token = otel_context.attach(trace.set_span_in_context(NonRecordingSpan(context), incoming))
        started = time.time_ns()
        escaped: BaseException | None = None
        answered = _Answered(send)
        try:
            await self.app(scope, receive, answered)
        except Exception as exc:
            escaped = exc
            raise
        finally:
            otel_context.detach(token)
            if context.trace_flags.sampled:
                route = getattr(scope.get("route"), "path", None)
                attributes: dict[str, Any] = {"http.request.method": method, "url.path": scope["path"]}
                if route:
                    attributes["http.route"] = route
                attributes["http.response.status_code"] = answered.status
                outcome, events = Status(StatusCode.UNSET), cast(tuple[Event, ...], ())
                if escaped is not None:
                    outcome = Status(StatusCode.ERROR, f"{type(escaped).__name__}: {escaped}")
                    events = (_exception_event(escaped),)
                elif answered.status >= 500:
                    outcome = Status(StatusCode.ERROR)
                spans.finish("civic.http", f"{method} {route}" if route else method, context, parent,
                             SpanKind.SERVER, attributes, started, outcome, events)

    async def _through_sdk(self, scope: Scope, receive: Receive, send: Send, incoming: otel_context.Context) -> None:
        method = scope.get("method", "GET")
        with _server_tracer.start_as_current_span(
            method,
            context=incoming,
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method, "url.path": scope["path"]},
            record_exception=True,
        ) as span:
            answered = _Answered(send)
            try:
                await self.app(scope, receive, answered)
            finally:
                route = getattr(scope.get("route"), "path", None)
                if route:
                    span.update_name(f"{method} {route}")
                    span.set_attribute("http.route", route)
                span.set_attribute("http.response.status_code", answered.status)
                if answered.status >= 500:
                    span.set_status(Status(StatusCode.ERROR))


class _Answered:
    """The app's ``send``, noting the status it answers with (500 until it answers)."""

    def __init__(self, send: Send) -> None:
        self.status = 500
        self._send = send

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        await self._send(message)


def _exception_event(exc: BaseException) -> Event:
    """The event the SDK's record_exception adds to a span."""
    module, qualname = type(exc).__module__, type(exc).__qualname__
    return Event("exception", attributes={
        "exception.type": f"{module}.{qualname}" if module and module != "builtins" else qualname,
        "exception.message": str(exc),
        "exception.stacktrace": "".join(traceback.format_exception(exc)),
        "exception.escaped": "False",
    })


def trace_headers() -> list[tuple[str, str]]:
    """The current trace context as headers for an outgoing HTTP call (the callee continues the trace)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return list(carrier.items())


def shutdown_tracing() -> None:
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        provider.force_flush(timeout_millis=3000)


def current_traceparent() -> str | None:
    return dict(trace_headers()).get("traceparent")


def current_trace_id() -> str | None:
    ctx = trace.get_current_span().get_span_context()
    return format(ctx.trace_id, "032x") if ctx.is_valid else None


def context_from(headers: Mapping[str, str | None]) -> otel_context.Context:
    """The remote parent context carried by message headers (W3C traceparent / tracestate)."""
    carrier = {k: v for k, v in headers.items() if v is not None}
    return propagate.extract(carrier)


def tracer(name: str = "civic") -> trace.Tracer:
    return trace.get_tracer(name)


__all__ = [
    "FRAMEWORK_TELEMETRY_OFF",
    "FinishedSpans",
    "JsonLinesSpanExporter",
    "MongoCommandSpans",
    "NoLoneCallsOut",
    "ServerSpanMiddleware",
    "Span",
    "configure_tracing",
    "context_from",
    "current_trace_id",
    "current_traceparent",
    "shutdown_tracing",
    "trace_headers",
    "tracer",
]
