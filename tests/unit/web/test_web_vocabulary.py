"""Words on the pages: the API's enumerations from its own description, money as officers write it."""

from __future__ import annotations

import pytest
from civic_web.vocabulary import (
    body_choices,
    day,
    happening,
    moment,
    options,
    parameter_choices,
    pence_of,
    pounds,
    words_for,
)

DOCUMENT = {
    "paths": {"/api/savings/v1/initiatives": {
        "get": {"parameters": [
            {"name": "status", "in": "query", "schema": {"enum": ["proposed", "approved"], "type": "string"}},
            {"name": "theme", "in": "query", "schema": {"anyOf": [{"$ref": "#/components/schemas/savings.Theme"},
                                                                  {"type": "null"}]}},
            {"name": "directorate", "in": "query", "schema": {"type": "string"}},
        ]},
        "post": {"requestBody": {"content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/savings.NewInitiative"}}}}},
    }},
    "components": {"schemas": {
        "savings.Theme": {"enum": ["redesign_reorganisation", "process_policy"]},
        "savings.NewInitiative": {"properties": {"rag": {"anyOf": [{"enum": ["green", "amber", "red"]}, {"type": "null"}]}}},
    }},
}
LIST = "/api/savings/v1/initiatives"


def test_enumerations_are_read_from_the_apis_description() -> None:
    assert parameter_choices(DOCUMENT, LIST, "get", "status") == ["proposed", "approved"]
    assert parameter_choices(DOCUMENT, LIST, "GET", "theme") == ["redesign_reorganisation", "process_policy"]
    assert parameter_choices(DOCUMENT, LIST, "get", "directorate") == []
    assert parameter_choices(DOCUMENT, "/api/nowhere", "get", "status") == []
    assert body_choices(DOCUMENT, LIST, "post", "rag") == ["green", "amber", "red"]


def test_values_are_named_in_the_councils_words() -> None:
    assert words_for("redesign_reorganisation") == "Redesign & Reorganisation"
    assert words_for("in_delivery") == "In delivery"
    assert words_for("a_status_added_later") == "A status added later"
    assert words_for(None) == ""
    assert options(["green", "red"], "red", blank="Not set") == [
        {"value": "", "text": "Not set", "selected": False},
        {"value": "green", "text": "Green", "selected": False},
        {"value": "red", "text": "Red", "selected": True},
    ]


@pytest.mark.parametrize(("pence", "shown"), [
    (0, "£0"), (1753000000, "£17,530,000"), (1250050, "£12,500.50"), (-46800000, "-£468,000"), (None, ""),
])
def test_pence_are_shown_as_pounds(pence: int | None, shown: str) -> None:
    assert pounds(pence) == shown


@pytest.mark.parametrize(("typed", "pence"), [
    ("12500", 1250000), ("£12,500", 1250000), ("12,500.50", 1250050), (" 1 000 ", 100000), ("0.5", 50),
    ("12.345", None), ("twelve", None), ("1,00", None), ("-5", None), ("", None),
])
def test_what_an_officer_types_as_pounds_is_read_as_pence(typed: str, pence: int | None) -> None:
    assert pence_of(typed) == pence


def test_dates_and_moments_in_the_councils_time() -> None:
    assert day("2024-02-01") == "1 February 2024"
    assert moment("2026-07-01T11:05:00Z") == "1 July 2026, 12:05pm"  # British Summer Time
    assert moment("2026-12-01T00:30:00+00:00") == "1 December 2026, 12:30am"
    assert day("not a date") == "not a date"


def test_a_history_entry_reads_as_what_happened() -> None:
    assert happening({"at": "x", "by": "o", "kind": "status", "to": "proposed"}) == "Proposed"
    assert happening({"kind": "status", "from": "approved", "to": "slipped", "to_year": "2025/26",
                      "amount_pence": 5000000}) == "Moved from approved to slipped (to year: 2025/26; amount: £50,000)"
