"""Loads the demo data (``demo.py``: what it holds and how it reproduces the seed papers' figures) through the
service's own API: the targets, the register's initiatives walked through their lifecycle with their actuals and
delivery plans, the LGR programme's investment, RAID log and last highlight report, cost avoidance and the
disaggregation of shared services. Running it again creates and changes nothing: every create carries a stable
Idempotency-Key and is skipped when what it would make is already there.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import httpx
from civic.calendar import today
from civic.cli.seeding import answer, every, not_carried

from civic_savings.demo import (
    COST_AVOIDANCE,
    ILLUSTRATIVE,
    INITIATIVES,
    INVESTMENT,
    LGR,
    MILESTONES,
    RAG_SINCE_LAST_REPORT,
    RAID,
    TARGETS,
)
from civic_savings.disaggregation.demo import seed_shared_services
from civic_savings.highlight_reports.domain import month_before, month_of

log = logging.getLogger("civic.savings.seed")

# the order a lifecycle is walked; the seed only takes the steps an initiative has not taken yet
_ORDER = ["proposed", "approved", "in_delivery", "slipped", "delivered", "undeliverable"]


async def seed(client: httpx.AsyncClient) -> None:
    """Load the demo data; running it again creates and changes nothing."""
    for target in TARGETS:
        body = {k: v for k, v in target.items() if k != "name"}
        answer(await client.put(f"/v1/targets/{target['name']}", json=body))
    seeded = {}
    for entry in INITIATIVES:
        current = await _seed_initiative(client, entry)
        await _seed_milestones(client, entry["key"], current)
        seeded[entry["key"]] = current
    await _seed_investment(client, LGR)
    await _seed_raid(client)
    await _seed_last_highlight_report(client, LGR)
    for key, (rag, reason) in RAG_SINCE_LAST_REPORT.items():
        if seeded[key]["rag"] != rag:
            answer(await client.patch(f"/v1/initiatives/{seeded[key]['id']}", json={"rag": rag, "rag_reason": reason}))
    for entry in COST_AVOIDANCE:
        if await _existing(client, "/v1/cost-avoidance", entry["body"]["title"]):
            continue
        headers = {"Idempotency-Key": f"seed-savings-cost-avoidance-{entry['key']}"}
        answer(await client.post("/v1/cost-avoidance", json=entry["body"], headers=headers))
    await seed_shared_services(client)


async def _existing(client: httpx.AsyncClient, url: str, title: str) -> dict[str, Any] | None:
    """Found by title, so a second run long after the Idempotency-Keys expired still adds nothing."""
    items = answer(await client.get(url, params={"title": title, "limit": 1}))["items"]
    return items[0] if items else None


async def _seed_investment(client: httpx.AsyncClient, programme: str) -> None:
    """The programme's investment lines, each once (found by category and year)."""
    url = f"/v1/programmes/{programme}/investment"
    existing = {(line["category"], line["year"]) for line in await every(client, url)}
    for line in INVESTMENT:
        if (line["category"], line["year"]) in existing:
            continue
        headers = {"Idempotency-Key": f"seed-savings-investment-{programme}-{line['category']}-{line['year']}"}
        answer(await client.post(url, json=line, headers=headers))


async def _seed_raid(client: httpx.AsyncClient) -> None:
    """The illustrative RAID items, each once (found by title in its programme's log)."""
    for programme, kind, title, owner, likelihood, impact, mitigation, decision in RAID:
        existing = {item["title"] for item in await every(client, "/v1/raid", programme=programme)}
        if title + ILLUSTRATIVE in existing:
            continue
        body: dict[str, Any] = {
            "kind": kind, "title": title + ILLUSTRATIVE, "owner": owner, "likelihood": likelihood, "impact": impact,
            "review_on": (today() + timedelta(days=28)).isoformat(), "mitigation": mitigation,
        }  # fmt: skip
        if decision is not None:
            body.update(decision_needed=True, decision=decision)
        headers = {"Idempotency-Key": f"seed-savings-raid-{programme}-{title[:80]}"}
        answer(await client.post(f"/v1/programmes/{programme}/raid", json=body, headers=headers))


async def _seed_last_highlight_report(client: httpx.AsyncClient, programme: str) -> None:
    """Last month's highlight report, issued once (as generated when the seed first runs)."""
    month = month_before(month_of(today()))
    url = f"/v1/programmes/{programme}/highlight-reports/{month}"
    if answer(await client.get(url))["issued"]:
        return
    answer(await client.post(url + "/issue", headers={"Idempotency-Key": f"seed-savings-highlight-{programme}-{month}"}))


async def _seed_milestones(client: httpx.AsyncClient, key: str, initiative: dict[str, Any]) -> None:
    """The initiative's illustrative delivery plan: each milestone once (found by title), done with its
    evidence where it has some."""
    planned = MILESTONES.get(key, [])
    if not planned:
        return
    url = f"/v1/initiatives/{initiative['id']}/milestones"
    existing = {m["title"]: m for m in await every(client, url)}
    for title, owner, due, evidence in planned:
        milestone = existing.get(title + ILLUSTRATIVE)
        if milestone is None:
            headers = {"Idempotency-Key": f"seed-savings-milestone-{key}-{due}"}
            body = {"title": title + ILLUSTRATIVE, "owner": owner, "due": due}
            milestone = answer(await client.post(url, json=body, headers=headers))
        if evidence is not None and milestone["status"] == "planned":
            answer(await client.post(f"{url}/{milestone['id']}/completion", json={"evidence": evidence}))


async def _seed_initiative(client: httpx.AsyncClient, entry: dict[str, Any]) -> dict[str, Any]:
    key = entry["key"]
    building = entry.get("building", {})
    created = await _existing(client, "/v1/initiatives", entry["body"]["title"])
    if created is None:
        headers = {"Idempotency-Key": f"seed-savings-initiative-{key}"}
        response = await client.post("/v1/initiatives", json={**entry["body"], **building}, headers=headers)
        if not_carried(response, building):
            # the create route does not take the building fields yet: the plan goes in without its
            # building, and property's closure will arrive as a saving of its own
            log.warning("the savings API does not carry %s yet: %r names no building", sorted(building), key)
            response = await client.post("/v1/initiatives", json=entry["body"], headers=headers)
        elif response.status_code == 409 and building:
            # another initiative already names the building (its closure came first, or it was named by
            # hand): the plan goes in without it rather than not at all
            log.warning("another initiative already names %r: %r goes in without it",
                        building.get("building_name"), key)
            response = await client.post("/v1/initiatives", json=entry["body"],
                                         headers={"Idempotency-Key": f"seed-savings-initiative-{key}-unnamed"})
        created = answer(response)
    url = f"/v1/initiatives/{created['id']}"
    current = answer(await client.get(url))
    if building and current.get("building_name") is None and current.get("realisation") is None:
        # an initiative seeded before it named its building
        response = await client.patch(url, json=building)
        if response.status_code == 409:
            log.warning("another initiative already names %r: %r stays without it", building.get("building_name"), key)
        elif not not_carried(response, building):
            current = answer(response)
    for step in entry["path"]:
        # the actuals go in once the initiative is approved, before it is marked delivered
        if step in ("in_delivery", "delivered", "slipped", "undeliverable") and entry["actuals"]:
            for year, amount in entry["actuals"].items():
                if {a["year"]: a["delivered_pence"] for a in current["actuals"]}.get(year) != amount:
                    current = answer(
                        await client.post(f"{url}/actuals", json={"year": year, "delivered_pence": amount})
                    )
        if _ORDER.index(current["status"]) >= _ORDER.index(step) or current["status"] in (
            "delivered",
            "undeliverable",
        ):
            continue
        body: dict[str, Any] = {"to": step}
        if step == "slipped":
            body.update(entry["slip"])
        if step == "undeliverable":
            body["reason"] = entry["undeliverable"]
        if step == "approved":
            body["reason"] = entry.get("approved", "Agreed at the Star Chamber budget session")
        current = answer(await client.post(f"{url}/transitions", json=body))
    return current
