"""The shapes request bodies and paths take, each stated in the OpenAPI document and checked as it says: a path id
(``Id``), the limits on text (``Text``, ``Required``, ...), whole numbers and pence (``Whole``, ``Pence``), dates
only as ISO 8601 text (``IsoDate``, ``RequestModel``), text matching a pattern (``Pattern``, financial years,
ISO weeks), and the rules between fields a request model's schema states (``rules``, ``when``, ...).

Routes import them from ``civic.http``, with the rest of what a route takes.
"""

from __future__ import annotations

import copy
import re
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Path
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

from civic.calendar import (
    FIRST_START,
    LAST_START,
    FinancialYear,
    NotAFinancialYear,
    financial_year_pattern,
    iso_week_pattern,
)

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
