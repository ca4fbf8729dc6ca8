"""Champions by organisation over HTTP: coverage per council, a stand-down with its day and reason (kept, no
longer covering), and joiners and leavers per month; refusals change nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import first_version

from .conftest import problem, unique


def _this_month() -> str:
    return datetime.now(UTC).strftime("%Y-%m")


pytestmark = pytest.mark.integration


async def _appoint(client: Any, council: str, service: str, name: str = "Sam Patel", **more: Any) -> dict:
    return first_version(await client.post("/v1/champions", json={
        "name": name, "service": service, "directorate": "People", "council": council, **more}))


async def test_coverage_per_council_and_a_stand_down_with_its_reason(author, db):
    council = unique("Corby Borough Council")
    covered, gap = unique("Libraries"), unique("Housing")
    first_version(await author.post("/v1/services", json={"name": gap, "directorate": "People", "council": council}))
    sam = await _appoint(author, council, covered, appointed_on="2020-03-02")
    await _appoint(author, council, covered, name="Jo Brown")
    report = {c["council"]: c for c in (await author.get("/v1/reports/champion-coverage/by-council")).json()["councils"]}
    mine = report[council]
    assert (mine["services"], mine["covered"], mine["champions"], mine["champions_needed"]) == (2, 1, 2, 1)
    assert mine["services_with_champion"] == [{"name": covered, "directorate": "People", "champions": 2}]
    assert mine["services_without_champion"] == [{"name": gap, "directorate": "People"}]

    left = await author.post(f"/v1/champions/{sam['id']}/stand-down",
                             json={"stood_down_on": "2020-08-14", "reason": "Moved to another council"},
                             headers={"If-Match": '"1"'})
    assert left.status_code == 200, left.text
    assert left.json()["stood_down_on"] == "2020-08-14" and left.json()["stand_down_reason"] == "Moved to another council"
    report = {c["council"]: c for c in (await author.get("/v1/reports/champion-coverage/by-council")).json()["councils"]}
    assert report[council]["champions"] == 1  # still covered by Jo; Sam kept but no longer counted
    serving = (await author.get("/v1/champions", params={"service": covered})).json()["items"]
    assert [c["name"] for c in serving] == ["Jo Brown"]
    gone = (await author.get("/v1/champions", params={"service": covered, "stood_down": True})).json()["items"]
    assert [c["name"] for c in gone] == ["Sam Patel"]
    assert await db["champions"].count_documents({"council": council}) == 2

    moves = (await author.get("/v1/reports/champion-joiners-and-leavers",
                              params={"to": "2020-08", "months": 6, "council": council})).json()
    assert moves["from"] == "2020-03" and moves["to"] == "2020-08" and (moves["joined"], moves["left"]) == (1, 1)
    by_month = {m["month"]: m for m in moves["months"]}
    assert by_month["2020-03"] == {"month": "2020-03", "joined": 1, "left": 0, "net": 1}
    assert by_month["2020-08"] == {"month": "2020-08", "joined": 0, "left": 1, "net": -1}
    now = (await author.get("/v1/reports/champion-joiners-and-leavers", params={"council": council})).json()
    assert now["to"] == _this_month() and now["months"][-1]["joined"] == 1  # Jo, appointed today


async def test_refused_stand_downs_change_nothing(author, db):
    council = unique("Kettering Borough Council")
    sam = await _appoint(author, council, unique("Planning"), appointed_on="2020-03-02")
    url = f"/v1/champions/{sam['id']}/stand-down"

    async def stored() -> Any:
        return await db["champions"].find_one({"_id": sam["id"]})

    before = await stored()
    for body in ({"stood_down_on": "2020-03-01"}, {"stood_down_on": "2999-01-01"}):
        assert problem(await author.post(url, json=body), 422)["errors"][0]["field"] == "stood_down_on"
    problem(await author.post(url, json={}, headers={"If-Match": '"7"'}), 412)
    assert await stored() == before
    assert (await author.delete(f"/v1/champions/{sam['id']}")).status_code == 204
    after = await stored()
    assert after["stood_down_on"] is not None and after["stand_down_reason"] is None
    problem(await author.post(url, json={"reason": "again"}), 409)
    problem(await author.delete(f"/v1/champions/{sam['id']}"), 409)
    assert await stored() == after
    problem(await author.post("/v1/champions/nope/stand-down", json={}), 404)


async def test_an_appointment_in_the_future_is_422_and_nothing_is_stored(author, db):
    council = unique("Corby Borough Council")
    problem(await author.post("/v1/champions", json={"name": "A", "service": "B", "directorate": "C",
                                                     "council": council, "appointed_on": "2999-01-01"}), 422)
    assert await db["champions"].count_documents({"council": council}) == 0
    problem(await author.get("/v1/reports/champion-joiners-and-leavers", params={"to": "2020-13"}), 422)
