"""docs/CONTRACT.md keeps up with the code: every route of every service and of the gateway, and every
event type with its data fields and the services that react to it, is written in it.

The convention (stated at the top of docs/CONTRACT.md too):

- a route is written in backticks as ``METHOD /path``, the path exactly as the app's OpenAPI document
  gives it, path parameters by their names there (`` `GET /v1/initiatives/{initiative_id}` ``);
- a service's own routes (``/v1/...``) are written in its section: from the level-2 heading that
  starts with the service's name (``## Savings``, ``## Property``, ``## Safeguarding``, ``## Comms``)
  to the next level-2 heading;
- the routes every service has (``/healthz``, ``/readyz``, ``/metrics``, ``/ops/...``) are in
  ``## Every service``;
- the gateway's routes are in ``## Gateway``: those of its OpenAPI document and those it keeps out of
  it (the merged ``/openapi.json``, ``/docs`` and the forwarding route ``/api/{service}/{path}``);
- every event type registered in ``civic_contracts`` is written in backticks at the start of a table
  row of ``## Events``; that row names each of the event's data fields in backticks and, in its last
  cell, every service whose handlers react to it.

The apps are built in a fresh interpreter, as tests/unit/runtime/test_serve.py does (importing one
configures logging and tracing, which this process keeps clear of); none is started: ``app.openapi()``
needs no lifespan, database or broker.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

CONTRACT = Path(__file__).resolve().parents[3] / "docs" / "CONTRACT.md"

# Run in a fresh interpreter: every component's routes (OpenAPI operations; for the gateway also the
# routes it keeps out of its OpenAPI), and the event types each service's handlers react to.
COLLECT = r"""
import importlib, json, re
from civic.serve import APPS, load_app
from civic_contracts import SERVICES
from starlette.routing import Route

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
routes = {}
for component in APPS:
    app = load_app(component)
    found = {(m.upper(), path) for path, item in app.openapi()["paths"].items() for m in item if m in METHODS}
    if component == "gateway":
        for route in app.routes:
            if isinstance(route, Route) and not route.include_in_schema:
                path = re.sub(r"{(\w+):\w+}", r"{\1}", route.path)  # {path:path} -> {path}
                found |= {(m, path) for m in route.methods or ()}
    routes[component] = sorted(found)
reactions = {s: sorted(importlib.import_module(f"civic_{s}.handlers").HANDLERS.event_types) for s in SERVICES}
print(json.dumps({"routes": routes, "reactions": reactions}))
"""


@pytest.fixture(scope="module")
def code(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    # the apps' logs and trace file go to a directory of the test's own, not the local stack's .civic
    state = tmp_path_factory.mktemp("civic")
    env = {**os.environ, "CIVIC_STATE_DIR": str(state), "CIVIC_LOG_LEVEL": "WARNING",
           # the web app will not start without a session secret and a way to sign officers in
           "CIVIC_WEB_SESSION_SECRET": "s" * 40, "CIVIC_WEB_LOCAL_KEYS": str(state / "keys")}
    done = subprocess.run([sys.executable, "-c", COLLECT], capture_output=True, text=True, timeout=240, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    collected: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return collected


def sections(text: str) -> dict[str, str]:
    """Level-2 heading -> its text (down to the next level-2 heading)."""
    parts = re.split(r"(?m)^## ", text)
    return {part.splitlines()[0].strip(): part for part in parts[1:]}


def section(text: str, starts: str) -> str:
    """The section whose heading starts with ``starts`` (empty when there is none: then all it should
    hold is reported missing)."""
    return "\n".join(body for heading, body in sections(text).items() if heading.startswith(starts))


def where_documented(component: str, path: str) -> str:
    """The heading (its start) of the section a route is written in."""
    if component == "gateway":
        return "Gateway"
    return component.capitalize() if path.startswith("/v1/") else "Every service"


def missing_routes(text: str, routes: dict[str, list[list[str]]]) -> list[str]:
    missing = []
    for component, pairs in routes.items():
        for method, path in pairs:
            heading = where_documented(component, path)
            if f"`{method} {path}`" not in section(text, heading):
                missing.append(f"{component}: `{method} {path}` (in ## {heading})")
    return missing


def event_rows(text: str) -> dict[str, list[str]]:
    """Event type -> the cells of its row in the Events section's tables."""
    rows: dict[str, list[str]] = {}
    for line in section(text, "Events").splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        first = re.fullmatch(r"`([a-z_]+\.[a-z_]+\.[a-z_]+)`", cells[0])
        if first:
            rows[first.group(1)] = cells
    return rows


def missing_events(text: str, reactions: dict[str, list[str]]) -> list[str]:
    from civic_contracts import REGISTRY

    rows = event_rows(text)
    missing = []
    for event_type, model in sorted(REGISTRY.items()):
        cells = rows.get(event_type)
        if cells is None:
            missing.append(f"event `{event_type}`: no row in ## Events")
            continue
        row = " | ".join(cells)
        missing += [f"event `{event_type}`: field `{f}`" for f in model.model_fields if f"`{f}`" not in row]
        reactors = [s for s, types in reactions.items() if event_type in types]
        missing += [f"event `{event_type}`: reacting service {s}" for s in reactors if s not in cells[-1]]
    return missing


def test_the_code_was_read(code: dict[str, Any]) -> None:
    # guards the tests below against passing on nothing
    routes = code["routes"]
    # web's pages are no API (kept out of its OpenAPI): only the health routes every component has
    assert set(routes) == {"gateway", "savings", "property", "safeguarding", "comms", "web"}
    assert all(len(routes[s]) >= 20 for s in ("savings", "property", "safeguarding", "comms"))
    assert ["GET", "/api/dashboard"] in routes["gateway"]
    assert ["POST", "/api/{service}/{path}"] in routes["gateway"]  # kept out of the gateway's OpenAPI
    assert "property.building.closed" in code["reactions"]["savings"]


def test_every_route_is_in_the_contract(code: dict[str, Any]) -> None:
    missing = missing_routes(CONTRACT.read_text(), code["routes"])
    assert not missing, "docs/CONTRACT.md does not document these routes:\n" + "\n".join(missing)


def test_every_event_is_in_the_contract(code: dict[str, Any]) -> None:
    missing = missing_events(CONTRACT.read_text(), code["reactions"])
    assert not missing, "docs/CONTRACT.md does not document these events:\n" + "\n".join(missing)


def test_a_route_or_an_event_left_out_is_caught(code: dict[str, Any]) -> None:
    """The checks themselves: the contract less one route's line, or one event's row, fails them."""
    text = CONTRACT.read_text()
    assert missing_routes(without(text, "`POST /v1/meetings/{meeting_id}/minutes/submit`"), code["routes"]) == [
        "safeguarding: `POST /v1/meetings/{meeting_id}/minutes/submit` (in ## Safeguarding)"
    ]
    assert missing_events(without(text, "| `property.building.closed` |"), code["reactions"]) == [
        "event `property.building.closed`: no row in ## Events"
    ]


def without(text: str, needle: str) -> str:
    """The text less every line holding ``needle``."""
    return "\n".join(line for line in text.splitlines() if needle not in line)
