"""``civic up --observe``: a real Prometheus (Debian's package) scrapes every component of a stack of real
processes with production's rules (deploy/prometheus/rules.yaml), and a service killed with SIGKILL raises
``CivicComponentDown``: pending at the first failed scrape, firing once its ``for:`` (1 minute) has passed,
gone once the service is back.

Prometheus's own HTTP API is polled (targets, then alerts) until each state is reached; the deadlines are
generous and only bound a failure. Without Prometheus installed the test is skipped, except in CI
(.ci/run installs the package).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from civic.cli import observe
from civic.cli.stack import Stack, StackConfig

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        observe.prometheus_binary() is None and not os.environ.get("CI"),
        reason="prometheus is not installed (Debian's prometheus package: make observe installs it)",
    ),
]

T = TypeVar("T")
KILLED = "savings"


def poll(what: str, check: Callable[[], T | None], timeout: float) -> T:
    """``check()`` until it returns something other than None/False; fails with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except httpx.HTTPError as exc:  # Prometheus restarting its listener, say: look again
            last = exc
        else:
            if last:
                return last
        time.sleep(1)
    raise AssertionError(f"{what}: not within {timeout:.0f}s (last: {last!r})")


def component_down(url: str) -> list[dict[str, Any]]:
    return [alert for alert in observe.alerts(url) if alert["labels"]["alertname"] == "CivicComponentDown"]


@pytest.fixture(scope="module")
def observed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    assert observe.prometheus_binary() is not None, observe.INSTALL_HINT  # in CI: .ci/run installs it
    state: Path = tmp_path_factory.mktemp("observed")
    config = StackConfig.ephemeral(state, observe=True, extra_env={"CIVIC_OUTBOX_POLL_SECONDS": "0.5"})
    stack = Stack(config)
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


@pytest.mark.timeout(600)
def test_a_killed_service_raises_civic_component_down_in_the_local_prometheus(observed: Stack) -> None:
    url = observe.prometheus_url(observed)
    components = {*observed.config.services, "gateway", "web"}

    # Prometheus scrapes every component, with the labels production's rules read
    def every_target_up() -> dict[str, bool] | None:
        health = observe.targets_up(url)
        return health if set(health) == components and all(health.values()) else None

    poll("every component scraped and up", every_target_up, timeout=120)
    rules = httpx.get(f"{url}/api/v1/rules", params={"type": "alert"}, timeout=5).json()["data"]["groups"]
    loaded = {rule["name"] for group in rules for rule in group["rules"]}
    assert {"CivicComponentDown", "CivicErrorBudgetBurn", "CivicDeadLettersOpen"} <= loaded
    assert not component_down(url)

    observed.kill(KILLED)  # SIGKILL: no drain, no goodbye
    assert not observed.components[KILLED].alive()

    def down(state: str) -> Callable[[], list[dict[str, Any]] | None]:
        def check() -> list[dict[str, Any]] | None:
            alerts = [a for a in component_down(url) if a["state"] == state]
            return alerts if {a["labels"]["severity"] for a in alerts} == {"warning", "critical"} else None
        return check

    # pending at once (the first failed scrape), firing after `for: 1m`; the `for` is the rule's own
    pending = poll(f"CivicComponentDown pending for {KILLED}", down("pending"), timeout=60)
    firing = poll(f"CivicComponentDown firing for {KILLED}", down("firing"), timeout=240)
    for alert in [*pending, *firing]:
        assert alert["labels"]["container"] == KILLED and alert["labels"]["namespace"] == "civic", alert
    by_severity = {alert["labels"]["severity"]: alert for alert in firing}
    assert by_severity["warning"]["labels"]["pod"] == KILLED
    assert by_severity["warning"]["labels"]["job"] == observe.JOB
    assert by_severity["critical"]["annotations"]["runbook_url"] == "docs/runbooks/CivicComponentDown.md"
    assert by_severity["critical"]["annotations"]["summary"] == (
        f"{KILLED}: no process of it has answered Prometheus's scrape for a minute")
    health = observe.targets_up(url)
    assert health[KILLED] is False and all(up for name, up in health.items() if name != KILLED), health

    # back: the alert goes at the next evaluation after a successful scrape
    observed.start_component(KILLED)
    observed.wait_ready(KILLED)
    poll("CivicComponentDown resolved", lambda: not component_down(url), timeout=120)
