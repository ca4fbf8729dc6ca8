"""Folding the read model's shards: reports read one document per cell, and the figures do not move."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from civic_savings.read_model.service import fold_totals
from civic_savings.repository import TOTALS

from tests.integration.savings.conftest import unique


async def _shards(db: Any, directorate: str) -> list[int]:
    return [json.loads(d["_id"])[-1] async for d in db[TOTALS].find({"directorate": directorate}, {"_id": 1})]


async def test_folding_leaves_one_document_per_cell_and_the_same_report(api, body, db, runtime_of) -> None:
    directorate = unique("Folding")
    # concurrent creates in one cell land on several shards
    responses = await asyncio.gather(*(
        api.post("/v1/initiatives", json=body(directorate=directorate, programme=None)) for _ in range(24)
    ))
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses if r.status_code != 201]
    assert len(set(await _shards(db, directorate))) > 1, "expected the writes to spread over shards"
    params = {"years": "2030/31,2031/32", "directorate": directorate}
    before = (await api.get("/v1/reports/themes", params=params)).json()
    assert before["totals"]["planned_pence"] == 24 * 1_500_000

    await fold_totals(await runtime_of("savings"))

    assert set(await _shards(db, directorate)) == {0}
    # one document per (theme, year, directorate, programme, category) cell: two years here
    assert len(await _shards(db, directorate)) == 2
    after = (await api.get("/v1/reports/themes", params=params)).json()
    assert after == before


async def test_folding_while_writes_continue_loses_nothing(api, body, db, runtime_of) -> None:
    directorate = unique("Folding busy")
    runtime = await runtime_of("savings")

    async def create() -> None:
        response = await api.post("/v1/initiatives", json=body(directorate=directorate, programme=None))
        assert response.status_code == 201, response.text

    await asyncio.gather(*(create() for _ in range(12)))
    # fold while twelve more creates touch the same cells
    await asyncio.gather(fold_totals(runtime), *(create() for _ in range(12)), fold_totals(runtime))
    await fold_totals(runtime)
    report = (await api.get("/v1/reports/themes", params={"years": "2030/31,2031/32",
                                                          "directorate": directorate})).json()
    assert report["totals"]["planned_pence"] == 24 * 1_500_000
    assert set(await _shards(db, directorate)) == {0}


async def test_a_cell_whose_shards_net_to_nothing_folds_and_reads_as_nothing(api, body, db, runtime_of) -> None:
    """An initiative moved to another directorate leaves its old cells' shards summing to 0 (a +X on
    one shard, a -X on another): the fold writes no empty $inc, and the totals read the same after."""
    old, new = unique("Folding from"), unique("Folding to")
    runtime = await runtime_of("savings")
    created = await api.post("/v1/initiatives", json=body(directorate=old, programme=None))
    assert created.status_code == 201, created.text
    moved = await api.patch(f"/v1/initiatives/{created.json()['id']}", json={"directorate": new},
                            headers={"If-Match": created.headers["ETag"]})
    assert moved.status_code == 200, moved.text
    params = {"years": "2030/31,2031/32"}
    before = [(await api.get("/v1/reports/themes", params={**params, "directorate": d})).json() for d in (old, new)]

    assert await fold_totals(runtime) > 0

    assert set(await _shards(db, old)) <= {0} and set(await _shards(db, new)) == {0}
    async for cell in db[TOTALS].find({"directorate": old}):
        assert not any(v for k, v in cell.items() if k.endswith("_pence")), cell
    after = [(await api.get("/v1/reports/themes", params={**params, "directorate": d})).json() for d in (old, new)]
    assert after == before
    assert before[0]["totals"]["planned_pence"] == 0 and before[1]["totals"]["planned_pence"] == 1_500_000
