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
