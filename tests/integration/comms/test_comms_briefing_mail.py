"""The councillor briefing issued and sent, against the real servers: the stack's MongoDB-wire server and
its mail server (aiosmtpd, a separate process keeping what it receives in a Maildir).

The app's own sender is not running here (no SMTP server in its environment), so each test sends by
calling the sender as the background job would, with the stack's mail server as its post. Each test
approves a week of its own (weeks in the past, one per test) so that tests sharing the database do not
meet; subscribers are shared, so a test counts the deliveries of its own week.
"""

from __future__ import annotations

import email
import email.policy
import mailbox
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest
from civic_comms.issuing import service as issuing
from civic_comms.issuing.post import SmtpPost

from tests.conftest import unique
from tests.integration.comms.conftest import problem

LEASE = 60.0
_weeks: Iterator[int] = count(1)


def a_week() -> str:
    """A week of this test's own: 2019-W01, 2019-W02, ... (each test module run once per session)."""
    return f"2019-W{next(_weeks):02d}"


@pytest.fixture
def post(stack: Any) -> SmtpPost:
    return SmtpPost(host="127.0.0.1", port=stack.config.mail_port, security="none",
                    sender="Councillor briefing <briefing@example.gov.uk>", timeout_seconds=10)


def received(stack: Any) -> list[email.message.EmailMessage]:
    box = mailbox.Maildir(stack.mail_dir, factory=None, create=False)
    return [email.message_from_bytes(box.get_bytes(k), policy=email.policy.default) for k in box.keys()]  # type: ignore[misc]


def arrived(stack: Any, week: str) -> dict[str, int]:
    """How many times each Message-ID of the week's briefing is in the mailbox."""
    found: dict[str, int] = {}
    for message in received(stack):
        message_id = str(message["Message-ID"] or "")
        if message_id.startswith(f"<briefing.{week}."):
            found[message_id] = found.get(message_id, 0) + 1
    return found


async def subscribe(author: Any, name: str | None = None) -> dict[str, Any]:
    who = name or unique("Cllr Test")
    response = await author.post("/v1/briefing-subscribers", json={
        "name": who, "email": f"{who.lower().replace(' ', '.')}@example.gov.uk"})
    assert response.status_code == 201, response.text
    return dict(response.json())


async def deliveries(client: Any, week: str) -> list[dict[str, Any]]:
    response = await client.get(f"/v1/briefings/{week}/deliveries", params={"limit": 500})
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_each_subscriber_receives_the_approved_briefing_once(
    author: Any, approver: Any, reader: Any, service_runtime: Any, stack: Any, post: SmtpPost, outbox: Any,
) -> None:
    first, second = await subscribe(author), await subscribe(author)
    week = a_week()
    approved = await approver.post(f"/v1/briefings/{week}/approval", json={})
    assert approved.status_code == 201, approved.text
    assert approved.json()["status"] == "approved" and approved.json()["approved_by"] == "ben-head-of-comms"
    # default time: Friday 16:00 London time of that week (2019-W01: Friday 4 January, GMT)
    if week == "2019-W01":
        assert approved.json()["send_at"].startswith("2019-01-04T16:00")

    rt = await service_runtime("comms")
    await issuing.issue_due(rt)  # the scheduler's step: its time has long passed
    issue = (await reader.get(f"/v1/briefings/{week}/issue")).json()
    assert issue["status"] == "issued" and issue["deliveries"] >= 2
    assert issue["delivery_counts"]["pending"] == issue["deliveries"]
    assert await outbox(week) == ["comms.briefing.issued"]
    mine = {d["subscriber_id"]: d for d in await deliveries(reader, week)}
    assert {first["id"], second["id"]} <= set(mine)

    sent = await issuing.send_due(rt, post, lease_seconds=LEASE)
    assert sent >= 2
    everyone = await deliveries(reader, week)
    assert {d["status"] for d in everyone} == {"sent"}
    assert all(d["attempts"] == 1 and d["smtp_answer"] for d in everyone)  # the server's acceptance
    assert arrived(stack, week) == {f"<briefing.{d['id']}@example.gov.uk>": 1 for d in everyone}

    # a second round, and the scheduler again: nothing more is sent or issued
    assert await issuing.send_due(rt, post, lease_seconds=LEASE) == 0
    assert await issuing.issue_due(rt) == 0
    assert arrived(stack, week) == {f"<briefing.{d['id']}@example.gov.uk>": 1 for d in everyone}

    message = next(m for m in received(stack) if m["Message-ID"] == f"<briefing.{week}.{first['id']}@example.gov.uk>")
    assert message["Subject"] == f"Councillor briefing, week {week}"
    assert first["email"] in str(message["To"])
    assert message.get_body(preferencelist=("plain",)) is not None
    assert message.get_body(preferencelist=("html",)) is not None


async def test_a_send_that_fails_is_retried_and_arrives_once(
    author: Any, approver: Any, reader: Any, service_runtime: Any, stack: Any, post: SmtpPost,
) -> None:
    await subscribe(author)
    week = a_week()
    assert (await approver.post(f"/v1/briefings/{week}/approval", json={})).status_code == 201
    issued = await approver.post(f"/v1/briefings/{week}/issue")
    assert issued.status_code == 200, issued.text
    rt = await service_runtime("comms")

    stack.stop_component("mail")
    try:
        moment = datetime.now(UTC)
        assert await issuing.send_due(rt, post, lease_seconds=LEASE, at=moment) == 0
        waiting = await deliveries(reader, week)
        assert {d["status"] for d in waiting} == {"pending"}
        assert all(d["attempts"] == 1 and d["last_error"] for d in waiting)
        # the wait after the first failure has not passed: nothing is tried yet
        assert await issuing.send_due(rt, post, lease_seconds=LEASE, at=moment + timedelta(seconds=1)) == 0
        assert all(d["attempts"] == 1 for d in await deliveries(reader, week))
    finally:
        stack.start_mail()

    later = datetime.now(UTC) + timedelta(minutes=5)
    assert await issuing.send_due(rt, post, lease_seconds=LEASE, at=later) == len(waiting)
    done = await deliveries(reader, week)
    assert {d["status"] for d in done} == {"sent"} and all(d["attempts"] == 2 for d in done)
    assert arrived(stack, week) == {f"<briefing.{d['id']}@example.gov.uk>": 1 for d in done}


async def test_a_delivery_left_sending_is_sent_once_its_lease_has_passed(
    author: Any, approver: Any, reader: Any, service_runtime: Any, stack: Any, post: SmtpPost, db: Any,
) -> None:
    await subscribe(author)
    week = a_week()
    assert (await approver.post(f"/v1/briefings/{week}/approval", json={})).status_code == 201
    assert (await approver.post(f"/v1/briefings/{week}/issue")).status_code == 200
    rt = await service_runtime("comms")
    # a sender claims every delivery of the week and dies before sending (no outcome written)
    moment = datetime.now(UTC)
    mine = await deliveries(reader, week)

    async def claim_all(uow: Any) -> None:
        await uow.db["briefing_deliveries"].update_many(
            {"week": week},
            {"$set": {"status": "sending", "claim": "dead", "lease_until": moment + timedelta(seconds=LEASE)},
             "$inc": {"attempts": 1}},
            session=uow.session)

    await rt.transaction(claim_all)
    # within the lease nobody else takes them
    assert await issuing.send_due(rt, post, lease_seconds=LEASE, at=moment + timedelta(seconds=LEASE / 2)) == 0
    assert arrived(stack, week) == {}
    # past it, they are sent: once
    sent = await issuing.send_due(rt, post, lease_seconds=LEASE, at=moment + timedelta(seconds=LEASE + 1))
    assert sent == len(mine)
    assert arrived(stack, week) == {f"<briefing.{d['id']}@example.gov.uk>": 1 for d in mine}
    assert {d["status"] for d in await deliveries(reader, week)} == {"sent"}


async def test_unsubscribing_withdraws_what_was_not_sent(
    author: Any, approver: Any, reader: Any, service_runtime: Any, stack: Any, post: SmtpPost,
) -> None:
    leaving = await subscribe(author)
    week = a_week()
    assert (await approver.post(f"/v1/briefings/{week}/approval", json={})).status_code == 201
    assert (await approver.post(f"/v1/briefings/{week}/issue")).status_code == 200
    gone = await author.delete(f"/v1/briefing-subscribers/{leaving['id']}")
    assert gone.status_code == 204
    listed = (await reader.get("/v1/briefing-subscribers", params={"limit": 500})).json()["items"]
    assert leaving["id"] not in {s["id"] for s in listed}
    theirs = [d for d in await deliveries(reader, week) if d["subscriber_id"] == leaving["id"]]
    assert [d["status"] for d in theirs] == ["withdrawn"]
    await issuing.send_due(await service_runtime("comms"), post, lease_seconds=LEASE)
    assert f"<briefing.{week}.{leaving['id']}@example.gov.uk>" not in arrived(stack, week)


# --- refusals: the problem, and nothing changed ------------------------------------------------------


async def test_issuing_an_unapproved_briefing_is_refused(approver: Any, reader: Any, db: Any, outbox: Any) -> None:
    week = a_week()
    body = problem(await approver.post(f"/v1/briefings/{week}/issue"), 409)
    assert "not approved" in body["detail"]
    assert await db["briefing_issues"].find_one({"_id": week}) is None
    assert await db["briefing_deliveries"].count_documents({"week": week}) == 0
    assert await outbox(week) == []
    problem(await reader.get(f"/v1/briefings/{week}/issue"), 404)


async def test_approving_twice_is_refused_and_changes_nothing(approver: Any, author: Any, db: Any) -> None:
    week = a_week()
    first = await approver.post(f"/v1/briefings/{week}/approval", json={"send_at": "2030-01-01T09:00:00Z"})
    assert first.status_code == 201
    before = await db["briefing_issues"].find_one({"_id": week})
    problem(await author.post(f"/v1/briefings/{week}/approval", json={"send_at": "2019-01-01T09:00:00Z"}), 409)
    assert await db["briefing_issues"].find_one({"_id": week}) == before


async def test_issuing_twice_is_refused_and_changes_nothing(approver: Any, db: Any, outbox: Any) -> None:
    week = a_week()
    assert (await approver.post(f"/v1/briefings/{week}/approval", json={})).status_code == 201
    assert (await approver.post(f"/v1/briefings/{week}/issue")).status_code == 200
    before = (await db["briefing_issues"].find_one({"_id": week}),
              await db["briefing_deliveries"].count_documents({"week": week}))
    problem(await approver.post(f"/v1/briefings/{week}/issue"), 409)
    assert (await db["briefing_issues"].find_one({"_id": week}),
            await db["briefing_deliveries"].count_documents({"week": week})) == before
    assert await outbox(week) == ["comms.briefing.issued"]


async def test_approving_without_the_approve_scope_is_refused(writer: Any, db: Any) -> None:
    week = a_week()
    problem(await writer.post(f"/v1/briefings/{week}/approval", json={}), 403)
    assert await db["briefing_issues"].find_one({"_id": week}) is None


async def test_approving_a_week_not_begun_is_refused(approver: Any, db: Any) -> None:
    week = "2099-W10"
    problem(await approver.post(f"/v1/briefings/{week}/approval", json={}), 409)
    assert await db["briefing_issues"].find_one({"_id": week}) is None


@pytest.mark.parametrize("address", ["not-an-address", "two@@example.gov.uk", "cllr@example", " cllr@example.gov.uk"])
async def test_a_malformed_email_is_refused_and_nothing_is_stored(author: Any, db: Any, address: str) -> None:
    name = unique("Cllr Malformed")
    body = problem(await author.post("/v1/briefing-subscribers", json={"name": name, "email": address}), 422)
    assert any(e["field"] == "email" for e in body["errors"])
    assert await db["briefing_subscribers"].find_one({"name": name}) is None


async def test_an_address_subscribed_twice_is_refused(author: Any, db: Any) -> None:
    first = await subscribe(author)
    again = {"name": unique("Cllr Again"), "email": first["email"].upper()}
    body = problem(await author.post("/v1/briefing-subscribers", json=again), 409)
    assert body["subscriber_id"] == first["id"] and first["email"] not in body["detail"]
    assert await db["briefing_subscribers"].count_documents({"email_key": first["email"].lower()}) == 1


async def test_removing_a_subscriber_who_is_not_there_is_not_found(author: Any) -> None:
    problem(await author.delete("/v1/briefing-subscribers/no-such-subscriber"), 404)
