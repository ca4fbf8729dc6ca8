"""Session-wide fixtures: the embedded servers start once per test session, on free ports.

- ``stack``: MongoDB-wire servers (one per service), the Kafka-wire broker and the mail server (aiosmtpd, its
  Maildir at ``stack.mail_dir``), as processes.
- ``platform``: the whole platform as processes (servers, the four services, the gateway and the web app),
  for the end-to-end and browser tests.
- ``service_client(name, scopes=...)``: an httpx client on the real service app, running in-process
  with its lifespan (relay, consumers) against those servers.
- ``mongo_db(name)``, ``published(topic)``, ``runtime_of(name)``, ``token(scopes)``; ``scratch_db(name, purpose)``,
  a database of the test's own on that service's server, dropped when the test ends.
- For a service's own test folder, named for it (``service_under_test``): ``db``, ``outbox``,
  ``broker_events``, the ``reader`` and ``writer`` clients; and ``unique(name)``, ``eventually(check)``,
  ``created(client, url, body)``, ``first_version(response)``, ``edited_at_once(client, url, edits, db, collection)``
  to import.
- ``Served(app)``, to import: an app served over HTTP by uvicorn in-process (the gateway's and the security tests).
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest
import pytest_asyncio
import uvicorn
from aiokafka import AIOKafkaConsumer, TopicPartition
from asgi_lifespan import LifespanManager
from civic.auth import ALL_SCOPES
from civic.cli.stack import Stack, StackConfig, free_port
from civic.settings import ServiceSettings
from civic_contracts import SERVICES

SERVICE_MODULES = {name: f"civic_{name}.main" for name in SERVICES}
#: the folders whose tests share the ``platform`` (one per worker): they run on one worker, which starts it once
ON_THE_PLATFORM = ("e2e", "browser")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Which tests a worker of ``make test`` (pytest-xdist, ``--dist loadgroup``) takes together: a file's tests
    stay together (in their order, with their module's fixtures made once), and the end-to-end and browser
    tests, and any other test that asks for the platform, go to one worker, which starts it once for them."""
    tests = Path(__file__).parent
    for item in items:
        path = Path(str(item.fspath))
        folder = path.relative_to(tests).parts[0] if tests in path.parents else ""
        on_platform = folder in ON_THE_PLATFORM or "platform" in getattr(item, "fixturenames", ())
        group = "platform" if on_platform else str(path.relative_to(tests) if folder else path)
        item.add_marker(pytest.mark.xdist_group(group))



@pytest.fixture(scope="session")
def state_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="civic-test-"))
    yield path
    if not os.environ.get("CIVIC_KEEP_TEST_STATE"):
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def stack(state_dir: Path) -> Iterator[Stack]:
    """Servers only (no service processes): integration tests run the apps in-process."""
    config = StackConfig.ephemeral(state_dir / "servers")
    servers = Stack(config)
    servers.state_dir.mkdir(parents=True, exist_ok=True)
    (servers.state_dir / "logs").mkdir(exist_ok=True)
    servers.keys.ensure()
    try:
        for service in config.services:
            servers.start_mongodb(service, wait=False)
        servers.start_broker()
        servers.start_mail()  # comms sends the councillor briefing to it (tests/integration/comms)
        for service in config.services:
            servers._wait(servers.components[f"mongodb-{service}"],
                          lambda s=service: servers._mongo_ready(config.mongo_ports[s]), timeout=60)
        yield servers
    finally:
        servers.stop()


@pytest.fixture(scope="session")
def platform(state_dir: Path) -> Iterator[Stack]:
    """The whole platform as processes (four MongoDB-wire servers, the broker, four services, the gateway and
    the web app), once per session: tests/e2e and tests/browser share it."""
    config = StackConfig.ephemeral(
        state_dir / "platform",
        extra_env={"CIVIC_OUTBOX_POLL_SECONDS": "0.5", "CIVIC_CONSUMER_RETRY_BACKOFF_SECONDS": "0.05",
                   "CIVIC_RATE_LIMIT_PER_MINUTE": "100000"},
    )
    platform = Stack(config)
    platform.start()
    try:
        yield platform
    finally:
        platform.stop()


@pytest.fixture(scope="session")
def token(stack: Stack) -> Callable[..., str]:
    def mint(scopes: str | list[str] = " ".join(ALL_SCOPES), sub: str = "test-officer", **kwargs: Any) -> str:
        scope_list = scopes.split() if isinstance(scopes, str) else list(scopes)
        return stack.keys.mint(sub, scope_list, **kwargs)

    return mint


def service_settings(stack: Stack, name: str, **overrides: Any) -> ServiceSettings:
    values: dict[str, Any] = {
        "service_name": name,
        "mongodb_url": stack.mongodb_url(name),
        "mongodb_database": f"civic_{name}",
        "kafka_bootstrap_servers": stack.kafka_bootstrap(),
        "kafka_idempotent_producer": False,
        "jwks_file": stack.keys.jwks_path,
        "state_dir": stack.state_dir,
        "outbox_poll_seconds": 0.5,
        "consumer_retry_backoff_seconds": 0.05,
        "shutdown_grace_seconds": 5,
    }
    values.update(overrides)
    return ServiceSettings(**values)


class RunningApps:
    """Service apps started lazily, once per session, each with its lifespan running."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.apps: dict[str, Any] = {}
        self.managers: dict[str, LifespanManager] = {}

    async def get(self, name: str) -> Any:
        if name not in self.apps:
            from civic.service import create_app

            module = importlib.import_module(SERVICE_MODULES[name])
            app = create_app(module.definition, settings=service_settings(self.stack, name))
            manager = LifespanManager(app, startup_timeout=60, shutdown_timeout=30)
            await manager.__aenter__()
            await asyncio.wait_for(app.state.runtime.prepared.wait(), timeout=60)
            self.apps[name] = app
            self.managers[name] = manager
        return self.apps[name]

    async def close(self) -> None:
        for manager in self.managers.values():
            await manager.__aexit__(None, None, None)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def running_apps(stack: Stack) -> AsyncIterator[RunningApps]:
    apps = RunningApps(stack)
    yield apps
    await apps.close()


@pytest.fixture(scope="session")
def service_client(running_apps: RunningApps, token: Callable[..., str]) -> Callable[..., Awaitable[httpx.AsyncClient]]:
    async def make(name: str, scopes: str | list[str] | None = None, sub: str = "test-officer",
                   authorised: bool = True) -> httpx.AsyncClient:
        app = await running_apps.get(name)
        headers = {}
        if authorised:
            headers["Authorization"] = f"Bearer {token(scopes if scopes is not None else ' '.join(ALL_SCOPES), sub=sub)}"
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{name}.test",
                                 headers=headers, timeout=30)

    return make


@pytest.fixture(scope="session")
def runtime_of(running_apps: RunningApps) -> Callable[[str], Awaitable[Any]]:
    async def get(name: str) -> Any:
        return (await running_apps.get(name)).state.runtime

    return get


@pytest.fixture
def service_runtime(runtime_of: Callable[[str], Awaitable[Any]]) -> Callable[[str], Awaitable[Any]]:
    """A running service's runtime by name: to run its scheduler or a background job at a chosen moment."""
    return runtime_of


@pytest.fixture(scope="session")
def mongo_db(runtime_of: Callable[[str], Awaitable[Any]]) -> Callable[[str], Awaitable[Any]]:
    async def get(name: str) -> Any:
        return (await runtime_of(name)).db

    return get


@pytest.fixture
async def scratch_db(runtime_of: Callable[[str], Awaitable[Any]]) -> AsyncIterator[Callable[[str, str], Awaitable[Any]]]:
    """``await scratch_db("savings", "lease")``: an empty database on that service's server, for a test that
    needs one no service uses (its own outbox, leases or indexes); every one made is dropped after the test,
    once the test has stopped what it started on it."""
    made: list[Any] = []

    async def make(name: str, purpose: str) -> Any:
        runtime = await runtime_of(name)
        db = runtime.client[f"civic_{purpose}_{uuid.uuid4().hex[:8]}"]
        made.append(db)
        return db

    yield make
    for db in made:
        await db.client.drop_database(db.name)


@pytest.fixture(scope="session")
def published(stack: Stack) -> Callable[..., Awaitable[list[dict[str, Any]]]]:
    """Every envelope on a topic right now (read from the beginning, no group), in offset order per partition."""

    async def read(topic: str, settle_seconds: float = 0.0) -> list[dict[str, Any]]:
        if settle_seconds:
            await asyncio.sleep(settle_seconds)
        consumer = AIOKafkaConsumer(bootstrap_servers=stack.kafka_bootstrap(), enable_auto_commit=False,
                                    group_id=None, auto_offset_reset="earliest")
        await consumer.start()
        try:
            partitions = consumer.partitions_for_topic(topic) or set()
            if not partitions:
                await consumer._client.force_metadata_update()
                partitions = consumer.partitions_for_topic(topic) or set()
            tps = [TopicPartition(topic, p) for p in partitions]
            if not tps:
                return []
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            ends = await consumer.end_offsets(tps)
            out: list[dict[str, Any]] = []
            remaining = {tp for tp in tps if ends[tp] > 0}
            while remaining:
                batches = await consumer.getmany(*remaining, timeout_ms=1000)
                if not batches:
                    break
                for tp, records in batches.items():
                    for record in records:
                        out.append(json.loads(record.value))
                        if record.offset + 1 >= ends[tp]:
                            remaining.discard(tp)
            return out
        finally:
            await consumer.stop()

    return read


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 20.0, interval: float = 0.2) -> Any:
    """Poll until ``check`` returns a truthy value (an asynchronous effect has happened) or fail."""
    deadline = asyncio.get_running_loop().time() + timeout
    last: Any = None
    while asyncio.get_running_loop().time() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last value: {last!r})")


def unique(name: str) -> str:
    """Tests share one database per service: a name (title, directorate, board...) no other test uses."""
    return f"{name} {uuid.uuid4().hex[:8]}"


class Served:
    """One app served over real HTTP by uvicorn in this process (the session's event loop), on a free port
    or a given one; stoppable and restartable (a 'killed' backend)."""

    def __init__(
        self, app: Any, port: int | None = None, *, lifespan: Literal["on", "off"] = "on", proxy_headers: bool = False
    ) -> None:
        self.app = app
        self.port = port or free_port()
        self.lifespan = lifespan
        self.proxy_headers = proxy_headers
        self.server: uvicorn.Server | None = None
        self.task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_config=None,
            lifespan=self.lifespan,
            proxy_headers=self.proxy_headers,
            timeout_graceful_shutdown=1,
            access_log=False,
        )
        self.server = uvicorn.Server(config)
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            if self.task.done():
                self.task.result()
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self.server is not None and self.task is not None:
            self.server.should_exit = True
            await self.task
            self.server = None
            self.task = None


# --------------------------------------------------------------------------- one service's tests
# A service's test folder is named for its service (``service_under_test``; a conftest may name another);
# these fixtures then work on that service. A folder keeps its own clients (its scopes) and its own
# resource builders, which make their resources with ``created``.


@pytest.fixture
def service_under_test(request: pytest.FixtureRequest) -> str:
    """The service whose folder the test is in: ``tests/integration/<service>/``."""
    return request.path.parent.name


@pytest.fixture
async def reader(service_client: Callable[..., Awaitable[httpx.AsyncClient]], service_under_test: str) -> httpx.AsyncClient:
    """A client that may read the service and do nothing else."""
    return await service_client(service_under_test, scopes=f"{service_under_test}:read")


@pytest.fixture
async def writer(service_client: Callable[..., Awaitable[httpx.AsyncClient]], service_under_test: str) -> httpx.AsyncClient:
    """A client that may read and write, without the service's further scopes (approve, confidential)."""
    return await service_client(service_under_test, scopes=f"{service_under_test}:read {service_under_test}:write")


async def created(client: httpx.AsyncClient, url: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST ``body`` to ``url``: the resource it created (201)."""
    response = await client.post(url, json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def record_maker(client: httpx.AsyncClient, url: str, defaults: Callable[[], dict[str, Any]]
                 ) -> Callable[..., Awaitable[dict[str, Any]]]:
    """Creates a record at ``url`` from fresh defaults with the test's overrides: its API form (201)."""

    async def create(**overrides: Any) -> dict[str, Any]:
        return await created(client, url, {**defaults(), **overrides})

    return create


def first_version(response: httpx.Response) -> dict[str, Any]:
    """What a create answered: 201 and the new resource at version 1 (ETag ``"1"``); the resource."""
    assert response.status_code == 201, response.text
    assert response.headers["ETag"] == '"1"'
    return dict(response.json())


async def edited_at_once(client: httpx.AsyncClient, url: str, edits: list[dict[str, Any]], db: Any, collection: str,
                         ) -> tuple[dict[str, Any], dict[str, Any]]:
    """PATCH ``url`` with every one of ``edits`` at the same moment, without If-Match: each is retried past the
    write conflict and lands (none answers 503), one after another. The record as stored in ``collection``
    (its id the last segment of ``url``),
    and the answer to the edit that landed last."""
    writers = len(edits)
    responses = await asyncio.gather(*(client.patch(url, json=edit) for edit in edits))
    statuses = [r.status_code for r in responses]
    assert 503 not in statuses, [r.text for r in responses if r.status_code == 503][:1]
    assert statuses == [200] * writers, [r.text for r in responses if r.status_code != 200][:1]
    versions = sorted(r.json()["version"] for r in responses)
    assert versions == list(range(2, writers + 2))  # each one saw the one before it: none was lost
    stored = await db[collection].find_one({"_id": url.rsplit("/", 1)[1]})
    assert stored["version"] == 1 + writers
    last = next(r.json() for r in responses if r.json()["version"] == stored["version"])
    return stored, last


@pytest.fixture
async def db(mongo_db: Callable[[str], Awaitable[Any]], service_under_test: str) -> Any:
    """The service's database, as the running app uses it."""
    return await mongo_db(service_under_test)


@pytest.fixture
def outbox(db: Any) -> Callable[[str], Awaitable[list[str]]]:
    """Event types written for an aggregate. The outbox is written in the same transaction as the
    change, so this says exactly what a request emitted, or that a refusal emitted nothing."""

    async def types(aggregate_id: str) -> list[str]:
        docs = (
            await db["outbox"].find({"key": aggregate_id}).sort([("created_at", 1), ("order", 1)]).to_list()
        )
        return [d["type"] for d in docs]

    return types


def _as_dict(event: Any) -> dict[str, Any]:
    return event if isinstance(event, dict) else dict(event.model_dump(mode="json"))


@pytest.fixture
def broker_events(
    published: Callable[..., Awaitable[list[dict[str, Any]]]], service_under_test: str
) -> Callable[..., Awaitable[list[dict[str, Any]]]]:
    """Events of one type and subject that reached the service's topic; polls until ``want`` arrive (the
    relay publishes just after commit) or gives up after a bounded number of tries."""
    topic = f"{service_under_test}.events.v1"

    async def find(event_type: str, subject: str, want: int = 1, tries: int = 60) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for _ in range(tries):
            events = [_as_dict(e) for e in await published(topic)]
            found = [e for e in events if e.get("type") == event_type and e.get("subject") == subject]
            if len(found) >= want:
                return found
            await asyncio.sleep(0.25)
        return found

    return find
