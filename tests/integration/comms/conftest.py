"""Helpers for the comms service's integration tests (on top of tests/conftest.py's fixtures: ``db``,
``outbox`` and ``broker_events`` act on the service this folder is named for).

Tests share one database: each test works on resources it created (unique titles) and checks the
outbox by aggregate id, so the order the tests run in does not matter.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import created, record_maker, unique

ALL = "comms:read comms:write comms:approve"


def soon(**delta: float) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


@pytest.fixture
async def author(service_client: Any) -> Any:
    """Writes content and may approve, but never their own (four eyes)."""
    return await service_client("comms", scopes=ALL, sub="amira-comms-officer")


@pytest.fixture
async def approver(service_client: Any) -> Any:
    return await service_client("comms", scopes=ALL, sub="ben-head-of-comms")


@pytest.fixture
async def writer(service_client: Any) -> Any:
    """Can write but not approve."""
    return await service_client("comms", scopes="comms:read comms:write", sub="cara-writer")


@pytest.fixture
async def reader(service_client: Any) -> Any:
    return await service_client("comms", scopes="comms:read", sub="dev-reader")


@pytest.fixture
def deliver(runtime_of: Any) -> Callable[[str, Any], Awaitable[str]]:
    """Apply an event as the consumer would, inbox included: 'applied' or 'duplicate'."""

    async def go(name: str, envelope: Any) -> str:
        return str(await (await runtime_of(name)).deliver(envelope))

    return go


@pytest.fixture
def new_content(author: Any) -> Callable[..., Awaitable[dict[str, Any]]]:
    return record_maker(author, "/v1/content", lambda: {
        "title": unique("City Status bid update"),
        "body": "Northampton bids for city status.",
        "channels": ["website", "social:instagram"],
        "audience": ["residents"],
    })


@pytest.fixture
def move() -> Callable[..., Awaitable[Any]]:
    async def go(client: Any, content_id: str, to: str, **fields: Any) -> Any:
        return await client.post(f"/v1/content/{content_id}/transitions", json={"to": to, **fields})

    return go


@pytest.fixture
def new_consultation(author: Any) -> Callable[..., Awaitable[dict[str, Any]]]:
    async def create(**overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "title": unique("Corporate plan consultation"),
            "opens_at": soon(days=-1),
            "closes_at": soon(days=14),
            "questions": [
                {"id": "vision", "text": "Do you agree with the vision?", "kind": "likert", "required": True},
                {
                    "id": "priority",
                    "text": "Top priority?",
                    "kind": "single_choice",
                    "options": ["Active communities", "Safe places", "Green environment"],
                },
                {
                    "id": "heard",
                    "text": "How did you hear?",
                    "kind": "multiple_choice",
                    "options": ["website", "social", "newspaper"],
                },
                {"id": "place", "text": "Moving around", "kind": "scale_1_7"},
                {"id": "comments", "text": "Anything else?", "kind": "free_text"},
            ],
        }
        body.update(overrides)
        return await created(author, "/v1/consultations", body)

    return create


def problem(response: Any, status: int) -> dict[str, Any]:
    """The response is RFC 9457 problem details with this status."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = dict(response.json())
    assert body["status"] == status and body["title"] and body["detail"]
    return body
