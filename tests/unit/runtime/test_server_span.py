"""The request span: continues the caller's trace, is current while the app runs, carries what an
operator reads (route, status, an escaped exception), and is kept or not as the caller's trace is."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from civic import telemetry
from civic.telemetry import FinishedSpans, NoLoneCallsOut, ServerSpanMiddleware, current_trace_id, current_traceparent
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ParentBased
from opentelemetry.trace import SpanKind, StatusCode

INCOMING_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
INCOMING_SPAN = "00f067aa0ba902b7"


@dataclass
class Route:
    path: str


@pytest.fixture
def exporter(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider(sampler=ParentBased(root=NoLoneCallsOut()))
    monkeypatch.setattr(telemetry, "_finished", FinishedSpans(provider, SimpleSpanProcessor(exporter)))
    yield exporter


def _app(seen: dict[str, Any], status: int = 201, fails: bool = False) -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        scope["route"] = Route("/v1/initiatives")
        seen["trace_id"], seen["traceparent"] = current_trace_id(), current_traceparent()
        if fails:
            raise RuntimeError("the database went away")
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    return app


async def _call(app: Any, headers: list[tuple[bytes, bytes]] | None = None) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/v1/initiatives", "headers": headers or []}
    await ServerSpanMiddleware(app)(scope, receive, send)
    return sent


async def test_a_request_without_a_trace_starts_one_and_its_span_is_current(exporter: InMemorySpanExporter) -> None:
    seen: dict[str, Any] = {}
    await _call(_app(seen))
    [span] = exporter.get_finished_spans()
    assert span.name == "POST /v1/initiatives" and span.kind is SpanKind.SERVER
    assert span.parent is None
    assert dict(span.attributes or {}) == {"http.request.method": "POST", "url.path": "/v1/initiatives",
                                           "http.route": "/v1/initiatives", "http.response.status_code": 201}
    assert span.status.status_code is StatusCode.UNSET
    assert seen["trace_id"] == format(span.context.trace_id, "032x")
    # what events written during the request carry: this span as their parent, sampled
    assert seen["traceparent"] == f"00-{seen['trace_id']}-{format(span.context.span_id, '016x')}-01"
    assert span.start_time is not None and span.end_time is not None and span.start_time <= span.end_time
    assert current_trace_id() is None  # the request's context is gone once it is over


async def test_the_callers_trace_continues(exporter: InMemorySpanExporter) -> None:
    seen: dict[str, Any] = {}
    await _call(_app(seen), [(b"traceparent", f"00-{INCOMING_TRACE}-{INCOMING_SPAN}-01".encode()),
                             (b"tracestate", b"vendor=x")])
    [span] = exporter.get_finished_spans()
    assert format(span.context.trace_id, "032x") == INCOMING_TRACE == seen["trace_id"]
    assert span.parent is not None and format(span.parent.span_id, "016x") == INCOMING_SPAN
    assert span.parent.is_remote
    assert span.context.trace_state.get("vendor") == "x"


async def test_a_caller_that_does_not_sample_is_followed(exporter: InMemorySpanExporter) -> None:
    seen: dict[str, Any] = {}
    await _call(_app(seen), [(b"traceparent", f"00-{INCOMING_TRACE}-{INCOMING_SPAN}-00".encode())])
    assert exporter.get_finished_spans() == ()
    assert seen["trace_id"] == INCOMING_TRACE and seen["traceparent"].endswith("-00")


async def test_a_server_error_and_an_escaped_exception_are_errors(exporter: InMemorySpanExporter) -> None:
    await _call(_app({}, status=503))
    with pytest.raises(RuntimeError):
        await _call(_app({}, fails=True))
    unavailable, failed = exporter.get_finished_spans()
    assert unavailable.status.status_code is StatusCode.ERROR
    assert (unavailable.attributes or {})["http.response.status_code"] == 503
    assert failed.status.status_code is StatusCode.ERROR
    assert failed.status.description == "RuntimeError: the database went away"
    [event] = failed.events
    assert event.name == "exception"
    assert (event.attributes or {})["exception.type"] == "RuntimeError"
    assert "the database went away" in str((event.attributes or {})["exception.stacktrace"])


async def test_health_checks_are_not_traced(exporter: InMemorySpanExporter) -> None:
    sent: list[dict[str, Any]] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        sent.append({"trace_id": current_trace_id()})

    async def nothing() -> dict[str, Any]:
        return {}

    async def ignore(message: dict[str, Any]) -> None:
        return None

    await ServerSpanMiddleware(app)({"type": "http", "method": "GET", "path": "/healthz", "headers": []},
                                    nothing, ignore)
    assert exporter.get_finished_spans() == () and sent == [{"trace_id": None}]
