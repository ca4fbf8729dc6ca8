"""Demo data: West Northamptonshire Council's office estate (seed 001, the property plan).

What the seeds say is used as said: the six buildings, which directorates go where, Lodge Road
closing by the end of March 2023 for disposal, County Hall going to market engagement, three
voluntary groups staying in The Abbey, LED lighting in the top buildings, and "we will save £500k a
year initially, rising to £750k a year by the end of 2023". Desks, costs, carbon, rents and
headcounts are illustrative (each building's ``notes`` says so). Lodge Road's running cost is set at
£500k so its closure shows the seeds' first-year saving; the rise to £750k is the health and care
partners co-locating at One Angel Square ("will also reduce WNC's costs for Angel Square"), their
£250k rent from November 2023. The rationalisation report shows both: ``annual_saving_pence`` is
£500k for 2022/23 and £750k for 2023/24 (``GET /v1/reports/rationalisation?from_year=2022/23``).

The Transparency Code's asset register fields (UPRN, asset id, address, map reference) are illustrative: the
seeds give none. The Forum is held on a lease in the demo (illustrative: the seeds do not say how any building is
held), its break falling nine months after the day the demo is loaded so the lease report and the lease review have
one to show. The rationalisation target is seed 001's, measured at the end of 2022/23 ("initially": the year Lodge
Road closes, an illustrative reading) and on 31 December 2023 ("by the end of 2023").

Safe to run again: every create carries a stable Idempotency-Key (a replay returns the first
result) and each lifecycle step is taken only when the current state still calls for it.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

import httpx
from civic.cli.seeding import answer, every, not_carried

from civic_property.buildings.domain import add_months

log = logging.getLogger("civic.property.seed")

ILLUSTRATIVE = (
    "Illustrative figures: the seeds give no desks, costs, carbon, address, UPRN or map reference for this building."
)
#: the property plan's target (seed 001): "we will save £500k a year initially, rising to £750k a year by the end
#: of 2023"
TARGET = {
    "steps": [
        {"year": "2022/23", "annual_saving_pence": 500_000 * 100},
        {"year": "2023/24", "annual_saving_pence": 750_000 * 100, "by": "2023-12-31"},
    ],
    "source": "Seed 001, West Northants Property Plan: \"Under our plans we will save £500k a year initially, "
    "rising to £750k a year by the end of 2023.\"",
}
K = 100  # pence in a pound

BUILDINGS: list[dict[str, Any]] = [
    {
        "key": "guildhall",
        "name": "The Guildhall",
        "town": "Northampton",
        "kind": "office",
        "desks": 420,
        "floor_area_m2": 7800,
        "tenure": "freehold",
        "annual_running_cost_pence": 1_150_000 * K,
        "annual_utility_cost_pence": 310_000 * K,
        "annual_carbon_kg": 520_000,
        "partners": [{"name": "Northampton VCSE partners", "annual_rent_pence": 18_000 * K}],
        "energy_measures": [
            {
                "kind": "led",
                "expected_annual_saving_pence": 38_000 * K,
                "expected_carbon_saving_kg": 41_000,
                "installed_on": "2023-09-30",
            },
        ],
        "notes": "Main office and Northampton locality hub with a one-stop shop. " + ILLUSTRATIVE,
    },
    {
        "key": "oas",
        "name": "One Angel Square",
        "town": "Northampton",
        "kind": "office",
        "desks": 900,
        "floor_area_m2": 22000,
        "tenure": "freehold",
        "annual_running_cost_pence": 2_400_000 * K,
        "annual_utility_cost_pence": 620_000 * K,
        "annual_carbon_kg": 900_000,
        # moved in as part of the rationalisation: the rise from £500k to £750k a year by the end of 2023
        "partners": [{"name": "Health and care partners", "annual_rent_pence": 250_000 * K, "since": "2023-11-01"}],
        "energy_measures": [
            {
                "kind": "led",
                "expected_annual_saving_pence": 64_000 * K,
                "expected_carbon_saving_kg": 70_000,
                "installed_on": "2023-11-30",
            },
        ],
        "notes": "Main base for the People directorate and partnerships; co-located partners pay rent, "
        "reducing WNC's costs for Angel Square. " + ILLUSTRATIVE,
    },
    {
        "key": "forum",
        "name": "The Forum",
        "town": "Towcester",
        "kind": "locality_hub",
        "desks": 160,
        "floor_area_m2": 3400,
        "tenure": "leasehold",
        "annual_running_cost_pence": 380_000 * K,
        "annual_utility_cost_pence": 95_000 * K,
        "annual_carbon_kg": 140_000,
        "energy_measures": [
            {
                "kind": "solar",
                "expected_annual_saving_pence": 21_000 * K,
                "expected_carbon_saving_kg": 18_000,
            },
        ],
        "notes": "Locality hub for Towcester and South Northants; main base of the Planning team. Held on a lease "
        "in the demo (landlord, rent and dates illustrative). " + ILLUSTRATIVE,
    },
    {
        "key": "abbey",
        "name": "The Abbey Centre",
        "town": "Daventry",
        "kind": "locality_hub",
        "desks": 90,
        "floor_area_m2": 2100,
        "tenure": "freehold",
        "annual_running_cost_pence": 260_000 * K,
        "annual_utility_cost_pence": 70_000 * K,
        "annual_carbon_kg": 95_000,
        "partners": [
            {"name": "Voluntary and community group 1", "annual_rent_pence": 12_000 * K},
            {"name": "Voluntary and community group 2", "annual_rent_pence": 9_500 * K},
            {"name": "Voluntary and community group 3", "annual_rent_pence": 7_500 * K},
        ],
        "notes": "Daventry locality hub after renovation; the three voluntary and community sector groups "
        "keep their space (names and rents illustrative). " + ILLUSTRATIVE,
    },
    {
        "key": "lodge",
        "name": "Lodge Road",
        "town": "Daventry",
        "kind": "office",
        "desks": 220,
        "floor_area_m2": 4600,
        "tenure": "freehold",
        "annual_running_cost_pence": 500_000 * K,
        "annual_utility_cost_pence": 130_000 * K,
        "annual_carbon_kg": 185_000,
        "notes": "Closes by the end of March 2023 for disposal, sale or rent. Running cost set at the seeds' "
        "first-year saving of £500k; other figures, the address, UPRN and map reference illustrative.",
    },
    {
        "key": "county",
        "name": "County Hall",
        "town": "Northampton",
        "kind": "office",
        "desks": 650,
        "floor_area_m2": 16500,
        "tenure": "freehold",
        "annual_running_cost_pence": 1_900_000 * K,
        "annual_utility_cost_pence": 540_000 * K,
        "annual_carbon_kg": 780_000,
        "notes": "Market engagement before a disposal decision (cabinet paper, spring 2023). " + ILLUSTRATIVE,
    },
]

#: the asset register's fields of each building (illustrative: the seeds give no address, UPRN or map reference)
REGISTER: dict[str, dict[str, Any]] = {
    "guildhall": {
        "uprn": "100031000001",
        "asset_ref": "WNC-A0001",
        "street_name": "St Giles Square",
        "postcode": "NN1 1DE",
        "map_reference": {"easting": 475560, "northing": 260510},
        "interests_granted": ["licence"],
    },
    "oas": {
        "uprn": "100031000002",
        "asset_ref": "WNC-A0002",
        "street_number": "1",
        "street_name": "Angel Street",
        "postcode": "NN1 1ED",
        "map_reference": {"easting": 475390, "northing": 260230},
        "interests_granted": ["lease"],
    },
    "forum": {
        "uprn": "100031000003",
        "asset_ref": "WNC-A0003",
        "street_name": "Moat Lane",
        "postcode": "NN12 6AD",
        "map_reference": {"easting": 469270, "northing": 248640},
        "interests_granted": [],
    },
    "abbey": {
        "uprn": "100031000004",
        "asset_ref": "WNC-A0004",
        "street_name": "Market Square",
        "postcode": "NN11 4BH",
        "map_reference": {"easting": 457450, "northing": 262520},
        "interests_granted": ["licence"],
    },
    "lodge": {
        "uprn": "100031000005",
        "asset_ref": "WNC-A0005",
        "street_name": "Lodge Road",
        "postcode": "NN11 4FP",
        "map_reference": {"easting": 456700, "northing": 262000},
        "interests_granted": [],
    },
    "county": {
        "uprn": "100031000006",
        "asset_ref": "WNC-A0006",
        "street_name": "George Row",
        "postcode": "NN1 1DN",
        "map_reference": {"easting": 475470, "northing": 260420},
        "interests_granted": [],
    },
}

# (key, name, directorate, building key, fixed, part flexible, flexible, field) — headcounts illustrative
TEAMS: list[tuple[str, str, str, str, int, int, int, int]] = [
    ("adults", "Adult Social Care", "People", "oas", 20, 60, 90, 180),
    ("housing", "Housing and Wellbeing", "People", "oas", 10, 30, 50, 40),
    ("hr", "Human Resources", "Corporate Services", "oas", 10, 40, 30, 0),
    ("customer", "Customer Services and Call Centre", "Corporate Services", "oas", 90, 30, 10, 0),
    ("dti", "Digital, Technology and Innovation", "Corporate Services", "oas", 10, 40, 80, 10),
    ("trust", "Northamptonshire Children's Trust", "Children's Trust", "oas", 30, 80, 120, 220),
    ("elt", "Executive Leadership Team", "Chief Executive's Office", "guildhall", 8, 4, 0, 0),
    ("ceo", "Chief Executive's Office", "Chief Executive's Office", "guildhall", 5, 15, 10, 0),
    ("communities", "Communities and Opportunities", "Place", "guildhall", 10, 40, 60, 60),
    ("highways", "Highways and Waste", "Place", "guildhall", 5, 20, 30, 150),
    ("finance", "Finance", "Finance", "guildhall", 15, 50, 30, 0),
    ("towcester", "Towcester One-Stop Shop", "Corporate Services", "forum", 12, 4, 0, 0),
    ("adults-daventry", "Adults Locality Team (Daventry)", "People", "abbey", 4, 10, 10, 20),
    ("registrations", "Registrations", "Corporate Services", "abbey", 6, 2, 0, 0),
    ("planning", "Planning", "Place", "lodge", 20, 40, 30, 10),
    ("revs", "Revenues and Benefits", "Finance", "lodge", 40, 60, 40, 0),
    ("legal", "Legal and Democratic Services", "Corporate Services", "county", 15, 35, 20, 0),
    ("procurement", "Procurement", "Finance", "county", 5, 15, 10, 0),
]

# (key, team key, destination key, planned for, completed on or None)
MOVES: list[tuple[str, str, str, str, str | None]] = [
    ("planning-forum", "planning", "forum", "2023-02-27", "2023-02-27"),
    ("revs-oas", "revs", "oas", "2023-03-20", "2023-03-20"),
    ("legal-guildhall", "legal", "guildhall", "2023-10-30", None),
    ("procurement-guildhall", "procurement", "guildhall", "2023-11-27", None),
]

# mean share of desks in use on a working day (County Hall is mostly empty: under-used)
OCCUPANCY_LEVEL = {"guildhall": 0.62, "oas": 0.55, "forum": 0.48, "abbey": 0.52, "county": 0.14}
WEEKDAY_SWING = (0.0, 0.08, 0.10, 0.06, -0.12)  # Monday .. Friday: mid-week is busiest


async def _send(client: httpx.AsyncClient, method: str, path: str, body: Any, key: str | None = None) -> Any:
    headers = {"Idempotency-Key": f"seed-property-{key}"} if key else {}
    response = await client.request(method, path, json=body, headers=headers)
    if path == "/v1/buildings" and not_carried(response, {"since"}):
        # the API does not take a partner's moving-in day yet: the partner is registered without it
        log.warning("the property API does not carry partners' since yet: %s's partners have none", body["name"])
        body = {**body, "partners": [{k: v for k, v in p.items() if k != "since"} for p in body["partners"]]}
        response = await client.request(method, path, json=body, headers=headers)
    if response.status_code >= 400:
        raise RuntimeError(f"seed: {method} {path} -> {response.status_code}: {response.text[:500]}")
    return response.json()


async def _get(client: httpx.AsyncClient, path: str) -> Any:
    return answer(await client.get(path))


async def _step(
    client: httpx.AsyncClient, building_id: str, wanted: list[tuple[str, str, dict[str, Any]]]
) -> None:
    """Take each (from status, to status, extra) step whose starting state is the building's now."""
    for source, target, extra in wanted:
        current = (await _get(client, f"/v1/buildings/{building_id}"))["status"]
        if current == source:
            await _send(client, "POST", f"/v1/buildings/{building_id}/transitions", {"to": target, **extra})


def _readings(building_ids: dict[str, str], desks: dict[str, int], today: date) -> list[dict[str, Any]]:
    """Four working weeks of daily readings ending yesterday, deterministic for a given day."""
    rows = []
    day = today - timedelta(days=28)
    while day < today:
        if day.weekday() < 5:
            for key, level in OCCUPANCY_LEVEL.items():
                share = max(0.0, min(1.0, level + WEEKDAY_SWING[day.weekday()] * (1 if level > 0.3 else 0.3)))
                rows.append(
                    {
                        "building_id": building_ids[key],
                        "date": day.isoformat(),
                        "occupied_desks": round(desks[key] * share),
                    }
                )
        day += timedelta(days=1)
    return rows


async def _registered(client: httpx.AsyncClient) -> dict[tuple[str, str], dict[str, Any]]:
    """The buildings already on the register, by name and town: a second run registers none again, even
    when a body has changed since the first (an Idempotency-Key replay needs the same body)."""
    return {(b["name"], b["town"]): b for b in await every(client, "/v1/buildings")}


def forum_lease(today: date) -> dict[str, Any]:
    """The Forum's lease (illustrative): a break on the last day of the month nine months on, with six months'
    notice, and the lease expiring five years after it."""
    break_on = add_months(today.replace(day=1), 10) - timedelta(days=1)
    return {
        "landlord": "Towcester Forum landlord (illustrative)",
        "annual_rent_pence": 145_000 * K,
        "starts_on": "2011-09-01",
        "expires_on": add_months(break_on, 60).isoformat(),
        "breaks": [{"on": break_on.isoformat(), "notice_months": 6}],
    }


async def seed(client: httpx.AsyncClient) -> None:
    building_ids: dict[str, str] = {}
    desks: dict[str, int] = {}
    registered = await _registered(client)
    today = date.today()
    for spec in BUILDINGS:
        key = spec["key"]
        body = {k: v for k, v in spec.items() if k != "key"} | REGISTER[key]
        if key == "forum":
            body["lease"] = forum_lease(today)
        created = registered.get((spec["name"], spec["town"]))
        if created is None:
            created = await _send(client, "POST", "/v1/buildings", body, key=f"building-{key}-{today.isoformat()}")
        elif created.get("uprn") is None:
            # registered by a seed from before the asset register: its register fields (and lease) added once
            amend = {k: body[k] for k in (*REGISTER[key], "tenure", "lease", "notes") if k in body}
            etag = {"If-Match": f'"{created["version"]}"'}
            answer(await client.patch(f"/v1/buildings/{created['id']}", json=amend, headers=etag))
        building_ids[key] = created["id"]
        desks[key] = spec["desks"]

    ratios = await _get(client, "/v1/desk-ratios")
    if ratios["version"] == 0:
        await _send(
            client,
            "PUT",
            "/v1/desk-ratios",
            {"fixed": 1.0, "part_flexible": 0.6, "flexible": 0.3, "field": 0.1},
        )

    team_ids: dict[str, str] = {}
    for key, name, directorate, building, fixed, part_flexible, flexible, field in TEAMS:
        body = {
            "name": name,
            "directorate": directorate,
            "building_id": building_ids[building],
            "workforce": {
                "fixed": fixed,
                "part_flexible": part_flexible,
                "flexible": flexible,
                "field": field,
            },
        }
        team_ids[key] = (await _send(client, "POST", "/v1/teams", body, key=f"team-{key}"))["id"]

    lodge = building_ids["lodge"]
    # the closure is planned while Planning and Revenues and Benefits are still there (their staff notice)
    await _step(client, lodge, [("operational", "closure_planned", {"on": "2023-03-31"})])

    for key, team, destination, planned_for, completed_on in MOVES:
        body = {
            "team_id": team_ids[team],
            "to_building_id": building_ids[destination],
            "planned_for": planned_for,
        }
        move = await _send(client, "POST", "/v1/moves", body, key=f"move-{key}")
        current = await _get(client, f"/v1/moves/{move['id']}")
        if completed_on and current["status"] == "planned":
            await _send(
                client, "POST", f"/v1/moves/{move['id']}/transitions", {"to": "completed", "on": completed_on}
            )

    await _step(
        client,
        lodge,
        [
            ("closure_planned", "closed", {"on": "2023-03-31"}),
            ("closed", "for_disposal", {"on": "2023-04-03"}),
        ],
    )
    await _step(client, building_ids["county"], [("operational", "market_engagement", {"on": "2023-04-17"})])

    # the demo's target wherever none is set: never set (version 0), or set and cleared since (no steps)
    target = await _get(client, "/v1/rationalisation-target")
    if not target["steps"]:
        await _send(client, "PUT", "/v1/rationalisation-target", TARGET)
    # the lease review flags the Forum's break now, rather than at the background review's next round
    await _send(client, "POST", "/v1/lease-reviews", None)

    await _send(
        client,
        "POST",
        "/v1/occupancy/import",
        _readings(building_ids, desks, today),
        key=f"occupancy-{today.isoformat()}",
    )
