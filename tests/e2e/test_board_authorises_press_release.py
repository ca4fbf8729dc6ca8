"""End to end through the gateway, on the whole platform (processes, the broker between them): the board
publishes its annual report in safeguarding, comms drafts the press release that needs the board's
sign-off, the board authorises that content item by a decision between meetings, and comms records the
sign-off from the decision's event, after which the press release is approved and published. A comms
caller cannot record the board's sign-off itself (403)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from civic.auth import ALL_SCOPES
from civic.cli.stack import Stack

from tests.conftest import eventually

pytestmark = [pytest.mark.e2e]

SAFEGUARDING, COMMS = "/api/safeguarding/v1", "/api/comms/v1"
MEMBERS = {
    "chair": ("Sue Chair", "Independent", "independent_chair", False),
    "council": ("Dee Dass", "West Northamptonshire Council", "statutory_partner", True),
    "police": ("Pat Police", "Northamptonshire Police", "statutory_partner", True),
    "icb": ("Nia Nurse", "NHS Northamptonshire ICB", "statutory_partner", True),
}


def _client(platform: Stack) -> httpx.AsyncClient:
    token = platform.token(ALL_SCOPES, sub="e2e-officer")
    return httpx.AsyncClient(base_url=platform.gateway_url(), timeout=30,
                             headers={"Authorization": f"Bearer {token}"})


async def _ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


async def _board(client: httpx.AsyncClient, name: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    board = await _ok(await client.post(f"{SAFEGUARDING}/boards", json={"name": name, "kind": "adults"}), 201)
    members = {}
    for key, (person, organisation, role, statutory) in MEMBERS.items():
        member = await _ok(await client.post(f"{SAFEGUARDING}/boards/{board['id']}/members", json={
            "name": person, "organisation": organisation, "role": role, "statutory": statutory,
        }), 201)
        members[key] = await _ok(await client.post(f"{SAFEGUARDING}/members/{member['id']}/mou"))
    return board, members


async def _between_meetings(client: httpx.AsyncClient, board: dict[str, Any], members: dict[str, dict[str, Any]],
                            title: str, **extra: Any) -> dict[str, Any]:
    """The chair with every statutory partner decides between meetings; each partner confirms it, and it is
    in effect (issue 21: only then is it announced)."""
    decision = await _ok(await client.post(f"{SAFEGUARDING}/boards/{board['id']}/decisions", json={
        "item_title": title,
        "decided_by": members["chair"]["id"],
        "consulted": [members[k]["id"] for k in ("council", "police", "icb")],
        **extra,
    }), 201)
    for key in ("council", "police", "icb"):
        decision = await _ok(await client.post(f"{SAFEGUARDING}/decisions/{decision['id']}/confirmations", json={
            "organisation": members[key]["organisation"], "member_id": members[key]["id"]}))
    assert decision["status"] == "in_effect"
    return decision


async def _press_release(client: httpx.AsyncClient, board_name: str) -> dict[str, Any] | None:
    """The press release comms drafted for this board's annual report, once it is there."""
    cursor = None
    while True:
        params: dict[str, Any] = {"channel": "press_release", "limit": 500, **({"cursor": cursor} if cursor else {})}
        page = await _ok(await client.get(f"{COMMS}/content", params=params))
        for item in page["items"]:
            if item["title"].startswith(f"{board_name} publishes its annual report"):
                return dict(item)
        cursor = page.get("next_cursor")
        if not cursor:
            return None


async def test_the_board_authorises_its_press_release_by_its_own_decision(platform: Stack) -> None:
    board_name = f"Safeguarding Adults Board {uuid.uuid4().hex[:8]}"
    async with _client(platform) as client:
        board, members = await _board(client, board_name)

        # the board approves and publishes its annual report: comms drafts the press release
        report = await _ok(await client.post(f"{SAFEGUARDING}/boards/{board['id']}/annual-reports",
                                             json={"year": "2025/26", "title": "Keeping adults safe"}), 201)
        approval = await _between_meetings(client, board, members, "Approve the annual report 2025/26")
        transitions = f"{SAFEGUARDING}/annual-reports/{report['id']}/transitions"
        await _ok(await client.post(transitions, json={"to": "approved", "decision_id": approval["id"]}))
        await _ok(await client.post(transitions, json={"to": "published"}))
        release = await eventually(lambda: _press_release(client, board_name), timeout=60)
        cid = release["id"]
        assert release["requires_approval_by"] == "safeguarding_board" and release["sign_offs"] == []
        await _ok(await client.post(f"{COMMS}/content/{cid}/transitions", json={"to": "in_review"}))

        # neither approval nor a comms caller's sign-off stands in for the board's
        waiting = await client.post(f"{COMMS}/content/{cid}/transitions", json={"to": "approved"})
        assert waiting.status_code == 409 and "authorises_content_id" in waiting.json()["detail"]
        forged = await client.post(f"{COMMS}/content/{cid}/sign-offs",
                                   json={"body": "safeguarding_board", "signed_by": "Independent Chair"})
        assert forged.status_code == 403 and "authorises_content_id" in forged.json()["detail"]
        assert (await _ok(await client.get(f"{COMMS}/content/{cid}")))["version"] == release["version"] + 1

        # the board authorises that content item between meetings: comms records the sign-off from the event
        decision = await _between_meetings(client, board, members, "Authorise the annual report press release",
                                           authorises_content_id=cid)
        assert decision["authorises_content_id"] == cid

        async def signed_off() -> list[dict[str, Any]]:
            content = await _ok(await client.get(f"{COMMS}/content/{cid}"))
            return list(content["sign_offs"])

        [sign_off] = await eventually(signed_off, timeout=60)
        assert (sign_off["body"], sign_off["signed_by"], sign_off["decision_id"], sign_off["board_id"]) == (
            "safeguarding_board", board_name, decision["id"], board["id"],
        )

        approved = await _ok(await client.post(f"{COMMS}/content/{cid}/transitions", json={"to": "approved"}))
        assert approved["status"] == "approved" and approved["approved_by"] == "e2e-officer"
        published = await _ok(await client.post(f"{COMMS}/content/{cid}/transitions", json={"to": "published"}))
        assert published["status"] == "published"
