"""The trace view's summaries and waterfall, whatever the store: no server."""

from __future__ import annotations

from typing import Any

from civic_gateway.traces import SpanRecord, TraceQuery, newest, summaries, waterfall

T1, OWN, OTHER = "1" * 32, "2" * 32, "3" * 32


def _span(span_id: str, parent: str | None, start: int, end: int, trace: str = T1, service: str = "civic-savings",
          kind: str = "SERVER", error: bool = False, **attributes: Any) -> SpanRecord:
    return SpanRecord(trace, span_id, parent, service, f"span {span_id}", kind, start * 1_000_000, end * 1_000_000,
                      error, attributes)


def test_a_span_whose_parent_is_missing_starts_a_tree_and_siblings_go_as_they_started() -> None:
    spans = [_span("c", "a", 5, 6), _span("a", None, 0, 10), _span("b", "a", 1, 2), _span("d", "gone", 3, 4),
             _span("e", "b", 1, 2)]
    assert [(p.span.span_id, p.depth, p.offset_ms) for p in waterfall(spans)] == [
        ("a", 0, 0.0), ("b", 1, 1.0), ("e", 2, 1.0), ("c", 1, 5.0), ("d", 0, 3.0)]


def test_a_trace_without_its_root_yet_is_named_by_its_earliest_span() -> None:
    found = summaries([_span("b", "a", 3, 9), _span("c", "b", 2, 4, service="civic-comms")])[T1]
    assert (found.first.span_id, found.duration_ms, found.services) == ("c", 7.0, {"civic-savings", "civic-comms"})


def test_the_trace_views_own_requests_are_left_out() -> None:
    own = [_span("a", None, 0, 1, trace=OWN, **{"http.route": "/ops/traces"})]
    other = [_span("x", None, 0, 1, trace=OTHER, **{"http.route": "/v1/summary"})]
    assert [s.trace_id for s in newest(summaries(own + other).values(), TraceQuery())] == [OTHER]


def test_a_route_is_matched_on_any_server_route_without_case() -> None:
    spans = [_span("a", None, 0, 9, service="civic-gateway", **{"http.route": "/api/property/*"}),
             _span("b", "a", 1, 8, service="civic-property", **{"http.route": "/v1/buildings/{building_id}"})]
    found = summaries(spans)[T1]
    assert found.route == "/api/property/v1/buildings/{building_id}"
    assert found.chosen_by(TraceQuery(route="BUILDINGS/{building_id}"))
    assert not found.chosen_by(TraceQuery(route="/teams"))


def test_what_no_exporter_writes_is_left_out_rather_than_answered_wrong() -> None:
    odd = [_span("a", None, 0, 1, trace="not-a-trace"), _span("b", None, 5, 3, trace="ab" * 16)]
    found = summaries(odd)
    assert list(found) == ["ab" * 16] and found["ab" * 16].duration_ms == 0.0
    assert [p.duration_ms for p in waterfall(odd[1:])] == [0.0]
