"""The web's one way to the platform: the gateway's API, called server-side with the signed-in officer's token.

One ``httpx.AsyncClient`` for the app's life (its connections kept open between pages). Every call carries
the officer's bearer token, the page request's X-Request-Id and the trace, so a page's calls show in its
trace. What the gateway answers is handed back as it is; refusals (problem details) are raised as
:class:`Refused` for the page to show, and a token the gateway no longer accepts as :class:`SignedOut`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from civic.telemetry import trace_headers

from civic_web.timing import api_call

#: how long the API's own description (its enumerations) is kept before it is read again
DOCUMENT_SECONDS = 300.0


class GatewayUnavailable(Exception):
    """The gateway could not be reached, or did not answer in time: nothing is known to have changed."""


class SignedOut(Exception):
    """The gateway refused the officer's token (expired or revoked): they must sign in again."""


class Refused(Exception):
    """The API refused the request: its problem details, for the page to show."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        super().__init__(problem.get("detail") or f"refused with {status}")
        self.status = status
        self.problem = problem


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def version(self) -> str | None:
        """The resource's version from its ETag (``"3"`` -> ``3``), for the If-Match of a change."""
        etag = self.headers.get("etag")
        return etag.strip('"') if etag else None


@dataclass(frozen=True)
class Download:
    content: bytes
    media_type: str


@dataclass(frozen=True)
class Upload:
    """A file sent as it is (a CSV of readings, say) in place of a JSON body: the API reads it, not the page."""
    content: bytes
    media_type: str


class Gateway:
    def __init__(self, base_url: str, timeout_seconds: float, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout_seconds, connect=min(timeout_seconds, 3.0)),
            follow_redirects=False,
            transport=transport,
        )
        self._document: tuple[float, dict[str, Any]] | None = None

    async def aclose(self) -> None:
        await self.client.aclose()

    async def get(self, token: str, path: str, params: Mapping[str, str] | None = None,
                  request_id: str | None = None) -> Answer:
        return await self._send("GET", path, token, params=params, request_id=request_id)

    async def post(self, token: str, path: str, body: Any, *, headers: Mapping[str, str] | None = None,
                   request_id: str | None = None) -> Answer:
        return await self._send("POST", path, token, json=body, headers=headers, request_id=request_id)

    async def patch(self, token: str, path: str, body: Any, *, headers: Mapping[str, str] | None = None,
                    request_id: str | None = None) -> Answer:
        return await self._send("PATCH", path, token, json=body, headers=headers, request_id=request_id)

    async def put(self, token: str, path: str, body: Any, *, headers: Mapping[str, str] | None = None,
                  request_id: str | None = None) -> Answer:
        return await self._send("PUT", path, token, json=body, headers=headers, request_id=request_id)

    async def delete(self, token: str, path: str, body: Any = None, *, headers: Mapping[str, str] | None = None,
                     request_id: str | None = None) -> Answer:
        """A record ended (a champion standing down); a DELETE has no body, ``body`` is taken as every change's is."""
        return await self._send("DELETE", path, token, headers=headers, request_id=request_id)

    async def download(self, token: str, path: str, request_id: str | None = None) -> Download:
        """A file the API answers (a CSV, say) as it is, not read as JSON; refusals as for any call."""
        sent = {"Authorization": f"Bearer {token}", **dict(trace_headers())}
        if request_id:
            sent["X-Request-Id"] = request_id
        try:
            with api_call():
                response = await self.client.get(path, headers=sent)
        except httpx.TransportError as exc:
            raise GatewayUnavailable(f"the gateway did not answer ({type(exc).__name__})") from exc
        if response.status_code >= 400:
            body = _json_of(response)
            if response.status_code == 401:
                raise SignedOut(str(body.get("detail", "")) if isinstance(body, dict) else "")
            raise Refused(response.status_code, body if isinstance(body, dict)
                          else {"status": response.status_code, "detail": response.text[:300]})
        return Download(response.content, response.headers.get("content-type", "application/octet-stream"))

    async def _send(self, method: str, path: str, token: str, *, params: Mapping[str, str] | None = None,
                    json: Any = None, headers: Mapping[str, str] | None = None, request_id: str | None = None) -> Answer:
        sent = {"Authorization": f"Bearer {token}", "Accept": "application/json", **dict(trace_headers()),
                **(headers or {})}
        if request_id:
            sent["X-Request-Id"] = request_id
        upload = json if isinstance(json, Upload) else None
        if upload is not None:
            sent["Content-Type"] = upload.media_type
        try:
            with api_call():  # the page's Server-Timing (civic_web.timing)
                response = await self.client.request(method, path, params=params, headers=sent,
                                                     **({"content": upload.content} if upload else {"json": json}))
        except httpx.TransportError as exc:
            raise GatewayUnavailable(f"the gateway did not answer ({type(exc).__name__})") from exc
        body = _json_of(response)
        if response.status_code == 401:
            raise SignedOut(str(body.get("detail", "")) if isinstance(body, dict) else "")
        if response.status_code >= 400:
            problem = body if isinstance(body, dict) else {"status": response.status_code, "detail": response.text[:300]}
            raise Refused(response.status_code, problem)
        return Answer(response.status_code, body, response.headers)

    async def document(self) -> dict[str, Any]:
        """The gateway's merged OpenAPI document (public), kept a few minutes: the API's enumerations."""
        now = time.monotonic()
        if self._document is not None and now < self._document[0]:
            return self._document[1]
        try:
            response = await self.client.get("/openapi.json", headers=dict(trace_headers()))
        except httpx.TransportError as exc:
            raise GatewayUnavailable(f"the gateway did not answer ({type(exc).__name__})") from exc
        body = _json_of(response)
        if response.status_code != 200 or not isinstance(body, dict):
            raise GatewayUnavailable(f"the gateway's API description answered {response.status_code}")
        # a document missing a service is asked for again soon, as the gateway itself does
        complete = "x-civic-missing-services" not in body
        self._document = (now + (DOCUMENT_SECONDS if complete else 10.0), body)
        return body


def _json_of(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
