"""Helpers for the savings service's integration tests (on top of tests/conftest.py's fixtures).

Tests share one database, so each test works in its own directorate or programme (``unique``), and
every test except the seed test uses years from 2030/31 on, so the seeded 2021/22-2023/24 report
stays exactly the published table whatever order the tests run in.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

TOPIC = "savings.events.v1"
ALL_SCOPES = "savings:read savings:write savings:approve"


def unique(name: str) -> str:
    return f"{name} {uuid.uuid4().hex[:8]}"


@pytest.fixture
async def api(service_client: Any) -> Any:
    return await service_client("savings", scopes=ALL_SCOPES)


@pytest.fixture
async def writer(service_client: Any) -> Any:
    """Can write but not approve."""
    return await service_client("savings", scopes="savings:read savings:write")


@pytest.fixture
async def reader(service_client: Any) -> Any:
    return await service_client("savings", scopes="savings:read")


@pytest.fixture
async def db(mongo_db: Any) -> Any:
    return await mongo_db("savings")


@pytest.fixture
def body() -> Callable[..., dict[str, Any]]:
    def make(**overrides: Any) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "title": unique("Contract consolidation"),
            "directorate": unique("Directorate"),
            "theme": "buying_commissioning",
            "category": "transformation",
            "programme": unique("Programme"),
            "owner": "Head of Procurement",
            "profile": [
                {"year": "2030/31", "planned_pence": 1_000_000},
                {"year": "2031/32", "planned_pence": 500_000},
            ],
        }
        fields.update(overrides)
        return fields

    return make


@pytest.fixture
def new_initiative(api: Any, body: Callable[..., dict[str, Any]]) -> Callable[..., Awaitable[dict[str, Any]]]:
    async def create(*steps: str, **overrides: Any) -> dict[str, Any]:
        response = await api.post("/v1/initiatives", json=body(**overrides))
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        for step in steps:
            extra = {"reason": "no longer possible"} if step == "undeliverable" else {}
            if step == "slipped":
                extra = {"to_year": "2032/33"}
            moved = await api.post(f"/v1/initiatives/{created['id']}/transitions", json={"to": step, **extra})
            assert moved.status_code == 200, moved.text
            created = moved.json()
        return created

    return create


@pytest.fixture
def outbox(db: Any) -> Callable[[str], Awaitable[list[str]]]:
    """Event types written for an aggregate. The outbox is written in the same transaction as the
    change, so this says exactly what a request emitted, or that a refusal emitted nothing."""

    async def types(aggregate_id: str) -> list[str]:
        docs = (
            await db["outbox"].find({"key": aggregate_id}).sort([("created_at", 1), ("order", 1)]).to_list()
        )
        return [d["type"] for d in docs]

    return types


def _as_dict(event: Any) -> dict[str, Any]:
    return event if isinstance(event, dict) else dict(event.model_dump(mode="json"))


@pytest.fixture
def broker_events(published: Any) -> Callable[..., Awaitable[list[dict[str, Any]]]]:
    """Events of one type and subject that reached the broker; polls a bounded number of times
    (the relay publishes just after commit)."""

    async def find(event_type: str, subject: str, want: int = 1, tries: int = 60) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for _ in range(tries):
            events = [_as_dict(e) for e in await published(TOPIC)]
            found = [e for e in events if e.get("type") == event_type and e.get("subject") == subject]
            if len(found) >= want:
                return found
            await asyncio.sleep(0.25)
        return found

    return find


async def snapshot(db: Any, initiative_id: str) -> dict[str, Any]:
    """The stored initiative, to compare before and after a refused request."""
    doc = await db["initiatives"].find_one({"_id": initiative_id})
    assert doc is not None
    return dict(doc)


def _runtime_behind(app: Any, depth: int = 0) -> Any:
    """The Runtime of the FastAPI app behind any ASGI wrappers (objects with ``.app``, or closures)."""
    if app is None or depth > 6:
        return None
    runtime = getattr(getattr(app, "state", None), "runtime", None)
    if runtime is not None:
        return runtime
    inner = [getattr(app, "app", None)] + [c.cell_contents for c in getattr(app, "__closure__", None) or ()]
    for candidate in inner:
        found = _runtime_behind(candidate, depth + 1)
        if found is not None:
            return found
    return None


@pytest.fixture
async def deliver(api: Any) -> Callable[[Any], Awaitable[str]]:
    """Apply an event through the running service's consumer path (inbox included), as a redelivery
    would: ``Runtime.deliver`` answers "applied" or "duplicate"."""
    from civic_savings.main import app

    runtime = _runtime_behind(getattr(getattr(api, "_transport", None), "app", None)) or _runtime_behind(app)
    if runtime is None:
        raise RuntimeError("the savings client is not backed by an in-process app with a runtime")
    deliver: Callable[[Any], Awaitable[str]] = runtime.deliver
    return deliver
