"""A service process stopped between committing a keyed change and answering it.

The client sees its connection drop and retries with the same Idempotency-Key, to another process of
the service: it must get the committed result (201, the same initiative, Idempotent-Replayed), and
nothing is created twice.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from civic.auth import ALL_SCOPES
from civic.cli.stack import Stack, free_port
from pymongo import AsyncMongoClient

pytestmark = pytest.mark.e2e


async def test_a_key_committed_by_a_process_that_died_before_answering_replays_the_result(restored: Stack) -> None:
    platform = restored
    port = free_port()
    env = {**platform.service_env("savings"), "CIVIC_HTTP_PORT": str(port),
           "CIVIC_FAILPOINT": "exit-after-idempotent-commit"}
    doomed = platform._serve("savings-doomed", "savings", port, env)
    try:
        platform.wait_ready("savings-doomed")
        headers = {"Authorization": f"Bearer {platform.token(ALL_SCOPES, sub='crash-officer')}",
                   "Idempotency-Key": f"crash-{uuid.uuid4().hex}"}
        title = f"Committed then crashed {uuid.uuid4().hex[:8]}"
        body = {"title": title, "directorate": "Resources", "theme": "process_policy", "category": "transformation",
                "profile": [{"year": "2030/31", "planned_pence": 1_000_000}]}
        async with httpx.AsyncClient(timeout=30, headers=headers) as client:
            with pytest.raises(httpx.TransportError):
                await client.post(f"{doomed.url}/v1/initiatives", json=body)
            assert platform.processes["savings-doomed"].wait(timeout=30) == 70  # stopped by the failpoint

            retried = await client.post(f"{platform.service_url('savings')}/v1/initiatives", json=body)
            assert retried.status_code == 201, retried.text
            assert retried.headers["Idempotent-Replayed"] == "true"
            created = retried.json()
            assert created["title"] == title and created["version"] == 1
            assert retried.headers["ETag"] == '"1"'

            again = await client.post(f"{platform.service_url('savings')}/v1/initiatives", json=body)
            assert again.status_code == 201 and again.json() == created

        mongo: AsyncMongoClient[Any] = AsyncMongoClient(platform.mongodb_url("savings"), tz_aware=True)
        try:
            db = mongo["civic_savings"]
            stored = await db["initiatives"].find({"title": title}).to_list()
            assert [doc["_id"] for doc in stored] == [created["id"]]
            assert await db["outbox"].count_documents({"key": created["id"]}) == 1  # its one proposed event
        finally:
            await mongo.close()
    finally:
        if platform.components["savings-doomed"].alive():
            platform.stop_component("savings-doomed")
