"""Helpers for the property service's integration tests (on top of tests/conftest.py's fixtures: ``db``,
``outbox`` and ``broker_events`` act on the service this folder is named for). Tests share one database: every
building gets a name no other test uses (``unique``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.conftest import created, record_maker, unique

WRITE_SCOPES = "property:read property:write"


@pytest.fixture
async def api(service_client: Any) -> Any:
    return await service_client("property", scopes=WRITE_SCOPES)


@pytest.fixture
def new_building(api: Any) -> Callable[..., Awaitable[dict[str, Any]]]:
    return record_maker(api, "/v1/buildings", lambda: {
        "name": unique("Test House"),
        "town": "Northampton",
        "kind": "office",
        "desks": 100,
        "tenure": "freehold",
        "annual_running_cost_pence": 40_000_000,
        "annual_carbon_kg": 120_000,
    })


@pytest.fixture
def new_team(api: Any) -> Callable[..., Awaitable[dict[str, Any]]]:
    async def create(building_id: str, directorate: str = "Place", **workforce: int) -> dict[str, Any]:
        body = {
            "name": unique("Team"),
            "directorate": directorate,
            "building_id": building_id,
            "workforce": workforce or {"fixed": 10},
        }
        return await created(api, "/v1/teams", body)

    return create
