"""The trace view's API (``GET /ops/traces``, ``GET /ops/traces/{trace_id}``) on a real gateway, over HTTP.

The local adapter reads a span file written here by the runtime's own exporter (JsonLinesSpanExporter, the one
every component uses), holding a building's closure as the platform traces it: the gateway's forward, property's
route and its MongoDB commands, the relay's Kafka publish, savings and comms processing the message. The Jaeger
adapter is asked the same through a small stand-in of Jaeger's query API (no Jaeger can run on this machine),
which answers in the shape Jaeger's ``/api/traces`` does.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from civic.telemetry import JsonLinesSpanExporter
from conftest import Stack
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanContext, SpanKind, Status, StatusCode, TraceFlags

from tests.conftest import Served

pytestmark = [pytest.mark.integration]

CLOSURE = 0x4BF92F3577B34DA6A3CE929D0E0E4736
FAILED = 0x00F067AA0BA902B700F067AA0BA902B7
OLDER = 0x11111111111111111111111111111111
ROUTE = "/v1/buildings/{building_id}/transitions"
Made = tuple[int, int, int | None, str, str, SpanKind, float, float, dict[str, Any], bool]


def _made(now_ns: int) -> list[Made]:
    """(trace, span, parent, service, name, kind, start ms, duration ms, attributes, failed)"""
    mongo = {"db.system": "mongodb", "db.name": "civic_property", "db.statement": "update",
             "db.mongodb.collection": "buildings"}
    kafka = {"messaging.system": "kafka", "messaging.destination.name": "property.events.v1",
             "cloudevents.event_type": "property.building.closed"}
    return [
        (OLDER, 0x31, None, "civic-savings", "GET /v1/summary", SpanKind.SERVER, -60_000, 4,
         {"http.route": "/v1/summary", "http.response.status_code": 200}, False),
        (CLOSURE, 0x1, None, "civic-gateway", "POST /api/property/*", SpanKind.SERVER, 0, 40,
         {"http.request.method": "POST", "http.route": "/api/property/*", "http.response.status_code": 200}, False),
        (CLOSURE, 0x2, 0x1, "civic-property", f"POST {ROUTE}", SpanKind.SERVER, 2, 35,
         {"http.request.method": "POST", "http.route": ROUTE, "http.response.status_code": 200}, False),
        (CLOSURE, 0x3, 0x2, "civic-property", "civic_property.update", SpanKind.CLIENT, 5, 3, mongo, False),
        (CLOSURE, 0x4, 0x2, "civic-property", "property.events.v1 publish", SpanKind.PRODUCER, 45, 6, kafka, False),
        (CLOSURE, 0x5, 0x4, "civic-savings", "property.events.v1 process", SpanKind.CONSUMER, 60, 20,
         {**kafka, "messaging.consumer.group.name": "savings"}, False),
        (CLOSURE, 0x6, 0x5, "civic-savings", "civic_savings.insert", SpanKind.CLIENT, 62, 4,
         {"db.system": "mongodb", "db.statement": "insert", "db.mongodb.collection": "initiatives"}, False),
        (CLOSURE, 0x7, 0x4, "civic-comms", "property.events.v1 process", SpanKind.CONSUMER, 64, 36,
         {**kafka, "messaging.consumer.group.name": "comms"}, False),
        (FAILED, 0x21, None, "civic-gateway", "GET /api/savings/*", SpanKind.SERVER, 200, 900,
         {"http.route": "/api/savings/*", "http.response.status_code": 503}, True),
        (FAILED, 0x22, 0x21, "civic-savings", "GET /v1/reports/themes", SpanKind.SERVER, 201, 898,
         {"http.route": "/v1/reports/themes", "http.response.status_code": 503}, True),
    ]


def _readable(made: Made, now_ns: int) -> ReadableSpan:
    trace_id, span_id, parent, service, name, kind, start_ms, took_ms, attributes, failed = made
    start = now_ns + int(start_ms * 1e6)
    return ReadableSpan(
        name, context=SpanContext(trace_id, span_id, is_remote=False, trace_flags=TraceFlags(TraceFlags.SAMPLED)),
        parent=SpanContext(trace_id, parent, is_remote=False) if parent else None,
        resource=Resource.create({"service.name": service}), attributes=attributes, kind=kind,
        status=Status(StatusCode.ERROR if failed else StatusCode.UNSET), start_time=start,
        end_time=start + int(took_ms * 1e6),
    )


def write_spans(path: Path, now_ns: int) -> None:
    """The spans as the platform writes them: in batches, children before their parents, each process
    appending; then the start of a line a process is still writing."""
    exporter = JsonLinesSpanExporter(path)
    spans = [_readable(m, now_ns) for m in _made(now_ns)]
    exporter.export(spans[:1])
    exporter.export([s for s in reversed(spans[1:8])])
    exporter.export(spans[8:])
    with path.open("a") as handle:
        handle.write('{"trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "span_id": "00000000000000')


def _hex(number: int, digits: int) -> str:
    return format(number, f"0{digits}x")


@pytest.fixture
async def traced(start_stack: Callable[..., Awaitable[Stack]], tmp_path: Path) -> Stack:
    path = tmp_path / "spans" / "traces.jsonl"
    write_spans(path, time.time_ns())
    return await start_stack(trace_file=path)


async def test_recent_traces_newest_first_with_their_root_route_and_services(traced: Stack) -> None:
    answer = await traced.client.get("/ops/traces", headers=traced.auth("ops"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["source"] == "span_file"
    found = [t for t in body["items"] if t["trace_id"] in {_hex(CLOSURE, 32), _hex(FAILED, 32), _hex(OLDER, 32)}]
    assert [t["trace_id"] for t in found] == [_hex(FAILED, 32), _hex(CLOSURE, 32), _hex(OLDER, 32)]
    closure = found[1]
    assert closure == closure | {
        "service": "civic-gateway", "name": "POST /api/property/*", "status": "ok", "span_count": 7,
        "route": "/api/property/v1/buildings/{building_id}/transitions", "duration_ms": 100.0,
        "services": ["civic-comms", "civic-gateway", "civic-property", "civic-savings"],
    }
    assert found[0]["status"] == "error" and found[0]["route"] == "/api/savings/v1/reports/themes"


@pytest.mark.parametrize(("query", "expected"), [
    ({"route": "/buildings/{building_id}/transitions"}, [CLOSURE]),
    ({"route": "REPORTS/THEMES"}, [FAILED]),
    ({"service": "comms"}, [CLOSURE]),
    ({"service": "civic-savings"}, [FAILED, CLOSURE, OLDER]),
    ({"status": "error"}, [FAILED]),
    ({"status": "ok", "service": "savings"}, [CLOSURE, OLDER]),
    ({"min_ms": "500"}, [FAILED]),
    ({"min_ms": "50", "status": "ok"}, [CLOSURE]),
    ({"limit": "1"}, [FAILED]),
])
async def test_filters_choose_the_traces(traced: Stack, query: dict[str, str], expected: list[int]) -> None:
    answer = await traced.client.get("/ops/traces", params=query, headers=traced.auth("ops"))
    assert answer.status_code == 200, answer.text
    ours = {_hex(t, 32) for t in (CLOSURE, FAILED, OLDER)}
    assert [t["trace_id"] for t in answer.json()["items"] if t["trace_id"] in ours] == [_hex(t, 32) for t in expected]


async def test_one_trace_is_a_waterfall_from_the_gateway_to_the_kafka_hop(traced: Stack) -> None:
    answer = await traced.client.get(f"/ops/traces/{_hex(CLOSURE, 32)}", headers=traced.auth("ops"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["duration_ms"] == 100.0 and body["status"] == "ok" and len(body["spans"]) == 7
    rows = [(s["depth"], s["service"], s["kind"], s["name"], s["start_ms"], s["duration_ms"]) for s in body["spans"]]
    assert rows == [
        (0, "civic-gateway", "SERVER", "POST /api/property/*", 0.0, 40.0),
        (1, "civic-property", "SERVER", f"POST {ROUTE}", 2.0, 35.0),
        (2, "civic-property", "CLIENT", "civic_property.update", 5.0, 3.0),
        (2, "civic-property", "PRODUCER", "property.events.v1 publish", 45.0, 6.0),
        (3, "civic-savings", "CONSUMER", "property.events.v1 process", 60.0, 20.0),
        (4, "civic-savings", "CLIENT", "civic_savings.insert", 62.0, 4.0),
        (3, "civic-comms", "CONSUMER", "property.events.v1 process", 64.0, 36.0),
    ]
    by_name = {(s["service"], s["kind"]): s for s in body["spans"]}
    assert by_name[("civic-property", "CLIENT")]["attributes"] == {
        "db.system": "mongodb", "db.name": "civic_property", "db.operation": "update",
        "db.mongodb.collection": "buildings"}
    assert by_name[("civic-savings", "CONSUMER")]["attributes"]["messaging.destination"] == "property.events.v1"
    assert by_name[("civic-savings", "CONSUMER")]["parent_id"] == _hex(0x4, 16)
    assert by_name[("civic-property", "SERVER")]["attributes"]["http.route"] == ROUTE


async def test_refusals_are_problem_details(traced: Stack) -> None:
    client = traced.client
    unknown = _hex(0xABC, 32)
    cases = [
        (await client.get("/ops/traces"), 401),
        (await client.get(f"/ops/traces/{unknown}"), 401),
        (await client.get("/ops/traces", headers=traced.auth("savings:read property:read")), 403),
        (await client.get(f"/ops/traces/{_hex(CLOSURE, 32)}", headers=traced.auth("comms:read")), 403),
        (await client.get(f"/ops/traces/{unknown}", headers=traced.auth("ops")), 404),
        (await client.get("/ops/traces/not-a-trace", headers=traced.auth("ops")), 422),
        (await client.get("/ops/traces", params={"status": "broken"}, headers=traced.auth("ops")), 422),
        (await client.get("/ops/traces", params={"min_ms": "-1"}, headers=traced.auth("ops")), 422),
        (await client.get("/ops/traces", params={"limit": "0"}, headers=traced.auth("ops")), 422),
        (await client.post("/ops/traces", headers=traced.auth("ops")), 405),
    ]
    for answer, status in cases:
        assert answer.status_code == status, (answer.request.url, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["status"] == status
    forbidden = cases[2][0].json()
    assert "ops" in str(forbidden)


async def test_the_openapi_document_declares_the_trace_view(traced: Stack) -> None:
    spec = (await traced.client.get("/openapi.json")).json()
    listing, one = spec["paths"]["/ops/traces"]["get"], spec["paths"]["/ops/traces/{trace_id}"]["get"]
    for operation in (listing, one):
        assert operation["security"] == [{"bearer": ["ops"]}]
        assert {"200", "401", "403", "422", "429", "503"} <= set(operation["responses"])
    assert "404" in one["responses"]
    assert {p["name"] for p in listing["parameters"]} == {"service", "route", "status", "min_ms", "limit"}


async def test_a_missing_span_file_is_no_traces_yet(start_stack: Callable[..., Awaitable[Stack]],
                                                    tmp_path: Path) -> None:
    stack = await start_stack(trace_file=tmp_path / "none" / "traces.jsonl")
    answer = await stack.client.get("/ops/traces", headers=stack.auth("ops"))
    assert answer.status_code == 200 and answer.json()["items"] == []


# --------------------------------------------------------------------------- Jaeger's query API, stood in


def jaeger_standin(spans: list[Made], now_ns: int, asked: list[dict[str, str]]) -> FastAPI:
    """Jaeger's query API as its UI uses it, over the same spans: traces with their processes, times in µs,
    the kind and the status as tags, ids without leading zeros (as Jaeger writes them)."""

    def as_jaeger(trace_id: int) -> dict[str, Any]:
        mine = [m for m in spans if m[0] == trace_id]
        services = sorted({m[3] for m in mine})
        processes = {f"p{i}": {"serviceName": s, "tags": []} for i, s in enumerate(services)}
        out = []
        for tid, sid, parent, service, name, kind, start_ms, took_ms, attributes, failed in mine:
            tags = [{"key": k, "type": "string", "value": v} for k, v in attributes.items()]
            tags.append({"key": "span.kind", "type": "string", "value": kind.name.lower()})
            tags.append({"key": "internal.span.format", "type": "string", "value": "otlp"})
            if failed:
                tags += [{"key": "error", "type": "bool", "value": True},
                         {"key": "otel.status_code", "type": "string", "value": "ERROR"}]
            out.append({
                "traceID": format(tid, "x"), "spanID": format(sid, "x"), "operationName": name,
                "references": [{"refType": "CHILD_OF", "traceID": format(tid, "x"), "spanID": format(parent, "x")}]
                if parent else [],
                "startTime": (now_ns + int(start_ms * 1e6)) // 1000, "duration": int(took_ms * 1000),
                "tags": tags, "processID": f"p{services.index(service)}",
            })
        return {"traceID": format(trace_id, "x"), "spans": out, "processes": processes}

    app = FastAPI()

    @app.get("/api/traces")
    async def find(request: Request) -> JSONResponse:
        asked.append(dict(request.query_params))
        service = request.query_params["service"]  # Jaeger refuses a search without one
        ids = sorted({m[0] for m in spans if m[3] == service})
        return JSONResponse({"data": [as_jaeger(t) for t in ids], "total": 0, "limit": 0, "offset": 0,
                             "errors": None})

    @app.get("/api/traces/{trace_id}")
    async def one(trace_id: str) -> JSONResponse:
        wanted = int(trace_id, 16)
        if not any(m[0] == wanted for m in spans):
            return JSONResponse({"data": None, "errors": [{"code": 404, "msg": "trace not found"}]}, status_code=404)
        return JSONResponse({"data": [as_jaeger(wanted)], "errors": None})

    return app


async def test_jaeger_answers_the_same_questions(start_stack: Callable[..., Awaitable[Stack]]) -> None:
    now_ns = time.time_ns()
    asked: list[dict[str, str]] = []
    jaeger = Served(jaeger_standin(_made(now_ns), now_ns, asked))
    await jaeger.start()
    try:
        stack = await start_stack(jaeger_query_url=jaeger.url)
        listing = await stack.client.get("/ops/traces", params={"route": "transitions"}, headers=stack.auth("ops"))
        assert listing.status_code == 200, listing.text
        body = listing.json()
        assert body["source"] == "jaeger"
        assert [t["trace_id"] for t in body["items"]] == [_hex(CLOSURE, 32)]
        assert body["items"][0]["route"] == "/api/property/v1/buildings/{building_id}/transitions"
        assert body["items"][0]["span_count"] == 7
        # no service chosen: every component asked, each once
        assert sorted(a["service"] for a in asked) == sorted(
            f"civic-{c}" for c in ("gateway", "web", "savings", "property", "safeguarding", "comms"))

        asked.clear()
        failing = await stack.client.get("/ops/traces", params={"status": "error", "service": "savings",
                                                                "min_ms": "100"}, headers=stack.auth("ops"))
        assert [t["trace_id"] for t in failing.json()["items"]] == [_hex(FAILED, 32)]
        assert [(a["service"], a["tags"], a["minDuration"]) for a in asked] == [
            ("civic-savings", '{"error": "true"}', "100000us")]

        one = await stack.client.get(f"/ops/traces/{_hex(FAILED, 32)}", headers=stack.auth("ops"))
        assert one.status_code == 200, one.text
        spans = one.json()["spans"]
        assert [(s["depth"], s["service"], s["kind"], s["status"]) for s in spans] == [
            (0, "civic-gateway", "SERVER", "error"), (1, "civic-savings", "SERVER", "error")]
        assert spans[1]["parent_id"] == _hex(0x21, 16) and spans[1]["attributes"]["http.route"] == "/v1/reports/themes"

        missing = await stack.client.get(f"/ops/traces/{_hex(0xABC, 32)}", headers=stack.auth("ops"))
        assert missing.status_code == 404
    finally:
        await jaeger.stop()
    away = await stack.client.get("/ops/traces", headers=stack.auth("ops"))
    assert away.status_code == 503 and away.headers["content-type"].startswith("application/problem+json")
