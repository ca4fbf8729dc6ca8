"""A programme's investment and payback over HTTP: lines recorded (Idempotency-Key), read (ETag), changed
(If-Match); the payback report by year; savings.programme.payback_moved in the transaction of the change that
moved it, whether an investment line or one of the programme's initiatives; each refusal with the state and the
outbox unchanged."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.conftest import first_version, unique

pytestmark = pytest.mark.integration

MOVED = "savings.programme.payback_moved"


def lines_of(programme: str) -> str:
    return f"/v1/programmes/{quote(programme)}/investment"


async def payback(api, programme: str) -> dict:
    report = await api.get(f"/v1/reports/payback/{quote(programme)}")
    assert report.status_code == 200, report.text
    return dict(report.json())


async def moves(db, programme: str) -> list[tuple[str | None, str | None]]:
    """The payback moves the outbox holds for the programme, oldest first."""
    docs = await db["outbox"].find({"key": programme, "type": MOVED}).sort([("created_at", 1), ("order", 1)]).to_list()
    data = [d["envelope"]["data"] for d in docs]
    return [(d.get("previous_payback_year"), d.get("payback_year")) for d in data]


async def stored_lines(db, programme: str) -> list[dict]:
    return await db["investment_lines"].find({"programme": programme}).sort("_id", 1).to_list()


async def test_investment_against_the_savings_it_buys(api, db, new_initiative, outbox):
    programme = unique("Programme")
    initiative = await new_initiative("approved", programme=programme)  # 2030/31 £10,000, 2031/32 £5,000 anticipated
    line = first_version(await api.post(lines_of(programme), json={
        "category": "staff", "year": "2030/31", "amount_pence": 1_200_000, "description": "Programme team"}))  # fmt: skip
    assert (line["programme"], line["category"], line["amount_pence"]) == (programme, "staff", 1_200_000)
    await api.post(lines_of(programme), json={"category": "pilots", "year": "2030/31", "amount_pence": 0})

    report = await payback(api, programme)
    assert report["payback_year"] == "2031/32"
    assert [(r["year"], r["investment_pence"], r["savings_pence"], r["net_benefit_pence"],
             r["cumulative_net_benefit_pence"]) for r in report["years"]] == [
        ("2030/31", 1_200_000, 1_000_000, -200_000, -200_000),
        ("2031/32", 0, 500_000, 500_000, 300_000),
    ]  # fmt: skip
    assert report["investment_by_category"] == {"pilots": 0, "staff": 1_200_000}
    assert report["years"][0]["anticipated_pence"] == 1_000_000 and report["years"][0]["planned_pence"] == 1_000_000
    assert await moves(db, programme) == [(None, "2031/32")]  # the first line set it; the empty one moved nothing

    # one of its initiatives slips a year: the payback moves in the transition's own transaction
    slipped = await api.post(f"/v1/initiatives/{initiative['id']}/transitions", json={"to": "slipped", "to_year": "2032/33"})
    assert slipped.status_code == 200, slipped.text
    assert (await payback(api, programme))["payback_year"] == "2032/33"
    assert await moves(db, programme) == [(None, "2031/32"), ("2031/32", "2032/33")]
    assert (await outbox(initiative["id"]))[-1] == "savings.initiative.slipped"

    # the cost changed (If-Match): nothing left to pay back
    url = f"{lines_of(programme)}/{line['id']}"
    changed = await api.patch(url, json={"amount_pence": 0}, headers={"If-Match": '"1"'})
    assert changed.status_code == 200 and changed.headers["ETag"] == '"2"', changed.text
    assert changed.json()["history"][-1]["amount_was_pence"] == 1_200_000
    assert (await payback(api, programme))["payback_year"] is None
    assert (await moves(db, programme))[-1] == ("2032/33", None)
    same = await api.patch(url, json={"amount_pence": 0}, headers={"If-Match": '"2"'})
    assert same.status_code == 200 and same.headers["ETag"] == '"2"'  # the same again: no new version
    assert len(await moves(db, programme)) == 3

    one = await api.get(url)
    assert one.status_code == 200 and one.headers["ETag"] == '"2"' and one.json()["amount_pence"] == 0
    listed = (await api.get(lines_of(programme), params={"category": "staff"})).json()["items"]
    assert [i["id"] for i in listed] == [line["id"]]
    assert len((await api.get(lines_of(programme), params={"year": "2030/31"})).json()["items"]) == 2


async def test_cost_avoided_is_shown_apart(api, new_initiative):
    programme = unique("Programme")
    await new_initiative("approved", programme=programme)
    await api.post(lines_of(programme), json={"category": "other", "year": "2030/31", "amount_pence": 2_000_000})
    before = await payback(api, programme)
    avoided = await api.post("/v1/cost-avoidance", json={
        "title": unique("Spending review"), "directorate": "Finance", "year": "2031/32", "amount_pence": 900_000,
        "programme": programme})  # fmt: skip
    assert avoided.status_code == 201, avoided.text
    after = await payback(api, programme)
    assert after["cost_avoided_pence"] == 900_000 and after["years"][1]["cost_avoided_pence"] == 900_000
    for key in ("savings_pence", "net_benefit_pence", "payback_year"):
        assert after[key] == before[key]
    assert after["payback_year"] is None  # £15,000 of savings never pay back £20,000


async def test_a_replayed_line_is_recorded_once(api, db):
    programme = unique("Programme")
    body = {"category": "transformation", "year": "2030/31", "amount_pence": 425_000}
    headers = {"Idempotency-Key": unique("investment")}
    first = await api.post(lines_of(programme), json=body, headers=headers)
    again = await api.post(lines_of(programme), json=body, headers=headers)
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    assert len(await stored_lines(db, programme)) == 1
    assert await moves(db, programme) == []  # no savings: nothing pays it back


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"amount_pence": -1}, "amount_pence"),  # a cost is never a negative saving
        ({"amount_pence": 1.5}, "amount_pence"),
        ({"category": "savings"}, "category"),
        ({"year": "2030/32"}, "year"),
        ({"description": " "}, "description"),
        ({"programme": "Other"}, "programme"),
    ],
)
async def test_bad_lines_are_refused_and_change_nothing(api, db, new_initiative, sent, field):
    programme = unique("Programme")
    await new_initiative("approved", programme=programme)
    line = first_version(await api.post(lines_of(programme), json={
        "category": "staff", "year": "2030/31", "amount_pence": 100}))  # fmt: skip
    before, events = await stored_lines(db, programme), await moves(db, programme)
    refused = await api.post(lines_of(programme), json={"category": "staff", "year": "2030/31", "amount_pence": 5, **sent})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"].endswith(field), refused.text
    changed = await api.patch(f"{lines_of(programme)}/{line['id']}", json=sent, headers={"If-Match": '"1"'})
    assert changed.status_code == 422, changed.text
    assert await stored_lines(db, programme) == before and await moves(db, programme) == events


async def test_refusals_change_nothing(api, db, new_initiative):
    programme = unique("Programme")
    await new_initiative("approved", programme=programme)
    line = first_version(await api.post(lines_of(programme), json={
        "category": "staff", "year": "2030/31", "amount_pence": 2_000_000}))  # fmt: skip
    url = f"{lines_of(programme)}/{line['id']}"
    before, events = await stored_lines(db, programme), await moves(db, programme)
    assert events == []  # never paid back: nothing moved

    stale = await api.patch(url, json={"amount_pence": 1}, headers={"If-Match": '"7"'})
    assert stale.status_code == 412 and stale.headers["content-type"] == "application/problem+json"
    elsewhere = unique("Programme")
    assert (await api.get(f"{lines_of(elsewhere)}/{line['id']}")).status_code == 404
    wrong = await api.patch(f"{lines_of(elsewhere)}/{line['id']}", json={"amount_pence": 1})
    assert wrong.status_code == 404 and wrong.json()["status"] == 404
    assert (await api.patch(f"{lines_of(programme)}/nothing", json={"amount_pence": 1})).status_code == 404
    assert await stored_lines(db, programme) == before and await moves(db, programme) == events
    assert await db["investment_lines"].count_documents({"programme": elsewhere}) == 0
