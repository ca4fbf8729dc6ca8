"""Each MongoDB command made inside traced work is a span of that work's trace, and only then."""

from __future__ import annotations

from datetime import timedelta

from civic.telemetry import FinishedSpans, MongoCommandSpans, NoLoneCallsOut
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ParentBased
from opentelemetry.trace import SpanKind, StatusCode
from pymongo import monitoring

SERVER = ("127.0.0.1", 27017)


def _setup() -> tuple[TracerProvider, MongoCommandSpans, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider(sampler=ParentBased(root=NoLoneCallsOut()))
    processor = SimpleSpanProcessor(exporter)
    provider.add_span_processor(processor)
    return provider, MongoCommandSpans(FinishedSpans(provider, processor)), exporter


def _command(listener: MongoCommandSpans, request_id: int, fails: bool = False) -> None:
    listener.started(monitoring.CommandStartedEvent(
        {"insert": "initiatives", "documents": [{"_id": "x", "title": "never recorded"}]}, "civic_savings",
        request_id, SERVER, request_id))
    if fails:
        listener.failed(monitoring.CommandFailedEvent(
            timedelta(microseconds=300), {"ok": 0, "errmsg": "WriteConflict error", "codeName": "WriteConflict"},
            "insert", request_id, SERVER, request_id))
    else:
        listener.succeeded(monitoring.CommandSucceededEvent(
            timedelta(microseconds=300), {"ok": 1, "n": 1}, "insert", request_id, SERVER, request_id))


def test_a_command_inside_a_request_is_a_child_span_with_the_usual_attributes() -> None:
    provider, listener, exporter = _setup()
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("POST /v1/initiatives", kind=SpanKind.SERVER) as request:
        _command(listener, 1)
    spans = {s.name: s for s in exporter.get_finished_spans()}
    assert set(spans) == {"POST /v1/initiatives", "civic_savings.insert"}
    command = spans["civic_savings.insert"]
    assert command.kind is SpanKind.CLIENT
    assert command.context.trace_id == request.get_span_context().trace_id
    assert command.parent is not None and command.parent.span_id == request.get_span_context().span_id
    assert command.context.span_id != request.get_span_context().span_id
    assert dict(command.attributes or {}) == {
        "db.system": "mongodb", "db.name": "civic_savings", "db.statement": "insert",
        "db.mongodb.collection": "initiatives", "net.peer.name": "127.0.0.1", "net.peer.port": 27017,
    }  # the command's documents are never recorded
    assert command.start_time is not None and command.end_time is not None
    assert command.start_time <= command.end_time
    assert command.resource is provider.resource


def test_a_failed_command_is_an_error_span() -> None:
    provider, listener, exporter = _setup()
    with provider.get_tracer("test").start_as_current_span("POST", kind=SpanKind.SERVER):
        _command(listener, 2, fails=True)
    [command] = [s for s in exporter.get_finished_spans() if s.kind is SpanKind.CLIENT]
    assert command.status.status_code is StatusCode.ERROR
    assert command.status.description == "WriteConflict error"
    assert (command.attributes or {})["error.type"] == "WriteConflict"


def test_a_command_outside_traced_work_is_not_traced() -> None:
    _, listener, exporter = _setup()
    _command(listener, 3)  # a background loop's query: no current span
    assert exporter.get_finished_spans() == ()
    assert listener._open == {}
