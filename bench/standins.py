"""Stand-in backends: answer a service's summary after a fixed wait, using no CPU while they wait.

On this machine every service and its database are Python processes on the same two cores, so four
summaries asked at once share the cores and the dashboard's ratio to its slowest part measures the
cores as much as the gateway. The stand-ins answer each summary after the time the real one took
(measured just before), with the real one's body, but wait instead of computing: that is what each
part costs when every service has its own cores, as on a cluster. A real gateway process in front of
them then shows what composing costs on its own.

They run as asyncio servers in the bench's own process (their work per call is a sleep and one
write) and speak just enough HTTP/1.1 for the gateway's keep-alive GETs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any


class LoopbackServer:
    """A few lines of asyncio serving connections on a free port of 127.0.0.1 (``_serve`` answers each one).

    The stand-ins here and the tests' own socket-level backends (tests/unit/gateway, tests/integration/gateway)
    share it: how such a server starts and says where it listens.
    """

    server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError


class StandIn(LoopbackServer):
    """One backend: ``/v1/summary`` answers ``body`` after ``delay_seconds``; ``/readyz`` answers at once."""

    def __init__(self, body: Any, delay_seconds: float) -> None:
        self.body = json.dumps(body).encode()
        self.delay_seconds = delay_seconds
        self.server = None

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.server.wait_closed(), 2)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].split(b"?")[0]
                if path == b"/v1/summary":
                    await asyncio.sleep(self.delay_seconds)
                    status, body = b"200 OK", self.body
                elif path == b"/readyz":
                    status, body = b"200 OK", b'{"ready": true}'
                else:
                    status, body = b"404 Not Found", b'{"title": "Not found"}'
                writer.write(
                    b"HTTP/1.1 %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s"
                    % (status, len(body), body)
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, IndexError):
            pass
        finally:
            writer.close()
