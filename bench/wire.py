"""A lean HTTP/1.1 load client: one keep-alive connection per simulated caller, requests built once.

The load generator shares this machine's two cores with what it measures. httpx spends about a
millisecond of CPU a request, as much as a service does, so a load generated with it measures the
load generator as much as the platform; this one spends a small fraction of that. It speaks only
what the benchmarks send (GET with headers, a Content-Length or chunked answer) and is no client
for anything else.
"""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit


class Connection:
    """One keep-alive connection to one origin; ``get`` returns (status, seconds) or raises OSError."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.headers = "".join(f"{k}: {v}\r\n" for k, v in {"Host": parts.netloc, **headers}.items())
        self._requests: dict[str, bytes] = {}
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    def _request(self, path: str) -> bytes:
        built = self._requests.get(path)
        if built is None:
            built = self._requests[path] = f"GET {path} HTTP/1.1\r\n{self.headers}\r\n".encode("latin-1")
        return built

    async def get(self, path: str) -> tuple[int, float]:
        started = time.perf_counter()
        reused = self._writer is not None
        try:
            status, close = await self._exchange(path)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            await self.close()
            if not reused:
                raise ConnectionError(f"connection to {self.host}:{self.port} failed") from None
            # a kept-alive connection the server closed while it was idle (uvicorn closes them after 5 s):
            # a GET is sent again on a new one, as HTTP clients do; the time counts from the first try
            try:
                status, close = await self._exchange(path)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                await self.close()
                raise ConnectionError(f"connection to {self.host}:{self.port} failed") from None
        elapsed = time.perf_counter() - started
        if close:
            await self.close()
        return status, elapsed

    async def _exchange(self, path: str) -> tuple[int, bool]:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        assert self._reader is not None
        self._writer.write(self._request(path))
        return await _read_response(self._reader)

    async def close(self) -> None:
        writer, self._writer, self._reader = self._writer, None, None
        await hang_up(writer)


async def hang_up(writer: asyncio.StreamWriter | None) -> None:
    """Close a caller's connection (if it has one), the server having perhaps closed it already."""
    if writer is not None:
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            pass


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, chunked, close = 0, False, False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
        elif name == "connection" and "close" in value.lower():
            close = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status, close
