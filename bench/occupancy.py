"""Property: a building's utilisation report with 1k occupancy readings on record, then with 100k; and
the estate-wide review of a whole year of daily readings for every building in use.

Readings go in through the bulk import API (JSON, 5,000 a request), the way an estates officer's
sensor export would; the report asked for is the same building over the same 200 days both times.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import httpx

from bench.measure import median_time, ok, ratio, settled

DESKS = 60
DAYS = 1_000
REPORT_DAYS = 200
CHUNK = 5_000
REPORT_SAMPLES = 30


async def _buildings(client: httpx.AsyncClient, count: int) -> list[str]:
    ids = []
    for n in range(count):
        body = {
            "name": f"Bench building {n} {random.randrange(10**6)}", "town": "Northampton", "kind": "office",
            "desks": DESKS, "annual_running_cost_pence": 10_000_000, "annual_carbon_kg": 9_000, "tenure": "freehold",
        }
        response = await settled(lambda body=body: client.post("/v1/buildings", json=body))
        ids.append(response.json()["id"])
    return ids


async def _import(client: httpx.AsyncClient, readings: list[dict[str, Any]]) -> None:
    for start in range(0, len(readings), CHUNK):
        chunk = readings[start:start + CHUNK]
        await settled(lambda chunk=chunk: client.post("/v1/occupancy/import", json=chunk))


def _readings(buildings: list[str], first: date, days: int, rng: random.Random) -> list[dict[str, Any]]:
    return [
        {"building_id": b, "date": (first + timedelta(days=d)).isoformat(), "occupied_desks": rng.randrange(DESKS + 1)}
        for b in buildings for d in range(days)
    ]


async def report_scaling(service_url: str, headers: dict[str, str]) -> dict[str, Any]:
    rng = random.Random(4)
    yesterday = date.today() - timedelta(days=1)
    first = yesterday - timedelta(days=DAYS - 1)
    async with httpx.AsyncClient(base_url=service_url, headers=headers, timeout=120, trust_env=False) as client:
        buildings = await _buildings(client, 100)
        subject = buildings[0]
        report_from = yesterday - timedelta(days=REPORT_DAYS - 1)
        # 1k: the subject building's last 200 days, and 800 more readings across four other buildings
        await _import(client, _readings([subject], report_from, REPORT_DAYS, rng))
        await _import(client, _readings(buildings[1:5], report_from, REPORT_DAYS, rng))
        params = {"from": report_from.isoformat(), "to": yesterday.isoformat()}

        async def report() -> None:
            ok(await client.get(f"/v1/buildings/{subject}/utilisation", params=params))

        at_1k = await median_time(report, REPORT_SAMPLES)
        # 100k: a thousand days for all hundred buildings (the 1k above are re-imported as corrections)
        await _import(client, _readings(buildings, first, DAYS, rng))
        at_100k = await median_time(report, REPORT_SAMPLES)
        listed = (await client.get(f"/v1/buildings/{subject}/occupancy", params={"limit": 1})).status_code

        # the estates team's question: a whole year of daily readings, every building in use, reviewed
        year = {"from": (yesterday - timedelta(days=364)).isoformat(), "to": yesterday.isoformat()}
        reviewed: dict[str, Any] = {}

        async def review() -> None:
            reviewed.update(ok(await client.post("/v1/utilisation-reviews", json=year)).json())

        estate_year = await median_time(review, 10, warmup=1)  # after the first, a review publishes nothing new
        estate_year["buildings"] = len(reviewed["buildings"])
        estate_year["readings"] = sum(1 for b in reviewed["buildings"] if b.get("mean") is not None) * 365
    return {
        "report": f"GET /v1/buildings/{{id}}/utilisation over {REPORT_DAYS} days",
        "readings_at_small": 1_000,
        "readings_at_large": len(buildings) * DAYS,
        "at_1k": at_1k,
        "at_100k": at_100k,
        "ratio_100k_to_1k": ratio(at_100k["median_ms"], at_1k["median_ms"]),
        "occupancy_list_status": listed,
        "estate_review_one_year": estate_year,
    }
