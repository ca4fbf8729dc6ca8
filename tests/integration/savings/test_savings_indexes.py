"""The read model carries no secondary index (each one made every change's write dearer), also in a
database an earlier version indexed."""

from __future__ import annotations

import uuid
from typing import Any

from civic_savings.repository import CELL_FIELDS, TOTALS, ensure_indexes
from pymongo import ASCENDING, IndexModel


async def test_ensure_indexes_leaves_the_totals_with_their_id_only(db: Any) -> None:
    scratch = db.client[f"civic_savings_indexes_{uuid.uuid4().hex[:8]}"]
    try:
        await scratch[TOTALS].create_indexes(  # what earlier versions made
            [IndexModel([(f, ASCENDING) for f in CELL_FIELDS]), IndexModel([("programme", ASCENDING)])]
        )
        await ensure_indexes(scratch)
        assert list(await scratch[TOTALS].index_information()) == ["_id_"]
        await ensure_indexes(scratch)  # again: nothing left to drop, nothing fails
        assert "status_1__id_1" in await scratch["initiatives"].index_information()
    finally:
        await db.client.drop_database(scratch.name)


async def test_the_closure_handlers_lookup_by_building_reads_the_one_saving_per_building_index(db: Any) -> None:
    stage = (await db["initiatives"].find({"building_id": uuid.uuid4().hex}, {"_id": 1}).explain())["queryPlanner"][
        "winningPlan"]
    while "inputStage" in stage and "indexName" not in stage:
        stage = stage["inputStage"]
    assert stage.get("indexName") == "one_saving_per_building_id", stage  # not a scan of every initiative
    index = (await db["initiatives"].index_information())["one_saving_per_building_id"]
    assert index["unique"] and index["sparse"]
    assert "one_saving_per_building" not in await db["initiatives"].index_information()  # the partial one, dropped
