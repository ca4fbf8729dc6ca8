"""Demo data (``demo.py``, from the seed documents, DOMAIN.md section 4), loaded through the service's own API.

The City Status bid as a campaign with its content taken through the workflow, four consultations
(the corporate plan's and the logo survey's responses imported in bulk as paper ones would be; the library
hours one closed with its "we asked, you said, we did" outcome published), the
eight councils' services and their 332 change champions, and a media item.

Times are relative to today so the demo is live (open consultation, content scheduled this
week). Running it twice creates nothing new: every create carries a stable Idempotency-Key and
is skipped when a resource of that title already exists (relative dates change the body daily).

Approving content needs someone other than its author. The seed's own client is the author; the
approver is a second client (``approver``). When none is given, ``mint`` (a token signer for the stack
being seeded, passed by whoever seeds it: ``civic up``, ``civic seed``, the bench) signs one for a demo
head of communications; without either, content stops at in_review. The seed never looks for keys
itself: a checkout's ``.civic/keys`` belong to ``make run``'s stack, which need not be the one seeded.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from civic.cli.seeding import answer, every, not_carried

from civic_comms.briefing.domain import IsoWeek
from civic_comms.demo import (
    CITY_STATUS,
    CLOSED,
    CONSULTATIONS,
    CONTENT,
    COUNCILLORS,
    MEDIA,
    OUTCOMES,
    RESPONSES,
    champions,
    council_services,
)

log = logging.getLogger("civic.comms.seed")

APPROVER_SUB = "demo-head-of-communications"
APPROVER_SCOPES = ["comms:read", "comms:write", "comms:approve"]

#: signs a token for (subject, scopes) with the keys of the stack being seeded
Mint = Callable[[str, list[str]], str]


async def seed(
    client: httpx.AsyncClient, approver: httpx.AsyncClient | None = None, *, mint: Mint | None = None
) -> None:
    today = datetime.now(UTC).date()
    campaign_id = await _campaign(client, today)
    approving = approver or _approver(client, mint)
    await _content(client, approving, campaign_id)
    await _consultations(client, today)
    await _outcomes(client, approving, today)
    await _champions(client)
    await _create(
        client, "/v1/media-coverage", "media-city-status", {**MEDIA, "published_on": today.isoformat()},
        {m["headline"]: m for m in await every(client, "/v1/media-coverage")}, by="headline",
    )  # fmt: skip
    await _briefing(client, approving)


async def _briefing(client: httpx.AsyncClient, approver: httpx.AsyncClient | _Speaking | None) -> None:
    """The councillors subscribed, and this week's briefing approved to go now: within seconds of the start
    it is in the local mailbox (``civic mail``). A second run finds them there and sends nothing again."""
    subscribed = {s["email"] for s in await every(client, "/v1/briefing-subscribers")}
    for councillor in COUNCILLORS:
        if councillor["email"] not in subscribed:
            key = "seed-comms-subscriber-" + councillor["email"].split("@")[0]
            answer(await client.post("/v1/briefing-subscribers", json=councillor, headers={"Idempotency-Key": key}))
    week = str(IsoWeek.of(datetime.now(UTC)))
    if (await client.get(f"/v1/briefings/{week}/issue")).status_code == 200:
        return  # approved already (and issued, or soon)
    answer(await (approver or client).post(
        f"/v1/briefings/{week}/approval", json={"send_at": datetime.now(UTC).isoformat()},
        headers={"Idempotency-Key": f"seed-comms-briefing-{week}"},
    ))


class _Speaking:
    """The seed's own client speaking as another identity: the same connections, that identity's token."""

    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.post(url, headers={**kwargs.pop("headers", {}), **self.headers}, **kwargs)


def _approver(client: httpx.AsyncClient, mint: Mint | None) -> _Speaking | None:
    """A second identity for the four-eyes approval, signed by the stack being seeded (local demo only)."""
    if mint is None:
        log.warning("no approver for the demo content: it stays in review")
        return None
    return _Speaking(client, mint(APPROVER_SUB, APPROVER_SCOPES))


async def _create(
    client: httpx.AsyncClient,
    path: str,
    key: str,
    body: dict[str, Any],
    existing: dict[str, dict[str, Any]],
    by: str = "title",
) -> dict[str, Any]:
    if body[by] in existing:
        return existing[body[by]]
    return answer(await client.post(path, json=body, headers={"Idempotency-Key": f"seed-comms-{key}"}))


async def _campaign(client: httpx.AsyncClient, today: date) -> str:
    existing = {c["title"]: c for c in await every(client, "/v1/campaigns")}
    body = {
        **CITY_STATUS,
        "starts_on": (today - timedelta(days=21)).isoformat(),
        "ends_on": (today + timedelta(days=60)).isoformat(),
    }
    return str((await _create(client, "/v1/campaigns", "campaign-city-status", body, existing))["id"])


async def _content(
    client: httpx.AsyncClient, approver: httpx.AsyncClient | _Speaking | None, campaign_id: str
) -> None:
    existing = {c["title"]: c for c in await every(client, "/v1/content", campaign_id=campaign_id)}
    now = datetime.now(UTC)
    when = {"blog": now + timedelta(hours=2), "letters": now + timedelta(days=7)}
    for key, body, path in CONTENT:
        item = await _create(
            client, "/v1/content", f"content-{key}", {**body, "campaign_id": campaign_id}, existing
        )
        for step in path:
            if _already_past(item["status"], step):
                continue  # a second run leaves it where the first one took it
            actor = approver if step in ("approved", "published", "scheduled") else client
            if actor is None:
                break
            move: dict[str, Any] = {"to": step}
            if step == "scheduled":
                move["publish_at"] = when[key].isoformat()
            item = answer(await actor.post(f"/v1/content/{item['id']}/transitions", json=move))


ORDER = ["draft", "in_review", "approved", "scheduled", "published"]


def _already_past(status: str, step: str) -> bool:
    return ORDER.index(status) >= ORDER.index(step)


async def _consultations(client: httpx.AsyncClient, today: date) -> None:
    """Each consultation not there yet, with its responses imported in bulk as paper ones would be."""
    existing = {c["title"] for c in await every(client, "/v1/consultations")}
    for key, opens, closes, body in CONSULTATIONS:
        if body["title"] in existing:
            continue
        dates = {"opens_on": (today + timedelta(days=opens)).isoformat(),
                 "closes_on": (today + timedelta(days=closes)).isoformat()}  # fmt: skip
        consultation = answer(
            await client.post(
                "/v1/consultations",
                json={**body, **dates},
                headers={"Idempotency-Key": f"seed-comms-consultation-{key}"},
            )
        )
        rows = RESPONSES[key]() if key in RESPONSES else []
        for start in range(0, len(rows), 500):
            answer(
                await client.post(
                    f"/v1/consultations/{consultation['id']}/responses/bulk",
                    json={"responses": rows[start : start + 500]},
                    headers={"Idempotency-Key": f"seed-comms-{key}-{start}"},
                )
            )


async def _outcomes(
    client: httpx.AsyncClient, approver: httpx.AsyncClient | _Speaking | None, today: date
) -> None:
    """The closed consultation (closed now, once its responses are in) and its outcome, published by the
    approver; without one it stays a draft. A second run finds it published and changes nothing."""
    by_title = {c["title"]: c for c in await every(client, "/v1/consultations")}
    for key, _, _, body in CONSULTATIONS:
        consultation = by_title.get(body["title"])
        if key not in CLOSED or consultation is None:
            continue
        url = f"/v1/consultations/{consultation['id']}"
        if consultation["state"] == "open":
            answer(await client.post(f"{url}/close", headers={"Idempotency-Key": f"seed-comms-close-{key}"}))
        found = await client.get(f"/v1/consultation-outcomes/{consultation['id']}")
        outcome = answer(found) if found.status_code == 200 else answer(await client.post(
            f"{url}/outcome", json={**OUTCOMES[key], "decided_on": today.isoformat()},
            headers={"Idempotency-Key": f"seed-comms-outcome-{key}"},
        ))
        if outcome["status"] == "draft" and approver is not None:
            answer(await approver.post(f"/v1/consultation-outcomes/{outcome['id']}/publication",
                                       headers={"Idempotency-Key": f"seed-comms-outcome-published-{key}"}))


async def _champions(client: httpx.AsyncClient) -> None:
    services = {s["name"] for s in await every(client, "/v1/services")}
    for service in council_services():
        if service["name"] in services:
            continue
        key = "seed-comms-service-" + "-".join(re.sub(r"[^a-z0-9 ]", "", service["name"].lower()).split())
        body = {k: service[k] for k in ("name", "directorate", "council")}
        if service["representation"] != "required":
            body["representation"] = service["representation"]
        response = await client.post("/v1/services", json=body, headers={"Idempotency-Key": key})
        if not_carried(response, {"representation"}):
            # the API does not take a service's representation yet: it is registered as needing a champion
            log.warning("the comms API does not carry representation yet: %s counts in the gap", body["name"])
            body.pop("representation")
            response = await client.post("/v1/services", json=body, headers={"Idempotency-Key": key})
        answer(response)
    appointed = {c["name"] for c in await every(client, "/v1/champions")}
    for champion in champions():
        if champion["name"] not in appointed:
            key = "seed-comms-champion-" + champion["name"].lower().replace(" ", "-")
            answer(await client.post("/v1/champions", json=champion, headers={"Idempotency-Key": key}))
