"""The dashboard and a building's story over real HTTP, with services killed, slowed and refusing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from civic_contracts import SERVICES
from conftest import Stack

READ = "savings:read property:read safeguarding:read comms:read"


async def test_dashboard_answers_every_part(stack: Stack) -> None:
    response = await stack.client.get("/api/dashboard", headers=stack.auth(READ, sub="director"))
    assert response.status_code == 200, response.text
    body = response.json()
    for service in SERVICES:
        assert body[service] == {"service": service, "sub": "director"}  # asked as the caller
    assert body["degraded"] == [] and body["forbidden"] == []


@pytest.mark.timeout(60)  # the slow service sleeps far longer: only the budget lets this finish
async def test_a_killed_and_a_slow_service_are_degraded_and_the_rest_answered(
    start_stack: Callable[..., Awaitable[Stack]],
) -> None:
    stack = await start_stack(dashboard_budget_seconds=0.3)
    await stack.backends["property"].stop()
    stack.behaviour["comms"].summary_delay = 600
    response = await stack.client.get("/api/dashboard", headers=stack.auth(READ))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["degraded"] == ["property", "comms"]
    assert body["property"] is None and body["comms"] is None
    assert body["savings"]["service"] == "savings" and body["safeguarding"]["service"] == "safeguarding"
    assert "cannot be reached" in body["reasons"]["property"]
    assert body["reasons"]["comms"] == "no answer within 0.3 s"


async def test_a_failing_service_is_degraded_with_its_status(stack: Stack) -> None:
    stack.behaviour["safeguarding"].status = 500
    body = (await stack.client.get("/api/dashboard", headers=stack.auth(READ))).json()
    assert body["degraded"] == ["safeguarding"]
    assert "answered 500" in body["reasons"]["safeguarding"]


async def test_all_services_down_is_503(start_stack: Callable[..., Awaitable[Stack]]) -> None:
    stack = await start_stack()
    for served in stack.backends.values():
        await served.stop()
    response = await stack.client.get("/api/dashboard", headers=stack.auth(READ))
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["degraded"] == list(SERVICES)


async def test_an_open_circuit_degrades_the_part_without_asking(
    start_stack: Callable[..., Awaitable[Stack]],
) -> None:
    stack = await start_stack(circuit_failure_threshold=1, circuit_cool_down_seconds=300)
    stack.behaviour["savings"].status = 503
    await stack.client.get("/api/dashboard", headers=stack.auth(READ))  # opens savings' circuit
    asked = len(stack.behaviour["savings"].seen)
    body = (await stack.client.get("/api/dashboard", headers=stack.auth(READ))).json()
    assert body["degraded"] == ["savings"]
    assert "circuit open" in body["reasons"]["savings"]
    assert len(stack.behaviour["savings"].seen) == asked


async def test_parts_the_caller_may_not_read_are_forbidden_and_not_asked(stack: Stack) -> None:
    response = await stack.client.get("/api/dashboard", headers=stack.auth("savings:read comms:read"))
    assert response.status_code == 200
    body = response.json()
    assert body["forbidden"] == ["property", "safeguarding"]
    assert body["degraded"] == []
    assert body["property"] is None and body["savings"] is not None
    assert stack.behaviour["property"].seen == [] and stack.behaviour["safeguarding"].seen == []


async def test_a_service_refusing_the_caller_puts_its_part_in_forbidden(stack: Stack) -> None:
    stack.behaviour["comms"].status = 403
    body = (await stack.client.get("/api/dashboard", headers=stack.auth(READ))).json()
    assert body["forbidden"] == ["comms"] and body["degraded"] == []


async def test_dashboard_without_any_read_scope_is_403(stack: Stack) -> None:
    response = await stack.client.get("/api/dashboard", headers=stack.auth("savings:write ops"))
    assert response.status_code == 403
    assert set(response.json()["missing_scopes"]) == {f"{s}:read" for s in SERVICES}
    assert [seen for b in stack.behaviour.values() for seen in b.seen] == []


# --- a building's story ---


async def test_a_buildings_story(stack: Stack) -> None:
    response = await stack.client.get("/api/buildings/b1/story", headers=stack.auth(READ))
    assert response.status_code == 200, response.text
    story = response.json()
    assert story["building"]["name"] == "Lodge Road"
    assert [i["id"] for i in story["savings"]] == ["i1"]
    assert story["realised_saving_pence"] == 25_000_000
    assert [c["id"] for c in story["comms"]] == ["c1"]
    assert story["degraded"] == [] and story["forbidden"] == []
    savings_call = stack.behaviour["savings"].seen[-1]
    assert "building_id=b1" in savings_call["query"]


async def test_story_of_an_unknown_building_is_404(stack: Stack) -> None:
    response = await stack.client.get("/api/buildings/nope/story", headers=stack.auth(READ))
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_story_id_cannot_walk_to_another_backend_path(stack: Stack) -> None:
    response = await stack.client.get("/api/buildings/x%3Fy=1/story", headers=stack.auth(READ))
    assert response.status_code == 404  # the stand-in knows only b1
    assert stack.behaviour["property"].seen[-1]["raw_path"] == b"/v1/buildings/x%3Fy%3D1"
    response = await stack.client.get("/api/buildings/..%2Fteams/story", headers=stack.auth(READ))
    assert response.status_code == 404
    assert len(stack.behaviour["property"].seen) == 1


async def test_story_degrades_its_optional_parts(stack: Stack) -> None:
    stack.behaviour["comms"].status = 503
    story = (
        await stack.client.get("/api/buildings/b1/story", headers=stack.auth("property:read comms:read"))
    ).json()
    assert story["forbidden"] == ["savings"]
    assert story["degraded"] == ["comms"]
    assert story["savings"] is None and story["comms"] is None
    assert story["building"]["id"] == "b1"


async def test_story_without_property_is_unavailable(start_stack: Callable[..., Awaitable[Stack]]) -> None:
    stack = await start_stack()
    await stack.backends["property"].stop()
    response = await stack.client.get("/api/buildings/b1/story", headers=stack.auth(READ))
    assert response.status_code == 503
