"""What routes use: who is calling, versions (ETag / If-Match), cursor pagination, the runtime."""

from __future__ import annotations

import base64
import binascii
import json
import re
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Header, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationInfo, field_validator
from pymongo import ASCENDING

from civic.auth import Caller, TokenVerifier, check_scopes
from civic.documents import resource
from civic.errors import Invalid

if TYPE_CHECKING:
    from pymongo.asynchronous.collection import AsyncCollection

    from civic.service import Runtime

__all__ = ["Caller", "IfMatch", "IsoDate", "IsoDateTime", "Page", "RequestModel", "current_runtime", "paginate",
           "require", "versioned"]


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


async def _if_match(if_match: Annotated[str | None, Header(alias="If-Match")] = None) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise Invalid("If-Match must be an ETag this API gave you, e.g. \"3\".",
                      errors=[{"field": "If-Match", "message": "not a version ETag"}])
    return int(value)


IfMatch = Annotated[int | None, Depends(_if_match)]


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


class Page:
    """``?limit=`` (1..500, default 50) and ``?cursor=`` (opaque, from ``next_cursor``)."""

    def __init__(
        self,
        limit: Annotated[int, Query(ge=1, le=500, description="How many items, at most")] = 50,
        cursor: Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")] = None,
    ) -> None:
        self.limit = limit
        self.cursor = cursor

    def after(self) -> str | None:
        if not self.cursor:
            return None
        try:
            return base64.urlsafe_b64decode(self.cursor.encode() + b"==").decode()
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise Invalid("The cursor is not one this API gave you.",
                          errors=[{"field": "cursor", "message": "malformed"}]) from exc


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
