"""Helpers for the savings service's integration tests (on top of tests/conftest.py's fixtures: ``db``,
``outbox``, ``broker_events`` and the ``reader`` and ``writer`` clients act on the service this folder is named
for; a writer may not approve).

Tests share one database, so each test works in its own directorate or programme (``unique``), and
every test except the seed test uses years from 2030/31 on, so the seeded 2021/22-2023/24 report
stays exactly the published table whatever order the tests run in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.conftest import created, unique

ALL_SCOPES = "savings:read savings:write savings:approve"


@pytest.fixture
async def api(service_client: Any) -> Any:
    return await service_client("savings", scopes=ALL_SCOPES)


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
        initiative = await created(api, "/v1/initiatives", body(**overrides))
        for step in steps:
            extra = {"reason": "no longer possible"} if step in ("undeliverable", "rejected") else {}
            if step == "slipped":
                extra = {"to_year": "2032/33"}
            if step == "delivered":  # delivered with its actuals: each year delivered in full
                for year in initiative["profile"]:
                    recorded = await api.post(f"/v1/initiatives/{initiative['id']}/actuals",
                                              json={"year": year["year"], "delivered_pence": year["planned_pence"]})
                    assert recorded.status_code == 200, recorded.text
            moved = await api.post(f"/v1/initiatives/{initiative['id']}/transitions", json={"to": step, **extra})
            assert moved.status_code == 200, moved.text
            initiative = moved.json()
        return initiative

    return create


async def snapshot(db: Any, initiative_id: str) -> dict[str, Any]:
    """The stored initiative, to compare before and after a refused request."""
    doc = await db["initiatives"].find_one({"_id": initiative_id})
    assert doc is not None
    return dict(doc)


@pytest.fixture
async def deliver(runtime_of: Callable[[str], Awaitable[Any]]) -> Callable[[Any], Awaitable[str]]:
    """Apply an event through the running service's consumer path (inbox included), as a redelivery
    would: ``Runtime.deliver`` answers "applied" or "duplicate"."""
    deliver: Callable[[Any], Awaitable[str]] = (await runtime_of("savings")).deliver
    return deliver
