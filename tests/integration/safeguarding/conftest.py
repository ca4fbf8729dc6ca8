"""Helpers for the safeguarding integration tests (on top of tests/conftest.py's fixtures: ``db``,
``broker_events`` and the ``reader`` and ``writer`` clients act on the service this folder is named for;
``writer`` is not cleared for confidential SAR details, ``api`` here is).

Tests share one database, so each builds its own board; nothing depends on another test's data.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.conftest import created, unique

ALL = "safeguarding:read safeguarding:write safeguarding:confidential"

POLICE, COUNCIL, ICB = "Northamptonshire Police", "West Northamptonshire Council", "NHS Northamptonshire ICB"
# key: (name, organisation, role, statutory)
MEMBERS = {
    "chair": ("Sue Chair", "Independent", "independent_chair", False),
    "vice": ("Vic Vice", "Healthwatch Northamptonshire", "vice_chair", False),
    "council": ("Dee Dass", COUNCIL, "statutory_partner", True),
    "council2": ("Cal Second", COUNCIL, "member", False),
    "police": ("Pat Police", POLICE, "statutory_partner", True),
    "icb": ("Nia Nurse", ICB, "statutory_partner", True),
    "vcs": ("Val Voluntary", "Northamptonshire Voluntary Sector", "member", False),
    "unsigned": ("Una Unsigned", "Public Health Northamptonshire", "member", False),
}


@pytest.fixture
async def api(service_client: Any) -> Any:
    return await service_client("safeguarding", scopes=ALL)


async def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def new_board(api: Any) -> Callable[..., Awaitable[tuple[dict[str, Any], dict[str, dict[str, Any]]]]]:
    """A board with the members above; every member but "unsigned" has signed the MoU."""

    async def make(**overrides: Any) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
        body = {"name": unique("Safeguarding Adults Board"), "kind": "adults", **overrides}
        board = await created(api, "/v1/boards", body)
        members = {}
        for key, (name, org, role, statutory) in MEMBERS.items():
            member = await created(
                api,
                f"/v1/boards/{board['id']}/members",
                {"name": name, "organisation": org, "role": role, "statutory": statutory},
            )
            if key != "unsigned":
                member = await ok(await api.post(f"/v1/members/{member['id']}/mou"))
            members[key] = member
        return board, members

    return make


@pytest.fixture
def new_meeting(api: Any) -> Callable[..., Awaitable[dict[str, Any]]]:
    async def make(
        board: dict[str, Any],
        members: dict[str, dict[str, Any]],
        day: str = "2026-06-11",
        statuses: dict[str, str] | None = None,
        deputies: dict[str, str] | None = None,
        agenda: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        items = (
            agenda
            if agenda is not None
            else [
                {"title": "Strategic plan", "kind": "decision"},
                {"title": "Annual report", "kind": "decision"},
            ]
        )
        meeting = await created(api, f"/v1/boards/{board['id']}/meetings", {"scheduled_for": day, "agenda": items})
        if statuses is not None:
            register = [
                {
                    "member_id": m["id"],
                    "status": statuses.get(k, "present"),
                    **({"deputy_name": deputies[k]} if deputies and k in deputies else {}),
                }
                for k, m in members.items()
            ]
            meeting = await ok(await api.put(f"/v1/meetings/{meeting['id']}/attendance", json=register))
        return meeting

    return make


PARTNERS = ("council", "police", "icb")


@pytest.fixture
def confirm(api: Any) -> Callable[..., Awaitable[dict[str, Any]]]:
    """A decision between meetings confirmed by the statutory partners' members (`keys`, all three by default);
    the decision after the last confirmation."""

    async def make(
        decision: dict[str, Any], members: dict[str, dict[str, Any]], keys: tuple[str, ...] = PARTNERS
    ) -> dict[str, Any]:
        for key in keys:
            member = members[key]
            decision = await ok(await api.post(
                f"/v1/decisions/{decision['id']}/confirmations",
                json={"organisation": member["organisation"], "member_id": member["id"]},
            ))  # fmt: skip
        return decision

    return make


@pytest.fixture
def outbox(db: Any) -> Callable[[str], Awaitable[list[dict[str, Any]]]]:
    """Envelopes written for an aggregate (where tests/conftest.py's ``outbox`` gives only their types).
    The outbox is written in the same transaction as the change, so this says exactly what a request
    emitted, or that a refusal emitted nothing."""

    async def find(aggregate_id: str) -> list[dict[str, Any]]:
        docs = (
            await db["outbox"].find({"key": aggregate_id}).sort([("created_at", 1), ("order", 1)]).to_list()
        )
        return [d["envelope"] for d in docs]

    return find


async def stored(db: Any, collection: str, id: str) -> dict[str, Any] | None:
    doc = await db[collection].find_one({"_id": id})
    return dict(doc) if doc is not None else None
