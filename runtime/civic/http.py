"""What routes use: who is calling, versions (ETag / If-Match), cursor pagination, the runtime.

What every service's routes take is declared here once: the running service (``Rt``), a page
(``Paging``), the caller (``require``), versions (``IfMatch``, ``versioned``), and, from ``civic.fields``
where they are declared, a path id (``Id``), the limits on text in request bodies (``Text``, ``Required``,
...), whole pence (``Pence``) and the rule a step-dependent field states in the schema (``when``). A service's
own ``http.py`` binds its scopes, ``<service>:read`` and ``<service>:write``, as ``Reader`` and ``Writer``
(``service_scopes``).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

from fastapi import Depends, Header, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pymongo import ASCENDING

from civic.auth import Caller, TokenVerifier, check_scopes
from civic.documents import resource
from civic.errors import Invalid
from civic.fields import (
    ID_LENGTH,
    MAX_WHOLE,
    NOT_BLANK,
    NOT_BLANK_TEXT,
    TRIMMED,
    WHITE_SPACE,
    WHOLE,
    FinancialYearText,
    Id,
    IsoDate,
    IsoDateTime,
    IsoWeekText,
    LongRequired,
    LongText,
    Name,
    NonBlank,
    Number,
    Pattern,
    Pence,
    RequestModel,
    Required,
    Text,
    Trimmed,
    Whole,
    financial_year,
    financial_year_list,
    only_when,
    required_when,
    rules,
    when,
)

if TYPE_CHECKING:
    from pymongo.asynchronous.collection import AsyncCollection

    from civic.service import Runtime

__all__ = [
    "ID_LENGTH",
    "MAX_WHOLE",
    "NOT_BLANK",
    "NOT_BLANK_TEXT",
    "TRIMMED",
    "WHITE_SPACE",
    "WHOLE",
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
    "only_when",
    "paginate",
    "require",
    "required_when",
    "rules",
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
