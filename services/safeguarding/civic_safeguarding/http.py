"""What every area's routes share: the scopes, what a route takes (the caller, the runtime, a page,
path ids), the limits on text in request bodies and the rules their schemas state (`when`), and the
two reads every kind of record has (`board_records_route`, `record_route`).

No ``from __future__ import annotations`` here: the routes made below name their path parameter at
run time (``Path(alias=...)``), and FastAPI reads a route's annotations as objects.
"""

import copy
import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from civic.http import MAX_WHOLE, NOT_BLANK, WHOLE, Caller, NonBlank, Page, current_runtime, require, versioned
from civic.service import Runtime
from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse
from pydantic import Field

READ = require("safeguarding:read")
WRITE = require("safeguarding:write")
# SAR case summaries and personal details are shown only to callers holding this scope (Care Act s45)
CONFIDENTIAL = "safeguarding:confidential"

#: the caller, holding the scope to read the board's records (Reader) or to change them (Writer)
Reader = Annotated[Caller, Depends(READ)]
Writer = Annotated[Caller, Depends(WRITE)]
#: the running service: its database and its units of work
Rt = Annotated[Runtime, Depends(current_runtime)]
#: ``?limit=`` and ``?cursor=``
Paging = Annotated[Page, Depends()]

ID_LENGTH = 64
Id = Annotated[str, Path(max_length=ID_LENGTH)]
Text = Annotated[str, Field(max_length=500)]
LongText = Annotated[str, Field(max_length=100_000)]
#: text the rules need (blank is refused: the domain strips it first)
Required = Annotated[NonBlank, Field(max_length=500)]
LongRequired = Annotated[NonBlank, Field(max_length=100_000)]
Pence = Annotated[int, Field(ge=0, le=MAX_WHOLE, description="whole pence, zero or more"), WHOLE]
#: JSON Schema: text with something in it besides white space
NOT_BLANK_TEXT = {"type": "string", "pattern": NOT_BLANK}


def when(field: str, value: str, then: dict[str, Any]) -> dict[str, Any]:
    """JSON Schema, for a request model's ``rules(...)``: a body whose `field` is `value` meets `then` too
    (e.g. ``{"properties": {"reasons": NOT_BLANK_TEXT}}``: the reasons, where given, are not blank)."""
    return {"anyOf": [{"not": {"required": [field], "properties": {field: {"const": value}}}}, copy.deepcopy(then)]}


#: a use case reading the board's records a page at a time: (rt, board_id, page) -> the page
BoardRecords = Callable[[Runtime, str, Page], Awaitable[dict[str, Any]]]
#: a use case reading one record by its id: (rt, id) -> the record's API form
OneRecord = Callable[[Runtime, str], Awaitable[dict[str, Any]]]


def board_records_route(router: APIRouter, path: str, name: str, read: BoardRecords) -> None:
    """``GET path`` (``/boards/{board_id}/<records>``), the operation `name`: the board's records of one
    kind, a page at a time, as `read` gives them."""

    async def route(board_id: Id, page: Paging, caller: Reader, rt: Rt) -> dict[str, Any]:
        return await read(rt, board_id, page)

    router.add_api_route(path, route, methods=["GET"], name=name)


def record_route(router: APIRouter, path: str, name: str, read: OneRecord) -> None:
    """``GET path`` (``/<records>/{<record>_id}``), the operation `name`: one record by its id, as `read`
    gives it, with its ETag."""
    (param,) = re.findall(r"{(\w+)}", path)
    RecordId = Annotated[str, Path(max_length=ID_LENGTH, alias=param)]

    async def route(id: RecordId, caller: Reader, rt: Rt) -> JSONResponse:
        return versioned(await read(rt, id))

    router.add_api_route(path, route, methods=["GET"], name=name)
