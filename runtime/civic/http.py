"""What routes use: who is calling, versions (ETag / If-Match), cursor pagination, the runtime.

What every service's routes take is declared here once: the running service (``Rt``), a page
(``Paging``), a path id (``Id``), the limits on text in request bodies (``Text``, ``Required``, ...),
whole pence (``Pence``) and the rule a step-dependent field states in the schema (``when``). A service's
own ``http.py`` binds its scopes, ``<service>:read`` and ``<service>:write``, as ``Reader`` and ``Writer``
(``service_scopes``).
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import re
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

from fastapi import Depends, Header, Path, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StrictFloat,
    ValidationInfo,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pymongo import ASCENDING

from civic.auth import Caller, TokenVerifier, check_scopes
from civic.calendar import (
    FIRST_START,
    LAST_START,
    FinancialYear,
    NotAFinancialYear,
    financial_year_pattern,
    iso_week_pattern,
)
from civic.documents import resource
from civic.errors import Invalid

if TYPE_CHECKING:
    from pymongo.asynchronous.collection import AsyncCollection

    from civic.service import Runtime

__all__ = [
    "NOT_BLANK",
    "NOT_BLANK_TEXT",
    "TRIMMED",
    "Caller",
    "CreateOnly",
    "FinancialYearText",
    "Id",
    "IfMatch",
    "IsoDate",
    "IsoDateTime",
    "IsoWeekText",
    "LongRequired",
    "LongText",
    "Name",
    "NonBlank",
    "Number",
    "Page",
    "Paging",
    "Pattern",
    "Pence",
    "RequestModel",
    "Required",
    "Rt",
    "ServiceScopes",
    "Text",
    "Trimmed",
    "Whole",
    "current_runtime",
    "financial_year",
    "financial_year_list",
    "paginate",
    "require",
    "service_scopes",
    "versioned",
    "when",
]


# Dependencies are ``async def`` although they never wait: FastAPI runs a plain ``def`` dependency in a
# worker thread, a thread hop per request (a queue, a wake-up, the answer back through the event loop).
async def current_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _verifier(request: Request) -> TokenVerifier:
    verifier: TokenVerifier = request.app.state.verifier
    return verifier


def require(*scopes: str) -> Callable[..., Any]:
    """A dependency: the verified caller, who must hold every one of ``scopes`` (401 / 403 otherwise)."""

    async def dependency(
        request: Request,
        authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
    ) -> Caller:
        caller = await _verifier(request).caller_of(authorization)
        check_scopes(caller, scopes)
        request.state.caller = caller
        return caller

    dependency.__name__ = f"require_{'_'.join(s.replace(':', '_') for s in scopes) or 'token'}"
    dependency.required_scopes = scopes  # type: ignore[attr-defined]  # read by document_problems and tests
    return dependency


class ServiceScopes(NamedTuple):
    """A service's two scopes as the dependencies its routes take: reading its records, changing them."""

    read: Any
    write: Any


def service_scopes(service: str) -> ServiceScopes:
    """``<service>:read`` and ``<service>:write`` as route dependencies (the verified caller), which the
    service's ``http.py`` binds once: ``Reader = Annotated[Caller, SCOPES.read]``, ``Writer`` likewise."""
    return ServiceScopes(Depends(require(f"{service}:read")), Depends(require(f"{service}:write")))


#: the running service, as a route takes it: its database and its units of work
if TYPE_CHECKING:
    Rt = Annotated[Runtime, Depends(current_runtime)]
else:  # civic.service imports this module, so Runtime is named for the type checker only (FastAPI needs the Depends)
    Rt = Annotated[Any, Depends(current_runtime)]


_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")
_NOT_ISO = "must be an ISO 8601 date or date-time as text, e.g. 2026-11-23 or 2026-11-23T09:00:00Z"


def _iso_text(value: Any) -> Any:
    """Dates and times come as ISO 8601 text: not as numbers, which pydantic would read as Unix time."""
    if isinstance(value, (int, float)) or (isinstance(value, (str, bytes)) and _NUMBER.fullmatch(
            value if isinstance(value, str) else value.decode("latin-1"))):
        raise ValueError(_NOT_ISO)
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_text)]
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_text)]


def _whole(value: Any) -> Any:
    """A JSON number with nothing after the point is a whole number (JSON Schema's ``integer`` counts ``3.0``);
    text and true/false are not numbers (``int`` alone would read ``"3"`` and ``true``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("must be a whole number")
    return value  # a float with a fraction is refused by int itself


#: the largest whole number a request may carry: what every JSON client holds exactly (2**53 - 1), well
#: inside what the database stores (8-byte integers)
MAX_WHOLE = 2**53 - 1
#: for ``Annotated[int, Field(ge=0, le=MAX_WHOLE), WHOLE]``: a whole number as JSON Schema's ``integer`` reads it, ``3`` or
#: ``3.0``, never ``"3"``, ``true`` or ``3.5`` (after the bounds, so that the schema states them as it should)
WHOLE = BeforeValidator(_whole)
Whole = Annotated[int, Field(ge=-MAX_WHOLE, le=MAX_WHOLE), WHOLE]
#: a JSON number (``0.5``, ``1``), never text or ``true``
Number = Annotated[StrictFloat, Field(allow_inf_nan=False)]


# --- text with a shape: the rule stated in the OpenAPI document and checked by the same expression -----------


class Pattern(AfterValidator):
    """Text that must match ``regex``, as JSON Schema's ``pattern`` reads it (found anywhere in the text unless
    anchored with ``^...$``): written into the schema, and checked with the same expression, so a client that
    reads the schema knows exactly what is refused (422 with ``message``, naming the field).

    Expressions here use ASCII classes and alternatives only (never ``\\d``, ``\\s``, ``\\w``, whose meaning
    differs between ECMA-262, Python and Rust); the closing ``$`` is checked as the end of the text (Python's
    ``$`` would also accept a newline before it). ``message`` may be a function of the refused text.
    """

    regex: str
    message: str | Callable[[str], str]

    def __init__(self, regex: str, message: str | Callable[[str], str]) -> None:
        compiled = re.compile(regex[:-1] + r"\Z" if regex.endswith("$") else regex)

        def check(value: Any) -> Any:
            if isinstance(value, str) and compiled.search(value) is None:
                raise ValueError(message(value) if callable(message) else message)
            return value

        super().__init__(check)
        object.__setattr__(self, "regex", regex)
        object.__setattr__(self, "message", message)

    def __get_pydantic_json_schema__(self, schema: Any, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        json_schema = handler(schema)
        target = handler.resolve_ref_schema(json_schema)
        target["pattern"] = self.regex
        return json_schema


def _class_of(characters: list[int]) -> str:
    """A character class (``\\uXXXX`` ranges) of these code points, all in the Basic Multilingual Plane."""
    ranges: list[list[int]] = []
    for code in characters:
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(f"\\u{a:04X}" if a == b else f"\\u{a:04X}-\\u{b:04X}" for a, b in ranges)


#: white space as ``str.strip()`` removes it (what every domain calls blank), as the inside of a character class
WHITE_SPACE = _class_of([code for code in range(0x10000) if chr(code).isspace()])
_WHITE_SPACE = WHITE_SPACE
#: text that holds something besides white space: not blank
NOT_BLANK = f"[^{_WHITE_SPACE}]"
#: not blank, and neither starting nor ending with white space (a name used as a key)
TRIMMED = f"^[^{_WHITE_SPACE}](?:(?:[{_WHITE_SPACE}]|[^{_WHITE_SPACE}])*[^{_WHITE_SPACE}])?$"
NonBlank = Annotated[str, Pattern(NOT_BLANK, "must not be blank")]
Trimmed = Annotated[str, Pattern(TRIMMED, "must not be blank, nor start or end with spaces")]
#: JSON Schema: text with something in it besides white space
NOT_BLANK_TEXT = {"type": "string", "pattern": NOT_BLANK}

# --- what request bodies and paths carry ------------------------------------------------------------------------

#: the longest id a path takes
ID_LENGTH = 64
#: a record's id in a path
Id = Annotated[str, Path(max_length=ID_LENGTH)]
#: a line of text (a title, a note)
Text = Annotated[str, Field(max_length=500)]
#: the name of a person, a place, a team or an organisation (not blank)
Name = Annotated[NonBlank, Field(max_length=200)]
#: a document's text (minutes, a report)
LongText = Annotated[str, Field(max_length=100_000)]
#: text the rules need (blank is refused: the domain strips it first)
Required = Annotated[NonBlank, Field(max_length=500)]
LongRequired = Annotated[NonBlank, Field(max_length=100_000)]
#: an amount of money in whole pence, zero or more
Pence = Annotated[int, Field(ge=0, le=MAX_WHOLE, description="whole pence, zero or more"), WHOLE]


def _year_message(first: int, last: int) -> Callable[[str], str]:
    def message(text: str) -> str:
        try:
            FinancialYear.parse(text)
        except NotAFinancialYear as exc:
            return str(exc)
        return f"{text!r} is out of range: years from {FinancialYear(first)} to {FinancialYear(last)} are accepted"

    return message


def financial_year(first: int = FIRST_START, last: int = LAST_START) -> Pattern:
    """A financial year written ``2023/24`` (the next year's last two digits after the slash), starting from
    ``first`` to ``last``: the calendar's rule (``civic.calendar.financial_year_pattern``), for ``Annotated``."""
    return Pattern(financial_year_pattern(first, last), _year_message(first, last))


def financial_year_list(first: int = FIRST_START, last: int = LAST_START) -> Pattern:
    """Financial years separated by commas (``2021/22,2022/23``); white space around each, and empty items,
    are ignored, as ``str.split(",")`` and ``str.strip()`` read such a list."""
    year = financial_year_pattern(first, last)[1:-1]  # without its anchors
    item = f"[{_WHITE_SPACE}]*(?:{year})?[{_WHITE_SPACE}]*"
    return Pattern(f"^{item}(?:,{item})*$", "must be financial years like 2023/24, separated by commas")


#: a financial year (``2023/24``) from 0001/02 to 9998/99
FinancialYearText = Annotated[str, financial_year(), Field(examples=["2023/24"])]
#: an ISO 8601 week, e.g. ``2026-W48``: one that exists (week 53 only in the years that have one)
IsoWeekText = Annotated[str, Pattern(iso_week_pattern(), "YYYY-Www, a week that exists in that year, e.g. 2026-W48"),
                        Field(examples=["2026-W48"])]


# --- rules between fields, for a request model's schema (``model_config = {"json_schema_extra": rules(...)}``) ---


def required_when(field: str, values: tuple[str, ...], *required: str) -> dict[str, Any]:
    """JSON Schema: when ``field`` is one of ``values``, each of ``required`` is given and not null."""
    return {"anyOf": [
        {"not": {"required": [field], "properties": {field: {"enum": list(values)}}}},
        {"required": list(required), "properties": {name: {"not": {"type": "null"}} for name in required}},
    ]}


def only_when(field: str, values: tuple[str, ...], *optional: str) -> dict[str, Any]:
    """JSON Schema: each of ``optional`` is absent or null unless ``field`` is one of ``values``."""
    given = [{"required": [name], "properties": {name: {"not": {"type": "null"}}}} for name in optional]
    return {"anyOf": [
        {"required": [field], "properties": {field: {"enum": list(values)}}},
        {"not": {"anyOf": given}},
    ]}


def when(field: str, value: str, then: dict[str, Any]) -> dict[str, Any]:
    """JSON Schema: a body whose ``field`` is ``value`` meets ``then`` too (e.g.
    ``when("to", "draft", {"properties": {"reason": NOT_BLANK_TEXT}})``: the reason, where given, is not blank)."""
    return {"anyOf": [{"not": {"required": [field], "properties": {field: {"const": value}}}}, copy.deepcopy(then)]}


def rules(*conditions: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    """A model's ``json_schema_extra`` adding ``conditions`` (all must hold) to its schema."""

    def add(schema: dict[str, Any]) -> None:
        schema.setdefault("allOf", []).extend(conditions)

    return add


def _temporal(annotation: Any) -> bool:
    if annotation in (date, datetime):
        return True
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _temporal(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return any(_temporal(a) for a in typing.get_args(annotation))
    return False


class RequestModel(BaseModel):
    """Base of request bodies: unknown fields refused, dates and times only as ISO 8601 text."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _dates_as_text(cls, value: Any, info: ValidationInfo) -> Any:
        temporal = _TEMPORAL_FIELDS.get((cls, info.field_name))
        if temporal is None:
            field = cls.model_fields.get(info.field_name or "")
            temporal = _TEMPORAL_FIELDS[(cls, info.field_name)] = field is not None and _temporal(field.annotation)
        return _iso_text(value) if temporal else value


# (model, field) -> whether the field holds a date or time: worked out once, not for every field of every request
_TEMPORAL_FIELDS: dict[tuple[type[BaseModel], str | None], bool] = {}


#: ``If-Match``: ``*`` or one version ETag as this API gives them (``"3"``, also ``W/"3"`` or ``3``)
IF_MATCH_PATTERN = r'^[ \t]*(?:\*|(?:W/)?"[0-9]{1,15}"|[0-9]{1,15})[ \t]*$'
_IF_MATCH = re.compile(r'[ \t]*(?:(\*)|(?:W/)?"([0-9]{1,15})"|([0-9]{1,15}))[ \t]*')


async def _if_match(if_match: Annotated[str | None, Header(
        alias="If-Match", json_schema_extra={"pattern": IF_MATCH_PATTERN},
        description='The version you read, as its ETag (e.g. "3"): the change is refused (412) when the resource '
                    "has moved on since. * or none: no condition.")] = None) -> int | None:
    if if_match is None:
        return None
    match = _IF_MATCH.fullmatch(if_match)
    if match is None:
        raise Invalid.at("If-Match", "not a version ETag", "If-Match must be an ETag this API gave you, e.g. \"3\".")
    if match[1]:
        return None
    return int(match[2] or match[3])


IfMatch = Annotated[int | None, Depends(_if_match)]


async def _if_none_match(if_none_match: Annotated[str | None, Header(
        alias="If-None-Match", json_schema_extra={"enum": ["*"]},
        description="* to create only: the change is refused (412) when the resource already exists, so a "
                    "create never replaces what someone else made meanwhile.")] = None) -> bool:
    if if_none_match is None:
        return False
    if if_none_match.strip() != "*":
        raise Invalid.at("If-None-Match", "only * is understood", "If-None-Match may only be *: create, never replace.")
    return True


#: ``If-None-Match: *`` on a create-or-replace (a PUT by name): True when the caller asked to create only
CreateOnly = Annotated[bool, Depends(_if_none_match)]


def etag(version: int) -> str:
    return f'"{version}"'


def versioned(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    """A JSON response for one resource, with its ``ETag`` from ``version``."""
    all_headers = dict(headers or {})
    if "version" in body:
        all_headers["ETag"] = etag(int(body["version"]))
    return EncodedJSONResponse(json_body(body), status_code=status, headers=all_headers)


def _date_text(value: Any) -> str:
    if isinstance(value, (datetime, date)):
        return value.isoformat()  # as jsonable_encoder writes them
    raise TypeError(type(value).__name__)


def json_body(content: Any) -> bytes:
    """``content`` as the JSON text ``JSONResponse(jsonable_encoder(content))`` sends, in one pass.

    A stored document holds JSON types, dates and datetimes: those are written directly, without
    jsonable_encoder's walk through every value first (most of the encoding time of an answer). Anything
    else (a model, a set, a Decimal) goes the general way.
    """
    try:
        return json.dumps(content, default=_date_text, **_AS_JSONRESPONSE).encode("utf-8")
    except (TypeError, ValueError):
        return json.dumps(jsonable_encoder(content), **_AS_JSONRESPONSE).encode("utf-8")


_AS_JSONRESPONSE: dict[str, Any] = {"ensure_ascii": False, "allow_nan": False, "indent": None, "separators": (",", ":")}


class EncodedJSONResponse(JSONResponse):
    """A JSONResponse whose content may be the JSON text already (from :func:`json_body`)."""

    def render(self, content: Any) -> bytes:
        return content if isinstance(content, bytes) else super().render(content)


#: what a cursor is made of (base64url without padding); only one this API gave is accepted
CURSOR_PATTERN = "^[A-Za-z0-9_-]*$"


class Page:
    """``?limit=`` (1..500, default 50) and ``?cursor=`` (opaque, from ``next_cursor``)."""

    def __init__(
        self,
        limit: Annotated[int, Query(ge=1, le=500, description="How many items, at most")] = 50,
        cursor: Annotated[str | None, Pattern(CURSOR_PATTERN, "not a cursor this API gave you"),
                          Query(max_length=200, description="next_cursor of the previous page")] = None,
    ) -> None:
        self.limit = limit
        self.cursor = cursor

    def after(self) -> str | None:
        if not self.cursor:
            return None
        try:
            return base64.urlsafe_b64decode(self.cursor.encode() + b"==").decode()
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise Invalid.at("cursor", "malformed", "The cursor is not one this API gave you.") from exc


#: ``?limit=`` and ``?cursor=``, as a route takes them
Paging = Annotated[Page, Depends()]


def encode_cursor(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode()).decode().rstrip("=")


async def paginate(
    collection: AsyncCollection[Any],
    query: dict[str, Any],
    page: Page,
    transform: Callable[[dict[str, Any]], dict[str, Any]] = resource,
) -> dict[str, Any]:
    """Keyset pagination by id (ids are time-ordered), stable while items are added."""
    after = page.after()
    full = dict(query)
    if after is not None:
        full = {"$and": [query, {"_id": {"$gt": after}}]} if query else {"_id": {"$gt": after}}
    docs = await collection.find(full).sort("_id", ASCENDING).limit(page.limit + 1).to_list()
    more = len(docs) > page.limit
    docs = docs[: page.limit]
    return {
        "items": [transform(d) for d in docs],
        "next_cursor": encode_cursor(str(docs[-1]["_id"])) if more and docs else None,
    }
