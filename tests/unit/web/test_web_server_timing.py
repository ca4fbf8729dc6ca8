"""Server-Timing: every page says how long it took and how much of that was waiting for its API calls."""

from __future__ import annotations

import asyncio
import re

import httpx
from civic_web.timing import ServerTiming, api_call
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

CALL_SECONDS = 0.05


async def _call() -> None:
    with api_call():  # as the gateway client wraps each call it makes for the page
        await asyncio.sleep(CALL_SECONDS)


async def _one_after_another(request: object) -> PlainTextResponse:
    await _call()
    await _call()
    return PlainTextResponse("a page")


async def _at_once(request: object) -> PlainTextResponse:
    await asyncio.gather(_call(), _call(), _call())
    return PlainTextResponse("a page")


async def _quiet(request: object) -> PlainTextResponse:
    return PlainTextResponse("no calls")


APP = ServerTiming(Starlette(routes=[Route("/sequence", _one_after_another), Route("/together", _at_once),
                                     Route("/quiet", _quiet)]))
TIMING = re.compile(r'api;dur=([\d.]+);desc="(\d+) API calls", page;dur=([\d.]+)')


async def _timing(path: str) -> tuple[float, int, float]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=APP), base_url="http://web") as client:
        response = await client.get(path)
    assert response.status_code == 200
    found = TIMING.fullmatch(response.headers["server-timing"])
    assert found, response.headers["server-timing"]
    return float(found.group(1)), int(found.group(2)), float(found.group(3))


async def test_a_page_names_its_calls_and_its_time_waiting_for_them_within_its_own() -> None:
    api_ms, calls, page_ms = await _timing("/sequence")
    assert calls == 2
    assert api_ms >= 2 * CALL_SECONDS * 1000 * 0.9  # it waited for both, one after the other
    assert page_ms >= api_ms


async def test_calls_made_at_once_count_their_waiting_once() -> None:
    api_ms, calls, page_ms = await _timing("/together")
    assert calls == 3
    assert page_ms >= api_ms  # never more waiting than the page's own time, however many at once


async def test_each_page_counts_only_its_own_calls_and_none_outside_a_page() -> None:
    await _timing("/sequence")
    await _call()  # outside any page (e.g. at start-up): charged to none
    assert (await _timing("/quiet"))[:2] == (0.0, 0)
