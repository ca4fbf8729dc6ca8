"""Circuit breaker, rate limiter and body limit: the rules, with a hand-driven clock."""

from __future__ import annotations

import pytest
from civic_gateway.protection import (
    BadContentLength,
    BodyTooLarge,
    CircuitBreaker,
    CircuitBreakers,
    CircuitOpen,
    CircuitState,
    RateLimiter,
    check_declared_length,
    counts_as_backend_failure,
    limited,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


def breaker(clock: Clock, threshold: int = 3, cool_down: float = 10.0) -> CircuitBreaker:
    return CircuitBreaker("savings", failure_threshold=threshold, cool_down_seconds=cool_down, clock=clock)


def probing(clock: Clock) -> CircuitBreaker:
    """A breaker opened by one failure whose 10 s cool-down is over, and the probe it then lets through."""
    b = breaker(clock, threshold=1, cool_down=10)
    b.record_failure()
    clock.advance(10)
    b.allow()
    return b


# --- circuit breaker ---


def test_closed_breaker_lets_calls_through(clock: Clock) -> None:
    b = breaker(clock)
    b.allow()
    assert b.state is CircuitState.CLOSED


def test_opens_after_threshold_consecutive_failures(clock: Clock) -> None:
    b = breaker(clock, threshold=3)
    for _ in range(2):
        b.allow()
        b.record_failure()
    assert b.state is CircuitState.CLOSED
    b.record_failure()
    assert b.state is CircuitState.OPEN
    with pytest.raises(CircuitOpen) as refused:
        b.allow()
    assert refused.value.backend == "savings"
    assert refused.value.retry_after == 10


def test_a_success_resets_the_failure_count(clock: Clock) -> None:
    b = breaker(clock, threshold=3)
    b.record_failure()
    b.record_failure()
    b.record_success()
    b.record_failure()
    b.record_failure()
    assert b.state is CircuitState.CLOSED
    assert b.consecutive_failures == 2


def test_open_breaker_refuses_until_cool_down_then_half_opens(clock: Clock) -> None:
    b = breaker(clock, threshold=1, cool_down=10)
    b.record_failure()
    clock.advance(9.5)
    with pytest.raises(CircuitOpen) as refused:
        b.allow()
    assert refused.value.retry_after == 1  # 0.5 s left, rounded up: never "retry after 0"
    clock.advance(0.5)
    assert b.state is CircuitState.HALF_OPEN


def test_half_open_lets_one_probe_through_at_a_time(clock: Clock) -> None:
    b = probing(clock)  # the probe
    with pytest.raises(CircuitOpen):
        b.allow()  # a second caller while the probe is out


def test_successful_probe_closes(clock: Clock) -> None:
    b = probing(clock)
    b.record_success()
    assert b.state is CircuitState.CLOSED
    b.allow()
    b.allow()


def test_failed_probe_opens_again_for_a_full_cool_down(clock: Clock) -> None:
    b = breaker(clock, threshold=3, cool_down=10)
    for _ in range(3):
        b.record_failure()
    clock.advance(10)
    b.allow()
    b.record_failure()  # one failure in half-open is enough
    assert b.state is CircuitState.OPEN
    assert b.times_opened == 2
    clock.advance(9.9)
    with pytest.raises(CircuitOpen):
        b.allow()


def test_a_lost_probe_does_not_keep_the_breaker_half_open_forever(clock: Clock) -> None:
    b = probing(clock)  # probe never reports back
    clock.advance(10)
    b.allow()  # a new probe is allowed


def test_released_probe_frees_the_slot(clock: Clock) -> None:
    b = probing(clock)
    b.release()
    b.allow()


def test_a_late_success_does_not_close_an_open_breaker(clock: Clock) -> None:
    b = breaker(clock, threshold=1)
    b.record_failure()
    b.record_success()  # a call started before the breaker opened
    assert b.state is CircuitState.OPEN


def test_breakers_are_independent_per_backend(clock: Clock) -> None:
    breakers = CircuitBreakers.for_backends(["savings", "comms"], failure_threshold=1, clock=clock)
    breakers["savings"].record_failure()
    breakers["comms"].allow()
    assert breakers.snapshot()["savings"]["state"] == "open"
    assert breakers.snapshot()["comms"]["state"] == "closed"


@pytest.mark.parametrize(
    ("status", "failure"),
    [(200, False), (404, False), (409, False), (500, False), (502, True), (503, True), (504, True)],
)
def test_which_statuses_count_against_the_backend(status: int, failure: bool) -> None:
    assert counts_as_backend_failure(status) is failure


def test_breaker_refuses_bad_configuration() -> None:
    with pytest.raises(ValueError):
        CircuitBreaker("x", failure_threshold=0)
    with pytest.raises(ValueError):
        CircuitBreaker("x", cool_down_seconds=0)


# --- rate limiter ---


def test_bucket_allows_a_burst_then_refuses_with_retry_after(clock: Clock) -> None:
    limiter = RateLimiter(60, burst=3, clock=clock)  # one a second sustained
    decisions = [limiter.check("alice") for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions[:3]] == [2, 1, 0]
    assert decisions[3].retry_after == 1


def test_bucket_refills_at_the_sustained_rate(clock: Clock) -> None:
    limiter = RateLimiter(6, burst=1, clock=clock)  # one every 10 s
    assert limiter.check("alice").allowed
    refused = limiter.check("alice")
    assert not refused.allowed
    assert refused.retry_after == 10
    clock.advance(4)
    assert limiter.check("alice").retry_after == 6
    clock.advance(6)
    assert limiter.check("alice").allowed


def test_refill_never_exceeds_the_burst(clock: Clock) -> None:
    limiter = RateLimiter(60, burst=2, clock=clock)
    clock.advance(3600)
    assert [limiter.check("alice").allowed for _ in range(3)] == [True, True, False]


def test_subjects_have_their_own_buckets(clock: Clock) -> None:
    limiter = RateLimiter(60, burst=1, clock=clock)
    assert limiter.check("alice").allowed
    assert not limiter.check("alice").allowed
    assert limiter.check("bob").allowed


def test_remembered_subjects_are_bounded(clock: Clock) -> None:
    limiter = RateLimiter(60, burst=1, max_subjects=2, clock=clock)
    limiter.check("a")
    limiter.check("b")
    limiter.check("c")  # forgets "a", the least recently seen
    assert len(limiter._buckets) == 2
    assert limiter.check("a").allowed


def test_burst_defaults_to_a_minute_of_requests(clock: Clock) -> None:
    limiter = RateLimiter(120, clock=clock)
    assert limiter.check("a").limit == 120


# --- body size ---


@pytest.mark.parametrize(("header", "expected"), [(None, None), ("0", 0), ("1024", 1024), (" 10 ", 10)])
def test_declared_length_within_limit(header: str | None, expected: int | None) -> None:
    assert check_declared_length(header, 1024) == expected


def test_declared_length_over_limit_is_refused() -> None:
    with pytest.raises(BodyTooLarge):
        check_declared_length("1025", 1024)


@pytest.mark.parametrize("header", ["-1", "abc", "1e3", "", "10, 10"])
def test_malformed_declared_length_is_refused(header: str) -> None:
    with pytest.raises(BadContentLength):
        check_declared_length(header, 1024)


async def _chunks(*parts: bytes):  # type: ignore[no-untyped-def]
    for part in parts:
        yield part


async def test_streamed_body_within_limit_passes_unchanged() -> None:
    out = [chunk async for chunk in limited(_chunks(b"ab", b"", b"cd"), 4)]
    assert out == [b"ab", b"cd"]


async def test_streamed_body_over_limit_stops_before_the_excess_is_passed_on() -> None:
    passed: list[bytes] = []
    with pytest.raises(BodyTooLarge):
        async for chunk in limited(_chunks(b"abc", b"de", b"f"), 4):
            passed.append(chunk)
    assert passed == [b"abc"]
