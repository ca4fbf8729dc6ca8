"""Which spans are kept: a query made by a background loop is not a trace of its own."""

from __future__ import annotations

from civic.telemetry import NoLoneCallsOut
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ParentBased
from opentelemetry.trace import SpanKind


def _tracer() -> tuple[object, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider(sampler=ParentBased(root=NoLoneCallsOut()))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider.get_tracer("test"), exporter


def test_a_query_outside_any_request_is_not_traced() -> None:
    tracer, exporter = _tracer()
    # as PyMongo's instrumentation does it: the db attributes come after the span has started
    span = tracer.start_span("civic_savings.find", kind=SpanKind.CLIENT)  # type: ignore[attr-defined]
    span.set_attribute("db.system", "mongodb")
    span.end()
    assert exporter.get_finished_spans() == ()


def test_a_query_inside_a_request_is_traced_with_it() -> None:
    tracer, exporter = _tracer()
    with tracer.start_as_current_span("GET /v1/initiatives/{id}", kind=SpanKind.SERVER):  # type: ignore[attr-defined]
        tracer.start_span("civic_savings.find", kind=SpanKind.CLIENT).end()  # type: ignore[attr-defined]
    names = sorted(s.name for s in exporter.get_finished_spans())
    assert names == ["GET /v1/initiatives/{id}", "civic_savings.find"]


def test_requests_events_and_work_of_our_own_start_traces() -> None:
    tracer, exporter = _tracer()
    for kind in (SpanKind.SERVER, SpanKind.CONSUMER, SpanKind.PRODUCER, SpanKind.INTERNAL):
        tracer.start_span(f"root {kind.name}", kind=kind).end()  # type: ignore[attr-defined]
    assert len(exporter.get_finished_spans()) == 4
