"""The operations pages' own arithmetic and words: a waterfall's bars and what each span is, and the services
as the gateway's API document names them; no server."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

from civic_web.pages.ops.section import services_of
from civic_web.pages.ops.traces import _bar, _span_rows, _what


def _placed(bar: str) -> tuple[float, float]:
    found = re.search(r'x="([\d.]+)" y="0" width="([\d.]+)"', bar)
    assert found is not None, bar
    return float(found.group(1)), float(found.group(2))


def test_a_bar_is_placed_at_its_start_and_as_wide_as_its_duration_as_shares_of_the_trace() -> None:
    assert _placed(_bar(25.0, 50.0, 100.0, "SERVER")) == (250.0, 500.0)
    assert _placed(_bar(0.0, 100.0, 100.0, "SERVER")) == (0.0, 1000.0)
    assert _placed(_bar(99.99, 0.0, 100.0, "CLIENT")) == (998.0, 2.0)  # no measurable time: still a sliver
    assert _placed(_bar(0.0, 0.0, 0.0, "CLIENT")) == (0.0, 2.0)  # a trace of no time at all
    publish = _bar(1, 1, 2, "PRODUCER")
    assert 'aria-hidden="true"' in publish and "civic-waterfall__span--producer" in publish


def test_spans_are_said_as_an_operator_reads_them() -> None:
    mongo = {"db.system": "mongodb", "db.operation": "update", "db.mongodb.collection": "buildings"}
    kafka = {"messaging.system": "kafka", "messaging.destination": "property.events.v1"}
    assert _what({"kind": "CLIENT", "name": "civic_property.update", "attributes": mongo}) == \
        "MongoDB update on buildings"
    assert _what({"kind": "PRODUCER", "attributes": kafka}) == "Kafka publish to property.events.v1"
    assert _what({"kind": "CONSUMER", "attributes": kafka}) == "Kafka message from property.events.v1 processed"
    assert _what({"kind": "SERVER", "name": "POST /api/property/*", "attributes": {}}) == "Request POST /api/property/*"


def test_a_rows_text_says_its_level_start_and_duration_and_escapes_what_the_span_carries() -> None:
    trace = {"duration_ms": 10.0, "spans": [
        {"depth": 14, "service": "civic-comms", "kind": "INTERNAL", "name": "<b>x</b>", "start_ms": 1234.5,
         "duration_ms": 2.25, "status": "error", "attributes": {"error.type": "<script>"}}]}
    (row,) = _span_rows(trace)
    name = str(row[0]["html"])
    assert "Level 15: " in name and "civic-waterfall__depth--10" in name  # drawn no deeper than ten
    assert "<b>" not in name and "&lt;b&gt;x&lt;/b&gt;" in name and "&lt;script&gt;" in name
    assert [row[1]["text"], row[2]["text"], row[3]["text"]] == ["comms", "1,234.5", "2.2"]
    assert "Failed" in str(row[5]["html"])


async def test_the_services_are_the_ones_the_gateways_api_document_names_with_any_it_could_not_reach() -> None:
    class Document:
        def __init__(self, document: dict[str, Any]) -> None:
            self.document_given = document

        async def document(self) -> dict[str, Any]:
            return self.document_given

    def request(document: dict[str, Any]) -> Any:
        return SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(gateway=Document(document))))

    paths = {"/api/dashboard": {}, "/api/buildings/{building_id}/story": {}, "/api/savings/v1/initiatives": {},
             "/api/savings/v1/reports/themes": {}, "/api/property/v1/buildings": {}, "/api/comms/v1/content": {}}
    assert await services_of(request({"paths": paths})) == ("savings", "property", "comms")
    missing = {"paths": paths, "x-civic-missing-services": ["safeguarding"]}
    assert await services_of(request(missing)) == ("savings", "property", "comms", "safeguarding")
