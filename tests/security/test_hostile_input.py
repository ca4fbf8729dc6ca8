"""Hostile input to every service: oversized and deeply nested bodies, huge arrays, awkward Unicode and
MongoDB operator injection. Each is refused with a clear 4xx problem or stored literally, never run
as a query operator; never a 5xx; and a refused request changes nothing (database and outbox).
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest

from .conftest import SERVICES, assert_problem, assert_unchanged, quiesce, snapshot, unique

pytestmark = [pytest.mark.integration, pytest.mark.security]

LIMIT = 1024 * 1024  # the default body limit (CONTRACT.md)
JSON = {"content-type": "application/json"}


def _initiative() -> dict[str, Any]:
    return {"title": unique("Hostile"), "directorate": unique("Hostile"), "theme": "process_policy",
            "category": "transformation", "profile": [{"year": "2041/42", "planned_pence": 100}]}


def _building() -> dict[str, Any]:
    return {"name": unique("Hostile House"), "town": unique("Hostile Town"), "kind": "office", "desks": 5,
            "tenure": "freehold", "annual_running_cost_pence": 1, "annual_carbon_kg": 1}


def _board() -> dict[str, Any]:
    return {"name": unique("Hostile Board"), "area": "Hostileshire"}


def _content() -> dict[str, Any]:
    return {"title": unique("Hostile"), "body": "text", "channels": ["website"], "audience": "residents"}


#: per service: the create route, a valid body, the text field to play with, where one item is read back,
#: the list route, and the field of the list's items
CREATE: dict[str, tuple[str, Callable[[], dict[str, Any]], str, str, str]] = {
    "savings": ("/v1/initiatives", _initiative, "title", "/v1/initiatives/{id}", "/v1/initiatives"),
    "property": ("/v1/buildings", _building, "town", "/v1/buildings/{id}", "/v1/buildings"),
    "safeguarding": ("/v1/boards", _board, "area", "/v1/boards/{id}", "/v1/boards"),
    "comms": ("/v1/content", _content, "title", "/v1/content/{id}", "/v1/content"),
}
#: a list field of each create route and what one item of it looks like
LIST_FIELD = {
    "savings": ("profile", {"year": "2041/42", "planned_pence": 1}),
    "property": ("partners", {"name": "P", "annual_rent_pence": 1}),
    "safeguarding": ("statutory_partners", "Police"),
    "comms": ("channels", "website"),
}


@pytest.fixture
async def settled(runtime_of: Any) -> None:
    await quiesce(runtime_of)


@dataclass
class Target:
    """One service under attack: its client, its database, and what CREATE says of it."""

    name: str
    client: Any
    db: Any
    create: tuple[str, Callable[[], dict[str, Any]], str, str, str]


@pytest.fixture(params=SERVICES)
async def target(request: pytest.FixtureRequest, service_client: Any, runtime_of: Any) -> Target:
    name = request.param
    return Target(name, await service_client(name), (await runtime_of(name)).db, CREATE[name])


# --------------------------------------------------------------------------- size


async def test_oversized_bodies_are_413_and_change_nothing(target: Target, settled):
    client, db = target.client, target.db
    path, make, text, _, _ = target.create
    before = await snapshot(db)
    big = json.dumps({**make(), text: "x" * (LIMIT + 10)}).encode()

    async def streamed() -> AsyncIterator[bytes]:  # no Content-Length: the limit counts what arrives
        for start in range(0, len(big), 64 * 1024):
            yield big[start:start + 64 * 1024]

    refused = [
        await client.post(path, content=big, headers=JSON),
        await client.post(path, content=streamed(), headers=JSON),
        await client.post(path, content=big, headers={**JSON, "Idempotency-Key": uuid.uuid4().hex}),
    ]
    for response in refused:
        body = assert_problem(response, 413)
        assert body["limit_bytes"] == LIMIT
    await assert_unchanged(db, before, refused)
    # just under the limit the body is read and judged on its content, not refused for its size
    near = json.dumps({**make(), text: "x" * (LIMIT - 4096)}).encode()
    assert len(near) < LIMIT
    answer = await client.post(path, content=near, headers=JSON)
    assert answer.status_code != 413 and answer.status_code < 500, answer.text[:300]


# --------------------------------------------------------------------------- shape


def _nested_arrays(depth: int) -> str:
    return "[" * depth + "]" * depth


def _nested_objects(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


async def test_deeply_nested_json_is_refused(target: Target, settled):
    client, db, name = target.client, target.db, target.name
    path, make, text, _, _ = target.create
    before = await snapshot(db)
    body = json.dumps(make())
    field = f'"{text}": '
    bodies = [
        _nested_arrays(10_000),
        _nested_objects(10_000),
        body.replace(field, field + _nested_arrays(10_000) + ", \"x\": ", 1),
        body.replace(field, field + _nested_objects(10_000) + ", \"x\": ", 1),
        body.replace(field, field + _nested_objects(100) + ", \"x\": ", 1),  # deep enough to parse: still invalid
    ]
    refused = []
    for raw in bodies:
        started = time.monotonic()
        response = await client.post(path, content=raw, headers=JSON)
        assert time.monotonic() - started < 5
        assert_problem(response, (400, 422))
        refused.append(response)
    if name == "property":  # the occupancy import parses JSON itself
        for raw in (_nested_arrays(10_000), _nested_objects(10_000), "[" + _nested_arrays(5_000) + "]"):
            response = await client.post("/v1/occupancy/import", content=raw, headers=JSON)
            assert_problem(response, (400, 422))
            refused.append(response)
    await assert_unchanged(db, before, refused)


async def test_huge_arrays_are_refused_quickly(target: Target, settled):
    client, db, name = target.client, target.db, target.name
    path, make, _, _, list_path = target.create
    field, item = LIST_FIELD[name]
    before = await snapshot(db)
    many = (LIMIT - 2000) // (len(json.dumps(item)) + 2)
    bodies = [
        json.dumps([1] * 250_000),  # an array where an object belongs
        json.dumps({**make(), field: [item] * many}),  # a list field with as many items as fit the limit
        json.dumps({**make(), field: [[item] * 10] * (many // 12)}),  # nested lists of the wrong shape
    ]
    refused = []
    for raw in bodies:
        assert len(raw) <= LIMIT
        started = time.monotonic()
        response = await client.post(path, content=raw, headers=JSON)
        assert time.monotonic() - started < 10, "a huge array is judged quickly"
        assert_problem(response, (400, 413, 422))
        refused.append(response)
    await assert_unchanged(db, before, refused)
    # thousands of repeated query parameters: judged, not a 5xx
    query = "&".join(f"limit={i}" for i in range(1, 2000)) + "&" + "&".join(f"cursor=c{i}" for i in range(2000))
    response = await client.get(f"{list_path}?{query}")
    assert response.status_code < 500, response.text[:300]


# --------------------------------------------------------------------------- text

#: valid Unicode that must come back exactly as sent
AWKWARD = {
    "NUL": "before\x00after",
    "C0 and C1 controls": "tab\tbell\x07esc\x1bnel\x85del\x7f.",
    "right-to-left override": "invoice\u202eexe.pdf\u202c",
    "Arabic and Hebrew": "مجلس المدينة · מועצת העיר",
    "emoji ZWJ family and flags": "👩‍👩‍👧‍👦 🏴󠁧󠁢󠁥󠁮󠁧󠁿 🇬🇧",
    "combining marks": "e\u0301 Z\u0335\u0321\u031b\u0353a\u0337\u0327l\u0334g\u0336o",
    "byte order mark and zero widths": "\ufeffzero\u200bwidth\u200d\u2060.",
    "line and paragraph separators": "one\u2028two\u2029three",
    "astral plane": "\U0001d518\U0001d52b\U0001d526 \U00010348 \U0001f004",
    "non-characters": "\ufffe\uffff\U0010ffff",
    "long": "Ω" * 190,
}


async def test_awkward_unicode_is_stored_literally(target: Target):
    client, db = target.client, target.db
    path, make, text, one, _ = target.create
    collection = path.rsplit("/", 1)[1]
    for label, value in AWKWARD.items():
        response = await client.post(path, json={**make(), text: value})
        assert response.status_code in (201, 422), f"{label}: {response.status_code} {response.text[:300]}"
        if response.status_code == 422:
            assert_problem(response, 422)
            continue
        created = response.json()
        assert created[text] == value, label
        again = await client.get(one.format(id=created["id"]))
        assert again.status_code == 200 and again.json()[text] == value, label
        stored = await db[collection].find_one({"_id": created["id"]})
        assert stored[text] == value, label


async def test_text_that_is_not_unicode_is_refused(target: Target, settled):
    client, db = target.client, target.db
    path, make, text, _, list_path = target.create
    before = await snapshot(db)
    body = json.dumps({**make(), text: "PLACEHOLDER"})
    refused = []
    for escape in ("\\ud800", "\\udfff", "x\\ud83dy", "\\ude00\\ud83d", "\\ud83d\\u0041"):  # lone surrogates
        response = await client.post(path, content=body.replace("PLACEHOLDER", escape), headers=JSON)
        assert_problem(response, (400, 422))
        refused.append(response)
    for raw in (b"\xff\xfe", b"\xed\xa0\x80", b"\xc0\xaf", b"\xe2\x82"):  # not UTF-8 (surrogate, overlong, cut)
        response = await client.post(path, content=body.encode().replace(b"PLACEHOLDER", raw), headers=JSON)
        assert_problem(response, 400)
        refused.append(response)
    await assert_unchanged(db, before, refused)
    # the same in a path or a query string: no match, never a 5xx
    for junk in ("%ED%A0%80", "%FF%FE", "%C0%AF", "%00"):
        for url in (f"{list_path}/{junk}", f"{list_path}?cursor={junk}&limit=5"):
            response = await client.get(url)
            assert response.status_code in (200, 404, 422), f"{url}: {response.status_code}"
    # a surrogate pair is text (an emoji) and is kept
    pair = await client.post(path, content=body.replace("PLACEHOLDER", "\\ud83d\\ude00"), headers=JSON)
    assert pair.status_code == 201 and pair.json()[text] == "😀"


# --------------------------------------------------------------------------- operator injection

OPERATORS: list[Any] = [
    {"$gt": ""}, {"$ne": None}, {"$where": "sleep(1000) || true"}, {"$regex": ".*"},
    {"$in": ["a", "b"]}, {"$expr": {"$eq": [1, 1]}}, ["$or", {"a": 1}],
]
#: strings that look like operators or script: data like any other
LOOKALIKES = ['{"$gt": ""}', "$where", "$ne", "'; return true; var x='", "{$where: 'this.a == 1'}", "a.b.$c"]


async def test_operators_in_bodies_are_refused(target: Target, settled):
    client, db = target.client, target.db
    path, make, text, _, _ = target.create
    before = await snapshot(db)
    refused = []
    for operator in OPERATORS:
        for key in (text, *[k for k in make() if isinstance(make()[k], str)][:2]):
            response = await client.post(path, json={**make(), key: operator})
            assert_problem(response, 422)
            refused.append(response)
        response = await client.post(path, json={**make(), "$where": "1", "extra": operator})  # unknown keys
        assert_problem(response, 422)
        refused.append(response)
    await assert_unchanged(db, before, refused)


async def test_operator_lookalike_strings_are_stored_literally(target: Target):
    client, db = target.client, target.db
    path, make, text, one, _ = target.create
    collection = path.rsplit("/", 1)[1]
    for value in LOOKALIKES:
        response = await client.post(path, json={**make(), text: value})
        assert response.status_code == 201, f"{value}: {response.text[:300]}"
        created = response.json()
        assert (await client.get(one.format(id=created["id"]))).json()[text] == value
        assert (await db[collection].find_one({"_id": created["id"]}))[text] == value


INJECTED_IDS = ['{"$ne": null}', '{"$gt": ""}', "$where", "[$ne]", "this.a==1", ".*", "'; return true; '"]


async def test_operators_in_path_ids_find_nothing(target: Target, settled):
    client, db, name = target.client, target.db, target.name
    path, make, _, one, _ = target.create
    assert (await client.post(path, json=make())).status_code == 201  # there is something to find
    before = await snapshot(db)
    refused = []
    for injected in INJECTED_IDS:
        url = one.format(id=quote(injected, safe=""))
        response = await client.get(url)
        assert_problem(response, 404)
        writes = {
            "savings": ("PATCH", url, {"title": "changed"}),
            "property": ("POST", f"{url}/transitions", {"to": "closure_planned", "on": "2041-01-01"}),
            "safeguarding": ("POST", f"{url}/members", {"name": "M", "organisation": "O", "role": "member"}),
            "comms": ("POST", f"{url}/transitions", {"to": "in_review"}),
        }
        method, write_url, write_body = writes[name]
        response = await client.request(method, write_url, json=write_body)
        assert_problem(response, 404)
        refused.append(response)
    await assert_unchanged(db, before, refused)


def literally(item: dict[str, Any], param: str, value: str) -> bool:
    """The item matched because its field holds exactly this text (e.g. an item titled '{"$gt": ""}')."""
    found = item.get({"channel": "channels", "service": "service"}.get(param, param))
    return found == value or (isinstance(found, list) and value in found)


async def test_operators_in_query_filters_are_literal(service_client, runtime_of):
    """A filter value is compared as text: {"$ne": null} matches nothing, it does not match everything."""
    savings = await service_client("savings")
    directorate = unique("Injection")
    for _ in range(2):
        assert (await savings.post("/v1/initiatives", json={**_initiative(), "directorate": directorate})).status_code == 201
    everything = (await savings.get("/v1/initiatives", params={"limit": 500})).json()["items"]
    assert len(everything) >= 2
    assert len((await savings.get("/v1/initiatives", params={"directorate": directorate})).json()["items"]) == 2
    property_ = await service_client("property")
    town = unique("Injection Town")
    assert (await property_.post("/v1/buildings", json={**_building(), "town": town})).status_code == 201
    comms = await service_client("comms")
    assert (await comms.post("/v1/content", json=_content())).status_code == 201
    safeguarding = await service_client("safeguarding")

    lists = [
        (savings, "/v1/initiatives", ["directorate", "title", "programme", "building_id", "status"]),
        (savings, "/v1/cost-avoidance", ["year", "title"]),
        (property_, "/v1/buildings", ["town", "status", "kind"]),
        (property_, "/v1/teams", ["building_id", "directorate"]),
        (property_, "/v1/moves", ["team_id", "directorate", "status"]),
        (comms, "/v1/content", ["channel", "campaign_id", "status"]),
        (comms, "/v1/champions", ["service"]),
    ]
    #: filters the OpenAPI states as enumerations: an operator there is not one of the values, so 422
    enumerated = {"status", "kind"}
    for value in ('{"$ne": null}', '{"$gt": ""}', '{"$regex": ".*"}', '{"$where": "true"}', "[$ne]"):
        for client, url, params in lists:
            for param in params:
                response = await client.get(url, params={param: value})
                if param in enumerated:
                    assert_problem(response, 422)
                    assert response.json()["errors"][0]["field"] == param
                    continue
                assert response.status_code == 200, f"{url}?{param}={value}: {response.text[:200]}"
                items = response.json()["items"]
                assert all(literally(item, param, value) for item in items), f"{url}?{param}={value} matched {items}"
            # bracket syntax (PHP/Express style) is not special here: an unknown parameter, ignored
            response = await client.get(f"{url}?{params[0]}[$ne]=x")
            assert response.status_code in (200, 422)
        response = await safeguarding.get("/v1/boards/x/decisions", params={"ratification": value})
        assert response.status_code in (404, 422)
        # a cursor that decodes to an operator is compared as text too, never a 5xx
        cursor = base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")
        response = await savings.get("/v1/initiatives", params={"cursor": cursor})
        assert response.status_code in (200, 422) and all(i in everything for i in response.json().get("items", []))
    # the bracket form with the real name of a field does not widen the match
    narrowed = await savings.get(f"/v1/initiatives?directorate={quote(directorate)}&directorate[$ne]=x")
    assert len(narrowed.json()["items"]) == 2


async def test_operators_in_nested_data_are_refused_or_literal(service_client, runtime_of, settled):
    """Free-form answers (a dict) and the occupancy import: operators are data or refused, never a query."""
    comms = await service_client("comms")
    db = (await runtime_of("comms")).db
    consultation = (await comms.post("/v1/consultations", json={
        "title": unique("Injection consultation"), "opens_on": "2026-01-01", "closes_on": "2040-12-31",
        "questions": [{"id": "q1", "text": "Agree?", "kind": "likert"}, {"id": "q2", "text": "Why?", "kind": "free_text"}],
    })).json()
    url = f"/v1/consultations/{consultation['id']}/responses"
    before = await snapshot(db)
    refused = []
    for answers in ({"q2": {"$where": "true"}}, {"q1": {"$in": ["agree"]}}, {"$where": "true"}, {"q1.$": "agree"},
                    {"q2": ["$or"]}, {"\x00q2": "x"}):
        response = await comms.post(url, json={"answers": answers})
        assert_problem(response, 422)
        refused.append(response)
    response = await comms.post(f"{url}/bulk", json={"responses": [{"answers": {"q2": {"$gt": ""}}}]})
    assert_problem(response, 422)
    refused.append(response)
    await assert_unchanged(db, before, refused)
    kept = await comms.post(url, json={"answers": {"q2": '{"$where": "sleep(1000)"}'}})
    assert kept.status_code == 201, kept.text
    stored = await db["responses"].find({"consultation_id": consultation["id"]}).to_list()
    assert [r["answers"] for r in stored] == [{"q2": '{"$where": "sleep(1000)"}'}]

    property_ = await service_client("property")
    pdb = (await runtime_of("property")).db
    before = await snapshot(pdb)
    refused = []
    for row in ({"building_id": {"$ne": None}, "date": "2026-01-05", "occupied_desks": 1},
                {"building_id": "x", "date": {"$gt": ""}, "occupied_desks": 1},
                {"building_id": "x", "date": "2026-01-05", "occupied_desks": {"$gt": 0}}):
        response = await property_.post("/v1/occupancy/import", json=[row])
        assert_problem(response, 422)
        refused.append(response)
    await assert_unchanged(pdb, before, refused)
