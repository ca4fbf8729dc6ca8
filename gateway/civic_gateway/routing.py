"""The route table: which paths reach which service, with which scope and timeout.

``/api/<service>/<path>`` goes to the service's ``/<path>``. Only the service's public surface is
routed: its resources (``v1/…``) and its operator endpoints (``ops/…``, scope ``ops``). Health,
metrics and docs of a service stay inside the network; the gateway answers its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from civic.errors import NotFound
from civic_contracts import SERVICES as SERVICES  # the contracts own the list; main.py takes it from here

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ROUTED_PREFIXES = ("v1/", "ops/")

#: the officers' web app: a backend like a service, for the paths the gateway does not answer itself
WEB = "web"
#: paths that are the gateway's own, or the API's, and never the web's (a page cannot shadow them)
NOT_FOR_WEB = ("/api", "/health", "/ready", "/metrics", "/openapi.json", "/docs", "/redoc", "/.well-known/", "/ops")


class UnknownRoute(NotFound):
    def __init__(self, path: str) -> None:
        super().__init__("route", path)
        self.detail = f"There is nothing at {path}."


@dataclass(frozen=True)
class Route:
    service: str
    path: str  # the backend path, starting with "/"
    scope: str  # the coarse scope the gateway checks; the service checks finer ones itself
    timeout_seconds: float


@dataclass(frozen=True)
class TimeoutRule:
    service: str
    path_prefix: str  # backend path prefix, "" for the whole service
    seconds: float


class RouteTimeouts:
    """Per-route timeouts: the most specific matching rule wins, else the default.

    Configured as ``"savings/v1/reports=30;comms=5"``: service, optional path prefix, seconds.
    """

    def __init__(self, default_seconds: float, rules: list[TimeoutRule] | None = None) -> None:
        self.default_seconds = default_seconds
        # longest prefix first, so the first match is the most specific
        self.rules = sorted(rules or [], key=lambda r: len(r.path_prefix), reverse=True)

    @classmethod
    def parse(cls, default_seconds: float, spec: str) -> RouteTimeouts:
        rules = []
        for raw in spec.split(";"):
            item = raw.strip()
            if not item:
                continue
            target, sep, seconds = item.partition("=")
            try:
                value = float(seconds)
            except ValueError:
                value = -1.0
            service, _, prefix = target.strip().strip("/").partition("/")
            if not sep or value <= 0 or service not in SERVICES:
                raise ValueError(f"Route timeout {item!r} is not '<service>[/<path>]=<seconds>'.")
            rules.append(TimeoutRule(service, "/" + prefix if prefix else "", value))
        return cls(default_seconds, rules)

    def for_path(self, service: str, path: str) -> float:
        for rule in self.rules:
            if rule.service == service and path.startswith(rule.path_prefix):
                return rule.seconds
        return self.default_seconds


def for_web(path: str) -> bool:
    """Whether a path is a page of the officers' web app (forwarded to it, when the gateway has one)."""
    return not path.startswith(NOT_FOR_WEB)


def web_route(path: str, timeouts: RouteTimeouts) -> Route:
    """The web app's route for a page path: no scope at the gateway (the web signs officers in itself)."""
    if not for_web(path) or any(s in ("..", ".") for s in path.split("/")):
        raise UnknownRoute(path)
    return Route(WEB, path, "", timeouts.default_seconds)


def scope_for(service: str, method: str, path: str) -> str:
    if path.startswith("/ops/"):
        return "ops"
    return f"{service}:read" if method.upper() in READ_METHODS else f"{service}:write"


def resolve(service: str, path: str, method: str, timeouts: RouteTimeouts) -> Route:
    """Map ``/api/<service>/<path>`` to its backend route, or refuse it as unknown (404)."""
    gateway_path = f"/api/{service}/{path}"
    # ".." segments could climb out of the routed prefixes once the service normalises the path
    segments = path.split("/")
    if (
        service not in SERVICES
        or not path.startswith(ROUTED_PREFIXES)
        or any(s in ("..", ".") for s in segments)
    ):
        raise UnknownRoute(gateway_path)
    backend_path = "/" + path
    return Route(
        service,
        backend_path,
        scope_for(service, method, backend_path),
        timeouts.for_path(service, backend_path),
    )
