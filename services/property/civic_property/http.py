"""What every property area's routes share beyond the runtime's (``civic.http``: ``Rt``, ``Paging``, ...): the
caller, holding the scope to read the estate's records (``Reader``) or to change them (``Writer``), and the
two routes of a record the estate keeps by its id, reading it and amending it (`record_routes`)."""

import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from civic.http import Caller, FinancialYearText, IfMatch, Rt, service_scopes, versioned
from civic.service import Runtime
from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel

SCOPES = service_scopes("property")
Reader = Annotated[Caller, SCOPES.read]
Writer = Annotated[Caller, SCOPES.write]
#: the first and last financial years a report covers (the query's from_year and to_year; None: the report's default)
FromYear = Annotated[FinancialYearText | None, Query(description='e.g. "2022/23"')]
ToYear = Annotated[FinancialYearText | None, Query(description="not before from_year, at most 25 years after it")]

#: a use case reading one record by its id: (rt, id) -> the record's API form
OneRecord = Callable[[Runtime, str], Awaitable[dict[str, Any]]]
#: a use case amending one record: (rt, id, the fields sent, If-Match) -> the saved record's API form
Amend = Callable[[Runtime, str, dict[str, Any], int | None], Awaitable[dict[str, Any]]]


def record_routes(
    router: APIRouter, path: str, read: OneRecord, amend: Amend, changes: type[BaseModel], amend_notes: str | None = None
) -> None:
    """``GET path`` (``/<records>/{<record>_id}``, the operation ``get_<record>``): the record, with its ETag,
    as `read` gives it; ``PATCH path`` (``amend_<record>``, described by `amend_notes`): only the fields of
    `changes` the request sends, as `amend` rules, If-Match naming the version it starts from."""
    (param,) = re.findall(r"{(\w+)}", path)
    record = param.removesuffix("_id")
    # FastAPI reads a parameter from its annotation: the id as the path names it, the request's model
    RecordId = Annotated[str, Path(alias=param)]

    async def get(id: str, caller: Reader, rt: Rt) -> JSONResponse:
        return versioned(await read(rt, id))

    async def patch(id: str, body: BaseModel, if_match: IfMatch, caller: Writer, rt: Rt) -> JSONResponse:
        return versioned(await amend(rt, id, body.model_dump(exclude_unset=True), if_match))

    get.__annotations__.update(id=RecordId)
    patch.__annotations__.update(id=RecordId, body=changes)
    router.add_api_route(path, get, methods=["GET"], name=f"get_{record}")
    router.add_api_route(path, patch, methods=["PATCH"], name=f"amend_{record}", description=amend_notes)
