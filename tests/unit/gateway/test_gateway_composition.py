"""Dashboard and building-story composition: parallel, budgeted, degrading part by part."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from civic_contracts import SERVICES
from civic_gateway.composition import (
    compose,
    dashboard_body,
    linked_initiatives,
    mentioning_items,
    story_body,
)
from civic_gateway.protection import CircuitBreakers, CircuitOpen
from civic_gateway.proxy import PartForbidden, PartUnavailable


def answers(value: Any):  # type: ignore[no-untyped-def]
    async def fetch() -> Any:
        return value

    return fetch


def hangs(event: asyncio.Event | None = None):  # type: ignore[no-untyped-def]
    async def fetch() -> Any:
        await (event or asyncio.Event()).wait()  # never set: slower than any budget

    return fetch


def fails(exc: Exception):  # type: ignore[no-untyped-def]
    async def fetch() -> Any:
        raise exc

    return fetch


async def test_all_parts_answer() -> None:
    fetches = {name: answers({"name": name}) for name in SERVICES}
    composed = await compose(fetches, budget_seconds=1.0)
    assert composed.parts == {name: {"name": name} for name in SERVICES}
    assert composed.degraded == [] and composed.forbidden == []
    assert not composed.all_down


async def test_parts_are_fetched_in_parallel() -> None:
    # Every fetch waits until all four have started: only a parallel fan-out can finish.
    started = 0
    all_started = asyncio.Event()

    def waits_for_the_others(name: str):  # type: ignore[no-untyped-def]
        async def fetch() -> str:
            nonlocal started
            started += 1
            if started == len(SERVICES):
                all_started.set()
            await all_started.wait()
            return name

        return fetch

    composed = await compose({n: waits_for_the_others(n) for n in SERVICES}, budget_seconds=5.0)
    assert composed.parts == {n: n for n in SERVICES}


async def test_a_slow_part_is_degraded_and_the_rest_answered() -> None:
    fetches = {name: answers(name) for name in SERVICES}
    fetches["safeguarding"] = hangs()
    composed = await compose(fetches, budget_seconds=0.05)
    assert composed.degraded == ["safeguarding"]
    assert set(composed.parts) == {"savings", "property", "comms"}
    assert "no answer within 0.05 s" in composed.reasons["safeguarding"]


async def test_a_failing_part_is_degraded_with_its_reason() -> None:
    fetches = {name: answers(name) for name in SERVICES}
    fetches["comms"] = fails(PartUnavailable("comms answered 503", status=503))
    fetches["property"] = fails(ConnectionRefusedError("connection refused"))
    composed = await compose(fetches, budget_seconds=1.0)
    assert composed.degraded == ["property", "comms"]
    assert composed.reasons["comms"] == "comms answered 503"
    assert "connection refused" in composed.reasons["property"]


async def test_an_open_circuit_degrades_at_once() -> None:
    fetches = {name: answers(name) for name in SERVICES}
    fetches["savings"] = fails(CircuitOpen("savings", 7.2))
    composed = await compose(fetches, budget_seconds=1.0)
    assert composed.degraded == ["savings"]
    assert "retrying in 8 s" in composed.reasons["savings"]


async def test_a_part_over_the_views_budget_does_not_open_the_backends_circuit() -> None:
    # the view's budget is its own promise, far shorter than a call's timeout: a slow summary degrades
    # the view, it does not make the gateway refuse every other call to that service
    breakers = CircuitBreakers.for_backends(SERVICES, failure_threshold=2)
    fetches = {"savings": hangs()}
    for _ in range(3):
        composed = await compose(fetches, budget_seconds=0.01, breakers=breakers)
        assert composed.degraded == ["savings"]
    assert breakers["savings"].state.value == "closed"


async def test_all_down_is_all_down() -> None:
    fetches = {name: fails(PartUnavailable("down")) for name in SERVICES}
    composed = await compose(fetches, budget_seconds=1.0)
    assert composed.all_down
    assert composed.degraded == list(SERVICES)


async def test_parts_the_caller_may_not_read_are_not_asked_and_listed_as_forbidden() -> None:
    asked: list[str] = []

    def recorded(name: str):  # type: ignore[no-untyped-def]
        async def fetch() -> str:
            asked.append(name)
            return name

        return fetch

    composed = await compose(
        {n: recorded(n) for n in SERVICES}, budget_seconds=1.0, forbidden=["safeguarding", "savings"]
    )
    assert sorted(asked) == ["comms", "property"]
    assert composed.forbidden == ["savings", "safeguarding"]  # in service order
    assert composed.degraded == []
    assert not composed.all_down


async def test_a_service_refusing_the_caller_is_forbidden_not_degraded() -> None:
    fetches = {"savings": fails(PartForbidden("needs savings:read")), "comms": answers({})}
    composed = await compose(fetches, budget_seconds=1.0)
    assert composed.forbidden == ["savings"]
    assert composed.degraded == []


async def test_only_forbidden_parts_is_not_all_down() -> None:
    composed = await compose({"savings": answers(1)}, budget_seconds=1.0, forbidden=["savings"])
    assert not composed.all_down
    assert not composed.answered


async def test_dashboard_body_has_every_service_key() -> None:
    fetches = {name: answers({"ok": True}) for name in SERVICES}
    fetches["comms"] = hangs()
    composed = await compose(fetches, budget_seconds=0.01, forbidden=["safeguarding"])
    body = dashboard_body(composed, SERVICES, now=datetime(2026, 1, 5, 9, 30, tzinfo=UTC))
    assert body["savings"] == {"ok": True}
    assert body["comms"] is None and body["safeguarding"] is None
    assert body["degraded"] == ["comms"]
    assert body["forbidden"] == ["safeguarding"]
    assert body["generated_at"] == "2026-01-05T09:30:00+00:00"


# --- a building's story ---

LODGE_ROAD = {"id": "b1", "name": "Lodge Road", "town": "Daventry", "status": "closed"}


def test_initiatives_are_linked_by_building_id_or_by_name_in_the_title() -> None:
    initiatives = [
        {"id": "i1", "title": "Rationalisation of buildings: Lodge Road", "delivered_pence": 100},
        {"id": "i2", "title": "Something else", "building_id": "b1", "delivered_pence": 50},
        {"id": "i3", "title": "Lodge Roadside verges", "delivered_pence": 1},  # not a whole-word match
        {"id": "i4", "title": "County Hall disposal", "building_id": "b2"},
    ]
    assert [i["id"] for i in linked_initiatives(LODGE_ROAD, initiatives)] == ["i1", "i2"]


def test_comms_items_mention_the_building_by_name_or_id() -> None:
    items = [
        {"id": "c1", "title": "Staff notice", "body": "Teams at lodge road move to One Angel Square."},
        {"id": "c2", "title": "City Status bid", "body": "…"},
        {"id": "c3", "title": "Briefing", "summary": "closure", "building_id": "b1"},
    ]
    assert [i["id"] for i in mentioning_items(LODGE_ROAD, items)] == ["c1", "c3"]


async def test_story_with_a_degraded_part() -> None:
    initiatives = [{"id": "i1", "title": "Lodge Road closure", "delivered_pence": 12_000_00}]
    composed = await compose(
        {"savings": answers(initiatives), "comms": fails(PartUnavailable("comms answered 503"))},
        budget_seconds=1.0,
    )
    story = story_body(LODGE_ROAD, composed)
    assert story["building"] == LODGE_ROAD
    assert [i["id"] for i in story["savings"]] == ["i1"]
    assert story["realised_saving_pence"] == 12_000_00
    assert story["comms"] is None
    assert story["degraded"] == ["comms"]


async def test_a_story_counts_what_the_closure_realised_not_all_the_planning_initiative_delivered() -> None:
    # the office-estate plan names the building and delivers other savings too: only the closure's part counts
    plan = {"id": "i2", "title": "Office estate", "building_id": LODGE_ROAD["id"], "delivered_pence": 2_000_000_00,
            "realisation": {"building_id": LODGE_ROAD["id"], "realised_pence": 500_000_00}}
    unrealised = {"id": "i3", "title": "Lodge Road refit", "delivered_pence": 10_00, "realisation": None}
    composed = await compose({"savings": answers([plan, unrealised])}, budget_seconds=1.0)
    story = story_body(LODGE_ROAD, composed)
    assert [i["id"] for i in story["savings"]] == ["i2", "i3"]
    assert story["realised_saving_pence"] == 500_000_00
