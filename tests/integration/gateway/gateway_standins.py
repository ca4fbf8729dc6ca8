"""Stand-in backends: small FastAPI apps answering like the services on the paths the gateway uses.

They verify the forwarded token again (as services do) and record what reached them. Imported by
the tests' conftest, and runnable as a process of its own for the tests that kill one:
``python gateway_standins.py NAME PORT JWKS_FILE``.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from civic.auth import TokenVerifier
from civic.problems import install_problem_handlers
from civic.settings import CommonSettings
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse


@dataclass
class Behaviour:
    """How a stand-in answers; tests change it while the stack runs."""

    summary_delay: float = 0.0
    status: int | None = None  # answer every /v1 call with this status
    seen: list[dict[str, Any]] = field(default_factory=list)  # requests that reached it
    completed_uploads: int = 0


def only_page(*items: dict[str, Any]) -> dict[str, Any]:
    """A list answered as the services answer one: its only page, so no cursor to a next one."""
    return {"items": list(items), "next_cursor": None}


def standin_app(name: str, behaviour: Behaviour, verifier: TokenVerifier) -> FastAPI:
    app = FastAPI(title=f"stand-in {name}")
    install_problem_handlers(app)

    @app.middleware("http")
    async def record(request: Request, call_next: Callable[[Request], Awaitable[Any]]) -> Any:
        if request.url.path.startswith(("/v1/", "/ops/")):
            behaviour.seen.append(
                {
                    "method": request.method,
                    "path": request.url.path,
                    "raw_path": request.scope.get("raw_path"),
                    "query": request.url.query,
                    "headers": dict(request.headers),
                }
            )
            if behaviour.status is not None:
                return JSONResponse({"detail": f"{name} told to fail"}, status_code=behaviour.status)
        return await call_next(request)

    def caller(request: Request) -> Any:
        # the service validates the forwarded token again (401 problem details if it is bad)
        return verifier.caller_from_header(request.headers.get("authorization"))

    @app.get("/readyz")
    async def readyz() -> dict[str, bool]:
        return {"ready": True}

    @app.get("/v1/summary")
    async def summary(request: Request) -> dict[str, Any]:
        who = caller(request)
        if behaviour.summary_delay:
            await asyncio.sleep(behaviour.summary_delay)
        return {"service": name, "sub": who.sub}

    @app.get("/v1/stream")
    async def stream() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            for i in range(64):
                yield bytes([65 + i % 26]) * 16_384

        return StreamingResponse(chunks(), media_type="application/octet-stream")

    @app.get("/v1/hop-by-hop")
    async def hop_by_hop() -> JSONResponse:
        return JSONResponse(
            {"ok": True},
            headers={
                "Connection": "X-Backend-Secret",
                "X-Backend-Secret": "internal",
                "X-Trace-Id": "forged",
                "Keep-Alive": "timeout=99",
                "X-Kept": "yes",
            },
        )

    @app.post("/v1/upload")
    async def upload(request: Request) -> dict[str, int]:
        caller(request)
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
        behaviour.completed_uploads += 1
        return {"received": size}

    if name == "property":

        @app.get("/v1/buildings/{building_id}")
        async def building(building_id: str, request: Request) -> Any:
            caller(request)
            if building_id != "b1":
                return JSONResponse({"detail": f"No building with id {building_id!r}."}, status_code=404)
            return {
                "id": "b1",
                "name": "Lodge Road",
                "town": "Northampton",
                "status": "disposed",
                "version": 4,
            }

    if name == "savings":

        @app.get("/v1/initiatives")
        async def initiatives(request: Request) -> dict[str, Any]:
            caller(request)
            return only_page(
                {
                    "id": "i1",
                    "title": "Rationalisation of buildings: Lodge Road",
                    "building_id": "b1",
                    "status": "delivered",
                    "delivered_pence": 25_000_000,
                },
                {"id": "i2", "title": "Street lighting LED", "status": "approved"},
            )

    if name == "comms":

        @app.get("/v1/content")
        async def content(request: Request) -> dict[str, Any]:
            caller(request)
            return only_page(
                {"id": "c1", "title": "Lodge Road has closed", "body": "Staff have moved.", "status": "published"},
                {"id": "c2", "title": "City Status bid", "body": "Vote now.", "status": "published"},
            )

    @app.api_route(
        "/v1/{path:path}",
        methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        include_in_schema=False,
    )
    async def echo(path: str, request: Request) -> dict[str, Any]:
        who = caller(request)
        body = await request.body()
        return {
            "service": name,
            "method": request.method,
            "path": f"/v1/{path}",
            "query": request.url.query,
            "body": body.decode(errors="replace"),
            "sub": who.sub,
        }

    @app.api_route("/ops/{path:path}", methods=["GET", "POST"], include_in_schema=False)
    async def ops(path: str, request: Request) -> dict[str, Any]:
        caller(request)
        return {"service": name, "ops": path}

    return app


def main() -> None:
    import uvicorn

    name, port, jwks_file = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    verifier = TokenVerifier(CommonSettings(jwks_file=jwks_file))
    uvicorn.run(standin_app(name, Behaviour(), verifier), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
