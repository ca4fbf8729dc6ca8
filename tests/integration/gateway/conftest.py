"""A gateway in front of small stand-in backends, all served over real HTTP by uvicorn in-process.

The stand-ins answer like the services do on the paths the gateway cares about (they verify the
forwarded token again, as services do) and report what reached them, so a test can check what the
gateway passed on and what it held back. Tests that only call share one stack (``stack``, reset
before each test); tests that kill a backend or trip a breaker start their own (``start_stack``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from civic.auth import LocalSigningKey, TokenVerifier
from civic_contracts import SERVICES
from civic_gateway.main import create_gateway
from civic_gateway.settings import GatewaySettings
from gateway_standins import Behaviour, standin_app

from tests.conftest import Served


@dataclass
class Stack:
    gateway: Served
    backends: dict[str, Served]
    behaviour: dict[str, Behaviour]
    keys: LocalSigningKey
    client: httpx.AsyncClient
    settings: GatewaySettings

    def token(self, scopes: str | list[str], sub: str = "officer", **kwargs: Any) -> str:
        scope_list = scopes.split() if isinstance(scopes, str) else scopes
        return self.keys.mint(sub, scope_list, **kwargs)

    def auth(self, scopes: str | list[str], sub: str = "officer") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(scopes, sub)}"}


@pytest.fixture(scope="session")
def signing_key(tmp_path_factory: pytest.TempPathFactory) -> LocalSigningKey:
    keys = LocalSigningKey(tmp_path_factory.mktemp("gateway-keys"))
    keys.ensure()
    return keys


@pytest.fixture(scope="session")
def other_key(tmp_path_factory: pytest.TempPathFactory) -> LocalSigningKey:
    keys = LocalSigningKey(tmp_path_factory.mktemp("stranger-keys"))
    keys.ensure()
    return keys


def gateway_settings_for(
    keys: LocalSigningKey, urls: dict[str, str], tmp: Path, **overrides: Any
) -> GatewaySettings:
    values: dict[str, Any] = {
        "jwks_file": keys.jwks_path,
        "jwks_url": None,
        "service_name": "gateway",
        "state_dir": tmp,
        "trace_file": tmp / "traces.jsonl",
        "savings_url": urls["savings"],
        "property_url": urls["property"],
        "safeguarding_url": urls["safeguarding"],
        "comms_url": urls["comms"],
        "dashboard_budget_seconds": 0.5,
        "rate_limit_per_minute": 100_000,
    }
    values.update(overrides)
    return GatewaySettings(**values)


async def _start(keys: LocalSigningKey, tmp: Path, **overrides: Any) -> Stack:
    verifier = TokenVerifier(gateway_settings_for(keys, dict.fromkeys(SERVICES, ""), tmp))
    behaviour = {name: Behaviour() for name in SERVICES}
    backends = {name: Served(standin_app(name, behaviour[name], verifier)) for name in SERVICES}
    await asyncio.gather(*(served.start() for served in backends.values()))
    settings = gateway_settings_for(keys, {n: s.url for n, s in backends.items()}, tmp, **overrides)
    gateway = Served(create_gateway(settings))
    await gateway.start()
    client = httpx.AsyncClient(base_url=gateway.url, timeout=30)
    return Stack(gateway, backends, behaviour, keys, client, settings)


async def _stop(stack: Stack) -> None:
    await stack.client.aclose()
    await asyncio.gather(stack.gateway.stop(), *(served.stop() for served in stack.backends.values()))


@pytest.fixture
async def start_stack(
    signing_key: LocalSigningKey, tmp_path: Path
) -> AsyncIterator[Callable[..., Awaitable[Stack]]]:
    """A stack of the test's own, with gateway settings overridden (for breaker, limits, kills)."""
    stacks: list[Stack] = []

    async def start(**overrides: Any) -> Stack:
        stack = await _start(signing_key, tmp_path, **overrides)
        stacks.append(stack)
        return stack

    yield start
    for stack in stacks:
        await _stop(stack)


@pytest.fixture(scope="session")
async def shared_stack(
    signing_key: LocalSigningKey, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    stack = await _start(signing_key, tmp_path_factory.mktemp("gateway-shared"))
    yield stack
    await _stop(stack)


@pytest.fixture
async def stack(shared_stack: Stack) -> Stack:
    """The shared stack with every stand-in reset: tests that only call (never kill) use it."""
    for name in SERVICES:
        shared_stack.behaviour[name].__init__()  # type: ignore[misc]
    return shared_stack
