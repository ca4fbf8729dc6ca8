"""The payback check on the real servers: a stored payback year left stale (written directly, as the race of a
programme's first investment line with a change to one of its initiatives leaves it) is settled by one round,
with one ``savings.programme.payback_moved`` in the outbox, and a second round changes and says nothing; a
programme whose year is right is left as it is, its lines and initiatives at the same version (ETag), and its
payback document unwritten; two
replicas' rounds at once, or two checks at once, announce a move once; ``POST /v1/payback-checks`` needs
``savings:write`` and a refusal changes nothing."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

import pytest
from civic_savings.investment.payback_check import payback_check, settle_paybacks

from tests.conftest import first_version, unique

pytestmark = pytest.mark.integration

MOVED = "savings.programme.payback_moved"


async def moves(db, programme: str) -> list[tuple[str | None, str | None]]:
    """The payback moves the outbox holds for the programme, oldest first."""
    docs = await db["outbox"].find({"key": programme, "type": MOVED}).sort([("created_at", 1), ("order", 1)]).to_list()
    return [(d["envelope"]["data"]["previous_payback_year"], d["envelope"]["data"]["payback_year"]) for d in docs]


async def kept_year(db, programme: str) -> str | None:
    doc = await db["paybacks"].find_one({"_id": programme})
    assert doc is not None
    year: str | None = doc["payback_year"]
    return year


async def programme_with_investment(api, new_initiative) -> tuple[str, dict]:
    """A programme whose £12,000 of 2030/31 investment its initiative pays back in 2031/32 (£10,000, then
    £5,000 anticipated): the payback year kept is 2031/32, moved once from none."""
    programme = unique("Programme")
    initiative = await new_initiative("approved", programme=programme)
    first_version(await api.post(f"/v1/programmes/{quote(programme)}/investment",
                                 json={"category": "staff", "year": "2030/31", "amount_pence": 1_200_000}))  # fmt: skip
    return programme, initiative


async def left_stale(db, programme: str) -> None:
    """As the race leaves it: the first line's transaction worked the year out without the initiative's
    savings (none), and the initiative's change saw no payback document and said nothing."""
    await db["paybacks"].update_one({"_id": programme}, {"$set": {"payback_year": None}})


async def test_a_stale_payback_year_is_settled_once(api, db, new_initiative, runtime_of):
    programme, _ = await programme_with_investment(api, new_initiative)
    assert await moves(db, programme) == [(None, "2031/32")]
    await left_stale(db, programme)
    runtime = await runtime_of("savings")

    first = await settle_paybacks(runtime)
    assert await kept_year(db, programme) == "2031/32"
    assert await moves(db, programme) == [(None, "2031/32"), (None, "2031/32")]
    [event] = await db["outbox"].find({"key": programme, "type": MOVED}).sort("created_at", -1).limit(1).to_list()
    data = event["envelope"]["data"]
    assert (data["investment_pence"], data["savings_pence"]) == (1_200_000, 1_500_000)
    # the background check may have settled it first; either way the stale year was announced once
    if programme in {m["programme"] for m in first["moved"]}:
        assert {"programme": programme, "previous_payback_year": None, "payback_year": "2031/32"} in first["moved"]
    assert first["checked"] >= 1

    settled = await db["paybacks"].find_one({"_id": programme}, {"changes": 0})
    second = await settle_paybacks(runtime)
    assert programme not in {m["programme"] for m in second["moved"]}
    assert await db["paybacks"].find_one({"_id": programme}, {"changes": 0}) == settled
    assert len(await moves(db, programme)) == 2


async def test_a_right_payback_year_is_left_as_it_is(api, db, new_initiative, runtime_of):
    programme, initiative = await programme_with_investment(api, new_initiative)
    lines = await db["investment_lines"].find({"programme": programme}).to_list()
    stored = await db["initiatives"].find_one({"_id": initiative["id"]})
    kept = await db["paybacks"].find_one({"_id": programme}, {"changes": 0})
    events = await db["outbox"].count_documents({"key": {"$in": [programme, initiative["id"]]}})

    checked = await settle_paybacks(await runtime_of("savings"))
    assert programme not in {m["programme"] for m in checked["moved"]}
    assert await db["investment_lines"].find({"programme": programme}).to_list() == lines
    assert await db["initiatives"].find_one({"_id": initiative["id"]}) == stored
    assert await db["paybacks"].find_one({"_id": programme}, {"changes": 0}) == kept
    assert await db["outbox"].count_documents({"key": {"$in": [programme, initiative["id"]]}}) == events
    line = await api.get(f"/v1/programmes/{quote(programme)}/investment/{lines[0]['_id']}")
    assert line.headers["ETag"] == '"1"'


async def test_a_round_writes_nothing_where_every_year_is_right(api, db, new_initiative, runtime_of):
    """Not even the payback document's count of changes: a round every few minutes on a settled programme is a
    read, so nothing in the database moves between two of its rounds (the fuzzer's "a refused request changed
    the database" check would otherwise see the background job's writes)."""
    programme, _ = await programme_with_investment(api, new_initiative)
    whole = await db["paybacks"].find_one({"_id": programme})

    checked = await settle_paybacks(await runtime_of("savings"))
    assert checked["checked"] >= 1
    assert await db["paybacks"].find_one({"_id": programme}) == whole


async def test_two_replicas_rounds_at_once_announce_a_move_once(api, db, new_initiative, runtime_of):
    programme, _ = await programme_with_investment(api, new_initiative)
    await left_stale(db, programme)
    runtime = await runtime_of("savings")
    job = unique("payback_check")  # a lease of the test's own: the service's background job holds the real one
    one, other = payback_check(runtime, 300, job), payback_check(runtime, 300, job)

    worked = await asyncio.gather(one.round(), other.round())
    assert sorted(worked) == [False, True]  # one replica holds the lease, the other stands by
    assert await kept_year(db, programme) == "2031/32"
    assert await moves(db, programme) == [(None, "2031/32"), (None, "2031/32")]
    await db["leases"].delete_one({"_id": job})


async def test_two_checks_at_once_announce_a_move_once(api, db, new_initiative, runtime_of):
    """Without the lease (the route and the background at once): their writes of the payback document conflict,
    the second is tried again and finds the year settled."""
    programme, _ = await programme_with_investment(api, new_initiative)
    await left_stale(db, programme)
    runtime = await runtime_of("savings")

    await asyncio.gather(settle_paybacks(runtime), settle_paybacks(runtime), api.post("/v1/payback-checks"))
    assert await kept_year(db, programme) == "2031/32"
    assert await moves(db, programme) == [(None, "2031/32"), (None, "2031/32")]


async def test_the_route_settles_and_needs_savings_write_and_a_refusal_changes_nothing(
    api, db, new_initiative, reader, writer
):
    programme, _ = await programme_with_investment(api, new_initiative)
    await left_stale(db, programme)
    before = await db["paybacks"].find_one({"_id": programme}, {"changes": 0})  # a count each round adds to

    refused = await reader.post("/v1/payback-checks")
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert await db["paybacks"].find_one({"_id": programme}, {"changes": 0}) == before
    assert await moves(db, programme) == [(None, "2031/32")]

    allowed = await writer.post("/v1/payback-checks")
    assert allowed.status_code == 200, allowed.text
    assert set(allowed.json()) == {"checked", "moved"} and allowed.json()["checked"] >= 1
    assert await kept_year(db, programme) == "2031/32"
    assert await moves(db, programme) == [(None, "2031/32"), (None, "2031/32")]
