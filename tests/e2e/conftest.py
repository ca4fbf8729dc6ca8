"""Fault tests' help: whatever a test stopped is started again. The whole platform as processes (the
``platform`` fixture) is in tests/conftest.py, shared with the browser tests (tests/browser)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from civic.cli.stack import Stack


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
    if config.with_mail:
        mail = stack.components.get("mail")
        if mail is None or not mail.alive():
            stack.start_mail()
    names = [*config.services, *(["gateway"] if config.with_gateway else []),
             *(["web"] if config.with_gateway and config.with_web else [])]
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
