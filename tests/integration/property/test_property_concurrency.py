"""Many changes to one record at the same moment: each is retried past the write conflict, none
answers 503, and the record ends up as if they had been made one after another."""

from __future__ import annotations

import asyncio
import math

import pytest

from tests.conftest import edited_at_once

pytestmark = pytest.mark.integration

WRITERS = 16


async def test_concurrent_amendments_of_one_building_all_land(api, new_building, db):
    b = await new_building(desks=100)
    url = f"/v1/buildings/{b['id']}"
    # no If-Match: each amendment applies to whatever version it finds, so every one must succeed
    stored, last = await edited_at_once(api, url, [{"desks": 101 + i} for i in range(WRITERS)], db, "buildings")
    assert stored["desks"] == last["desks"]
    assert (await api.get(url)).headers["ETag"] == f'"{1 + WRITERS}"'


async def test_concurrent_moves_into_one_building_never_overfill_it(api, new_building, new_team, db):
    ratio = (await api.get("/v1/desk-ratios")).json()["fixed"]
    team_desks = math.ceil(ratio * 10)
    assert team_desks > 0
    fits = 5
    destination = await new_building(desks=fits * team_desks)
    teams = [await new_team((await new_building())["id"], fixed=10) for _ in range(8)]
    # every plan touches the destination's guard, so they all conflict with one another
    responses = await asyncio.gather(
        *(
            api.post("/v1/moves", json={"team_id": t["id"], "to_building_id": destination["id"],
                                        "planned_for": "2031-04-01"})
            for t in teams
        )
    )
    statuses = sorted(r.status_code for r in responses)
    assert 503 not in statuses, [r.text for r in responses if r.status_code == 503][:1]
    assert statuses == [201] * fits + [409] * (len(teams) - fits), [r.text for r in responses]
    planned = await db["moves"].count_documents({"to_building_id": destination["id"], "status": "planned"})
    assert planned == fits
