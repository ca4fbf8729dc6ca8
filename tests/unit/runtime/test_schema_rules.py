"""The rules the OpenAPI documents state as JSON Schema patterns say exactly what the code accepts.

A financial year's and an ISO week's pattern (``civic.calendar``) against the calendar's own parsing, over
every four-digit year; the text types of ``civic.http`` (not blank, trimmed, If-Match, cursors, whole
numbers) against what they refuse; the OpenAPI document's completion (security per operation, statuses,
links, no null parameters, 405 with the path's methods in ``Allow``) on a small app.
"""

from __future__ import annotations

import asyncio
import re
from datetime import date
from typing import Annotated, Any

import httpx
import pytest
from civic.calendar import FinancialYear, NotAFinancialYear, financial_year_pattern, iso_week_pattern
from civic.http import (
    IF_MATCH_PATTERN,
    NOT_BLANK,
    TRIMMED,
    FinancialYearText,
    IfMatch,
    IsoWeekText,
    NonBlank,
    Page,
    RequestModel,
    Trimmed,
    Whole,
    financial_year_list,
    require,
)
from civic.problems import created, document_problems, install_problem_handlers
from fastapi import Depends, FastAPI
from pydantic import TypeAdapter, ValidationError


def ecma(pattern: str) -> re.Pattern[str]:
    """The pattern as JSON Schema reads it: ``$`` is the end of the text (Python's also takes a newline before it)."""
    return re.compile(pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern)


def accepts(adapter: TypeAdapter[Any], value: Any) -> bool:
    try:
        adapter.validate_python(value)
    except ValidationError:
        return False
    return True


def test_the_financial_year_pattern_is_the_calendars_rule() -> None:
    pattern = ecma(financial_year_pattern())
    for start in range(10_000):
        for end in range(100):
            text = f"{start:04d}/{end:02d}"
            try:
                FinancialYear.parse(text)
                parsed = True
            except NotAFinancialYear:
                parsed = False
            assert parsed == bool(pattern.search(text)), text
    fullwidth = "\uff12\uff10\uff12\uff13/24"  # digits, but not ASCII ones
    assert not pattern.search("2023/24\n") and not pattern.search(" 2023/24") and not pattern.search(fullwidth)


def test_a_range_of_financial_years() -> None:
    pattern = ecma(financial_year_pattern(2000, 2099))
    assert [s for s in range(1, 9999) if pattern.search(FinancialYear(s).label)] == list(range(2000, 2100))
    assert len(financial_year_pattern()) < 2500  # the centuries share the hundred pairs
    with pytest.raises(ValueError):
        financial_year_pattern(0, 10)


def test_the_iso_week_pattern_is_what_fromisocalendar_takes() -> None:
    pattern = ecma(iso_week_pattern())
    for year in range(0, 10_000):
        for week in (0, 1, 52, 53, 54):
            text = f"{year:04d}-W{week:02d}"
            try:
                date.fromisocalendar(year, week, 1)
                exists = True
            except ValueError:
                exists = False
            assert exists == bool(pattern.search(text)), text
    assert pattern.search("2026-W53") and not pattern.search("2025-W53") and not pattern.search("2026-W48\n")


def test_text_types_refuse_what_their_patterns_refuse() -> None:
    blank, trimmed = TypeAdapter(NonBlank), TypeAdapter(Trimmed)
    for text in ["", " ", "\t\n", "\u3000", "\x1c", "\u2028"]:
        assert text.strip() == "" and not ecma(NOT_BLANK).search(text) and not accepts(blank, text)
    for text in ["a", " a ", "\u200b"]:  # a zero-width space is not white space to str.strip()
        assert accepts(blank, text) and ecma(NOT_BLANK).search(text)
    for text, ok in [("LGR", True), ("Survive to Thrive", True), (" LGR", False), ("LGR\n", False), ("", False)]:
        assert bool(ecma(TRIMMED).search(text)) is ok and accepts(trimmed, text) is ok, text
    # every character str.strip() removes, and no other, is white space to the pattern
    assert all(bool(ecma(NOT_BLANK).search(chr(c))) is (not chr(c).isspace()) for c in range(0x10000)
               if not 0xD800 <= c <= 0xDFFF)


def test_financial_years_and_weeks_as_types() -> None:
    year, week = TypeAdapter(FinancialYearText), TypeAdapter(IsoWeekText)
    assert accepts(year, "2023/24") and not accepts(year, "2023/25") and not accepts(year, "2023/24\n")
    assert accepts(week, "2026-W48") and not accepts(week, "2026-W54")
    years = TypeAdapter(Annotated[str, financial_year_list(2000, 2099)])
    assert accepts(years, "2021/22,2022/23") and accepts(years, " 2021/22 , ,") and accepts(years, "")
    assert not accepts(years, "2021/22;2022/23") and not accepts(years, "1999/00")


def test_whole_numbers_as_json_schema_reads_them() -> None:
    whole = TypeAdapter(Whole)
    assert accepts(whole, 3) and accepts(whole, 3.0)
    assert not any(accepts(whole, v) for v in ("3", True, 3.5, 2**53, None))
    assert whole.json_schema() == {"type": "integer", "minimum": -(2**53 - 1), "maximum": 2**53 - 1}


def test_if_match_values() -> None:
    pattern = ecma(IF_MATCH_PATTERN)
    for text in ['"3"', 'W/"3"', "3", "*", ' "12" ']:
        assert pattern.search(text), text
    for text in ["", "null", '""3""', '"3', "3.0", "\u0663", '"1", "2"']:
        assert not pattern.search(text), text


# --------------------------------------------------------------------------- the document's completion


class Thing(RequestModel):
    name: NonBlank


def small_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/v1/things", status_code=201, responses=created("thing_id"))
    async def create(body: Thing, caller: Any = Depends(require("demo:write"))) -> dict[str, str]:
        return {"id": "1"}

    @app.get("/v1/things")
    async def things(page: Page = Depends(), colour: str | None = None,
                     caller: Any = Depends(require("demo:read"))) -> dict[str, Any]:
        return {"items": [], "next_cursor": None}

    @app.get("/v1/things/{thing_id}")
    async def thing(thing_id: str, caller: Any = Depends(require("demo:read"))) -> dict[str, str]:
        return {"id": thing_id}

    @app.patch("/v1/things/{thing_id}")
    async def change(thing_id: str, body: Thing, if_match: IfMatch,
                     caller: Any = Depends(require("demo:write"))) -> dict[str, str]:
        return {"id": thing_id}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "alive"}

    document_problems(app)
    return app


def test_the_document_says_who_may_call_and_what_comes_back() -> None:
    spec = small_app().openapi()
    paths = spec["paths"]
    assert "security" not in spec and spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert paths["/healthz"]["get"]["security"] == []
    assert paths["/openapi.json"]["get"]["security"] == [] and paths["/docs"]["get"]["security"] == []
    assert paths["/v1/things"]["post"]["security"] == [{"bearer": ["demo:write"]}]
    assert paths["/v1/things/{thing_id}"]["get"]["security"] == [{"bearer": ["demo:read"]}]
    assert set(paths["/v1/things/{thing_id}"]["patch"]["responses"]) >= {"200", "400", "401", "403", "404", "409",
                                                                          "412", "413", "422", "503"}
    links = paths["/v1/things"]["post"]["responses"]["201"]["links"]
    assert {link["operationId"] for link in links.values()} == {
        paths["/v1/things/{thing_id}"]["get"]["operationId"], paths["/v1/things/{thing_id}"]["patch"]["operationId"]}
    assert all(link["parameters"] == {"thing_id": "$response.body#/id"} for link in links.values())
    assert "x-civic-links" not in str(spec)
    colour = next(p for p in paths["/v1/things"]["get"]["parameters"] if p["name"] == "colour")
    assert colour["schema"]["type"] == "string" and "anyOf" not in colour["schema"]  # never null
    if_match = next(p for p in paths["/v1/things/{thing_id}"]["patch"]["parameters"] if p["name"] == "If-Match")
    assert if_match["schema"]["pattern"] == IF_MATCH_PATTERN


def test_405_names_every_method_of_the_path() -> None:
    async def calls() -> list[httpx.Response]:
        app = small_app()
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            return [await client.request(m, p) for m, p in
                    (("OPTIONS", "/v1/things"), ("DELETE", "/v1/things/1"), ("PUT", "/healthz"))]

    things, thing, health = asyncio.run(calls())
    assert [r.status_code for r in (things, thing, health)] == [405, 405, 405]
    assert things.headers["allow"] == "GET, POST"
    assert thing.headers["allow"] == "GET, PATCH"
    assert health.headers["allow"] == "GET"
    assert things.headers["content-type"].startswith("application/problem+json")
