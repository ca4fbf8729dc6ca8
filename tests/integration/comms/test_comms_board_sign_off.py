"""The safeguarding board authorises its own media communications: its sign-off on a press release comes
from the board's decision (``safeguarding.decision.recorded`` naming ``authorises_content_id``), once
however often the event comes, and a comms caller cannot record it (403, nothing changes). A decision the
content cannot take records nothing and is handled all the same (a warning, never a dead letter)."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, date, datetime

import pytest
from civic_contracts import Envelope
from civic_contracts.safeguarding import DecisionRecorded

from tests.conftest import eventually

from .conftest import problem

pytestmark = pytest.mark.integration

BOARD = "safeguarding_board"
BOARD_NAME = "Northamptonshire Safeguarding Adults Board"
WHEN = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def envelope(data, at=WHEN):
    wrapped = Envelope.wrap(data, source="/civic/safeguarding")
    return wrapped.model_copy(update={"time": at})


def decided(content_id, *, outcome="agreed", decision_id=None):
    """The board's decision authorising the content: between meetings (agreed) or at a meeting by vote."""
    between = outcome == "agreed"
    return DecisionRecorded(
        decision_id=decision_id or f"d-{uuid.uuid4().hex[:8]}",
        board_id="sab",
        board_name=BOARD_NAME,
        meeting_id=None if between else f"m-{uuid.uuid4().hex[:8]}",
        item_title="Press release: annual report 2025/26",
        method="between_meetings" if between else "vote",
        outcome=outcome,
        decided_on=date(2026, 11, 24),
        requires_ratification=between,
        authorises_content_id=content_id,
    )


@pytest.fixture
def press_release(new_content, author, move):
    """Content in review that needs the board's sign-off (as comms drafts it from the annual report)."""

    async def make(**overrides):
        content = await new_content(
            channels=["press_release", "website"], audience=["residents", "media"], requires_approval_by=BOARD,
            **overrides,
        )
        assert (await move(author, content["id"], "in_review")).status_code == 200
        return (await author.get(f"/v1/content/{content['id']}")).json()

    return make


async def stored(db, content_id):
    return await db["content"].find_one({"_id": content_id})


def warnings_naming(caplog, decision_id, content_id):
    return [
        r for r in caplog.records
        if r.levelno == logging.WARNING and getattr(r, "decision_id", None) == decision_id
        and getattr(r, "content_id", None) == content_id
    ]


# --------------------------------------------------------------------------- a comms caller cannot


@pytest.mark.parametrize("body", [BOARD, f" {BOARD} "])
async def test_a_comms_caller_cannot_record_the_boards_sign_off(press_release, author, approver, db, outbox, body):
    release = await press_release()
    cid = release["id"]
    before = await stored(db, cid)
    for client in (author, approver):  # whatever the scopes: comms:approve does not stand in for the board
        for headers in ({}, {"If-Match": f'"{release["version"]}"'}):
            refused = problem(
                await client.post(
                    f"/v1/content/{cid}/sign-offs", json={"body": body, "signed_by": "Independent Chair"},
                    headers=headers,
                ),
                403,
            )
            assert "authorises_content_id" in refused["detail"]
            assert "POST /v1/boards/{board_id}/decisions" in refused["detail"]
            assert "POST /v1/meetings/{meeting_id}/items/{item_id}/decision" in refused["detail"]
    # nothing changed: the document (its version and updated_at with it), the ETag, the outbox
    assert await stored(db, cid) == before
    got = await author.get(f"/v1/content/{cid}")
    assert got.headers["etag"] == f'"{release["version"]}"' and got.json()["sign_offs"] == []
    assert await outbox(cid) == []


async def test_not_even_on_content_that_needs_no_sign_off(new_content, author, db):
    content = await new_content()
    before = await stored(db, content["id"])
    problem(
        await author.post(f"/v1/content/{content['id']}/sign-offs", json={"body": BOARD, "signed_by": "x"}), 403
    )
    assert await stored(db, content["id"]) == before


async def test_the_openapi_document_states_the_403(author):
    operation = (await author.get("/openapi.json")).json()["paths"]["/v1/content/{content_id}/sign-offs"]["post"]
    assert "403" in operation["responses"]


# --------------------------------------------------------------------------- the board's decision


async def test_the_boards_decision_records_its_sign_off_and_approval_follows(
    press_release, deliver, author, approver, move, outbox
):
    release = await press_release()
    cid = release["id"]
    refused = problem(await move(approver, cid, "approved"), 409)
    assert f"authorises_content_id: '{cid}'" in refused["detail"] and "sign-offs" not in refused["detail"]
    decision = decided(cid)
    assert await deliver("comms", envelope(decision)) == "applied"
    got = await author.get(f"/v1/content/{cid}")
    assert got.headers["etag"] == f'"{release["version"] + 1}"'
    [sign_off] = got.json()["sign_offs"]
    assert datetime.fromisoformat(sign_off.pop("signed_at")) == WHEN  # when the board's decision was recorded
    assert sign_off == {
        "body": BOARD,
        "signed_by": BOARD_NAME,
        "decision_id": decision.decision_id,
        "board_id": "sab",
        "decided_on": "2026-11-24",
    }
    assert await outbox(cid) == []  # a sign-off publishes nothing: approval does
    assert (await move(approver, cid, "approved")).status_code == 200
    assert (await move(approver, cid, "published")).status_code == 200
    assert await outbox(cid) == ["comms.content.approved", "comms.content.published"]


async def test_a_carried_vote_at_a_meeting_authorises_too(press_release, deliver, author):
    release = await press_release()
    assert await deliver("comms", envelope(decided(release["id"], outcome="carried"))) == "applied"
    [sign_off] = (await author.get(f"/v1/content/{release['id']}")).json()["sign_offs"]
    assert sign_off["body"] == BOARD


async def test_the_same_decision_again_changes_nothing(press_release, deliver, db):
    release = await press_release()
    decision = decided(release["id"])
    first = envelope(decision)
    assert await deliver("comms", first) == "applied"
    after_first = await stored(db, release["id"])
    assert after_first["version"] == release["version"] + 1
    assert await deliver("comms", first) == "duplicate"  # the inbox drops the same event id
    # the same decision in another envelope (an outbox replay under a new id): still one sign-off
    assert await deliver("comms", envelope(decision, at=datetime(2026, 11, 27, tzinfo=UTC))) == "applied"
    assert await stored(db, release["id"]) == after_first


async def test_a_decision_not_carried_records_nothing(press_release, deliver, approver, move, db):
    release = await press_release()
    before = await stored(db, release["id"])
    assert await deliver("comms", envelope(decided(release["id"], outcome="not_carried"))) == "applied"
    assert await stored(db, release["id"]) == before
    problem(await move(approver, release["id"], "approved"), 409)


async def test_a_decision_naming_no_content_changes_no_content(press_release, deliver, db):
    release = await press_release()
    before = await stored(db, release["id"])
    assert await deliver("comms", envelope(decided(None))) == "applied"
    assert await stored(db, release["id"]) == before


# --------------------------------------------------------------------------- what the content cannot take


async def test_unknown_content_is_a_warning_not_a_dead_letter(deliver, author, db, caplog):
    caplog.set_level(logging.INFO)
    missing = f"no-such-content-{uuid.uuid4().hex[:8]}"
    decision = decided(missing)
    wrapped = envelope(decision)
    assert await deliver("comms", wrapped) == "applied"
    assert await db["inbox"].find_one({"_id": wrapped.id})
    assert await db["dead_letters"].count_documents({"event_id": wrapped.id}) == 0
    assert await db["content"].count_documents({"_id": missing}) == 0
    assert warnings_naming(caplog, decision.decision_id, missing)


async def test_unknown_content_through_the_broker_is_handled_not_dead_lettered(stack, author, db):
    """Through the real broker and the comms consumer: the event is handled (the inbox has it) and no dead
    letter is written for it."""
    from aiokafka import AIOKafkaProducer

    missing = f"no-such-content-{uuid.uuid4().hex[:8]}"
    wrapped = envelope(decided(missing))
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap(), acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(
            "safeguarding.events.v1", wrapped.model_dump_json(exclude_none=True).encode(), key=wrapped.subject.encode()
        )
    finally:
        await producer.stop()

    async def handled():
        return await db["inbox"].find_one({"_id": wrapped.id})

    await eventually(handled, timeout=30)
    assert await db["dead_letters"].count_documents({"event_id": wrapped.id}) == 0


async def test_content_that_cannot_take_the_boards_sign_off_is_left_as_it_was(
    press_release, new_content, deliver, author, approver, move, db, caplog
):
    caplog.set_level(logging.INFO)
    needs_nothing = await new_content()
    needs_another = await new_content(requires_approval_by="monitoring_officer")
    signed = await press_release()
    first = decided(signed["id"])
    assert await deliver("comms", envelope(first)) == "applied"
    published = await press_release()
    assert await deliver("comms", envelope(decided(published["id"]))) == "applied"
    assert (await move(approver, published["id"], "approved")).status_code == 200
    assert (await move(approver, published["id"], "published")).status_code == 200
    for content in (needs_nothing, needs_another, signed, published):
        before = await stored(db, content["id"])
        decision = decided(content["id"])  # another decision than any recorded
        assert await deliver("comms", envelope(decision)) == "applied"
        assert await stored(db, content["id"]) == before, content["id"]
        assert warnings_naming(caplog, decision.decision_id, content["id"]), content["id"]
    [kept] = (await author.get(f"/v1/content/{signed['id']}")).json()["sign_offs"]
    assert kept["decision_id"] == first.decision_id
