"""The whole platform as processes (four MongoDB-wire servers, the broker, four services, the gateway), once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from civic.cli.stack import Stack, StackConfig


@pytest.fixture(scope="session")
def platform(state_dir: Path) -> Iterator[Stack]:
    config = StackConfig.ephemeral(
        state_dir / "platform",
        extra_env={"CIVIC_OUTBOX_POLL_SECONDS": "0.5", "CIVIC_CONSUMER_RETRY_BACKOFF_SECONDS": "0.05",
                   "CIVIC_RATE_LIMIT_PER_MINUTE": "100000"},
    )
    stack = Stack(config)
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


def restore(stack: Stack) -> None:
    """Start again whatever a fault test stopped or killed, and wait until everything is ready."""
    config = stack.config
    if not config.mongodb_url:
        for service in config.services:
            component = stack.components.get(f"mongodb-{service}")
            if component is None or not component.alive():
                stack.start_mongodb(service)
    if not config.kafka_bootstrap_servers:
        broker = stack.components.get("kafka")
        if broker is None or not broker.alive():
            stack.start_broker()
    names = [*config.services, *(["gateway"] if config.with_gateway else [])]
    for name in names:
        component = stack.components.get(name)
        if component is None or not component.alive():
            stack.start_component(name)
    for name in names:
        stack.wait_ready(name)


@pytest.fixture
def restored(platform: Stack) -> Iterator[Stack]:
    """The platform for a fault test: every component it stops or kills is running and ready again afterwards."""
    restore(platform)
    yield platform
    restore(platform)
