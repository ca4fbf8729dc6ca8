"""What the savings API sends for a resource is byte for byte what FastAPI's own encoding would send."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from civic.http import json_body, versioned
from civic_savings.initiatives.domain import Initiative
from civic_savings.repository import api_form, to_document
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

NOW = datetime(2024, 2, 1, 9, 30, 15, 123456, tzinfo=UTC)


def _stored_initiative() -> dict[str, Any]:
    i = Initiative.propose(
        id="abc", title="Early help \u2013 \"Caf\u00e9\" \U0001f600", directorate="People", theme="demand_prevention",
        category="transformation", profile=[{"year": "2023/24", "planned_pence": 100}],
        programme="LGR", by="o", now=NOW,
    )  # fmt: skip
    i.transition("approved", by="chamber", now=NOW)
    return {**to_document(i), "version": 2, "created_at": NOW, "updated_at": NOW}


def _fastapi(content: Any) -> bytes:
    return bytes(JSONResponse(jsonable_encoder(content)).body)


@pytest.mark.parametrize("content", [
    api_form(_stored_initiative()),
    {"when": date(2024, 2, 1), "nested": [{"at": NOW}, (1, 2.5, None, True)], 3: "int key", "empty": {}},
    {"a set": {1}, "money": Decimal("1.50")},  # not JSON types: the general way
])  # fmt: skip
def test_the_same_bytes_as_jsonable_encoder_and_jsonresponse(content: Any) -> None:
    assert json_body(content) == _fastapi(content)


def test_not_a_number_is_refused_as_before() -> None:
    with pytest.raises(ValueError):
        json_body({"x": math.nan})
    with pytest.raises(ValueError):
        _fastapi({"x": math.nan})


def test_versioned_sends_the_body_and_its_etag() -> None:
    body = api_form(_stored_initiative())
    response = versioned(body, status=201)
    assert response.status_code == 201
    assert response.headers["etag"] == '"2"'
    assert response.headers["content-type"] == "application/json"
    assert response.body == _fastapi(body)
    assert response.headers["content-length"] == str(len(response.body))
