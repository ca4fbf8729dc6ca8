"""RFC 9457 problem details for every failure, FastAPI's own included.

Handlers are installed on every app (services and gateway), so a client sees one error shape.
"""

from __future__ import annotations

import logging
import re
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
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")  # a rule's own words
        out.append({"field": _field_name(loc), "message": message, "in": str(loc[0]) if loc else ""})
    return out


def allowed_methods(app: Any, path: str) -> list[str]:
    """The methods the app answers on ``path``: those of every route whose path matches, as the OpenAPI
    document lists them (routes left out of the document count only when no documented one matches)."""
    documented: set[str] = set()
    hidden: set[str] = set()
    for route in all_routes(app):
        regex = getattr(route, "path_regex", None)
        methods = getattr(route, "methods", None)
        if regex is None or not methods or regex.match(path) is None:
            continue
        (documented if getattr(route, "include_in_schema", True) else hidden).update(methods)
    return sorted(documented or hidden, key=lambda m: _METHOD_ORDER.index(m) if m in _METHOD_ORDER else 99)


_METHOD_ORDER = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "QUERY"]


def all_routes(app: Any) -> list[Any]:
    """Every route of the app, included routers flattened (FastAPI includes routers lazily)."""
    from fastapi import routing

    iterate = getattr(routing, "iter_route_contexts", None)
    return list(iterate(app.routes)) if iterate is not None else list(app.routes)


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
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}."
            # the route that refused knows only its own methods; the path may have others in other routes
            headers = {**(headers or {}), "Allow": ", ".join(allowed_methods(request.app, request.url.path))}
        return problem(exc.status_code, detail, instance=request.url.path, headers=headers)

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
    extra = route.openapi_extra or {}
    has_body = route.body_field is not None or "requestBody" in extra
    statuses: set[int] = set()
    if required_scopes(dependant) is not None or extra.get("security"):  # an authorised route works on the database
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


#: the one security scheme: a bearer JWT (``civic token`` locally, the council's OIDC issuer in production)
BEARER = "bearer"
BEARER_SCHEME: dict[str, Any] = {
    "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
    "description": "A JWT from the council's identity provider (locally `civic token`). Each operation lists "
                   "the scopes it needs; finer ones (savings:approve, comms:approve, safeguarding:confidential) "
                   "are checked by the action itself.",
}
_LINKS = "x-civic-links"  # marks a response whose links are worked out when the document is built
_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def created(param: str, status: int = 201, description: str = "Created", **more: str) -> dict[int | str, Any]:
    """``responses=`` for a route that creates: its answer links to every operation that takes the new
    resource's id as the path parameter ``param`` (the answer's ``id``; ``more`` names other parameters and
    where they come from, e.g. ``item_id="$response.body#/agenda/0/id"``), so that a client (or a stateful
    test) can follow from the creation to what uses it. Path parameters the creating route has too are
    passed on from its own request."""
    return {status: {"description": description, _LINKS: {param: "$response.body#/id", **more}}}


def links_from(param: str, expression: str, status: int = 200, description: str = "Successful Response"
               ) -> dict[int | str, Any]:
    """``responses=`` entry linking to every operation that takes ``param``, from ``expression`` (for a
    route that creates by name, e.g. ``PUT /v1/targets/{name}``: ``"$request.path.name"``)."""
    return {status: {"description": description, _LINKS: {param: expression}}}


def _operations(paths: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, operation) for path, item in paths.items() for method, operation in item.items()
            if method in _HTTP_METHODS and isinstance(operation, dict)]


def _expand_links(paths: dict[str, Any]) -> None:
    operations = _operations(paths)
    for path, _method, operation in operations:
        own = set(re.findall(r"{(\w+)}", path))
        for response in operation.get("responses", {}).values():
            given = response.pop(_LINKS, None)
            if not given:
                continue
            primary = next(iter(given))
            links: dict[str, Any] = {}
            for target_path, _target_method, target in operations:
                needed = re.findall(r"{(\w+)}", target_path)
                if target is operation or primary not in needed or "operationId" not in target:
                    continue
                parameters = {name: given.get(name, f"$request.path.{name}") for name in needed
                              if name in given or name in own}
                links[target["operationId"]] = {"operationId": target["operationId"], "parameters": parameters}
            if links:
                response["links"] = links


def _not_null(parameter: dict[str, Any]) -> None:
    """A path, query or header parameter is text or absent, never null (``?x=null`` is the text "null"):
    an optional parameter's ``anyOf: [<its schema>, null]`` becomes its schema, with the rules that were
    written beside the ``anyOf`` (``pattern``, a description) kept."""
    schema = parameter.get("schema") or {}
    options = schema.get("anyOf")
    if not isinstance(options, list) or {"type": "null"} not in options:
        return
    rest = [option for option in options if option != {"type": "null"}]
    outer = {key: value for key, value in schema.items() if key != "anyOf"}
    parameter["schema"] = {**rest[0], **outer} if len(rest) == 1 else {"anyOf": rest, **outer}


def public_documents(schema: dict[str, Any], openapi_url: str | None, docs_url: str | None) -> None:
    """The OpenAPI document and its HTML docs, in the document itself: open to anyone (no token)."""
    paths = schema.setdefault("paths", {})
    if openapi_url:
        paths.setdefault(openapi_url, {"get": {
            "tags": ["documentation"], "summary": "This OpenAPI document", "operationId": "openapi_document",
            "security": [],
            "responses": {"200": {"description": "The OpenAPI document",
                                  "content": {"application/json": {"schema": {"type": "object"}}}}}}})
    if docs_url:
        paths.setdefault(docs_url, {"get": {
            "tags": ["documentation"], "summary": "The API's documentation, to read in a browser",
            "operationId": "api_docs", "security": [],
            "responses": {"200": {"description": "Swagger UI",
                                  "content": {"text/html": {"schema": {"type": "string"}}}}}}})


def complete_openapi(schema: dict[str, Any], routes: list[Any], *, openapi_url: str | None = None,
                     docs_url: str | None = None) -> dict[str, Any]:
    """What the document must say beside what FastAPI writes, for ``routes`` (the app's, flattened):

    - on every operation, the problems the runtime can answer with (from the route's shape: a bearer token
      401, 403, and 503 for the database behind it; parameters or a body 422; a body 400 and 413; path ids
      404; writes 409, and 412 with If-Match); responses a route declares itself are kept, FastAPI's default
      422 (not a problem body) is replaced;
    - who may call it: the bearer scheme with the route's scopes, or ``security: []`` for an open route
      (health, metrics, keys, this document and its docs);
    - links from each answer marked by :func:`created` or :func:`links_from` to the operations that use it.
    """
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    components.setdefault("securitySchemes", {})[BEARER] = BEARER_SCHEME
    schema.pop("security", None)  # every operation says for itself
    paths = schema.setdefault("paths", {})
    for route in routes:
        if not getattr(route, "include_in_schema", False) or route.path_format not in paths:
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
            if "security" not in operation:
                scopes = required_scopes(route.dependant)
                operation["security"] = [] if scopes is None else [{BEARER: list(scopes)}]
            for parameter in operation.get("parameters", []):
                _not_null(parameter)
    public_documents(schema, openapi_url, docs_url)
    _expand_links(paths)
    return schema


def document_problems(app: FastAPI) -> None:
    """Complete the app's OpenAPI document (:func:`complete_openapi`) each time it is built, so it tells the truth."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete_openapi(generate(), route_contexts(app), openapi_url=app.openapi_url,
                                                  docs_url=app.docs_url)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
