"""``python -m civic.serve <component>``: run one component with uvicorn (what containers and civic up run)."""

from __future__ import annotations

import importlib
import sys

import uvicorn

from civic.settings import DEFAULT_PORTS, CommonSettings, GatewaySettings

APPS = {
    "gateway": "civic_gateway.main:app",
    "savings": "civic_savings.main:app",
    "property": "civic_property.main:app",
    "safeguarding": "civic_safeguarding.main:app",
    "comms": "civic_comms.main:app",
}


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 1 or args[0] not in APPS:
        sys.exit(f"usage: python -m civic.serve {{{','.join(APPS)}}}")
    component = args[0]
    settings: CommonSettings = GatewaySettings() if component == "gateway" else CommonSettings()
    port = settings.port() if component == "gateway" else (settings.http_port or DEFAULT_PORTS[component])
    module, _, attr = APPS[component].partition(":")
    app = getattr(importlib.import_module(module), attr)
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
