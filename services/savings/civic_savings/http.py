"""What every savings area's routes share beyond the runtime's (``civic.http``: ``Rt``, ``Paging``, ...): the
caller, holding the scope to read the savings register (``Reader``) or to change it (``Writer``), the way a new
record is added (`new_record_route`), the two routes of a record the register keeps by its id, reading it and
amending it (`record_routes`), and the way one is moved a step (`step_route`).

No ``from __future__ import annotations`` here: the routes made below take their path parameters at run
time, and FastAPI reads a route's annotations as objects.
"""

import inspect
import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from civic.http import Caller, IfMatch, Rt, service_scopes, versioned
from civic.problems import created
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

SCOPES = service_scopes("savings")
Reader = Annotated[Caller, SCOPES.read]
Writer = Annotated[Caller, SCOPES.write]

#: a use case adding a record: (rt, the path's ids in its order, the request's fields, the caller) -> the stored record
NewRecord = Callable[..., Awaitable[dict[str, Any]]]
#: a use case reading one record: (rt, the path's ids in its order) -> the record's API form
OneRecord = Callable[..., Awaitable[dict[str, Any]]]
#: a use case amending one record: (rt, the path's ids, the fields sent, the caller, If-Match) -> the saved record
Amend = Callable[..., Awaitable[dict[str, Any]]]
#: a use case moving one record a step: (rt, the path's ids, the step, the caller, If-Match) -> the saved record
Step = Callable[..., Awaitable[dict[str, Any]]]


def _taking_path(route: Callable[..., Any], ids: list[str], types: dict[str, Any], **annotations: Any) -> None:
    # FastAPI reads a route's parameters from its signature: the path's ids come first, each named as the path
    # names it (typed by `types`, else text), then the route's own, the request's model among `annotations`
    signature = inspect.signature(route, eval_str=True)
    own = [param.replace(annotation=annotations.get(param.name, param.annotation))
           for param in signature.parameters.values() if param.kind is not param.VAR_KEYWORD]  # fmt: skip
    path_ids = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=types.get(name, str)) for name in ids]
    route.__signature__ = signature.replace(parameters=[*path_ids, *own])  # type: ignore[attr-defined]


def new_record_route(
    router: APIRouter, path: str, name: str, body: type[BaseModel], add: NewRecord, /, *, summary: str, id_field: str,
    **types: Any,
) -> None:  # fmt: skip
    """``POST path``, the operation `name` (described by `summary`): a new record from the request's `body` as
    `add` stores it; 201 with its ETag (`id_field`: its id, as OpenAPI names it). `types`: a path parameter's
    type, where it is not plain text."""
    ids = re.findall(r"{(\w+)}", path)

    async def post(*, body: BaseModel, caller: Writer, rt: Rt, **given: str) -> JSONResponse:
        return versioned(await add(rt, *(given[param] for param in ids), body.model_dump(), caller), status=201)

    _taking_path(post, ids, types, body=body)
    router.add_api_route(path, post, methods=["POST"], name=name, summary=summary, status_code=201,
                         responses=created(id_field))  # fmt: skip


def record_routes(
    router: APIRouter, path: str, read: OneRecord, amend: Amend, changes: type[BaseModel], /, *,
    summaries: tuple[str, str], amend_name: str = "amend", **types: Any,
) -> None:  # fmt: skip
    """``GET path`` (``.../{<record>_id}``, the operation ``get_<record>``): the record, with its ETag, as
    `read` gives it; ``PATCH path`` (the operation `amend_name`): only the fields of `changes` the request
    sends, as `amend` rules, If-Match naming the version it starts from. `summaries`: the two operations';
    `types`: a path parameter's type, where it is not plain text (e.g. ``name=Programme``)."""
    ids = re.findall(r"{(\w+)}", path)
    read_summary, amend_summary = summaries

    async def get(*, caller: Reader, rt: Rt, **given: str) -> JSONResponse:
        return versioned(await read(rt, *(given[param] for param in ids)))

    async def patch(*, body: BaseModel, if_match: IfMatch, caller: Writer, rt: Rt, **given: str) -> JSONResponse:
        fields = body.model_dump(exclude_unset=True)
        return versioned(await amend(rt, *(given[param] for param in ids), fields, caller, if_match))

    _taking_path(get, ids, types)
    _taking_path(patch, ids, types, body=changes)
    router.add_api_route(path, get, methods=["GET"], name="get_" + ids[-1].removesuffix("_id"), summary=read_summary)
    router.add_api_route(path, patch, methods=["PATCH"], name=amend_name, summary=amend_summary)


def step_route(
    router: APIRouter, path: str, name: str, body: type[BaseModel], step: Step, /, *, summary: str,
    detail: str | None = None, **types: Any,
) -> None:  # fmt: skip
    """``POST path`` (``.../{<record>_id}/<step>``), the operation `name` (described by `summary`): the record
    moved the step the request's `body` says, as `step` rules it (given the body's fields, or its one `detail`),
    If-Match naming the version it starts from. `types`: a path parameter's type, where it is not plain text."""
    ids = re.findall(r"{(\w+)}", path)

    async def post(*, body: BaseModel, if_match: IfMatch, caller: Writer, rt: Rt, **given: str) -> JSONResponse:
        said = getattr(body, detail) if detail else body.model_dump()
        return versioned(await step(rt, *(given[param] for param in ids), said, caller, if_match))

    _taking_path(post, ids, types, body=body)
    router.add_api_route(path, post, methods=["POST"], name=name, summary=summary)
