"""schemathesis with every check, all its phases (examples, coverage, fuzzing, stateful), against every service
and through the gateway, as a client would meet them: over HTTP.

The four service apps (running in-process on the session's embedded servers) are served by uvicorn on free
ports, and a gateway in front of them (``create_gateway``, its merged ``/openapi.json``). schemathesis' own
engine (what ``st run --checks all`` runs) reads each ``/openapi.json`` and tests every operation with
every check but ``max_response_time`` (no timed assertions here): server errors, status codes, content
types, headers and bodies against the document, schema-valid requests accepted and schema-violating ones
refused, undeclared methods (405 with ``Allow``), missing headers, ignored authentication, use after free,
resource availability; the stateful phase follows the document's links from each creation to the
operations that use its id. Generation is deterministic (a fixed seed), so a run is repeatable.

It must find nothing but the exceptions listed in docs/CONTRACT.md ("Fuzzing exceptions"), encoded below
(``EXCEPTIONS``): a schema-valid request refused because of a value the schema cannot judge (a cursor,
an If-Match version, an id that names nothing) or a rule JSON Schema cannot state (two fields compared,
two items of a list compared, today's date, the stored resource). Each is matched by operation, status and
the fields the refusal names, never by switching a check off. ``CIVIC_SCHEMATHESIS_EXAMPLES`` raises the
examples per operation for a deeper run than the suite's.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import schemathesis
from civic.auth import ALL_SCOPES
from civic_contracts import SERVICES
from civic_gateway.main import create_gateway
from civic_gateway.settings import GatewaySettings
from schemathesis.config import SchemathesisConfig
from schemathesis.config._checks import NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES
from schemathesis.engine import events, from_schema

from tests.conftest import Served

pytestmark = [
    pytest.mark.integration,
    pytest.mark.security,
    pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning"),
]

#: examples per operation and phase; the stateful phase takes as many steps per scenario at most
EXAMPLES = int(os.environ.get("CIVIC_SCHEMATHESIS_EXAMPLES", "6"))
SEED = 20261201


# --------------------------------------------------------------------------- the exceptions


@dataclass(frozen=True)
class Listed:
    """A schema-valid request the API refuses, for a reason the schema cannot state (docs/CONTRACT.md)."""

    operations: str  # regular expression over "METHOD /path" (the service's path, /api/<service> removed)
    status: int
    fields: str  # regular expression every field the refusal names must match
    why: str


CURSOR = "a cursor is opaque: only one this API gave (base64url of an id) is accepted"
VERSION = ("an If-Match version is opaque: the schema knows its form, not the resource's current version; "
           "If-None-Match: * (create only) is refused once the resource exists")
NAMES_NOTHING = "an id in a body or in a path that names nothing of this service: 422 naming the field (D4)"
ACROSS_FIELDS = "a rule comparing two fields of the request"
ACROSS_ITEMS = "a rule comparing the items of a list (each once, compared without case or spaces)"
TODAY = "a rule relative to today's date or time"
STORED = "a rule relative to the stored resource (its state, its own values)"
FILE = "the content of an uploaded file or text body (a CSV), checked row by row"

EXCEPTIONS = (
    # opaque values
    Listed(r"GET .*", 422, r"cursor", CURSOR),
    Listed(r"(POST|PUT|PATCH|DELETE) .*", 412, r"", VERSION),
    Listed(r"POST /v1/teams", 422, r"building_id", NAMES_NOTHING),
    Listed(r"POST /v1/moves", 422, r"team_id|to_building_id", NAMES_NOTHING),
    Listed(r"(POST|PATCH) /v1/content(/\{content_id\})?", 422, r"campaign_id", NAMES_NOTHING),
    Listed(r"POST /v1/subscriptions", 422, r"topic", NAMES_NOTHING + " (the campaign or consultation a topic names)"),
    Listed(r"POST /v1/subscriptions/(confirmation|unsubscribe)", 410, r"token",
               "a token is opaque: only one this service emailed, unused and unexpired, is accepted"),
    Listed(r"POST /v1/meetings/\{meeting_id\}/(declarations|items/\{item_id\}/decision)", 422, r"item_id",
               NAMES_NOTHING),
    Listed(r"POST /v1/consultations/\{consultation_id\}/responses(/bulk)?", 422,
               r"(responses\.\d+\.)?answers(\..*)?", STORED + ": the answers name the consultation's questions "
               "and must fit each one's kind and options"),
    # rules JSON Schema cannot state
    Listed(r"POST /v1/initiatives|PATCH /v1/initiatives/\{initiative_id\}", 422, r"profile\.\d+\.year",
               ACROSS_ITEMS + ": a profile lists each year once"),
    Listed(r"POST /v1/initiatives/\{initiative_id\}/actuals", 422, r"year",
               STORED + ": a year of the initiative's profile"),
    Listed(r"POST /v1/programmes/\{name\}/highlight-reports/\{month\}/issue", 422, r"month",
               TODAY + ": a month not yet begun has no highlight report to issue"),
    Listed(r"POST /v1/shared-services|PATCH /v1/shared-services/\{shared_service_id\}", 422,
               r"cost_split|other_council|host_council",
               ACROSS_FIELDS + " (the two councils' shares add up to 100% or to the annual cost; the other council is "
               "not the host) and " + STORED + " (an amendment's council with the stored other one)"),
    Listed(r"POST /v1/shared-services/\{shared_service_id\}/transitions", 422, r"on",
               TODAY + " (in progress and disaggregated are recorded once they happened) and " + STORED
               + " (not disaggregated before it started)"),
    Listed(r"(POST|PATCH) /v1/buildings(/\{building_id\})?", 422, r"partners\.\d+\.name",
               ACROSS_ITEMS + ": each partner once"),
    Listed(r"(POST|PATCH) /v1/buildings(/\{building_id\})?", 422, r"annual_utility_cost_pence",
               ACROSS_FIELDS + ": the utilities are part of the running cost"),
    Listed(r"(POST|PATCH) /v1/buildings(/\{building_id\})?", 422,
               r"lease(\.annual_rent_pence|\.expires_on|\.breaks\.\d+\.on)?",
               STORED + " (a PATCH's lease against the stored tenure and running cost) and " + ACROSS_FIELDS
               + " (the rent within the running cost, the expiry after the start, each break within the lease, once)"),
    Listed(r"GET /v1/reports/rationalisation-target", 422, r"to_year",
               ACROSS_FIELDS + ": the years run forward, at most 25 of them"),
    Listed(r"PUT /v1/rationalisation-target", 422, r"steps\.\d+\.(year|by)",
               ACROSS_ITEMS + ": each step's year after the one before; " + ACROSS_FIELDS + ": its day within its year"),
    Listed(r"POST /v1/buildings/\{building_id\}/transitions", 422, r"on",
               TODAY + " (a closure or disposal is not dated in the future) and " + STORED
               + " (not before the closure or the market engagement)"),
    Listed(r"POST /v1/moves/\{move_id\}/transitions", 422, r"on", TODAY + ": a move is recorded once done"),
    Listed(r"POST /v1/buildings/\{building_id\}/occupancy", 422, r"date|occupied_desks",
               TODAY + " (no reading of tomorrow) and " + STORED + " (its desks, the day it closed)"),
    Listed(r"POST /v1/occupancy/import", 422, r"file|header|rows|building_id|date|occupied_desks|body", FILE
               + "; its rows name buildings (" + NAMES_NOTHING + ")"),
    Listed(r"GET /v1/buildings/\{building_id\}/utilisation|POST /v1/utilisation-reviews", 422, r"to",
               ACROSS_FIELDS + ": a period ends after it starts, within five years"),
    Listed(r"GET /v1/reports/rationalisation", 422, r"to_year",
               ACROSS_FIELDS + ": the years run forward, at most 25 of them"),
    Listed(r"POST /v1/boards", 422, r"statutory_partners", ACROSS_ITEMS + ": each organisation once"),
    Listed(r"POST /v1/boards/\{board_id\}/members", 422, r"safeguarding_partner",
               STORED + ": a children's partnership's statutory member names the safeguarding partner it represents"),
    Listed(r"POST /v1/members/\{member_id\}/notice", 422, r"leaves_on",
               ACROSS_FIELDS + ": not before the notice (given by default today)"),
    Listed(r"POST /v1/boards/\{board_id\}/constitution-reviews", 422, r"reviewed_on",
               STORED + ": not recorded before the decision approving it"),
    Listed(r"POST /v1/boards/\{board_id\}/forward-plan", 422, r"meeting_id", NAMES_NOTHING + " (no meeting)"),
    Listed(r"PUT /v1/members/\{member_id\}/deputy", 422, r"deputy_name",
               STORED + ": the deputy is another person than the member"),
    Listed(r"PUT /v1/meetings/\{meeting_id\}/attendance", 422, r"(attendance\.)?\d+\.member_id",
               ACROSS_ITEMS + ": each member once in a register"),
    Listed(r"POST /v1/boards/\{board_id\}/sars", 422, r"reference",
               ACROSS_FIELDS + ": the public reference never holds the adult's name"),
    Listed(r"POST /v1/boards/\{board_id\}/practice-reviews", 422, r"reference|notified_on",
               ACROSS_FIELDS + ": the public reference never holds the child's name; notified not before the "
               "incident became known (by default today)"),
    Listed(r"POST /v1/practice-reviews/\{practice_review_id\}/transitions", 422, r"on",
               STORED + ": not before the previous step"),
    Listed(r"POST /v1/sars/\{sar_id\}/transitions", 422, r"on|actions\.\d+\.due_on",
               STORED + " (not before the previous step) and " + ACROSS_FIELDS + " (actions due after the plan)"),
    Listed(r"POST /v1/sars/\{sar_id\}/actions/\{action_id\}/completion", 422, r"evidence|completed_on",
               STORED + ": the evidence never holds the adult's name; not done before the plan was agreed"),
    Listed(r"POST /v1/sars/\{sar_id\}/learning-briefing", 422, r"summary|issued_on",
               STORED + ": the briefing never holds the adult's name; not issued before the report was received"),
    Listed(r"POST /v1/decisions/\{decision_id\}/confirmations", 422, r"confirmed_on",
               STORED + ": not confirmed before the decision was taken"),
    Listed(r"POST /v1/members/\{member_id\}/interests|PATCH /v1/interests/\{interest_id\}", 422, r"held_until",
               ACROSS_FIELDS + " (held until, not before held from: by default today) and " + STORED
               + " (an amendment's dates with the entry's own)"),
    Listed(r"POST /v1/interests/\{interest_id\}/withdrawal", 422, r"withdrawn_on",
               STORED + ": not withdrawn before it was registered"),
    Listed(r"POST /v1/members/\{member_id\}/interest-reviews", 422, r"reviewed_on",
               TODAY + ": a review is recorded once done"),
    Listed(r"GET /v1/boards/\{board_id\}/(forward-plan|decision-notices)", 422, r"to",
               ACROSS_FIELDS + " (the range ends after it starts) and " + TODAY
               + " (the forward plan from today by default)"),
    Listed(r"PUT /v1/boards/\{board_id\}/budget/\{year\}", 422, r"(expenditure|contributions)\.\d+\.name",
               ACROSS_ITEMS + ": each line once"),
    Listed(r"POST /v1/boards/\{board_id\}/disputes", 422, r"parties",
               ACROSS_ITEMS + ": two different organisations"),
    Listed(r"POST /v1/disputes/\{dispute_id\}/transitions", 422, r"on",
               STORED + ": the joint meeting is not before the dispute was determined"),
    Listed(r"POST /v1/content/\{content_id\}/transitions", 422, r"publish_at",
               TODAY + ": scheduled content goes out in the future (" + STORED + ": its own publish_at by default)"),
    Listed(r"POST /v1/campaigns", 422, r"ends_on", ACROSS_FIELDS + ": a campaign ends after it starts"),
    Listed(r"POST /v1/consultations", 422, r"closes_at|closes_on|questions\.\d+\.(id|options)",
               ACROSS_FIELDS + " (it closes after it opens) and " + ACROSS_ITEMS
               + " (each question id and option once)"),
    Listed(r"GET /v1/forward-plan", 422, r"to", ACROSS_FIELDS + ": a plan ends after it starts, within a year"),
    Listed(r"POST /v1/champions", 422, r"appointed_on", TODAY + ": an appointment is recorded once made"),
    Listed(r"POST /v1/champions/\{champion_id\}/stand-down", 422, r"stood_down_on",
               TODAY + " (a stand-down is recorded once made) and " + STORED + " (not before the appointment)"),
)


def _operation(label: str) -> str:
    """``POST /api/savings/v1/x`` (through the gateway) as ``POST /v1/x`` (the service's own path)."""
    method, _, path = label.partition(" ")
    return f"{method} {re.sub(r'^/api/[a-z]+(?=/(v1|ops)/)', '', path)}"


def excused(check: str, label: str, case: Any, response: Any) -> str | None:
    """Why this failure is one of the listed exceptions, or None."""
    if check != "positive_data_acceptance" or response is None:
        return None
    components = getattr(case.meta, "components", {}) if case.meta is not None else {}
    if any(getattr(info, "mode", None) is not None and info.mode.is_negative for info in components.values()):
        # schemathesis labels a case positive while it generated one of its parts negative (seen in the
        # coverage phase when it cannot draw a valid body): not a schema-valid request
        return "not a schema-valid request (a part of it was generated negative)"
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    fields = [str(e.get("field", "")) for e in body.get("errors", [])] if isinstance(body, dict) else []
    operation = _operation(label)
    listed = [e for e in EXCEPTIONS if response.status_code == e.status and re.fullmatch(e.operations, operation)]
    for exception in listed:
        if exception.status == 412:
            headers = {k.lower() for k in (case.headers or {})}
            if headers & {"if-match", "if-none-match"}:
                return exception.why
    # a refusal may name several fields at once (two rules broken by one generated body): excused when
    # each field is a listed exception of this operation and status, with every reason given
    reasons: list[str] = []
    for name in fields:
        why = next((e.why for e in listed if e.status != 412 and re.fullmatch(e.fields, name, flags=re.DOTALL)), None)
        if why is None:
            return None
        if why not in reasons:
            reasons.append(why)
    return "; ".join(reasons) or None


# --------------------------------------------------------------------------- serving over HTTP


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def served(all_apps: dict[str, Any], stack: Any, tmp_path_factory: pytest.TempPathFactory
                 ) -> AsyncIterator[dict[str, str]]:
    """Each service app (already running, lifespan and all) and a gateway in front of them, over HTTP."""
    services = {name: Served(all_apps[name], lifespan="off", proxy_headers=True) for name in SERVICES}
    for server in services.values():
        await server.start()
    state: Path = tmp_path_factory.mktemp("schemathesis-gateway")
    settings = GatewaySettings(
        jwks_file=stack.keys.jwks_path, jwks_url=None, service_name="gateway", state_dir=state,
        trace_file=state / "traces.jsonl", rate_limit_per_minute=10_000_000, rate_limit_burst=10_000_000,
        dashboard_budget_seconds=5.0, **{f"{name}_url": server.url for name, server in services.items()},
    )
    gateway = Served(create_gateway(settings), lifespan="on", proxy_headers=True)
    await gateway.start()
    try:
        yield {"gateway": gateway.url, **{name: server.url for name, server in services.items()}}
    finally:
        await gateway.stop()
        for server in services.values():
            await server.stop()


# --------------------------------------------------------------------------- the run


@dataclass
class Outcome:
    cases: Counter[str]  # by phase
    findings: dict[tuple[str, str, str], str]  # (check, operation, title) -> an example
    excused: Counter[str]
    checks: Counter[str]
    seconds: float
    #: operations the stateful phase reached and had answered with success (through links to real ids)
    reached: set[str]


#: how schemathesis words Hypothesis' large_base_example health check when it reports it
LARGE_BASE_EXAMPLE = "Minimum possible example is too large"


def run_engine(url: str, bearer: str) -> Outcome:
    """schemathesis' engine on one document, every check but max_response_time, every phase."""
    config = SchemathesisConfig.from_dict({
        "seed": SEED,
        "workers": 1,
        "headers": {"Authorization": f"Bearer {bearer}"},
        "generation": {"max-examples": EXAMPLES, "deterministic": True, "database": "none"},
        # the rules between a SAR transition's fields make Hypothesis' smallest example larger than it likes
        "suppress-health-check": ["large_base_example"],
        # a body over the documented size limit is refused with 413: a refusal like the others
        "checks": {"negative_data_rejection": {"expected-statuses": [*NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES,
                                                                     "413"]}},
        "phases": {"stateful": {"max-steps": max(10, 3 * EXAMPLES)}},
    })
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json", config=config)
    started = time.monotonic()
    findings: dict[tuple[str, str, str], str] = {}
    excuses: Counter[str] = Counter()
    checks: Counter[str] = Counter()
    cases: Counter[str] = Counter()
    reached: set[str] = set()
    for event in from_schema(schema).execute():
        if isinstance(event, events.FatalError):
            raise AssertionError(f"schemathesis stopped: {event.exception!r}")
        if isinstance(event, events.NonFatalError):
            if type(event.value).__name__ == "FailedHealthCheck" and str(event.value).startswith(LARGE_BASE_EXAMPLE):
                # Hypothesis' own health check on its generator, not an answer of the API: in some runs it finds the
                # smallest body of an operation with rules between its fields (a declaration's reason when it is
                # not prejudicial) too large to start from, in one phase, although large_base_example is
                # suppressed above; the other phases still send that operation's cases, so it is counted, not failed
                excuses[f"{_operation(event.label)}: one phase could not draw a smallest example (Hypothesis' "
                        "large_base_example health check)"] += 1
                continue
            findings.setdefault(("error", event.label, type(event.value).__name__), str(event.value)[:500])
        if not isinstance(event, events.ScenarioFinished):
            continue
        recorder = event.recorder
        cases[event.phase.value] += len(recorder.cases)
        if event.phase.value == "stateful":
            for case_id, interaction in recorder.interactions.items():
                if interaction.response is not None and interaction.response.status_code < 300:
                    reached.add(_operation(recorder.cases[case_id].value.operation.label))
        for case_id, nodes in recorder.checks.items():
            for node in nodes:
                checks[node.name] += 1
                if node.failure_info is None:
                    continue
                failure = node.failure_info.failure
                interaction = recorder.interactions.get(case_id)
                response = interaction.response if interaction is not None else None
                case = recorder.cases[case_id].value
                why = excused(node.name, failure.operation, case, response)
                if why is not None:
                    excuses[f"{_operation(failure.operation)} {response.status_code if response else ''}: {why}"] += 1
                    continue
                text = response.content[:300].decode("utf-8", "replace") if response is not None else ""
                findings.setdefault(
                    (node.name, failure.operation, failure.title),
                    f"{event.phase.value}: {response.status_code if response else '-'} {text}\n"
                    f"      {node.failure_info.code_sample[:600]}",
                )
    return Outcome(cases, findings, excuses, checks, time.monotonic() - started, reached)


def report(name: str, outcome: Outcome) -> str:
    phases = ", ".join(f"{phase} {n}" for phase, n in sorted(outcome.cases.items()))
    lines = [f"{name}: {sum(outcome.cases.values())} cases ({phases}) in {outcome.seconds:.0f}s, "
             f"{len(outcome.findings)} findings, {sum(outcome.excused.values())} listed exceptions "
             f"({len(outcome.excused)} kinds)"]
    lines.append(f"  the stateful phase reached with success {len(outcome.reached)} operations: "
                 + ", ".join(sorted(outcome.reached)))
    lines += [f"  excused x{n}: {why}" for why, n in sorted(outcome.excused.items())]
    lines += [f"- [{check}] {operation}: {title}\n    {example}"
              for (check, operation, title), example in sorted(outcome.findings.items())]
    return "\n".join(lines)


@pytest.mark.timeout(900)
@pytest.mark.parametrize("target", ["gateway", *SERVICES])
async def test_schemathesis_finds_nothing_but_the_listed_exceptions(
    target: str, served: dict[str, str], token: Callable[..., str]
) -> None:
    outcome = await asyncio.to_thread(run_engine, served[target], token(" ".join(ALL_SCOPES), sub="schemathesis"))
    print(report(target, outcome))
    assert not outcome.findings, report(target, outcome)
    assert sum(outcome.cases.values()) > 100, "the engine generated and sent requests"
    assert outcome.cases["stateful"] > 0, "the stateful phase followed the links"
    assert {"positive_data_acceptance", "negative_data_rejection", "unsupported_method", "use_after_free",
            "ensure_resource_availability", "ignored_auth", "missing_required_header"} <= set(outcome.checks), \
        f"every check ran: {sorted(outcome.checks)}"
