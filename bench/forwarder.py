"""A bare forwarder: what forwarding alone costs on this machine, the ceiling for any gateway here.

aiohttp's server and client (its C parser both ways), a keep-alive pool to one backend, and nothing
else: no token check, no span, no metrics, no request id, no rate limit. The bench measures it in the
same windows as the direct path and the gateway (``bench.gateway``), as its own process, as the
gateway is. If it cannot reach the gateway's throughput target either, the target asks for more than
a forwarder in Python can do while it shares two cores with the service behind it and the callers.

    python -m bench.forwarder http://127.0.0.1:8101 8199
"""

from __future__ import annotations

import sys

from aiohttp import ClientSession, TCPConnector, web

# what a hop must not pass on (RFC 9110 section 7.6.1), and what aiohttp sets itself
_NOT_PASSED = frozenset({"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "host",
                         "content-length", "proxy-connection"})


def forwarder(backend: str) -> web.Application:
    app = web.Application()

    async def opened(app: web.Application) -> None:
        app["client"] = ClientSession(backend, connector=TCPConnector(limit=0, ttl_dns_cache=None),
                                      auto_decompress=False)

    async def closed(app: web.Application) -> None:
        await app["client"].close()

    async def forward(request: web.Request) -> web.Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _NOT_PASSED}
        body = await request.read()
        async with request.app["client"].request(request.method, request.rel_url, headers=headers,
                                                 data=body or None, allow_redirects=False) as answer:
            content = await answer.read()
            passed = {k: v for k, v in answer.headers.items() if k.lower() not in _NOT_PASSED}
            return web.Response(status=answer.status, headers=passed, body=content)

    app.on_startup.append(opened)
    app.on_cleanup.append(closed)
    app.router.add_route("*", "/{path:.*}", forward)
    return app


if __name__ == "__main__":
    web.run_app(forwarder(sys.argv[1]), host="127.0.0.1", port=int(sys.argv[2]), access_log=None,
                print=None)
