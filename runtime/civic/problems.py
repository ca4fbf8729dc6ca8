"""RFC 9457 problem details for every failure, FastAPI's own included.

Handlers are installed on every app (services and gateway), so a client sees one error shape.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pymongo.errors import ConnectionFailure, ServerSelectionTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from civic.errors import DomainError, Invalid

PROBLEM_TYPE_BASE = "https://civic.example/problems/"
log = logging.getLogger("civic.problems")

_TITLES = {
    400: "Bad request",
    401: "Unauthorised",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Refused by a rule of the domain",
    412: "Precondition failed",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Validation failed",
    429: "Too many requests",
    500: "Internal error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
}
_SLUGS = {400: "bad-request", 404: "not-found", 405: "method-not-allowed", 413: "body-too-large",
          415: "unsupported-media-type", 429: "rate-limited", 500: "internal-error", 502: "bad-gateway",
          503: "unavailable", 504: "gateway-timeout", 401: "unauthorised", 403: "forbidden"}


def problem(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    type_slug: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + (type_slug or _SLUGS.get(status, str(status))),
        "title": title or _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if k not in body})
    if status == 401:
        headers = {"WWW-Authenticate": 'Bearer realm="civic"', **(headers or {})}
    return JSONResponse(body, status_code=status, headers=headers, media_type="application/problem+json")


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:] if len(parts) > 1 else parts
    return ".".join(parts)


def validation_errors(errors: list[Any]) -> list[dict[str, Any]]:
    out = []
    for err in errors:
        loc = err.get("loc", ())
        out.append({"field": _field_name(loc), "message": err.get("msg", "invalid"), "in": str(loc[0]) if loc else ""})
    return out


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        extra = dict(exc.extra)
        if isinstance(exc, Invalid):
            extra["errors"] = exc.errors
        return problem(exc.status, exc.detail, title=exc.title, type_slug=exc.type_slug,
                       instance=request.url.path, **extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        # A body that is not JSON at all is a malformed request (400), not a validation failure.
        if any(e.get("type") == "json_invalid" for e in errors):
            return problem(400, "The request body is not valid JSON.", type_slug="malformed-json",
                           instance=request.url.path)
        return problem(422, "The request does not match what this endpoint accepts.",
                       instance=request.url.path, errors=validation_errors(list(errors)))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"There is nothing at {request.url.path}."
        if exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}."
        return problem(exc.status_code, detail, instance=request.url.path, headers=getattr(exc, "headers", None))

    @app.exception_handler(ServerSelectionTimeoutError)
    @app.exception_handler(ConnectionFailure)
    async def _database_down(request: Request, exc: Exception) -> JSONResponse:
        log.warning("database unreachable", extra={"path": request.url.path, "error_type": type(exc).__name__})
        return problem(503, "The database is not reachable; nothing was changed. Try again shortly.",
                       instance=request.url.path, headers={"Retry-After": "5"})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        return problem(500, "Something went wrong on our side; nothing was changed.", instance=request.url.path)


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "validation failures: one per bad field",
            "items": {"type": "object", "required": ["field", "message"],
                      "properties": {"field": {"type": "string"}, "message": {"type": "string"}}},
        },
    },
}
_DESCRIPTIONS = {400: "Malformed request (e.g. the body is not JSON)", 401: "No token or a bad token",
                 403: "The token lacks the scope, or the action is not the caller's to take",
                 404: "Unknown id", 409: "Refused by a rule of the domain", 412: "If-Match no longer matches",
                 413: "Body over the size limit", 415: "Unsupported media type", 422: "Validation failed",
                 503: "A dependency (the database) is unreachable; nothing was changed"}


def problem_response(status: int, description: str | None = None) -> dict[str, Any]:
    """An OpenAPI response entry: a problem details body (for ``responses=`` on a route; the ``Problem``
    schema is added to the components by ``document_problems``)."""
    return {"description": description or _DESCRIPTIONS.get(status, _TITLES.get(status, "Error")),
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def answer_response(description: str, media_type: str = "application/json", schema: dict[str, Any] | None = None
                    ) -> dict[str, Any]:
    """An OpenAPI response entry for an answer a route gives beside its usual one (200 for a rewrite where
    201 is a creation, a CSV body), for ``responses=`` on a route."""
    return {"description": description, "content": {media_type: {"schema": {} if schema is None else schema}}}


def route_contexts(app: FastAPI) -> list[Any]:
    """The app's FastAPI routes, included routers flattened (each has path_format, methods, dependant, ...)."""
    from fastapi import routing

    iterate = getattr(routing, "iter_route_contexts", None)
    if iterate is None:  # FastAPI before lazily included routers
        return [r for r in app.routes if isinstance(r, routing.APIRoute)]
    return [c for c in iterate(app.routes) if isinstance(c.original_route, routing.APIRoute)]


def required_scopes(dependant: Any) -> tuple[str, ...] | None:
    """The scopes a route's ``require(...)`` dependency demands; None for a route open to anyone."""
    found = getattr(dependant.call, "required_scopes", None)
    for sub in dependant.dependencies:
        scopes = required_scopes(sub)
        if scopes is not None:
            found = (*(found or ()), *scopes)
    return None if found is None else tuple(found)


def _problem_statuses(route: Any) -> set[int]:
    dependant = route.dependant

    def params(d: Any) -> list[Any]:  # those a client is told about (not the Authorization header)
        own = [p for p in (*d.path_params, *d.query_params, *d.header_params)
               if getattr(p.field_info, "include_in_schema", True)]
        return own + [p for sub in d.dependencies for p in params(sub)]

    every = params(dependant)
    methods = set(route.methods or ())
    has_body = route.body_field is not None or "requestBody" in (route.openapi_extra or {})
    statuses: set[int] = set()
    if required_scopes(dependant) is not None:  # an authorised route works on the database
        statuses |= {401, 403, 503}
    if every or has_body or "POST" in methods:  # on every POST a bad Idempotency-Key is 422
        statuses.add(422)
    if has_body:
        statuses.add(400)
    if methods & {"POST", "PUT", "PATCH"}:
        statuses.add(413)
    if dependant.path_params:
        statuses.add(404)
    if methods - {"GET", "HEAD", "OPTIONS"}:
        statuses.add(409)
    if any(p.alias.lower() == "if-match" for p in every):
        statuses.add(412)
    return statuses


def document_problems(app: FastAPI) -> None:
    """Document on every operation the problems the runtime can answer with, so the OpenAPI tells the truth.

    From the route's shape: a bearer token (401, 403, and 503 for the database behind it), parameters or
    a body (422), a body (400, 413), path ids (404), writes (409, and 412 with If-Match). Responses a route declares
    itself are kept; FastAPI's default 422 (not a problem body) is replaced.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        paths = schema.get("paths", {})
        for route in route_contexts(app):
            if not route.include_in_schema or route.path_format not in paths:
                continue
            for method in route.methods or ():
                operation = paths[route.path_format].get(method.lower())
                if operation is None:
                    continue
                responses = operation.setdefault("responses", {})
                default_422 = responses.get("422", {}).get("content", {}).get("application/json", {})
                if "HTTPValidationError" in str(default_422.get("schema", "")):
                    del responses["422"]
                for status in sorted(_problem_statuses(route)):
                    responses.setdefault(str(status), problem_response(status))
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
