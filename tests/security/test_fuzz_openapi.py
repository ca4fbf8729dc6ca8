"""Property-based fuzzing of every service's OpenAPI with schemathesis, in-process, on the real servers.

For every operation of every service (health and ops included), schemathesis generates valid
("positive") and invalid ("negative") requests from the service's own /openapi.json; half the valid
ones name ids that exist, so they get past the 404 into the handlers. They are sent with every scope
through httpx to the running app, and each answer must be:

- no 5xx;
- conform to the OpenAPI: a documented status code, the documented content type, and a body valid
  against the documented schema (errors: problem details, application/problem+json);
- an invalid request refused (4xx);
- a refused request (any 4xx) changes nothing: every collection of the service's database is the same
  document for document before and after, and the outbox has no new record (so nothing was published).

Generation is derandomised (fixed seeds), so a run is repeatable; a failure prints a curl command.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import SERVICES, Snapshot, build_world, quiesce, snapshot

pytestmark = [pytest.mark.integration, pytest.mark.security]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
#: per operation: valid requests with generated ids (as many again with existing ids), and invalid ones.
#: CIVIC_FUZZ_EXAMPLES raises both for a deeper run than CI's.
POSITIVE_EXAMPLES = NEGATIVE_EXAMPLES = int(os.environ.get("CIVIC_FUZZ_EXAMPLES", "8"))
#: re-publishes every stored event: only invalid requests are sent (a valid one would flood the topics)
NEGATIVE_ONLY = {("POST", "/ops/outbox/replay")}
#: where the ids of a path parameter come from: collection (and field) of the service's database
ID_SOURCES: dict[str, tuple[str, str]] = {
    "initiative_id": ("initiatives", "_id"), "record_id": ("cost_avoidance", "_id"), "name": ("targets", "name"),
    "building_id": ("buildings", "_id"), "team_id": ("teams", "_id"), "move_id": ("moves", "_id"),
    "board_id": ("boards", "_id"), "member_id": ("members", "_id"), "meeting_id": ("meetings", "_id"),
    "decision_id": ("decisions", "_id"), "sar_id": ("sars", "_id"), "sub_group_id": ("sub_groups", "_id"),
    "report_id": ("annual_reports", "_id"), "dispute_id": ("disputes", "_id"), "content_id": ("content", "_id"),
    "campaign_id": ("campaigns", "_id"), "consultation_id": ("consultations", "_id"),
    "champion_id": ("champions", "_id"), "dead_letter_id": ("dead_letters", "_id"),
}
FIXED_VALUES = {"year": ["2039/40", "2040-41"], "iso_week": ["2040-W02", "2026-W48"], "month": ["2040-01"]}


def generate(strategy: Any, count: int) -> list[Any]:
    """``count`` cases drawn by Hypothesis (derandomised: the same cases on every run)."""
    cases: list[Any] = []

    @hypothesis.settings(max_examples=count, derandomize=True, database=None, deadline=None,
                         phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @hypothesis.given(strategy)
    def collect(case: Any) -> None:
        cases.append(case)

    collect()
    return cases


async def existing_ids(db: Any, path: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for param in re.findall(r"{(\w+)}", path):
        if param == "item_id":
            meetings = await db["meetings"].find({}, {"agenda": 1}).sort("_id", -1).limit(3).to_list()
            out[param] = [str(i["id"]) for m in meetings for i in m.get("agenda", []) if "id" in i]
        elif param in FIXED_VALUES:
            out[param] = FIXED_VALUES[param]
        elif param in ID_SOURCES:
            coll, key = ID_SOURCES[param]
            docs = await db[coll].find({}, {key: 1}).sort("_id", -1).limit(4).to_list()
            out[param] = [str(d[key]) for d in docs if key in d]
    return {k: v for k, v in out.items() if v}


def request_of(case: Any, bearer: str) -> dict[str, Any]:
    """The case as keyword arguments for httpx (schemathesis serialises for requests)."""
    kw = case.as_transport_kwargs(base_url="http://fuzz.test", headers={"Authorization": f"Bearer {bearer}"})
    # control characters a path parameter may hold (its pattern allows them) go percent-encoded, as a client sends them
    url = re.sub(r"[\x00-\x20\x7f]", lambda m: f"%{ord(m.group()):02X}", kw["url"])
    out: dict[str, Any] = {"method": kw["method"], "url": url, "headers": kw.get("headers") or {},
                           "params": kw.get("params"), "cookies": kw.get("cookies") or None}
    if "json" in kw:
        out["json"] = kw["json"]
    if kw.get("data") is not None:
        data = kw["data"]
        if isinstance(data, dict):  # requests sends form numbers as text; httpx wants the text
            data = {k: [str(i) for i in v] if isinstance(v, list) else v if isinstance(v, (str, bytes)) else str(v)
                    for k, v in data.items()}
        out["content" if isinstance(data, (bytes, str)) else "data"] = data
    if kw.get("files"):
        out["files"] = [(name, (part[0], part[1] if isinstance(part[1], (str, bytes)) else str(part[1]), *part[2:]))
                        for name, part in kw["files"]]
    return out


class Findings:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], str] = {}
        self.calls = 0
        self.refusals_checked = 0
        self.inconclusive = 0
        self.statuses: Counter[int] = Counter()

    def add(self, operation: str, kind: str, text: str) -> None:
        self.items.setdefault((operation, kind), text)  # the first example of each kind per operation

    def report(self) -> str:
        return "\n".join(f"- {op} [{kind}]\n    {text}" for (op, kind), text in sorted(self.items.items()))


async def run_case(client: Any, case: Any, bearer: str, findings: Findings, label: str) -> Any:
    response = await client.request(**request_of(case, bearer))
    findings.calls += 1
    findings.statuses[response.status_code] += 1
    await response.request.aread()  # a multipart body is a stream until read
    try:
        case.validate_response(response, checks=CHECKS)
    except FailureGroup as exc:
        titles = ", ".join(sorted({f.title for f in exc.exceptions}))
        findings.add(label, titles, f"{response.status_code} {response.text[:300]}\n    {case.as_curl_command()[:400]}")
    return response


def check_unchanged(before: Snapshot, after: Snapshot, traces: set[str], findings: Findings, label: str,
                    what: Callable[[], str]) -> None:
    change = before.changes_to(after)
    findings.refusals_checked += 1
    if not change:
        return
    if change.background(traces):
        findings.inconclusive += 1  # a consumer or the scheduler wrote meanwhile: this refusal proves nothing
        return
    findings.add(label, "a refused request changed the database", f"{change.summary()}\n    {what()}")


# comms' document (the most operations) took over 300 s on a fresh clone with make test's two workers
# sharing the two cores; its cases are bounded by the examples, not by time
@pytest.mark.timeout(max(900, 60 * POSITIVE_EXAMPLES))
@pytest.mark.parametrize("name", SERVICES)
async def test_fuzz_service_openapi(name, all_apps, service_client, runtime_of, token):
    client = await service_client(name)
    rt = await runtime_of(name)
    await build_world(name, client)
    await quiesce(runtime_of)
    # what /openapi.json serves; the token is this test's own (not generated: the document declares the
    # bearer scheme, and a negative case made by breaking the token would be sent with a good one)
    schema = schemathesis.openapi.from_dict(all_apps[name].openapi(), config=SchemathesisConfig.from_dict(
        {"generation": {"with-security-parameters": False}}))
    bearer = token()
    findings = Findings()
    started = time.monotonic()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20, "the OpenAPI lists the service's operations"

    for operation in operations:
        label = operation.label
        if (operation.method.upper(), operation.path) not in NEGATIVE_ONLY:
            cases = generate(operation.as_strategy(generation_mode=GenerationMode.POSITIVE), POSITIVE_EXAMPLES)
            ids = await existing_ids(rt.db, operation.path)
            if ids:  # the same again, naming ids that exist
                more = generate(operation.as_strategy(generation_mode=GenerationMode.POSITIVE), POSITIVE_EXAMPLES)
                for i, case in enumerate(more):
                    for param, values in ids.items():
                        case.path_parameters[param] = values[i % len(values)]
                cases += more
            for case in cases:
                before = await snapshot(rt.db)
                response = await run_case(client, case, bearer, findings, label)
                if 400 <= response.status_code < 500:
                    after = await snapshot(rt.db, evidence_first=False)
                    check_unchanged(before, after, {response.headers.get("x-trace-id", "")}, findings, label,
                                    case.as_curl_command)
        try:
            cases = generate(operation.as_strategy(generation_mode=GenerationMode.NEGATIVE), NEGATIVE_EXAMPLES)
        except hypothesis.errors.Unsatisfiable:
            continue  # nothing about this operation can be invalid (no parameters, no body)
        # every invalid request is refused (checked above): the whole batch must leave the database as it was
        before = await snapshot(rt.db)
        traces: set[str] = set()
        accepted = []
        for case in cases:
            response = await run_case(client, case, bearer, findings, label)
            traces.add(response.headers.get("x-trace-id", ""))
            if response.status_code < 400:
                accepted.append(case)
        if not accepted:
            check_unchanged(before, await snapshot(rt.db, evidence_first=False), traces, findings, label,
                            lambda cs=cases: "one of: " + " | ".join(c.as_curl_command()[:200] for c in cs[:3]))

    elapsed = time.monotonic() - started
    print(f"{name}: {len(operations)} operations, {findings.calls} calls, {findings.refusals_checked} refusal "
          f"checks ({findings.inconclusive} inconclusive) in {elapsed:.1f}s; statuses {sorted(findings.statuses.items())}")
    assert not findings.items, f"{len(findings.items)} findings:\n{findings.report()}"
    assert findings.calls >= POSITIVE_EXAMPLES * len(operations)
    # refusals are proven to change nothing, except the few during which a consumer or the scheduler wrote
    assert findings.inconclusive <= max(3, findings.refusals_checked // 20)
