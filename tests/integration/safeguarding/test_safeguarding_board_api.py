"""Boards, members, MoU and deputies over HTTP: refusals, If-Match, idempotency, pagination, scopes."""

from __future__ import annotations

import pytest

from tests.conftest import first_version

from .conftest import ok, stored, unique

pytestmark = pytest.mark.integration


async def test_board_and_member_created_with_etag(api):
    response = await api.post(
        "/v1/boards",
        json={"name": unique("NSAB"), "kind": "adults", "statutory_partners": ["Northamptonshire Police"]},
    )
    board = first_version(response)
    member = await ok(
        await api.post(
            f"/v1/boards/{board['id']}/members",
            json={
                "name": "Pat Police",
                "organisation": "Northamptonshire Police",
                "role": "statutory_partner",
                "statutory": True,
            },
        ),
        201,
    )
    assert member["mou_signed_on"] is None and member["board_id"] == board["id"] and member["version"] == 1
    assert (await ok(await api.get(f"/v1/boards/{board['id']}")))["statutory_partners"] == [
        "Northamptonshire Police"
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "adults"},
        {"name": "X", "kind": "pets"},
        {"name": " ", "kind": "adults"},
        {"name": "X", "kind": "adults", "statutory_partners": ["Police", "police"]},
        {"name": "X", "kind": "adults", "colour": "blue"},
    ],
)
async def test_invalid_board_is_422_and_creates_nothing(api, db, body):
    before = await db["boards"].count_documents({})
    response = await api.post("/v1/boards", json=body)
    assert response.status_code == 422
    problem = response.json()
    assert (
        problem["status"] == 422
        and problem["errors"]
        and response.headers["content-type"].startswith("application/problem+json")
    )
    assert await db["boards"].count_documents({}) == before


async def test_malformed_json_is_400(api):
    response = await api.post(
        "/v1/boards", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400


async def test_unknown_board_is_404(api):
    response = await api.post(
        "/v1/boards/nope/members",
        json={"name": "A", "organisation": "B", "role": "member", "statutory": False},
    )
    assert response.status_code == 404 and response.json()["status"] == 404


async def test_second_independent_chair_refused(api, db, new_board):
    board, _ = await new_board()
    before = await db["members"].count_documents({"board_id": board["id"]})
    response = await api.post(
        f"/v1/boards/{board['id']}/members",
        json={
            "name": "Another",
            "organisation": "Independent",
            "role": "independent_chair",
            "statutory": False,
        },
    )
    assert response.status_code == 409
    assert "already has its independent chair (Sue Chair)" in response.json()["detail"]
    assert await db["members"].count_documents({"board_id": board["id"]}) == before


async def test_mou_signed_once_and_if_match(api, db, new_board):
    _, members = await new_board()
    unsigned = members["unsigned"]
    stale = await api.post(f"/v1/members/{unsigned['id']}/mou", headers={"If-Match": '"7"'})
    assert stale.status_code == 412
    assert (await stored(db, "members", unsigned["id"]))["mou_signed_on"] is None
    signed = await api.post(
        f"/v1/members/{unsigned['id']}/mou",
        json={"signed_on": "2026-04-01"},
        headers={"If-Match": f'"{unsigned["version"]}"'},
    )
    assert signed.status_code == 200 and signed.json()["mou_signed_on"] == "2026-04-01"
    assert signed.headers["ETag"] == f'"{unsigned["version"] + 1}"'
    again = await api.post(f"/v1/members/{unsigned['id']}/mou")
    assert again.status_code == 409 and "already signed" in again.json()["detail"]
    assert (await stored(db, "members", unsigned["id"]))["version"] == unsigned["version"] + 1


async def test_named_deputy(api, db, new_board):
    _, members = await new_board()
    police = members["police"]
    bad = await api.put(f"/v1/members/{police['id']}/deputy", json={"deputy_name": "Pat Police"})
    assert bad.status_code == 422
    named = await ok(await api.put(f"/v1/members/{police['id']}/deputy", json={"deputy_name": "Dan Deputy"}))
    assert named["deputy_name"] == "Dan Deputy"


async def test_members_paginated(api, new_board):
    board, members = await new_board()
    seen, cursor = [], None
    while True:
        page = await ok(
            await api.get(
                f"/v1/boards/{board['id']}/members",
                params={"limit": 3, **({"cursor": cursor} if cursor else {})},
            )
        )
        assert len(page["items"]) <= 3
        seen += [m["id"] for m in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(m["id"] for m in members.values())
    assert (await api.get(f"/v1/boards/{board['id']}/members", params={"limit": 501})).status_code == 422


async def test_scopes(api, reader, service_client, db):
    assert (await reader.get("/v1/boards")).status_code == 200
    before = await db["boards"].count_documents({})
    response = await reader.post("/v1/boards", json={"name": unique("X"), "kind": "adults"})
    assert response.status_code == 403
    other_scope = await service_client("safeguarding", scopes="comms:read")
    assert (await other_scope.get("/v1/boards")).status_code == 403
    anonymous = await service_client("safeguarding", authorised=False)
    assert (await anonymous.get("/v1/boards")).status_code == 401
    assert (await anonymous.post("/v1/boards", json={"name": "X", "kind": "adults"})).status_code == 401
    assert await db["boards"].count_documents({}) == before
