"""The operations pages in a real Chromium, through the gateway and the real services: what an operator did in a
terminal (``civic trace``, ``civic dlq``), on the officers' web app.

A building is closed through the API (by the estates officer: the operator only reads and operates); the operator
finds that request's trace among the recent traces, filtered by its route, and follows it in the waterfall from
the gateway through property and its MongoDB commands, across the Kafka hop, to savings and comms applying the
event (comms drafting the councillor briefing's item). A poison event sent to the broker becomes a dead letter in
savings; the operator re-drives it from the page (it fails again, and the page says why), and once it is fixed,
re-drives it again and it is applied. Every page passes axe-core; an officer without ``ops`` is neither shown the
section nor let in.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from civic.cli.stack import Stack
from civic_contracts import Envelope
from civic_contracts.property import BuildingClosed
from pymongo import AsyncMongoClient

from tests.browser.conftest import Api, NewPage, demo, no_accessibility_problems
from tests.conftest import eventually

pytestmark = [pytest.mark.browser]

ESTATES = demo("estates.officer")
OPERATOR = demo("operator")
PROPERTY = "/api/property/v1"
ROUTE = "/v1/buildings/{building_id}/transitions"


async def close_a_building(api: Api, name: str) -> str:
    """A building registered, its closure planned and then made, as the estates officer: the closure's trace id."""
    client = api(ESTATES)
    made = await client.post(f"{PROPERTY}/buildings", json={
        "name": name, "town": "Daventry", "kind": "office", "desks": 30, "tenure": "freehold",
        "annual_running_cost_pence": 9_876_500, "annual_carbon_kg": 12_000})
    assert made.status_code == 201, made.text
    building = made.json()["id"]
    planned = await client.post(f"{PROPERTY}/buildings/{building}/transitions",
                                json={"to": "closure_planned", "on": date.today().isoformat()})
    assert planned.status_code == 200, planned.text
    closed = await client.post(f"{PROPERTY}/buildings/{building}/transitions", json={"to": "closed"})
    assert closed.status_code == 200, closed.text
    return closed.headers["x-trace-id"]


async def test_an_operator_follows_a_building_closure_from_the_gateway_to_the_comms_briefing(
        new_page: NewPage, api: Api) -> None:
    name = f"Brook Street Offices {uuid.uuid4().hex[:6]}"
    trace_id = await close_a_building(api, name)

    async def across_the_hop() -> dict[str, Any] | None:
        # spans are written in batches by each process, the consumers' after the hop: wait for all of them
        answer = await api(OPERATOR).get(f"/ops/traces/{trace_id}")
        if answer.status_code != 200:
            return None
        kinds = {(s["service"], s["kind"]) for s in answer.json()["spans"]}
        wanted = {("civic-gateway", "SERVER"), ("civic-property", "SERVER"), ("civic-property", "CLIENT"),
                  ("civic-property", "PRODUCER"), ("civic-savings", "CONSUMER"), ("civic-comms", "CONSUMER")}
        return answer.json() if wanted <= kinds else None

    await eventually(across_the_hop, timeout=45)

    page = await new_page(OPERATOR)
    await page.get_by_role("navigation", name="Menu").get_by_role("link", name="Operations").click()
    await page.get_by_role("heading", name="Traces", exact=True).wait_for()
    await no_accessibility_problems(page)

    # the closure among the recent traces, filtered by its route and the service that answered it
    await page.get_by_label("Service", exact=True).select_option("property")
    await page.get_by_label("Route", exact=True).fill("{building_id}/transitions")
    await page.get_by_role("button", name="Show the traces").click()
    await page.wait_for_url(lambda url: "route=" in url)
    row = page.locator("tr", has=page.locator(f'a[href="/operations/traces/{trace_id}"]'))
    assert await row.count() == 1
    text = await row.inner_text()
    assert f"/api/property{ROUTE}" in text and "OK" in text
    for service in ("gateway", "property", "savings", "comms"):
        assert service in text
    await no_accessibility_problems(page)

    # its waterfall: a row a span, in tree order, from the gateway's request across Kafka to both consumers
    await row.get_by_role("link").click()
    await page.get_by_role("heading", name=f"Trace {trace_id}").wait_for()
    waterfall = page.locator("table.civic-waterfall tbody tr")
    # each row's cells as read: what the span is, its service, start (ms), duration (ms), its bar, its status
    rows: list[list[str]] = await waterfall.evaluate_all(
        "rows => rows.map(r => [...r.cells].map(c => c.innerText.replace(/\\s+/g, ' ').trim()))")
    spans = (await api(OPERATOR).get(f"/ops/traces/{trace_id}")).json()["spans"]
    assert len(rows) == len(spans)
    assert rows[0][0].startswith("Level 1: Request POST /api/property/*") and rows[0][1] == "gateway"
    assert any(r[0].startswith(f"Level 2: Request POST {ROUTE}") and r[1] == "property" for r in rows)
    assert any(r[0].startswith("Level 3: MongoDB") and r[1] == "property" for r in rows)
    published = next(i for i, r in enumerate(rows) if "Kafka publish to property.events.v1" in r[0])
    processed = [r for r in rows[published + 1:] if "Kafka message from property.events.v1 processed" in r[0]]
    assert {r[1] for r in processed} >= {"savings", "comms"}
    assert any(r[0].startswith("Level 5: MongoDB") and r[1] == "comms" for r in rows)  # comms drafting its item
    # a span's start and duration in ms as text, and its bar placed by the same share of the trace
    first = spans[0]
    assert rows[0][2:4] == [f"{first['start_ms']:,.1f}", f"{first['duration_ms']:,.1f}"]
    assert all(r[5] == "OK" for r in rows)
    whole = (await api(OPERATOR).get(f"/ops/traces/{trace_id}")).json()["duration_ms"]
    bar = waterfall.nth(published).locator("rect")
    publish = next(s for s in spans if s["kind"] == "PRODUCER")
    assert float(await bar.get_attribute("x") or "0") == pytest.approx(publish["start_ms"] * 1000 / whole, abs=0.1)
    await no_accessibility_problems(page)

    # the same pages without JavaScript: nothing on them needs it
    plain = await new_page(OPERATOR, javascript=False)
    await plain.goto("/operations/traces?service=property&route=%7Bbuilding_id%7D%2Ftransitions&status=ok&min_ms=0")
    assert await plain.locator(f'a[href="/operations/traces/{trace_id}"]').count() == 1
    await plain.goto(f"/operations/traces/{trace_id}")
    assert await plain.locator("table.civic-waterfall tbody tr").count() == len(spans)


async def test_a_filter_the_api_refuses_is_said_on_its_box(new_page: NewPage) -> None:
    page = await new_page(OPERATOR)
    await page.goto("/operations/traces?min_ms=-5")
    summary = page.locator(".govuk-error-summary")
    await summary.wait_for()
    assert await summary.get_by_role("link").first.get_attribute("href") == "#min-ms"
    assert await page.locator("#min-ms").input_value() == "-5"
    await no_accessibility_problems(page)


async def test_an_officer_without_ops_is_not_shown_operations(new_page: NewPage) -> None:
    page = await new_page(ESTATES)
    assert await page.get_by_role("navigation", name="Menu").get_by_role("link", name="Operations").count() == 0
    for address in ("/operations/traces", "/operations/dead-letters"):
        answer = await page.goto(address)
        assert answer is not None and answer.status == 403
        assert await page.get_by_role("heading", name="You do not have access to this page").count() == 1


async def _send(platform: Stack, envelope: dict[str, Any]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=platform.kafka_bootstrap())
    await producer.start()
    try:
        await producer.send_and_wait("property.events.v1", json.dumps(envelope).encode(),
                                     key=str(envelope["subject"]).encode())
    finally:
        await producer.stop()


async def test_an_operator_redrives_a_dead_letter_from_the_page(new_page: NewPage, api: Api, platform: Stack) -> None:
    building = f"b-{uuid.uuid4().hex[:8]}"
    name = f"Poison Lodge {uuid.uuid4().hex[:6]}"
    fixed = Envelope.wrap(BuildingClosed(building_id=building, name=name, town="Brackley", closed_on=date.today(),
                                         annual_running_cost_pence=4_000_000, annual_carbon_kg=900),
                          source="/civic/property").model_dump(mode="json")
    # the right type with the wrong data: savings can never apply it as it is
    poison = {**fixed, "data": {**fixed["data"], "annual_running_cost_pence": "lots"}}
    await _send(platform, poison)

    async def dead_letter() -> dict[str, Any] | None:
        listed = (await api(OPERATOR).get("/api/savings/ops/dead-letters", params={"status": "open", "limit": 500}))
        return next((d for d in listed.json()["items"] if d["event_id"] == poison["id"]), None)

    letter = await eventually(dead_letter, timeout=45)

    page = await new_page(OPERATOR)
    await page.goto("/operations/dead-letters")
    savings = page.locator("h2#savings + table")
    row = savings.locator("tr", has_text=letter["id"])
    assert "property.building.closed" in await row.inner_text()
    assert "annual_running_cost_pence" in await row.inner_text()
    await no_accessibility_problems(page)

    # re-driven as it is: it fails again, the page says so and why, and it stays open
    await row.get_by_role("button", name="Re-drive").click()
    await page.get_by_text(f"Your re-drive of {letter['id']} failed again in savings").wait_for()
    assert await page.locator("h2#savings + table").locator("tr", has_text=letter["id"]).count() == 1
    assert (await dead_letter()) is not None
    await no_accessibility_problems(page)

    # the cause fixed (the message's data put right where the letter keeps it), re-driven again: applied
    mongo: AsyncMongoClient[Any] = AsyncMongoClient(platform.mongodb_url("savings"), tz_aware=True)
    try:
        await mongo["civic_savings"]["dead_letters"].update_one({"_id": letter["id"]},
                                                                {"$set": {"value": json.dumps(fixed)}})
    finally:
        await mongo.close()
    await page.locator("h2#savings + table").locator("tr", has_text=letter["id"]).get_by_role(
        "button", name="Re-drive").click()
    await page.get_by_text(f"{letter['id']} was applied by savings. It is no longer open.").wait_for()
    assert await page.locator("h2#savings + table").locator("tr", has_text=letter["id"]).count() == 0
    assert (await dead_letter()) is None
    initiatives = (await api(OPERATOR).get("/api/savings/v1/initiatives", params={"building_id": building})).json()
    assert [i["building_id"] for i in initiatives["items"]] == [building]
    await no_accessibility_problems(page)
