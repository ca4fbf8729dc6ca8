"""What keeps the backends and the gateway itself safe: circuit breakers, rate limits, body limits.

Plain Python with an injectable clock, so the rules are unit-tested without servers or sleeps.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

Clock = Callable[[], float]


# --- circuit breaker ------------------------------------------------------------------------------


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitOpen(Exception):
    """The backend failed repeatedly; calls are refused at once until the cool-down has passed."""

    def __init__(self, backend: str, retry_after_seconds: float) -> None:
        super().__init__(f"The {backend} service is failing; calls to it are paused.")
        self.backend = backend
        self.retry_after_seconds = retry_after_seconds

    @property
    def retry_after(self) -> int:
        """Whole seconds for a Retry-After header (never 0: that would invite an immediate retry)."""
        return max(1, math.ceil(self.retry_after_seconds))


class CircuitBreaker:
    """One backend's breaker.

    closed: calls pass; ``failure_threshold`` consecutive failures open it.
    open: calls are refused at once (no load on a dead service) until ``cool_down_seconds`` pass.
    half-open: one probe call passes; its success closes the breaker, its failure opens it again.
    """

    def __init__(
        self,
        name: str,
        *,
        failure_threshold: int = 5,
        cool_down_seconds: float = 10.0,
        clock: Clock = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        if cool_down_seconds <= 0:
            raise ValueError("cool_down_seconds must be positive")
        self.name = name
        self.failure_threshold = failure_threshold
        self.cool_down_seconds = cool_down_seconds
        self._clock = clock
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probe_started: float | None = None
        self.times_opened = 0

    @property
    def state(self) -> CircuitState:
        if self._state is CircuitState.OPEN and self._clock() >= self._opened_at + self.cool_down_seconds:
            self._state = CircuitState.HALF_OPEN
            self._probe_started = None
        return self._state

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    def allow(self) -> None:
        """Raise :class:`CircuitOpen` when this call must not reach the backend."""
        state = self.state
        now = self._clock()
        if state is CircuitState.CLOSED:
            return
        if state is CircuitState.OPEN:
            raise CircuitOpen(self.name, self._opened_at + self.cool_down_seconds - now)
        # Half-open: a single probe at a time. A probe that never reported back (hung or lost) is
        # presumed failed after one cool-down, so the breaker cannot stay half-open forever.
        if self._probe_started is not None and now < self._probe_started + self.cool_down_seconds:
            raise CircuitOpen(self.name, self._probe_started + self.cool_down_seconds - now)
        self._probe_started = now

    def record_success(self) -> None:
        state = self.state
        if state is CircuitState.OPEN:
            return  # a call that started before the breaker opened proves little; wait for the probe
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._probe_started = None

    def record_failure(self) -> None:
        state = self.state
        if state is CircuitState.OPEN:
            return
        if state is CircuitState.HALF_OPEN:
            self._open()
            return
        self._failures += 1
        if self._failures >= self.failure_threshold:
            self._open()

    def release(self) -> None:
        """The call ended without a verdict (the caller went away): free the probe slot."""
        if self._state is CircuitState.HALF_OPEN:
            self._probe_started = None

    def _open(self) -> None:
        self._state = CircuitState.OPEN
        self._opened_at = self._clock()
        self._probe_started = None
        self.times_opened += 1

    def snapshot(self) -> dict[str, object]:
        return {
            "state": self.state.value,
            "consecutive_failures": self._failures,
            "times_opened": self.times_opened,
        }


class CircuitBreakers(dict[str, CircuitBreaker]):
    """One breaker per backend, by service name."""

    @classmethod
    def for_backends(
        cls,
        names: Iterable[str],
        *,
        failure_threshold: int = 5,
        cool_down_seconds: float = 10.0,
        clock: Clock = time.monotonic,
    ) -> CircuitBreakers:
        return cls(
            {
                name: CircuitBreaker(
                    name,
                    failure_threshold=failure_threshold,
                    cool_down_seconds=cool_down_seconds,
                    clock=clock,
                )
                for name in names
            }
        )

    def snapshot(self) -> dict[str, dict[str, object]]:
        return {name: breaker.snapshot() for name, breaker in self.items()}


def counts_as_backend_failure(status: int) -> bool:
    """Statuses that say the backend (not the request) is in trouble.

    A 500 is one request's bug and 4xx is the caller's doing; neither should cut everyone off.
    """
    return status in (502, 503, 504)


# --- rate limit -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # whole seconds; 0 when allowed


class _Bucket:
    __slots__ = ("tokens", "updated")

    def __init__(self, tokens: float, updated: float) -> None:
        self.tokens = tokens
        self.updated = updated


class RateLimiter:
    """A token bucket per token subject: ``per_minute`` sustained, up to ``burst`` at once.

    Buckets live in memory per gateway process; with several replicas each enforces its own share.
    The number of subjects remembered is bounded: the least recently seen are forgotten first
    (forgetting a subject only gives it a full bucket, which an idle subject would have anyway).
    """

    def __init__(
        self,
        per_minute: int,
        *,
        burst: int | None = None,
        max_subjects: int = 10_000,
        clock: Clock = time.monotonic,
    ) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self.capacity = float(burst if burst is not None else per_minute)
        if self.capacity < 1:
            raise ValueError("burst must be at least 1")
        self.refill_per_second = per_minute / 60.0
        self.max_subjects = max_subjects
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def check(self, subject: str) -> RateDecision:
        now = self._clock()
        bucket = self._buckets.get(subject)
        if bucket is None:
            bucket = _Bucket(self.capacity, now)
            self._buckets[subject] = bucket
            if len(self._buckets) > self.max_subjects:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(subject)
            elapsed = max(0.0, now - bucket.updated)
            bucket.tokens = min(self.capacity, bucket.tokens + elapsed * self.refill_per_second)
            bucket.updated = now
        limit = int(self.capacity)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return RateDecision(True, limit, int(bucket.tokens), 0)
        wait = (1.0 - bucket.tokens) / self.refill_per_second
        return RateDecision(False, limit, 0, max(1, math.ceil(wait)))


# --- body size ------------------------------------------------------------------------------------


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"The request body is larger than the limit of {limit} bytes.")
        self.limit = limit


class BadContentLength(Exception):
    pass


def check_declared_length(content_length: str | None, limit: int) -> int | None:
    """The declared body length, refused before a byte is read when it is over ``limit``."""
    if content_length is None:
        return None
    value = content_length.strip()
    if not value.isdigit():
        raise BadContentLength(f"Content-Length {content_length!r} is not a whole number of bytes.")
    length = int(value)
    if length > limit:
        raise BodyTooLarge(limit)
    return length


async def limited(chunks: AsyncIterator[bytes], limit: int) -> AsyncIterator[bytes]:
    """Pass a streamed body through, counting: a chunked body cannot dodge the limit."""
    seen = 0
    async for chunk in chunks:
        seen += len(chunk)
        if seen > limit:
            raise BodyTooLarge(limit)
        if chunk:
            yield chunk
