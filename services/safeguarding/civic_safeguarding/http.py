"""What every area's routes share beyond the runtime's (``civic.http``: ``Rt``, ``Paging``, ``Id``, the
text limits, ``when``): the board's scopes; an area's router (`AreaRouter`), with the two reads every kind of
record has, the way a board adds a record and moves one a step on its way, and the three together for a kind
of record the board keeps; and what a request body asks for at each step (`asked_for`).

No ``from __future__ import annotations`` here: the routes made below name their path parameter at
run time (``Path(alias=...)``), and FastAPI reads a route's annotations as objects.
"""

import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import civic.http
from civic.http import ID_LENGTH, NOT_BLANK_TEXT, Caller, Id, IfMatch, Page, Paging, Rt, service_scopes, versioned
from civic.problems import created
from civic.service import Runtime
from fastapi import APIRouter, Body, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from civic_safeguarding.records import Records

SCOPES = service_scopes("safeguarding")
# SAR case summaries and personal details are shown only to callers holding this scope (Care Act s45)
CONFIDENTIAL = "safeguarding:confidential"

#: the caller, holding the scope to read the board's records (Reader) or to change them (Writer)
Reader = Annotated[Caller, SCOPES.read]
Writer = Annotated[Caller, SCOPES.write]


#: what :func:`asked_for` asks of a field it names with nothing more to say: that it is given (not null)
GIVEN: dict[str, Any] | None = None
#: what :func:`asked_for` asks of a text field: given, with something in it besides white space
SAID = NOT_BLANK_TEXT


def asked_for(field: str, asks: dict[Any, dict[str, dict[str, Any] | None]]) -> Callable[[dict[str, Any]], None]:
    """A request model's ``json_schema_extra``: a body whose `field` is one of the values `asks` names gives each
    of the fields named for that value (not null), each meeting the schema named for it, if any (e.g. a
    transition's ``to``: each step asks for its own fields, as the domain's rules check them)."""
    conditions: list[dict[str, Any]] = []
    for value, wanted in asks.items():
        schemas = {name: schema for name, schema in wanted.items() if schema is not GIVEN}
        conditions += [
            civic.http.required_when(field, (value,), *wanted),
            civic.http.when(field, value, {"properties": schemas}),
        ]
    return civic.http.rules(*conditions)


#: a use case reading the board's records a page at a time: (rt, board_id, page) -> the page
BoardRecords = Callable[[Runtime, str, Page], Awaitable[dict[str, Any]]]
#: a use case reading one record by its id: (rt, id) -> the record's API form
OneRecord = Callable[[Runtime, str], Awaitable[dict[str, Any]]]
#: a use case adding a record the board keeps: (rt, board_id, the request's fields) -> the stored record
NewRecord = Callable[[Runtime, str, dict[str, Any]], Awaitable[dict[str, Any]]]
#: a use case moving one record a step: (rt, id, the request's fields, If-Match) -> the saved record
Step = Callable[[Runtime, str, dict[str, Any], int | None], Awaitable[dict[str, Any]]]
#: a use case recording one thing of a record, which may say one detail (the day, by default today):
#: (rt, id, the detail or None, If-Match) -> the saved record
Record = Callable[[Runtime, str, Any, int | None], Awaitable[dict[str, Any]]]


def _record_id(path: str) -> Any:
    """The path parameter of ``/<records>/{<record>_id}...``, named as the path names it."""
    (param,) = re.findall(r"{(\w+)}", path)
    return Annotated[str, Path(max_length=ID_LENGTH, alias=param)]


def _typed(route: Callable[..., Any], **annotations: Any) -> Callable[..., Any]:
    # FastAPI reads what a parameter is from its annotation (the id's name in the path, the request's model):
    # a route made here serves every kind of record, so those are set for this one before it is added
    route.__annotations__.update(annotations)
    return route


class AreaRouter(APIRouter):
    """An area's routes, under ``/v1`` and listed with the service's in the OpenAPI document, and the makers of
    the routes every kind of record shares: the board's records a page at a time (:meth:`board_records`), one
    by its id (:meth:`record`), a new one (:meth:`new_record`), a step on its way (:meth:`step`), one thing of
    it recorded (:meth:`recorded`), and the first three together for a kind the board keeps (:meth:`kept_records`)."""

    def __init__(self) -> None:
        super().__init__(prefix="/v1", tags=["safeguarding"])

    def board_records(self, path: str, name: str, read: BoardRecords) -> None:
        """``GET path`` (``/boards/{board_id}/<records>``), the operation `name`: the board's records of one
        kind, a page at a time, as `read` gives them."""

        async def route(board_id: Id, page: Paging, caller: Reader, rt: Rt) -> dict[str, Any]:
            return await read(rt, board_id, page)

        self.add_api_route(path, route, methods=["GET"], name=name)

    def record(self, path: str, name: str, read: OneRecord, shown: type[BaseModel] | None = None) -> None:
        """``GET path`` (``/<records>/{<record>_id}``), the operation `name`: one record by its id, as `read`
        gives it, with its ETag (`shown`: what the OpenAPI declares of its answer, where it declares any)."""

        async def route(id: str, caller: Reader, rt: Rt) -> JSONResponse:
            return versioned(await read(rt, id))

        responses: dict[int | str, dict[str, Any]] = {200: {"model": shown}} if shown else {}
        self.add_api_route(path, _typed(route, id=_record_id(path)), methods=["GET"], name=name, responses=responses)

    def new_record(self, path: str, name: str, body: type[BaseModel], add: NewRecord, id_field: str) -> None:
        """``POST path`` (``/boards/{board_id}/<records>``), the operation `name`: a new record the board keeps,
        from the request's `body` as `add` stores it; 201 with its ETag (`id_field`: its id, as OpenAPI names
        it)."""

        async def route(board_id: Id, body: BaseModel, caller: Writer, rt: Rt) -> JSONResponse:
            return versioned(await add(rt, board_id, body.model_dump()), status=201)

        self.add_api_route(
            path, _typed(route, body=body), methods=["POST"], name=name, status_code=201, responses=created(id_field)
        )

    def step(self, path: str, name: str, body: type[BaseModel], step: Step) -> None:
        """``POST path`` (``/<records>/{<record>_id}/transitions``), the operation `name`: the record moved the
        step the request's `body` names, as `step` rules it, If-Match naming the version it starts from."""

        async def route(id: str, body: BaseModel, if_match: IfMatch, caller: Writer, rt: Rt) -> JSONResponse:
            return versioned(await step(rt, id, body.model_dump(), if_match))

        self.add_api_route(path, _typed(route, id=_record_id(path), body=body), methods=["POST"], name=name)

    def recorded(self, path: str, name: str, body: type[BaseModel], detail: str, record: Record) -> None:
        """``POST path`` (``/<records>/{<record>_id}/...``), the operation `name`: `record` given the one
        `detail` the request's `body` may say (None when it says nothing, or there is no body), If-Match
        naming the version it starts from."""

        async def route(
            id: str, if_match: IfMatch, caller: Writer, rt: Rt, body: BaseModel | None = Body(None)
        ) -> JSONResponse:
            return versioned(await record(rt, id, getattr(body, detail) if body else None, if_match))

        self.add_api_route(path, _typed(route, id=_record_id(path), body=body | None), methods=["POST"], name=name)

    def confidential_records(self, path: str, record_path: str, kept: Records[Any]) -> None:
        """The two reads of a kind of record holding confidential details, as `kept` shows them to the caller,
        cleared for them (holding `safeguarding:confidential`) or not: ``GET path`` (``list_<records>``, the
        board's a page at a time) and ``GET record_path`` (``get_<record>``, one by its id, with its ETag)."""
        records = path.rsplit("/", 1)[1].replace("-", "_")

        async def page_of(board_id: Id, page: Paging, caller: Reader, rt: Rt) -> dict[str, Any]:
            return await kept.of_board_shown(rt, board_id, page, caller.has(CONFIDENTIAL))

        async def one(id: str, caller: Reader, rt: Rt) -> JSONResponse:
            return versioned(await kept.one_shown(rt, id, caller.has(CONFIDENTIAL)))

        self.add_api_route(path, page_of, methods=["GET"], name="list_" + records)
        self.add_api_route(
            record_path, _typed(one, id=_record_id(record_path)), methods=["GET"], name="get_" + records.removesuffix("s")
        )

    def kept_records(
        self, path: str, record_path: str, add: tuple[str, type[BaseModel], NewRecord], kept: Records[Any]
    ) -> None:
        """The three routes of a kind of record the board keeps, as `kept` reads them: ``POST path``
        (``/boards/{board_id}/<records>``; `add` is the operation's name, the request's model and the use
        case, as :meth:`new_record`), ``GET path`` (``list_<records>``) and ``GET record_path``
        (``/<records>/{<record>_id}``, ``get_<record>``)."""
        (id_field,) = re.findall(r"{(\w+)}", record_path)
        records = path.rsplit("/", 1)[1].replace("-", "_")
        name, body, use_case = add
        self.new_record(path, name, body, use_case, id_field)
        self.board_records(path, "list_" + records, kept.of_board)
        self.record(record_path, "get_" + records.removesuffix("s"), kept.one)
