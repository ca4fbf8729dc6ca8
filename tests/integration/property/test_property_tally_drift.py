"""The estate's tally (buildings and their running cost by status) checked against the buildings, and recounted.

A replica of the version from before the tally, still running during a rolling upgrade, registers and amends
buildings without moving the tally: the drift, in the count and in the running cost, is found and repaired by
a recount, which the service's own changes, going on at the same time, leave exact
(bench/invariants.py's ``estate_tally_matches_buildings``)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from civic import tallies
from civic.documents import new_document, new_id
from civic.tallies import RECORDS
from civic_property.buildings.domain import Building
from civic_property.repository import BUILDINGS, ESTATE, building_document
from prometheus_client import REGISTRY

from bench import invariants
from tests.conftest import unique

pytestmark = pytest.mark.integration

COST = "annual_running_cost_pence"


def registered_by_an_older_replica(cost: int) -> dict[str, Any]:
    """A building as the version before the tally registers it: the record alone."""
    building = Building.register(new_id(), name=unique("Old Replica House"), town="Kettering", kind="office",
                                 desks=40, tenure="leasehold", annual_running_cost_pence=cost, annual_carbon_kg=10)
    return new_document(building_document(building))


async def test_buildings_changed_by_a_replica_without_the_tally_are_found_and_recounted(api, new_building, db):
    amended = await new_building(annual_running_cost_pence=1_000)
    assert await invariants.estate_tally_matches_buildings(db) == []
    status = amended["status"]
    # the older replica amends one building's running cost and registers another; the tally is not moved
    await db[BUILDINGS].update_one({"_id": amended["id"]}, {"$set": {COST: 1_600}})
    await db[BUILDINGS].insert_one(registered_by_an_older_replica(cost=2_000))

    found = await ESTATE.compare(db)
    assert found.corrections() == {status: {RECORDS: 1, COST: 600 + 2_000}}
    (kept, counted), = found.drift.values()
    assert counted[RECORDS] == kept[RECORDS] + 1 and counted[COST] == kept[COST] + 2_600
    await tallies.check(db, "property-drift", [ESTATE])
    assert REGISTRY.get_sample_value("civic_tally_drift", {"service": "property-drift", "tally": ESTATE.collection}) == 1

    assert (await ESTATE.recount(db)).drift == found.drift  # what it corrected, before and after
    assert await invariants.estate_tally_matches_buildings(db) == []
    # what the dashboard reads from the tally is the buildings' own figure again
    assert (await ESTATE.read(db))[status] == counted
    await tallies.check(db, "property-drift", [ESTATE])
    assert REGISTRY.get_sample_value("civic_tally_drift", {"service": "property-drift", "tally": ESTATE.collection}) == 0


async def test_a_recount_while_buildings_change_leaves_the_tally_equal_to_them(api, new_building, db):
    drifted = await new_building(annual_running_cost_pence=5_000)
    await db[BUILDINGS].update_one({"_id": drifted["id"]}, {"$set": {COST: 5_250}})  # an older replica's amendment
    assert (await ESTATE.compare(db)).corrections() == {drifted["status"]: {RECORDS: 0, COST: 250}}

    async def change(cost: int) -> None:  # through the service's own write path: registered, then amended twice
        building = await new_building(annual_running_cost_pence=cost)
        for more in (1, 2):
            answer = await api.patch(f"/v1/buildings/{building['id']}", json={COST: cost + more})
            assert answer.status_code == 200, answer.text

    async def changes() -> None:
        await asyncio.gather(*(change(10_000 * i) for i in range(1, 13)))

    writing = asyncio.create_task(changes())
    recounts = []
    while not writing.done() or not recounts:  # recount, again and again, for as long as the changes go on
        recounts.append(await ESTATE.recount(db))
    await writing

    assert recounts[0].corrections() == {drifted["status"]: {RECORDS: 0, COST: 250}}
    # a change committing during a recount is in its snapshot or adds its own moves after it: never drift
    assert all(recount.matches for recount in recounts[1:])
    assert await invariants.estate_tally_matches_buildings(db) == []
    assert (await ESTATE.compare(db)).matches
