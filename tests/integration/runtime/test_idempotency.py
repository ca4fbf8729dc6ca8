"""Idempotency-Key in every service: the key is committed with the change, so a retry always gets the first result.

Each service is driven through one create of its own, the same way: a replay sent at once, a replay of a
key whose first process stopped between commit and answer, same-key requests racing, and a refusal that
leaves the key free.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.integration


def _tag() -> str:
    return uuid.uuid4().hex[:8]


def _savings(tag: str) -> dict[str, Any]:
    return {"title": f"Idempotent saving {tag}", "directorate": f"Idem {tag}", "theme": "buying_commissioning",
            "category": "transformation", "profile": [{"year": "2030/31", "planned_pence": 1_000}]}


def _property(tag: str) -> dict[str, Any]:
    return {"name": f"Idem House {tag}", "town": "Brackley", "kind": "depot", "desks": 5, "tenure": "leasehold",
            "annual_running_cost_pence": 10, "annual_carbon_kg": 1}


def _safeguarding(tag: str) -> dict[str, Any]:
    return {"name": f"Idem Partnership {tag}", "kind": "children"}


def _comms(tag: str) -> dict[str, Any]:
    return {"title": f"Idem notice {tag}", "body": "x", "channels": ["intranet"], "audience": "staff"}


# service, create path, collection, body maker, the field that tells one creation from another, a refused body
CREATES: list[tuple[str, str, str, Callable[[str], dict[str, Any]], str, dict[str, Any]]] = [
    ("savings", "/v1/initiatives", "initiatives", _savings, "title", {"profile": []}),
    ("property", "/v1/buildings", "buildings", _property, "name", {"desks": -1}),
    ("safeguarding", "/v1/boards", "boards", _safeguarding, "name", {"kind": "neither"}),
    ("comms", "/v1/content", "content", _comms, "title", {"channels": []}),
]
IDS = [create[0] for create in CREATES]


@pytest.fixture(params=CREATES, ids=IDS)
async def create(request: Any, service_client: Any, mongo_db: Any) -> dict[str, Any]:
    service, path, collection, make, field, refused = request.param
    return {"api": await service_client(service), "db": await mongo_db(service), "path": path,
            "collection": collection, "make": make, "field": field, "refused": refused}


def _key() -> dict[str, str]:
    return {"Idempotency-Key": f"idem-{uuid.uuid4().hex}"}


def _record_id(key: dict[str, str]) -> str:
    """Keys are the caller's: the record is named by the hash of subject and key (the clients' subject)."""
    return hashlib.sha256(f"test-officer\n{key['Idempotency-Key']}".encode()).hexdigest()


async def _count(create: dict[str, Any], body: dict[str, Any]) -> int:
    return int(await create["db"][create["collection"]].count_documents({create["field"]: body[create["field"]]}))


async def _outbox(create: dict[str, Any], created_id: str) -> int:
    return int(await create["db"]["outbox"].count_documents({"key": created_id}))


async def test_a_replay_sent_right_after_the_first_answer_gets_it(create: dict[str, Any]) -> None:
    api, body, key = create["api"], create["make"](_tag()), _key()
    first = await api.post(create["path"], json=body, headers=key)
    again = await api.post(create["path"], json=body, headers=key)
    assert first.status_code == again.status_code == 201, (first.text, again.text)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert again.json() == first.json()
    assert again.headers["ETag"] == first.headers["ETag"]
    assert await _count(create, body) == 1
    assert await _outbox(create, first.json()["id"]) == await _outbox(create, again.json()["id"])


async def test_the_key_is_committed_with_the_change(create: dict[str, Any]) -> None:
    """The key's record is there with the change's result: what the crash window leaves behind."""
    api, body, key = create["api"], create["make"](_tag()), _key()
    first = (await api.post(create["path"], json=body, headers=key)).json()
    record = await create["db"]["idempotency_keys"].find_one({"_id": _record_id(key)})
    assert record is not None
    assert record["state"] == "done" and record["status"] == 201
    assert first["id"] in (record["result"].get("id"), record["result"].get("_id"))  # as the service layer gave it


async def test_a_key_left_between_commit_and_answer_replays_the_committed_result(create: dict[str, Any]) -> None:
    """A process that stopped after its commit but before its answer left the key with the result only."""
    api, body, key = create["api"], create["make"](_tag()), _key()
    first = await api.post(create["path"], json=body, headers=key)
    created = first.json()
    keys = create["db"]["idempotency_keys"]
    # as the record stands when the process stops right after the commit: the result, no answer yet
    await keys.update_one({"_id": _record_id(key)}, {"$set": {"state": "committed"},
                                                         "$unset": {"status": "", "headers": "", "body": ""}})
    again = await api.post(create["path"], json=body, headers=key)
    assert again.status_code == 201, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == created
    assert again.headers["ETag"] == first.headers["ETag"]
    assert await _count(create, body) == 1


async def test_requests_racing_with_one_key_make_one_change_and_share_its_answer(create: dict[str, Any]) -> None:
    api, body, key = create["api"], create["make"](_tag()), _key()
    alone = await api.post(create["path"], json=create["make"](_tag()))
    events_of_one_create = await _outbox(create, alone.json()["id"])
    answers = await asyncio.gather(*(api.post(create["path"], json=body, headers=key) for _ in range(6)))
    assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert sum(1 for a in answers if "Idempotent-Replayed" not in a.headers) == 1
    assert await _count(create, body) == 1
    assert await _outbox(create, answers[0].json()["id"]) == events_of_one_create


async def test_a_refused_request_leaves_the_key_free(create: dict[str, Any]) -> None:
    api, body, key = create["api"], create["make"](_tag()), _key()
    refused = await api.post(create["path"], json={**body, **create["refused"]}, headers=key)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert await _count(create, body) == 0
    corrected = await api.post(create["path"], json={**body, **create["refused"]}, headers=key)
    assert corrected.status_code == 422  # refused again, not replayed: nothing was kept
    fixed = await api.post(create["path"], json=body, headers=key)
    assert fixed.status_code == 201, fixed.text
    other = await api.post(create["path"], json={**body, create["field"]: f"Other {_tag()}"}, headers=key)
    assert other.status_code == 422 and "different request" in other.json()["detail"]
    assert await _count(create, body) == 1


async def test_a_request_that_loses_the_race_to_a_committed_key_replays_its_result(
        runtime_of: Any, mongo_db: Any, token: Any) -> None:
    """The route runs twice in one request: first its change meets the key another request committed a
    moment before (not yet answered), then it renders that request's result. The second run must get the
    body again (it waited for ever for a body already read)."""
    from civic.idempotency import IDEMPOTENCY, IdempotencyMiddleware, KeyAlreadyUsed, replayed_result
    from civic.middleware import BodyLimitMiddleware
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    db = await mongo_db("savings")
    verifier = (await runtime_of("savings")).verifier
    key = _key()
    runs: list[str] = []

    async def create(request: Request) -> JSONResponse:
        sent = await request.json()
        replay, result = replayed_result()
        if replay:
            runs.append("rendered the committed result")
            return JSONResponse(result, status_code=201)
        runs.append("lost the race")
        # what the winner left: its key and result committed, its answer not yet recorded
        first = (await db[IDEMPOTENCY].find_one({"_id": _record_id(key)})) is None
        assert first
        from civic.idempotency import _CLAIM
        claim = _CLAIM.get()
        assert claim is not None
        await db[IDEMPOTENCY].insert_one({**claim.record(), "result": {"id": "winner", **sent}})
        raise KeyAlreadyUsed(claim.record_id)

    app = BodyLimitMiddleware(IdempotencyMiddleware(Starlette(routes=[Route("/things", create, methods=["POST"])]),
                                                    database=lambda: db, verifier=lambda: verifier),
                              max_bytes=1024)
    headers = {**key, "Authorization": f"Bearer {token(['savings:write'], sub='test-officer')}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        answer = await asyncio.wait_for(client.post("/things", json={"name": "x"}, headers=headers), 10)
    assert answer.status_code == 201, answer.text
    assert answer.json() == {"id": "winner", "name": "x"}
    assert answer.headers["Idempotent-Replayed"] == "true"
    assert runs == ["lost the race", "rendered the committed result"]
