"""Helpers for the property service's integration tests (on top of tests/conftest.py's fixtures)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

TOPIC = "property.events.v1"
WRITE_SCOPES = "property:read property:write"


def unique(name: str) -> str:
    """Tests share one database: every building gets a name no other test uses."""
    return f"{name} {uuid.uuid4().hex[:8]}"


@pytest.fixture
async def api(service_client: Any) -> Any:
    return await service_client("property", scopes=WRITE_SCOPES)


@pytest.fixture
async def db(mongo_db: Any) -> Any:
    return await mongo_db("property")


@pytest.fixture
def new_building(api: Any) -> Callable[..., Awaitable[dict[str, Any]]]:
    async def create(**overrides: Any) -> dict[str, Any]:
        body = {
            "name": unique("Test House"),
            "town": "Northampton",
            "kind": "office",
            "desks": 100,
            "tenure": "freehold",
            "annual_running_cost_pence": 40_000_000,
            "annual_carbon_kg": 120_000,
        }
        body.update(overrides)
        response = await api.post("/v1/buildings", json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    return create


@pytest.fixture
def new_team(api: Any) -> Callable[..., Awaitable[dict[str, Any]]]:
    async def create(building_id: str, directorate: str = "Place", **workforce: int) -> dict[str, Any]:
        body = {
            "name": unique("Team"),
            "directorate": directorate,
            "building_id": building_id,
            "workforce": workforce or {"fixed": 10},
        }
        response = await api.post("/v1/teams", json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    return create


@pytest.fixture
def outbox(db: Any) -> Callable[[str], Awaitable[list[str]]]:
    """Event types written for an aggregate: the outbox is written in the same transaction as the
    change, so this says exactly what a request emitted (or that a refusal emitted nothing)."""

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
    """Events of one type and subject that reached the broker; polls until ``want`` arrive (the
    relay publishes just after commit) or gives up after a bounded number of tries."""

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
