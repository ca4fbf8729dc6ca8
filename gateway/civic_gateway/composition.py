"""Composed views: one call that asks several services in parallel, each within a time budget.

A part that fails, is too slow, or whose backend's circuit is open costs at most its budget and
is listed in ``degraded`` (with the reason, for an operator); the rest is answered. The fetch
functions are given in, so :func:`compose` and the bodies know nothing of HTTP and are tested without
servers; :func:`composed_views` at the end is the HTTP face: the gateway's ``/api/dashboard`` and
``/api/buildings/{building_id}/story``, fetching through the gateway's backends.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from civic.errors import Forbidden, NotFound, Unavailable
from civic.problems import BEARER, problem, problem_response
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from civic_gateway.front import request_id_of
from civic_gateway.gateway import Gateway
from civic_gateway.protection import CircuitBreakers, CircuitOpen
from civic_gateway.proxy import PartForbidden, PartUnavailable
from civic_gateway.routing import SERVICES

Fetch = Callable[[], Awaitable[Any]]


@dataclass
class Composed:
    parts: dict[str, Any] = field(default_factory=dict)
    degraded: list[str] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)

    @property
    def answered(self) -> bool:
        return bool(self.parts)

    @property
    def all_down(self) -> bool:
        """Nothing the caller may read could be answered (→ 503)."""
        return not self.parts and bool(self.degraded)


async def _one(
    name: str,
    fetch: Fetch,
    budget_seconds: float,
    breakers: CircuitBreakers | None,
) -> tuple[str, str, Any]:
    """("ok", …, value) | ("degraded", …, reason) | ("forbidden", …, reason)."""
    try:
        return "ok", name, await asyncio.wait_for(fetch(), budget_seconds)
    except TimeoutError:
        # Over the view's budget is not a failing backend: the budget is this view's promise to its caller
        # and much shorter than a call's own timeout. Counted as a failure, a few slow summaries on a busy
        # day opened the service's circuit and refused every forwarded call to it for the cool-down (the
        # soak through the gateway: 69 writes to property refused). The cancelled call gave its breaker
        # back; failures the breaker counts are the backend's own (5xx, no connection, its timeout).
        return "degraded", name, f"no answer within {budget_seconds:g} s"
    except CircuitOpen as exc:
        return "degraded", name, f"circuit open after repeated failures; retrying in {exc.retry_after} s"
    except PartForbidden as exc:
        return "forbidden", name, str(exc) or "the service refused the caller"
    except PartUnavailable as exc:
        return "degraded", name, exc.reason
    except Exception as exc:  # any other failure of one part must not fail the whole view
        return "degraded", name, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


async def compose(
    fetches: Mapping[str, Fetch],
    *,
    budget_seconds: float,
    breakers: CircuitBreakers | None = None,
    forbidden: Iterable[str] = (),
) -> Composed:
    """Fetch every part in parallel; ``forbidden`` parts (the caller lacks the scope) are not asked."""
    refused = set(forbidden)
    result = Composed()
    asked = [(name, fetch) for name, fetch in fetches.items() if name not in refused]
    outcomes = await asyncio.gather(*(_one(name, fetch, budget_seconds, breakers) for name, fetch in asked))
    for outcome, name, value in outcomes:
        if outcome == "ok":
            result.parts[name] = value
        elif outcome == "forbidden":
            result.forbidden.append(name)
            result.reasons[name] = value
        else:
            result.degraded.append(name)
            result.reasons[name] = value
    result.forbidden.extend(name for name in fetches if name in refused)
    order = list(fetches)
    result.degraded.sort(key=order.index)
    result.forbidden.sort(key=order.index)
    return result


def dashboard_body(
    composed: Composed, services: Iterable[str], *, now: datetime | None = None
) -> dict[str, Any]:
    """The dashboard's JSON: one key per service (``null`` when missing) plus what is missing and why."""
    body: dict[str, Any] = {name: composed.parts.get(name) for name in services}
    body["degraded"] = composed.degraded
    body["forbidden"] = composed.forbidden
    body["reasons"] = composed.reasons
    body["generated_at"] = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    return body


# --- a building's story ---------------------------------------------------------------------------


def _mentions(text: str, name: str) -> bool:
    # whole words only: "The Forum" must not match "The Forums Trust"
    return bool(name) and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, flags=re.IGNORECASE) is not None


def linked_initiatives(
    building: Mapping[str, Any], initiatives: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The savings initiatives that realise this building's saving: linked by id, else named in the title."""
    building_id = str(building.get("id", ""))
    name = str(building.get("name", ""))
    return [
        dict(item)
        for item in initiatives
        if (item.get("building_id") and str(item.get("building_id")) == building_id)
        or _mentions(str(item.get("title", "")), name)
    ]


def mentioning_items(building: Mapping[str, Any], items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Comms items (content, briefing entries) that mention the building by id or by name."""
    building_id = str(building.get("id", ""))
    name = str(building.get("name", ""))
    found = []
    for item in items:
        # comms records the event that drafted an item in source_key ("<event type>:<building id>")
        text = " ".join(str(item.get(key, "")) for key in ("title", "body", "summary", "source_key"))
        linked = building_id and (str(item.get("building_id", "")) == building_id or building_id in text)
        if linked or _mentions(text, name):
            found.append(dict(item))
    return found


def realised_by(building: Mapping[str, Any], initiative: Mapping[str, Any]) -> int:
    """What the building's closure realised of an initiative: its ``realisation`` (an initiative that
    planned the closure delivers other savings too), or all it delivered when savings does not say
    (an initiative from before realisations were recorded was made by its building's closure)."""
    if "realisation" not in initiative:
        return int(initiative.get("delivered_pence") or 0)
    realisation = initiative.get("realisation") or {}
    if str(realisation.get("building_id", "")) != str(building.get("id", "")):
        return 0
    return int(realisation.get("realised_pence") or 0)


def story_body(building: Mapping[str, Any], composed: Composed) -> dict[str, Any]:
    """A building's story: its record, the savings it realised, and what comms said about it."""
    initiatives = composed.parts.get("savings")
    items = composed.parts.get("comms")
    realised = linked_initiatives(building, initiatives) if initiatives is not None else None
    return {
        "building": dict(building),
        "savings": realised,
        "realised_saving_pence": (
            sum(realised_by(building, i) for i in realised) if realised is not None else None
        ),
        "comms": mentioning_items(building, items) if items is not None else None,
        "degraded": composed.degraded,
        "forbidden": composed.forbidden,
        "reasons": composed.reasons,
    }


# --- the views, as the gateway serves them --------------------------------------------------------


def composed_views(gateway: Gateway) -> APIRouter:
    """``/api/dashboard`` and ``/api/buildings/{building_id}/story``, answered through ``gateway``."""
    router = APIRouter()

    @router.get(
        "/api/dashboard",
        tags=["composed views"],
        # the token is checked by the gateway itself (any <service>:read scope), not by a route dependency
        openapi_extra={"security": [{BEARER: []}]},
        responses={429: problem_response(429, "Over the rate limit for this caller"),
                   503: problem_response(503, "No part the caller may read answered (or the token keys are unreachable)")},
    )
    async def dashboard(request: Request) -> JSONResponse:
        """Every service's summary in one call, fetched in parallel, each within the time budget.

        A part the caller's token may not read (no ``<service>:read``) is not asked for and is listed
        in ``forbidden``; a part whose service failed, was too slow, or whose circuit is open is
        listed in ``degraded`` (with ``reasons``). 503 when nothing the caller may read answered;
        403 when the caller may read no part at all.
        """
        caller = await gateway.caller(request)
        readable = [s for s in SERVICES if caller.has(f"{s}:read")]
        if not readable:
            raise Forbidden(
                "The dashboard needs the read scope of at least one service.",
                missing_scopes=[f"{s}:read" for s in SERVICES],
            )
        request_id = request_id_of(request)

        def summary(service: str) -> Any:
            return lambda: gateway.backends.get_json(service, "/v1/summary", caller, request_id)

        composed = await compose(
            {s: summary(s) for s in SERVICES},
            budget_seconds=gateway.settings.dashboard_budget_seconds,
            breakers=gateway.breakers,
            forbidden=[s for s in SERVICES if s not in readable],
        )
        body = dashboard_body(composed, SERVICES)
        if composed.all_down:
            return problem(
                503,
                "No part of the dashboard could be fetched; the services are down or too slow.",
                instance=request.url.path,
                headers={"Retry-After": "5"},
                degraded=composed.degraded,
                reasons=composed.reasons,
            )
        return JSONResponse(body)

    @router.get(
        "/api/buildings/{building_id}/story",
        tags=["composed views"],
        openapi_extra={"security": [{BEARER: ["property:read"]}]},
        responses={429: problem_response(429, "Over the rate limit for this caller"),
                   503: problem_response(503, "The property service cannot give the building's record")},
    )
    async def building_story(building_id: str, request: Request) -> JSONResponse:
        """A building's story: its property record, the savings initiative(s) that realised its saving,
        and the comms items that mention it. Needs ``property:read``; the savings and comms parts need
        their read scopes and degrade like the dashboard's."""
        caller = await gateway.caller(request, "property:read")
        request_id = request_id_of(request)
        budget = gateway.settings.dashboard_budget_seconds
        try:
            building = await asyncio.wait_for(
                gateway.backends.get_json(
                    "property", f"/v1/buildings/{_segment(building_id)}", caller, request_id
                ),
                budget,
            )
        except PartUnavailable as exc:
            if exc.status == 404:
                raise NotFound("building", building_id) from exc
            raise Unavailable(
                f"The property service cannot give this building's record: {exc.reason}."
            ) from exc
        except TimeoutError as exc:  # over the view's budget: the call gave its breaker back, no verdict
            raise Unavailable(f"The property service did not answer within {budget:g} s.") from exc

        def listing(service: str, path: str, params: dict[str, str]) -> Any:
            async def fetch() -> list[dict[str, Any]]:
                page = await gateway.backends.get_json(service, path, caller, request_id, params=params)
                return list(page.get("items", [])) if isinstance(page, dict) else []

            return fetch

        composed: Composed = await compose(
            {
                "savings": listing(
                    "savings", "/v1/initiatives", {"building_id": building_id, "limit": "500"}
                ),
                "comms": listing("comms", "/v1/content", {"limit": "500"}),
            },
            budget_seconds=budget,
            breakers=gateway.breakers,
            forbidden=[s for s in ("savings", "comms") if not caller.has(f"{s}:read")],
        )
        return JSONResponse(story_body(building, composed))

    return router


def _segment(value: str) -> str:
    """One path segment, encoded: an id cannot walk to another backend path."""
    return quote(value, safe="")
