"""Server-Timing on every page: how long the page took on the server, and how much of it was the API.

``Server-Timing: api;dur=12.4;desc="2 API calls", page;dur=15.1`` (W3C Server Timing; a browser's
developer tools show it beside the request). The page is a back end for front end, so its time is the
API calls it makes plus its own rendering; ``make bench`` holds the two against each other (a page at most
1.5 times its API calls). The calls are timed where the gateway client makes them (:mod:`civic_web.gateway`).
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterator
from contextlib import contextmanager

from starlette.types import Message, Receive, Scope, Send

from civic_web.headers import OnEveryAnswer


class _ApiTime:
    """The page's time waiting for the API: wall time while at least one call is out (calls a page makes at
    once count once), and how many calls it made."""

    __slots__ = ("_out", "_since", "calls", "seconds")

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0
        self._out = 0
        self._since = 0.0

    def started(self) -> None:
        if self._out == 0:
            self._since = time.perf_counter()
        self._out += 1
        self.calls += 1

    def ended(self) -> None:
        self._out -= 1
        if self._out == 0:
            self.seconds += time.perf_counter() - self._since


_api: contextvars.ContextVar[_ApiTime | None] = contextvars.ContextVar("civic_web_api_time", default=None)


@contextmanager
def api_call() -> Iterator[None]:
    """Around each API call the page makes (nothing is counted outside a page, e.g. at start-up)."""
    spent = _api.get()
    if spent is None:
        yield
        return
    spent.started()
    try:
        yield
    finally:
        spent.ended()


class ServerTiming(OnEveryAnswer):
    async def answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        spent = _ApiTime()
        token = _api.set(spent)

        async def timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                page_ms = (time.perf_counter() - started) * 1000
                value = f'api;dur={spent.seconds * 1000:.1f};desc="{spent.calls} API calls", page;dur={page_ms:.1f}'
                message["headers"] = [*message.get("headers", []), (b"server-timing", value.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, timed)
        finally:
            _api.reset(token)
