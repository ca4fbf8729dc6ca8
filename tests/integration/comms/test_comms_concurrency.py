"""Many changes to one record at the same moment: each is retried past the write conflict, none
answers 503, and the record ends up as if they had been made one after another."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import edited_at_once

from .conftest import unique

pytestmark = pytest.mark.integration

WRITERS = 16


async def test_concurrent_edits_of_one_draft_all_land(new_content, author, db):
    created = await new_content()
    url = f"/v1/content/{created['id']}"
    titles = [unique(f"Edit {i}") for i in range(WRITERS)]
    # no If-Match: each edit applies to whatever version it finds, so every one must succeed
    stored, last = await edited_at_once(author, url, [{"title": t} for t in titles], db, "content")
    assert stored["title"] == last["title"] and stored["title"] in titles


async def test_concurrent_workflow_steps_on_one_item_settle_into_one_winner(new_content, author, move, outbox):
    created = await new_content()
    # only one submission can move a draft to review; the others find it already there (409), never 503
    responses = await asyncio.gather(*(move(author, created["id"], "in_review") for _ in range(8)))
    statuses = sorted(r.status_code for r in responses)
    assert 503 not in statuses, [r.text for r in responses if r.status_code == 503][:1]
    assert statuses == [200] + [409] * 7, [r.text for r in responses]
    stored = (await author.get(f"/v1/content/{created['id']}")).json()
    assert stored["status"] == "in_review" and stored["version"] == 2


async def test_concurrent_champions_for_one_new_service_register_it_once(author, db):
    service = unique("Concurrent Libraries")
    responses = await asyncio.gather(
        *(
            author.post("/v1/champions", json={"name": f"Champion {i}", "service": service,
                                               "directorate": "Communities"})
            for i in range(8)
        )
    )
    statuses = [r.status_code for r in responses]
    assert 503 not in statuses, [r.text for r in responses if r.status_code == 503][:1]
    assert statuses == [201] * 8, [r.text for r in responses if r.status_code != 201][:1]
    assert await db["council_services"].count_documents({"name": service}) == 1
    assert await db["champions"].count_documents({"service": service}) == 8
