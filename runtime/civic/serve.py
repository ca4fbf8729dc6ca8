"""``python -m civic.serve <component>``: run one component with uvicorn (what containers and civic up run)."""

from __future__ import annotations

import gc
import importlib
import sys
from typing import Any

import uvicorn
from civic_contracts import SERVICES

from civic.settings import DEFAULT_PORTS, CommonSettings, GatewaySettings

#: each component's ASGI app: a module's ``app``, or (``name()``) the factory that builds it when served,
#: so importing the gateway's or the web app's module (tests, tools) configures no logging, tracing or pool
APPS = {
    "gateway": "civic_gateway.main:create_gateway()",
    **{service: f"civic_{service}.main:app" for service in SERVICES},
    "web": "civic_web.main:create_web()",
}


def load_app(component: str) -> Any:
    """Import a component's ASGI app and set aside the heap that import built."""
    module, _, attr = APPS[component].partition(":")
    named = getattr(importlib.import_module(module), attr.removesuffix("()"))
    app = named() if attr.endswith("()") else named
    # Everything imported so far (frameworks, drivers, schemas, routes: some 100k objects) lives as
    # long as the process. Left in the collector's oldest generation, each full collection walks all
    # of it: a 50-125 ms pause every 10-20 s under load on these machines, which every request in
    # flight waits out (it was most of the gateway bench's paced p99). Frozen, a full collection
    # walks only what was made since, a few ms.
    gc.collect()
    gc.freeze()
    return app


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 1 or args[0] not in APPS:
        sys.exit(f"usage: python -m civic.serve {{{','.join(APPS)}}}")
    component = args[0]
    settings: CommonSettings = GatewaySettings() if component == "gateway" else CommonSettings()
    port = settings.port() if component == "gateway" else (settings.http_port or DEFAULT_PORTS[component])
    app = load_app(component)
    uvicorn.run(
        app,
        host=settings.http_host,
        port=port,
        log_config=None,  # our JSON logging is configured by the app
        timeout_graceful_shutdown=25,
        proxy_headers=False,
        server_header=False,
    )


if __name__ == "__main__":
    main()
