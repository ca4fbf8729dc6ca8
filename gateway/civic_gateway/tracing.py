"""The gateway's part of a trace: one server span per request, continued from the caller's
W3C ``traceparent`` and handed on to the service.

The generic OpenTelemetry ASGI and httpx instrumentations cost over a millisecond a request each
(attributes, metrics, per-message spans); on the gateway that is most of its latency budget. This
keeps what an operator uses: the trace continues across the gateway, the gateway's span has the
method, route and status, and the service's span is its child.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import propagate, trace
from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.trace import SpanKind, Status, StatusCode
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNTRACED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
_tracer = trace.get_tracer("civic.gateway")


class TracingMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNTRACED_PATHS:
            await self.app(scope, receive, send)
            return
        carrier = {
            key.decode("latin-1"): value.decode("latin-1")
            for key, value in scope["headers"]
            if key in (b"traceparent", b"tracestate")
        }
        method = scope.get("method", "GET")
        with _tracer.start_as_current_span(
            method,
            context=propagate.extract(carrier),
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method, "url.path": scope["path"]},
            record_exception=True,
        ) as span:
            status = 500

            async def send_status(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                await send(message)

            try:
                await self.app(scope, receive, send_status)
            finally:
                route = getattr(scope.get("route"), "path", None)
                if route:
                    span.update_name(f"{method} {route}")
                    span.set_attribute("http.route", route)
                span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    span.set_status(Status(StatusCode.ERROR))


def trace_headers() -> list[tuple[str, str]]:
    """The current trace context as headers for an outgoing call (the service continues the trace)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return list(carrier.items())


@contextmanager
def untraced_client_call() -> Iterator[None]:
    """No client span for the call (the headers above already carry the context)."""
    with suppress_instrumentation():
        yield
