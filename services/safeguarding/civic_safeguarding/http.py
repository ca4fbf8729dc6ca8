"""What every area's routes share beyond the runtime's (``civic.http``: ``Rt``, ``Paging``, ``Id``, the
text limits, ``when``): the board's scopes, and the two reads every kind of record has
(`board_records_route`, `record_route`).

No ``from __future__ import annotations`` here: the routes made below name their path parameter at
run time (``Path(alias=...)``), and FastAPI reads a route's annotations as objects.
"""

import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from civic.http import ID_LENGTH, Caller, Id, Page, Paging, Rt, service_scopes, versioned
from civic.service import Runtime
from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

SCOPES = service_scopes("safeguarding")
# SAR case summaries and personal details are shown only to callers holding this scope (Care Act s45)
CONFIDENTIAL = "safeguarding:confidential"

#: the caller, holding the scope to read the board's records (Reader) or to change them (Writer)
Reader = Annotated[Caller, SCOPES.read]
Writer = Annotated[Caller, SCOPES.write]


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
