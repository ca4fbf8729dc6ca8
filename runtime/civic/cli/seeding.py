"""Loading the demo data: every service's ``seed.py``, through its API, with tokens signed by the keys of
the stack being seeded.

``civic up``, ``civic seed`` and the bench all seed through here, each with the keys of its own stack
(``Stack.keys``, or the running stack's state directory). A seed never finds keys for itself: a
checkout's ``.civic/keys`` belong to whatever ``make run`` started, and a bench on free ports beside
it trusts other keys. A seed that acts as more than one identity (comms: a second person approves
the demo content) takes a keyword ``mint`` and is given the stack's signer.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Collection
from typing import Any

import httpx
from civic_contracts import SERVICES

from civic.auth import ALL_SCOPES, LocalSigningKey

SEED_MODULES = {s: f"civic_{s}.seed" for s in SERVICES}
SEED_SUB = "civic-seed"

#: signs a token for (subject, scopes) with the keys of the stack being seeded
Mint = Callable[[str, list[str]], str]


def not_carried(response: httpx.Response, fields: Collection[str]) -> bool:
    """Whether the API refused a seed's request only because it does not take ``fields`` (yet): every
    error is one of them, refused as an unknown input. A seed then sends the request without them."""
    if response.status_code != 422:
        return False
    errors = response.json().get("errors") or [{}]
    return all(
        str(e.get("field", "")).rsplit(".", 1)[-1] in fields and "not permitted" in str(e.get("message"))
        for e in errors
    )


def answer(response: httpx.Response) -> dict[str, Any]:
    """What a seed's request was answered with (``{}`` for no body); a refusal stops the seed, naming the
    request and the service's answer."""
    if response.status_code >= 400:
        raise RuntimeError(
            f"seed: {response.request.method} {response.request.url} -> "
            f"{response.status_code} {response.text[:500]}"
        )
    return dict(response.json()) if response.content else {}


async def every(client: httpx.AsyncClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item a list route holds (``{"items", "next_cursor"}``), 500 a page: what a seed has loaded
    already, so a second run adds nothing."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = answer(await client.get(path, params={**params, "limit": 500, **({"cursor": cursor} if cursor else {})}))
        items.extend(page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            return items


async def seed_service(service: str, client: httpx.AsyncClient, mint: Mint) -> None:
    """One service's demo data through ``client`` (which carries the seeding token); ``mint`` signs
    tokens for any other identity that service's seed acts as."""
    seed = importlib.import_module(SEED_MODULES[service]).seed
    if "mint" in inspect.signature(seed).parameters:
        await seed(client, mint=mint)
    else:
        await seed(client)


async def seed_services(
    urls: dict[str, str], keys: LocalSigningKey, echo: Callable[[str], None] = lambda _: None
) -> None:
    """Every service's demo data, in dependency order; ``urls`` maps each service to its base URL and
    ``keys`` are the signing keys the services at those URLs trust."""
    token = keys.mint(SEED_SUB, list(ALL_SCOPES))
    for service in SERVICES:
        async with httpx.AsyncClient(base_url=urls[service], timeout=120, trust_env=False,
                                     headers={"Authorization": f"Bearer {token}"}) as client:
            await seed_service(service, client, keys.mint)
        echo(f"  seeded   {service}")
