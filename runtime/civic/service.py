"""The service application factory: every service is this plus its own routers and handlers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from types import ModuleType
from typing import Any, TypeVar

from civic_contracts.envelope import Envelope, EventData
from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.routing import APIRouter as _Router
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from civic import metrics
from civic.auth import Caller, TokenVerifier
from civic.consumer import ConsumerRunner
from civic.dead_letters import DEAD_LETTERS, refresh_dead_letter_gauge
from civic.documents import resource
from civic.errors import Invalid, NotFound
from civic.http import Page, RequestModel, paginate, require
from civic.idempotency import IDEMPOTENCY, IdempotencyMiddleware
from civic.inbox import INBOX, AlreadyHandled
from civic.logs import configure_logging
from civic.middleware import BodyLimitMiddleware, RequestContextMiddleware
from civic.outbox import OutboxRelay, prepare_outbox, replay
from civic.problems import document_problems, install_problem_handlers
from civic.retention import drop_ttl_indexes, keeping_retention
from civic.settings import ServiceSettings
from civic.subscriptions import Handler, Subscriptions
from civic.telemetry import FRAMEWORK_TELEMETRY_OFF, ServerSpanMiddleware, configure_tracing, shutdown_tracing
from civic.uow import OUTBOX, UnitOfWork, UnitOfWorkFactory, run_in_transaction

log = logging.getLogger("civic.service")
T = TypeVar("T")
Background = Callable[["Runtime"], Awaitable[None]]


@dataclass
class ServiceDefinition:
    name: str
    title: str
    routers: list[_Router] = field(default_factory=list)
    #: what the service reacts to: contract class -> handler (a ``civic.subscriptions.Subscriptions``)
    handlers: Mapping[type[EventData], Handler[Any]] = field(default_factory=Subscriptions)
    prepare_database: Callable[[AsyncDatabase[Any]], Awaitable[None]] | None = None
    background: list[Background] = field(default_factory=list)
    description: str = ""
    version: str = "1.0.0"

    @classmethod
    def of_package(
        cls,
        name: str,
        description: str,
        *,
        api: ModuleType,
        handlers: ModuleType,
        repository: ModuleType,
        background: list[Background] | None = None,
    ) -> ServiceDefinition:
        """A service laid out as every civic_<name> package is: its routes in ``api.router``, what it reacts
        to in ``handlers.HANDLERS``, its indexes made by ``repository.ensure_indexes``."""
        return cls(
            name=name,
            title=f"civic {name}",
            description=description,
            routers=[api.router],
            handlers=handlers.HANDLERS,
            prepare_database=repository.ensure_indexes,
            background=list(background or []),
        )


class Runtime:
    """What a running service has: settings, its database, units of work, the relay and the consumers."""

    def __init__(self, definition: ServiceDefinition, settings: ServiceSettings) -> None:
        self.definition = definition
        self.name = definition.name
        self.settings = settings
        self.client: AsyncMongoClient[Any] = AsyncMongoClient(
            settings.mongodb_url,
            serverSelectionTimeoutMS=settings.mongodb_timeout_ms,
            connectTimeoutMS=settings.mongodb_timeout_ms,
            appname=f"civic-{definition.name}",
            tz_aware=True,
        )
        self.db: AsyncDatabase[Any] = self.client[settings.database_name()]
        self.relay = OutboxRelay(self.db, settings)
        self._uow_factory = UnitOfWorkFactory(self.db, f"/civic/{definition.name}", self.relay.nudge)
        self.consumer = ConsumerRunner(self.db, settings, definition.handlers, self._uow_factory)
        self.verifier = TokenVerifier(settings)
        self.prepared = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def transaction(self, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        """The one way a service changes its data: ``work`` runs in a unit of work (one MongoDB transaction
        with its events and the request's Idempotency-Key), retried when a concurrent writer won the race."""
        return await run_in_transaction(self._uow_factory, work)

    async def deliver(self, envelope: Envelope) -> str:
        """Apply an event as the consumer would (inbox included): 'applied' or 'duplicate'. Used by tests and re-drive."""
        handler = self.consumer.subscriptions.subscription(envelope.type)
        if handler is None:
            return "ignored"
        try:
            await self.consumer.apply(envelope, handler)
        except AlreadyHandled:
            return "duplicate"
        return "applied"

    async def prepare(self) -> None:
        """Indexes the runtime and the service need; retried until the database answers."""
        delay = 0.5
        while True:
            try:
                await prepare_outbox(self.db)
                await drop_ttl_indexes(self.db, IDEMPOTENCY)  # civic.retention deletes what has expired
                await self.db[IDEMPOTENCY].create_index("created_at")
                await self.db[INBOX].create_index("handled_at")
                await self.db[DEAD_LETTERS].create_index([("status", 1), ("failed_at", 1)])
                if self.definition.prepare_database is not None:
                    await self.definition.prepare_database(self.db)
                await refresh_dead_letter_gauge(self.db, self.name)
                self.prepared.set()
                return
            except PyMongoError as exc:
                log.warning("database not ready; retrying", extra={"error": repr(exc)[:200]})
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def start(self) -> None:
        await self.prepare()
        self.relay.start()
        if self.settings.consumers_enabled:
            self.consumer.start()
        for job in [keeping_retention, *self.definition.background]:
            self._tasks.append(asyncio.create_task(self._guard(job), name=f"{self.name}-{job.__name__}"))

    async def _guard(self, job: Background) -> None:
        """A background job that fails is logged and restarted, never silently lost."""
        while True:
            try:
                await job(self)
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("background job failed; restarting", extra={"job": job.__name__})
                await asyncio.sleep(2)

    async def stop(self) -> None:
        # consumers finish the event in hand; background jobs stop; the relay flushes what is committed
        await self.consumer.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(BaseException):
                await task
        await self.relay.stop()
        await self.client.close()

    async def database_reachable(self) -> bool:
        try:
            await asyncio.wait_for(self.db.command("ping"), timeout=2.0)
            return True
        except (PyMongoError, TimeoutError):
            return False


def install_common(app: FastAPI, name: str, max_body_bytes: int,
                   database: Callable[[], AsyncDatabase[Any] | None],
                   verifier: Callable[[], TokenVerifier | None]) -> None:
    """Problem details, idempotency, body limit, request ids and metrics: same on every component."""
    install_problem_handlers(app)
    app.add_middleware(IdempotencyMiddleware, database=database, verifier=verifier)
    app.add_middleware(BodyLimitMiddleware, max_bytes=max_body_bytes)
    app.add_middleware(RequestContextMiddleware, service=name)
    app.include_router(health_router())


def health_router() -> APIRouter:
    """``/healthz`` (alive) and ``/metrics`` (Prometheus): the same on every component, the gateway too."""
    router = APIRouter()

    @router.get("/healthz", tags=["health"], include_in_schema=True)
    async def healthz() -> dict[str, str]:
        return {"status": "alive"}

    @router.get("/metrics", tags=["health"], response_class=Response)
    async def prometheus() -> Response:
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)

    return router


class ReplayRequest(RequestModel):
    since: datetime
    until: datetime | None = None


def ops_router() -> APIRouter:
    router = APIRouter(prefix="/ops", tags=["operations"])

    def rt_of(app_state: Any) -> Runtime:
        runtime: Runtime = app_state.runtime
        return runtime

    @router.post("/outbox/replay")
    async def replay_outbox(body: ReplayRequest, request: Request,
                            caller: Caller = Depends(require("ops"))) -> dict[str, Any]:
        """Re-publish every event recorded since ``since`` (after broker data loss)."""
        if body.since.tzinfo is None:
            raise Invalid.at("since", "no time zone", "since must carry a time zone, e.g. 2026-11-23T09:00:00Z")
        runtime = rt_of(request.app.state)
        count = await replay(runtime.db, body.since, body.until)
        runtime.relay.nudge()
        log.info("outbox replay requested", extra={"by": caller.sub, "records": count})
        return {"replayed": count, "since": body.since, "until": body.until}

    @router.get("/outbox")
    async def outbox_state(request: Request, caller: Caller = Depends(require("ops"))) -> dict[str, Any]:
        runtime = rt_of(request.app.state)
        coll = runtime.db[OUTBOX]
        return {
            "pending": await coll.count_documents({"published_at": None}),
            "kept": await coll.estimated_document_count(),
            "relay_connected": runtime.relay.connected,
        }

    @router.get("/dead-letters")
    async def dead_letters(request: Request, page: Page = Depends(),
                           status: str | None = Query(None, pattern="^(open|redriven)$"),
                           caller: Caller = Depends(require("ops"))) -> dict[str, Any]:
        runtime = rt_of(request.app.state)
        query = {"status": status} if status else {}
        return await paginate(runtime.db[DEAD_LETTERS], query, page, transform=resource)

    @router.post("/dead-letters/{dead_letter_id}/redrive")
    async def redrive(dead_letter_id: str, request: Request,
                      caller: Caller = Depends(require("ops"))) -> dict[str, Any]:
        runtime = rt_of(request.app.state)
        result = await runtime.consumer.redrive(dead_letter_id)
        log.info("dead letter re-driven", extra={"by": caller.sub, **result})
        return result

    _ = NotFound
    return router


def create_app(definition: ServiceDefinition, settings: ServiceSettings | None = None) -> FastAPI:
    settings = settings or ServiceSettings(service_name=definition.name)
    if settings.service_name in ("", "civic"):
        settings.service_name = definition.name
    configure_logging(definition.name, settings.log_level)
    configure_tracing(definition.name, settings.otlp_endpoint, settings.trace_path())
    holder: dict[str, Runtime] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime(definition, settings)
        holder["runtime"] = runtime
        app.state.runtime = runtime
        app.state.verifier = runtime.verifier
        starter = asyncio.create_task(runtime.start())
        log.info("service starting", extra={"database": settings.database_name()})
        try:
            yield
        finally:
            log.info("service stopping: draining consumers and the outbox")
            if not starter.done():
                starter.cancel()
                with contextlib.suppress(BaseException):
                    await starter
            await runtime.stop()
            shutdown_tracing()

    app = FastAPI(title=definition.title, version=definition.version, description=definition.description,
                  lifespan=lifespan, telemetry=FRAMEWORK_TELEMETRY_OFF)
    install_common(
        app, definition.name, settings.max_body_bytes,
        database=lambda: holder["runtime"].db if "runtime" in holder else None,
        verifier=lambda: holder["runtime"].verifier if "runtime" in holder else None,
    )

    @app.get("/readyz", tags=["health"], responses={503: {
        "description": "Not ready: the database is unreachable",
        "content": {"application/json": {"schema": {"type": "object", "additionalProperties": True}}}}})
    async def readyz(response: Response) -> dict[str, Any]:
        runtime = holder.get("runtime")
        database = runtime is not None and runtime.prepared.is_set() and await runtime.database_reachable()
        body = {
            "ready": bool(database),
            "database": "reachable" if database else "unreachable",
            # Kafka is reported, not required: with the broker away writes still succeed (outbox)
            "broker": "connected" if runtime and (runtime.relay.connected or runtime.consumer.connected)
            else "not connected",
        }
        if not database:
            response.status_code = 503
        return body

    app.include_router(ops_router())
    for router in definition.routers:
        app.include_router(router)
    document_problems(app)
    app.add_middleware(ServerSpanMiddleware)  # outermost: everything inside runs in the request's span
    return app
