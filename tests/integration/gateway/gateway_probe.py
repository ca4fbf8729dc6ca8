"""Many callers on keep-alive connections, half sending bodies a backend refuses before reading them.

What found the gateway's request-smuggling defect: callers each on their own keep-alive connection
to the gateway, half sending DELETE/PUT/PATCH with a small JSON body to a path whose route does not
allow that method (the service answers 405 at once, without reading the body), half reading one
resource each. A gateway that stopped sending such a body and then reused the connection made the
backend take the next request on it, another caller's, as the rest of the body: that caller got
uvicorn's ``400 Invalid HTTP request received.`` (text/plain), or nothing.

Each caller speaks HTTP/1.1 itself, so a request's head and its body go out as two writes, as
most clients send them, and the backend can answer between the two; some bodies are held back a
few milliseconds to widen that window.
"""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bench.wire import hang_up

REFUSING_METHODS = ("DELETE", "PUT", "PATCH")


@dataclass(frozen=True)
class Answer:
    """What the gateway answered on the connection (status 0: it hung up, and the body says how)."""

    status: int
    content_type: str
    body: bytes


@dataclass(frozen=True)
class Outcome:
    caller: int
    method: str
    path: str
    answer: Answer

    @property
    def status(self) -> int:
        return self.answer.status

    @property
    def content_type(self) -> str:
        return self.answer.content_type

    def json(self) -> Any:
        return json.loads(self.answer.body)

    def __str__(self) -> str:
        answer = self.answer
        asked = f"caller {self.caller}: {self.method} {self.path}"
        return f"{asked} -> {answer.status} {answer.content_type} {answer.body[:120]!r}"


class KeepAliveCaller:
    """One caller's keep-alive connection to the gateway (opened again only if the gateway closes it)."""

    def __init__(self, url: str, token: str) -> None:
        parts = urlsplit(url)
        self.host, self.port, self.netloc = parts.hostname or "127.0.0.1", parts.port or 80, parts.netloc
        self.token = token
        self.connections = 0
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes | None = None, gap: float = 0.0) -> Answer:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
            self.connections += 1
        assert self._reader is not None
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.netloc}\r\nAuthorization: Bearer {self.token}\r\n"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self._writer.write(head.encode() + b"\r\n")
        if body is not None:
            await self._writer.drain()
            if gap:
                await asyncio.sleep(gap)
            self._writer.write(body)
        await self._writer.drain()
        status, headers, answer = await _read_answer(self._reader)
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return Answer(status, headers.get("content-type", ""), answer)

    async def close(self) -> None:
        writer, self._writer, self._reader = self._writer, None, None
        await hang_up(writer)


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            body += (await reader.readexactly(size + 2))[:-2]
            if size == 0:
                return status, headers, body
    length = int(headers.get("content-length", "0"))
    return status, headers, await reader.readexactly(length) if length else b""


async def probe(
    gateway_url: str,
    tokens: list[str],
    *,
    refusing_path: str,
    reads: list[str],
    requests_per_caller: int = 60,
    seed: int = 7,
) -> list[Outcome]:
    """Every caller (one per token) sends ``requests_per_caller`` requests, alternating a body the
    backend refuses on ``refusing_path`` and a GET of one of ``reads``; all callers at once."""
    outcomes: list[Outcome] = []

    async def caller(number: int, token: str) -> None:
        rng = random.Random(seed + number)
        connection = KeepAliveCaller(gateway_url, token)
        try:
            for i in range(requests_per_caller):
                if i % 2 == 0:
                    method, path = rng.choice(REFUSING_METHODS), refusing_path
                    body: bytes | None = json.dumps({"title": f"probe {number}-{i}"}).encode()
                    gap = rng.choice((0.0, 0.0, 0.002, 0.01))
                else:
                    method, path, body, gap = "GET", rng.choice(reads), None, 0.0
                try:
                    answer = await connection.request(method, path, body, gap)
                except (OSError, asyncio.IncompleteReadError) as exc:  # the gateway hung up: record it
                    await connection.close()
                    answer = Answer(0, "", repr(exc).encode())
                outcomes.append(Outcome(number, method, path, answer))
        finally:
            await connection.close()

    await asyncio.gather(*(caller(n, token) for n, token in enumerate(tokens)))
    return outcomes


def misanswered(outcomes: list[Outcome], resource_id: Any) -> list[str]:
    """What went wrong, one line per answer: anything but JSON or problem+json, a GET that did not
    return the resource asked for (``resource_id(outcome)`` gives the id its body holds), a refused
    method not answered 405."""
    wrong = []
    for outcome in outcomes:
        if not outcome.content_type.startswith(("application/json", "application/problem+json")):
            wrong.append(f"not JSON: {outcome}")
        elif outcome.method == "GET":
            asked = outcome.path.rsplit("/", 1)[-1]
            if outcome.status != 200 or str(resource_id(outcome)) != asked:
                wrong.append(f"not the resource asked for: {outcome}")
        elif outcome.status != 405:
            wrong.append(f"not 405: {outcome}")
    return wrong
