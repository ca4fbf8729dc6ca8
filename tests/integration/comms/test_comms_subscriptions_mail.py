"""Subscriptions to topics against the real servers: the stack's MongoDB-wire server and its mail server
(aiosmtpd keeping what it receives in a Maildir). The app's own sender is not running here, so each test
sends by calling the sender as the background job would (one round per kind of email). Each test uses
addresses and topics of its own, so tests sharing the database and the mailbox do not meet.
"""

from __future__ import annotations

import email
import email.policy
import mailbox
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from civic.auth import Caller
from civic_comms.content import service as content_service
from civic_comms.issuing import service as issuing
from civic_comms.issuing.post import SmtpPost
from civic_comms.subscriptions import service as subscriptions

from tests.conftest import unique
from tests.integration.comms.conftest import problem, soon

pytestmark = pytest.mark.integration
LEASE = 60.0


@pytest.fixture
def post(stack: Any) -> SmtpPost:
    return SmtpPost(host="127.0.0.1", port=stack.config.mail_port, security="none",
                    sender="Council news <news@example.gov.uk>", timeout_seconds=10)


def an_address() -> str:
    return f"resident.{uuid.uuid4().hex[:10]}@example.gov.uk"


def mail_to(stack: Any, address: str) -> list[email.message.EmailMessage]:
    box = mailbox.Maildir(stack.mail_dir, factory=None, create=False)
    found = [email.message_from_bytes(box.get_bytes(k), policy=email.policy.default) for k in box.keys()]  # type: ignore[misc]
    return [m for m in found if address in str(m["To"])]


def token_in(message: email.message.EmailMessage) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    url = re.search(r"https://\S+", text)
    assert url, text
    return parse_qs(urlparse(url.group(0)).query)["token"][0]


async def send_all(rt: Any, post: SmtpPost, at: datetime | None = None) -> int:
    sent = 0
    for mailing in (subscriptions.CONFIRMATIONS, subscriptions.BULLETIN_MAIL):
        sent += await issuing.send_due(rt, post, lease_seconds=LEASE, mailing=mailing, at=at)
    return sent


async def a_campaign(author: Any) -> str:
    response = await author.post("/v1/campaigns", json={
        "title": unique("Recycling campaign"), "objectives": ["Recycle more"],
        "starts_on": "2026-01-01", "ends_on": "2026-12-31"})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def publish_bulletin(author: Any, approver: Any, campaign_id: str, title: str) -> str:
    response = await author.post("/v1/content", json={
        "title": title, "body": "Collections change from Monday.\n\nPut the bins out by 7am.",
        "channels": ["website", "email_bulletin"], "audience": ["residents"], "campaign_id": campaign_id})
    assert response.status_code == 201, response.text
    cid = response.json()["id"]
    for client, to in ((author, "in_review"), (approver, "approved"), (author, "published")):
        moved = await client.post(f"/v1/content/{cid}/transitions", json={"to": to})
        assert moved.status_code == 200, moved.text
    return str(cid)


async def subscribed(author: Any, rt: Any, stack: Any, post: SmtpPost, topic: str) -> str:
    """An address subscribed and confirmed through its email: the address."""
    address = an_address()
    asked = await author.post("/v1/subscriptions", json={"email": address, "topic": topic})
    assert asked.status_code == 200, asked.text
    await send_all(rt, post)
    [confirmation] = mail_to(stack, address)
    confirmed = await author.post("/v1/subscriptions/confirmation", json={"token": token_in(confirmation)})
    assert confirmed.status_code == 200, confirmed.text
    return address


async def test_subscribe_confirm_receive_a_bulletin_once_and_unsubscribe(
    author: Any, approver: Any, reader: Any, service_runtime: Any, stack: Any, post: SmtpPost, db: Any,
    outbox: Any,
) -> None:
    rt = await service_runtime("comms")
    campaign = await a_campaign(author)
    topic = f"campaign:{campaign}"
    address = an_address()

    asked = await author.post("/v1/subscriptions", json={"email": address, "topic": topic})
    assert asked.status_code == 200, asked.text
    assert address not in asked.text and set(asked.json()) == {"topic", "detail"}
    counts = (await reader.get("/v1/subscription-topics", params={"topic": topic})).json()["items"]
    assert counts == [{"topic": topic, "pending": 1, "confirmed": 0, "unsubscribed": 0}]
    assert await send_all(rt, post) >= 1
    [confirmation] = mail_to(stack, address)
    assert confirmation["Subject"].startswith("Confirm your subscription")
    token = token_in(confirmation)
    stored = await db["topic_subscriptions"].find_one({"topic": topic})
    assert token not in str(stored)  # only its hash is kept

    confirmed = await author.post("/v1/subscriptions/confirmation", json={"token": token})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json() == {"topic": topic, "status": "confirmed"}

    # subscribing again once confirmed: the same answer, nothing new sent
    again = await author.post("/v1/subscriptions", json={"email": address.upper(), "topic": topic})
    assert again.status_code == 200 and again.json() == asked.json()
    await send_all(rt, post)
    assert len(mail_to(stack, address)) == 1

    cid = await publish_bulletin(author, approver, campaign, unique("Bin collections"))
    bulletin = (await reader.get(f"/v1/bulletins/content-{cid}")).json()
    assert bulletin["topic"] == topic and bulletin["deliveries"] == 1
    assert bulletin["delivery_counts"]["pending"] == 1
    assert await outbox(f"content-{cid}") == ["comms.bulletin.issued"]
    event = await db["outbox"].find_one({"key": f"content-{cid}"})
    assert address not in str(event)

    assert await send_all(rt, post) == 1
    assert await send_all(rt, post) == 0  # sent once
    letters = [m for m in mail_to(stack, address) if str(m["Message-ID"]).startswith(f"<bulletin.content-{cid}.")]
    assert len(letters) == 1
    letter = letters[0]
    unsubscribe_url = str(letter["List-Unsubscribe"]).strip("<>")
    assert unsubscribe_url.startswith("https://")
    assert letter["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    deliveries = (await reader.get(f"/v1/bulletins/content-{cid}/deliveries")).json()["items"]
    assert [d["status"] for d in deliveries] == ["sent"] and address not in str(deliveries)

    unsubscribe_token = parse_qs(urlparse(unsubscribe_url).query)["token"][0]
    for _ in range(2):  # idempotent
        gone = await author.post("/v1/subscriptions/unsubscribe", json={"token": unsubscribe_token})
        assert gone.status_code == 200, gone.text
        assert gone.json() == {"topic": topic, "status": "unsubscribed"}

    # the next bulletin does not go to them
    second = await publish_bulletin(author, approver, campaign, unique("Garden waste"))
    assert (await reader.get(f"/v1/bulletins/content-{second}")).json()["deliveries"] == 0
    await send_all(rt, post)
    assert not [m for m in mail_to(stack, address) if f"content-{second}" in str(m["Message-ID"])]


async def test_a_scheduled_bulletin_goes_when_published_by_the_scheduler(
    author: Any, approver: Any, reader: Any, service_runtime: Any, stack: Any, post: SmtpPost,
) -> None:
    rt = await service_runtime("comms")
    campaign = await a_campaign(author)
    address = await subscribed(author, rt, stack, post, f"campaign:{campaign}")
    response = await author.post("/v1/content", json={
        "title": unique("Scheduled news"), "body": "News.", "channels": ["email_bulletin"],
        "audience": ["residents"], "campaign_id": campaign})
    cid = response.json()["id"]
    for client, to in ((author, "in_review"), (approver, "approved")):
        assert (await client.post(f"/v1/content/{cid}/transitions", json={"to": to})).status_code == 200
    scheduled = await author.post(f"/v1/content/{cid}/transitions",
                                  json={"to": "scheduled", "publish_at": soon(days=1)})
    assert scheduled.status_code == 200, scheduled.text
    problem(await reader.get(f"/v1/bulletins/content-{cid}"), 404)
    later = datetime.now(UTC) + timedelta(days=2)  # the scheduler's round, run as that moment
    await content_service.publish_due(rt, at=later)
    assert (await reader.get(f"/v1/bulletins/content-{cid}")).json()["deliveries"] == 1
    await send_all(rt, post, at=later)
    assert len([m for m in mail_to(stack, address) if f"content-{cid}" in str(m["Message-ID"])]) == 1


async def test_a_published_outcome_goes_to_the_consultations_subscribers(
    author: Any, approver: Any, reader: Any, service_runtime: Any, stack: Any, post: SmtpPost,
    new_consultation: Any, outbox: Any,
) -> None:
    rt = await service_runtime("comms")
    k = await new_consultation()
    address = await subscribed(author, rt, stack, post, f"consultation:{k['id']}")
    assert (await author.post(f"/v1/consultations/{k['id']}/close")).status_code == 200
    recorded = await author.post(f"/v1/consultations/{k['id']}/outcome",
                                 json={"we_did": "Cabinet adopted the plan.", "decided_by": "Cabinet"})
    assert recorded.status_code == 201, recorded.text
    published = await approver.post(f"/v1/consultation-outcomes/{k['id']}/publication")
    assert published.status_code == 200, published.text
    assert await outbox(f"outcome-{k['id']}") == ["comms.bulletin.issued"]
    assert await send_all(rt, post) == 1
    [letter] = [m for m in mail_to(stack, address) if f"outcome-{k['id']}" in str(m["Message-ID"])]
    assert letter["Subject"] == f"Consultation outcome: {k['title']}"
    assert "We did: Cabinet adopted the plan." in letter.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert letter["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


async def test_a_fourth_request_within_a_day_sends_nothing_and_changes_nothing(
    author: Any, service_runtime: Any, stack: Any, post: SmtpPost, db: Any, outbox: Any,
) -> None:
    rt = await service_runtime("comms")
    topic = f"campaign:{await a_campaign(author)}"
    address = an_address()
    answers = [await author.post("/v1/subscriptions", json={"email": address, "topic": topic}) for _ in range(3)]
    assert [a.status_code for a in answers] == [200] * 3, answers[0].text
    stored = await db["topic_subscriptions"].find_one({"topic": topic})
    mail = {"subscription_id": stored["_id"]}
    assert await db["subscription_confirmations"].count_documents(mail) == 3

    # the fourth (in another case): the same answer, but no email queued and the subscription as it was
    fourth = await author.post("/v1/subscriptions", json={"email": address.upper(), "topic": topic})
    assert fourth.status_code == 200 and fourth.json() == answers[0].json()
    assert await db["topic_subscriptions"].find_one({"topic": topic}) == stored
    assert await db["subscription_confirmations"].count_documents(mail) == 3
    assert await outbox(stored["_id"]) == []
    await send_all(rt, post)
    assert len(mail_to(stack, address)) == 3

    # a day later (the request made as that moment) the earlier emails no longer count: one more goes
    later = datetime.now(UTC) + timedelta(hours=24, minutes=1)
    officer = Caller(sub="test-officer", scopes=frozenset({"comms:read", "comms:write"}))
    again = await subscriptions.request_subscription(rt, address, topic, officer, at=later)
    assert again == answers[0].json()
    assert await db["subscription_confirmations"].count_documents(mail) == 4
    assert await send_all(rt, post, at=later) == 1
    assert len(mail_to(stack, address)) == 4
    assert (await db["topic_subscriptions"].find_one({"topic": topic}))["status"] == "pending"


# --- refusals: the problem, and nothing changed ------------------------------------------------------


async def _state(db: Any) -> tuple[Any, ...]:
    return (await db["topic_subscriptions"].find({}, {"_id": 1, "version": 1, "status": 1}).sort("_id").to_list(),
            await db["subscription_confirmations"].count_documents({}))


async def test_a_topic_naming_nothing_is_refused_and_nothing_stored(author: Any, db: Any) -> None:
    before = await _state(db)
    for topic in ("campaign:nope", "consultation:nope"):
        body = problem(await author.post("/v1/subscriptions", json={"email": an_address(), "topic": topic}), 422)
        assert [e["field"] for e in body["errors"]] == ["topic"]
    body = problem(await author.post("/v1/subscriptions", json={"email": an_address(), "topic": "survey:x"}), 422)
    assert await _state(db) == before


async def test_a_malformed_address_is_refused_without_repeating_it(author: Any, db: Any) -> None:
    campaign = await a_campaign(author)
    before = await _state(db)
    body = problem(await author.post("/v1/subscriptions", json={"email": "not an address", "topic":
                                                                f"campaign:{campaign}"}), 422)
    assert "not an address" not in str(body.get("detail"))
    assert await _state(db) == before


async def test_unknown_used_and_expired_tokens_are_gone_and_nothing_changes(
    author: Any, service_runtime: Any, stack: Any, post: SmtpPost, db: Any,
) -> None:
    rt = await service_runtime("comms")
    campaign = await a_campaign(author)
    topic = f"campaign:{campaign}"
    before = await _state(db)
    for route in ("confirmation", "unsubscribe"):
        body = problem(await author.post(f"/v1/subscriptions/{route}", json={"token": "x" * 43}), 410)
        assert "not valid" in body["detail"] and [e["field"] for e in body["errors"]] == ["token"]
    assert await _state(db) == before

    # used: the second confirmation with the same token
    address = an_address()
    await author.post("/v1/subscriptions", json={"email": address, "topic": topic})
    await send_all(rt, post)
    token = token_in(mail_to(stack, address)[0])
    assert (await author.post("/v1/subscriptions/confirmation", json={"token": token})).status_code == 200
    before = await _state(db)
    problem(await author.post("/v1/subscriptions/confirmation", json={"token": token}), 410)
    assert await _state(db) == before

    # expired: a link older than seven days (its expiry moved back, as the clock would)
    late = an_address()
    await author.post("/v1/subscriptions", json={"email": late, "topic": topic})
    await send_all(rt, post)
    late_token = token_in(mail_to(stack, late)[0])
    await db["topic_subscriptions"].update_one(
        {"topic": topic, "status": "pending"},
        {"$set": {"tokens.$[].expires_at": datetime.now(UTC) - timedelta(seconds=1)}})
    before = await _state(db)
    problem(await author.post("/v1/subscriptions/confirmation", json={"token": late_token}), 410)
    assert await _state(db) == before
    assert (await db["topic_subscriptions"].find_one({"topic": topic, "status": "pending"})) is not None


async def test_addresses_are_listed_only_to_comms_approve(author: Any, approver: Any, reader: Any, db: Any) -> None:
    campaign = await a_campaign(author)
    topic = f"campaign:{campaign}"
    address = an_address()
    await author.post("/v1/subscriptions", json={"email": address, "topic": topic})
    body = problem(await reader.get("/v1/subscriptions", params={"topic": topic}), 403)
    assert body["required_scope"] == "comms:approve"
    listed = (await approver.get("/v1/subscriptions", params={"topic": topic})).json()["items"]
    assert [s["email"] for s in listed] == [address] and "unsubscribe_token" not in listed[0]
    assert "tokens" not in listed[0]
    counts = (await reader.get("/v1/subscription-topics", params={"topic": topic})).text
    assert address not in counts
