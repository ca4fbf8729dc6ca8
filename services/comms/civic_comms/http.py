"""What every comms area's routes share beyond the runtime's (``civic.http``: ``Rt``, ``Paging``, ...): the
caller, holding the scope to read the communications team's records (``Reader``) or to change them (``Writer``),
the length of a title (content, campaigns, consultations), and the two routes of a kind of record the team
adds and lists (`records_routes`).

No ``from __future__ import annotations`` here: the routes made below are given their request's model and
their list's filters at run time, and FastAPI reads a route's annotations as objects.
"""

from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Annotated, Any

from civic.http import Caller, NonBlank, Paging, Rt, service_scopes, versioned
from civic.problems import created
from civic.service import Runtime
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

SCOPES = service_scopes("comms")
Reader = Annotated[Caller, SCOPES.read]
Writer = Annotated[Caller, SCOPES.write]
#: the title of a content item, a campaign or a consultation
Title = Annotated[NonBlank, Field(max_length=300)]

#: a use case adding a record: (rt, the request's fields, the caller) -> the stored record, in the API's form
NewRecord = Callable[[Runtime, dict[str, Any], Caller], Awaitable[dict[str, Any]]]
#: a read-side query of the records a page at a time: (rt, page, **the list's filters) -> the page
Listing = Callable[..., Awaitable[dict[str, Any]]]


def no_filters() -> dict[str, Any]:
    """A list that takes no filters besides its page."""
    return {}


def records_routes(
    router: APIRouter,
    path: str,
    add: tuple[str, type[BaseModel], NewRecord],
    listing: tuple[str, Listing],
    *,
    id_field: str | None = None,
    filters: Callable[..., dict[str, Any]] = no_filters,
    add_notes: str | None = None,
    list_notes: str | None = None,
    tags: list[str | Enum] | None = None,
) -> None:
    """``POST path``: a new record from the request's body, as the use case stores it; 201 with its ETag
    (`add`: the operation's name, the request's model, the use case; `id_field`: the record's id, as OpenAPI
    names it, where the answer links to it). ``GET path``: the records a page at a time (`listing`: the
    operation's name and the query), given the keywords `filters` makes of the query's parameters (a FastAPI
    dependency: its parameters are the list's). `add_notes` and `list_notes` describe the two operations."""
    add_name, body_model, use_case = add
    list_name, query = listing

    async def post(body: BaseModel, caller: Writer, rt: Rt) -> JSONResponse:
        return versioned(await use_case(rt, body.model_dump(), caller), status=201)

    # the filters come before the page, so OpenAPI lists them first, as a hand-written route's own would be
    async def get(given: dict[str, Any], page: Paging, caller: Reader, rt: Rt) -> dict[str, Any]:
        return await query(rt, page, **given)

    # FastAPI reads what a parameter is from its annotation: set for this kind of record before it is added
    post.__annotations__.update(body=body_model)
    get.__annotations__.update(given=Annotated[dict[str, Any], Depends(filters)])
    router.add_api_route(path, post, methods=["POST"], name=add_name, status_code=201, description=add_notes,
                         responses=created(id_field) if id_field else None, tags=tags)  # fmt: skip
    router.add_api_route(path, get, methods=["GET"], name=list_name, description=list_notes, tags=tags)
