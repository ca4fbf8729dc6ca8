"""The recent traces, filtered as the operator asks, and one trace as a waterfall.

The waterfall is a table, a span a row in tree order (indented by its depth), with its start and duration in
milliseconds as text and, beside them, a bar placed at the same start and as wide as the same duration, as a
share of the whole trace. The bar is an SVG rectangle whose place is given by attributes: the pages' policy
allows no inline styles (style-src 'self'), and the numbers in the row are what it says, for everyone.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from markupsafe import Markup

from civic_web.gateway import Refused
from civic_web.pages import ask, first, layout_of, render, segment
from civic_web.pages.ops.section import NOT_SERVICES, PAGES, TRACES, operates, services_of
from civic_web.refusals import Refusal, refusal_from
from civic_web.sessions import SignedInOfficer, signed_in
from civic_web.vocabulary import LONDON

router = APIRouter(include_in_schema=False)

#: the filter form's boxes: the API's query parameter -> (the box's id, its label)
FILTER_FIELDS = {"service": ("service", "Service"), "route": ("route", "Route"), "status": ("status", "Status"),
                 "min_ms": ("min-ms", "Taking at least")}
#: deepest indentation drawn (a deeper span is drawn at this depth; its level is still said)
DEEPEST = 10
LISTED = "50"


def _component(service: str) -> str:
    return service.removeprefix("civic-")


def _when(value: Any) -> str:
    """A trace's start in the council's time, to the millisecond: traces are read by the second."""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(LONDON)
    except ValueError:
        return str(value)
    return f"{moment.day} {moment:%b %H:%M:%S}.{moment.microsecond // 1000:03d}"


def _ms(value: Any) -> str:
    return f"{float(value or 0):,.1f}"


def _status_tag(status: str) -> Markup:
    if status == "error":
        return Markup('<strong class="govuk-tag govuk-tag--red">Failed</strong>')
    return Markup('<strong class="govuk-tag govuk-tag--green">OK</strong>')


def _trace_rows(found: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    rows: list[list[dict[str, Any]]] = []
    for t in found:
        trace_id = str(t.get("trace_id", ""))
        asked = t.get("route") or t.get("name") or "trace"
        rows.append([
            {"text": _when(t.get("started_at"))},
            {"html": Markup('<a class="govuk-link" href="/operations/traces/{}">{}'
                            '<span class="govuk-visually-hidden">, trace {}</span></a>').format(
                segment(trace_id), asked, trace_id)},
            {"text": _component(str(t.get("service", "")))},
            {"text": ", ".join(_component(s) for s in t.get("services", []))},
            {"text": t.get("span_count"), "format": "numeric"},
            {"text": _ms(t.get("duration_ms")), "format": "numeric"},
            {"html": _status_tag(str(t.get("status")))},
            {"html": Markup('<code class="civic-trace-id">{}</code>').format(trace_id[:8])},
        ])
    return rows


@router.get("/traces")
async def traces(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    operates(officer)
    chosen = {name: first(request.query_params.get(name)) for name in FILTER_FIELDS}
    asked = {name: value for name, value in chosen.items() if value}
    found: list[dict[str, Any]] = []
    source = None
    refusal: Refusal | None = None
    try:
        answer = (await ask(request, officer, TRACES, {**asked, "limit": LISTED})).body
        found, source = answer.get("items", []), answer.get("source")
    except Refused as refused:  # a filter the API does not take: said on its box
        if refused.status != 422:
            raise
        refusal = refusal_from(refused.problem, FILTER_FIELDS.get, refused.status)
    return render(request, "ops/traces.html", {
        "chosen": chosen, "filtered": bool(asked), "rows": _trace_rows(found), "count": len(found),
        # the platform's components, as the trace view's service filter takes them
        "components": (*NOT_SERVICES, *await services_of(request)),
        "statuses": (("ok", "OK"), ("error", "Failed")), "source": source,
        "listed": LISTED, "pages": PAGES,
    }, refusal)


def _what(span: dict[str, Any]) -> str:
    """What a span is, in an operator's words: a request answered, a MongoDB command, the Kafka hop."""
    kind, attributes = span.get("kind"), span.get("attributes") or {}
    if attributes.get("db.system") == "mongodb":
        collection = attributes.get("db.mongodb.collection")
        operation = attributes.get("db.operation") or span.get("name")
        return f"MongoDB {operation}" + (f" on {collection}" if collection else "")
    if attributes.get("messaging.system") == "kafka":
        topic = attributes.get("messaging.destination") or ""
        if kind == "PRODUCER":
            return f"Kafka publish to {topic}"
        if kind == "CONSUMER":
            return f"Kafka message from {topic} processed"
    if kind == "SERVER":
        return f"Request {span.get('name', '')}"
    return str(span.get("name", ""))


def _bar(start_ms: float, duration_ms: float, whole_ms: float, kind: str) -> Markup:
    """The span's bar on a scale of 1000 across the trace: placed at its start, as wide as its duration (at
    least a sliver, so a span of no measurable time is still seen)."""
    scale = 1000 / whole_ms if whole_ms > 0 else 0
    left = min(start_ms * scale, 998)
    width = max(min(duration_ms * scale, 1000 - left), 2)
    return Markup(
        '<svg class="civic-waterfall__bar" viewBox="0 0 1000 10" preserveAspectRatio="none" width="100%" height="12"'
        ' aria-hidden="true" focusable="false"><rect class="civic-waterfall__span civic-waterfall__span--{}"'
        ' x="{:.1f}" y="0" width="{:.1f}" height="10"/></svg>').format(kind.lower(), left, width)


def _details(attributes: dict[str, Any]) -> str:
    return "; ".join(f"{name} {value}" for name, value in attributes.items())


def _span_rows(trace: dict[str, Any]) -> list[list[dict[str, Any]]]:
    whole = float(trace.get("duration_ms") or 0)
    rows: list[list[dict[str, Any]]] = []
    for span in trace.get("spans", []):
        depth = int(span.get("depth") or 0)
        start, took = float(span.get("start_ms") or 0), float(span.get("duration_ms") or 0)
        kind = str(span.get("kind") or "INTERNAL")
        details = _details(span.get("attributes") or {})
        rows.append([
            {"html": Markup(
                '<div class="civic-waterfall__depth civic-waterfall__depth--{}">'
                '<span class="govuk-visually-hidden">Level {}: </span>{}'
                '<span class="govuk-body-s civic-waterfall__details">{}</span></div>').format(
                min(depth, DEEPEST), depth + 1, _what(span), details),
             "classes": "civic-waterfall__name"},
            {"text": _component(str(span.get("service", "")))},
            {"text": _ms(start), "format": "numeric"},
            {"text": _ms(took), "format": "numeric"},
            {"html": _bar(start, took, whole, kind), "classes": "civic-waterfall__timeline"},
            {"html": _status_tag(str(span.get("status")))},
        ])
    return rows


@router.get("/traces/{trace_id}")
async def trace(request: Request, trace_id: str, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    operates(officer)
    wanted = trace_id.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{32}", wanted):  # not a trace id: nothing to ask the API about
        return layout_of(request).render(request, "problem.html", {
            "heading": "Page not found", "text": "A trace id is 32 hexadecimal digits, as the X-Trace-Id header gives it."},
            status=404)
    found: dict[str, Any] = (await ask(request, officer, f"{TRACES}/{segment(wanted)}")).body
    kafka = [s for s in found.get("spans", []) if (s.get("attributes") or {}).get("messaging.system") == "kafka"]
    return render(request, "ops/trace.html", {
        "trace": found, "rows": _span_rows(found), "pages": PAGES,
        "services": [_component(s) for s in found.get("services", [])],
        "started": _when(found.get("started_at")), "duration": _ms(found.get("duration_ms")), "kafka_hops": len(kafka),
    })

