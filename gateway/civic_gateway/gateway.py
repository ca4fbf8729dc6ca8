"""What a running gateway has: identity, protection, the backends and its caches.

The composed views, the forwarder and the gateway's own endpoints all ask it for the caller
(token, scopes, rate limit) and reach the services through its :class:`Backends`.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from civic.auth import Caller
from civic.errors import DomainError
from fastapi import Request

from civic_gateway import openapi
from civic_gateway.identity import Identity, check_scopes
from civic_gateway.pool import BackendError, BackendPool
from civic_gateway.protection import CircuitBreakers, RateLimiter
from civic_gateway.proxy import REFUSED, Backends
from civic_gateway.routing import SERVICES, WEB, RouteTimeouts
from civic_gateway.settings import GatewaySettings


class Gateway:
    """What a running gateway has: identity, protection, the backends and its caches."""

    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        self.identity = Identity(settings)
        self.limiter = RateLimiter(settings.rate_limit_per_minute, burst=settings.rate_limit_burst)
        urls = settings.backend_urls()
        if settings.web_url:
            urls[WEB] = settings.web_url  # the officers' web app, a backend like the services
        self.breakers = CircuitBreakers.for_backends(
            list(urls),
            failure_threshold=settings.circuit_failure_threshold,
            cool_down_seconds=settings.circuit_cool_down_seconds,
        )
        self.timeouts = RouteTimeouts.parse(settings.backend_timeout_seconds, settings.route_timeouts)
        self.backends = Backends(
            urls,
            BackendPool(max_connections=settings.max_connections),
            self.breakers,
            self.timeouts,
            connect_timeout_seconds=settings.connect_timeout_seconds,
            max_body_bytes=settings.max_body_bytes,
        )
        self._openapi: tuple[float, dict[str, Any]] | None = None

    async def close(self) -> None:
        await self.backends.aclose()

    async def caller(self, request: Request, *scopes: str) -> Caller:
        """The verified, rate-limited caller holding every one of ``scopes``."""
        caller = await self.identity.caller(request.headers.get("authorization"))
        check_scopes(caller, scopes)
        decision = self.limiter.check(caller.sub)
        if not decision.allowed:
            REFUSED.labels("rate_limited").inc()
            raise RateLimited(decision.retry_after, decision.limit)
        return caller

    async def merged_openapi(self, base: dict[str, Any]) -> dict[str, Any]:
        now = time.monotonic()
        if self._openapi is not None and now < self._openapi[0]:
            return self._openapi[1]

        async def fetch(service: str) -> dict[str, Any] | None:
            try:
                answer = await self.backends.read(service, "/openapi.json", timeout_seconds=2.0)
                return answer.json() if answer.status == 200 else None
            except (BackendError, ValueError):
                return None

        specs = await asyncio.gather(*(fetch(s) for s in SERVICES))
        merged = openapi.merge(base, dict(zip(SERVICES, specs, strict=True)))
        # a complete document is kept for a few minutes; an incomplete one is retried soon
        self._openapi = (now + (300 if all(specs) else 10), merged)
        return merged


class RateLimited(DomainError, status=429, title="Too many requests", type_slug="rate-limited"):
    """The caller spent its burst of requests; it may try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: int, limit: int) -> None:
        super().__init__(
            f"Too many requests for this caller; try again in {retry_after} s.",
            retry_after=retry_after,
            limit_per_burst=limit,
        )
        self.retry_after = retry_after
