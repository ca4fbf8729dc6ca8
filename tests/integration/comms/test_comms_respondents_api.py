"""Who responded, over HTTP: the respondent type with the answers; equality monitoring and consent to be
contacted stored apart, never in the responses' list or export, reported only in aggregate (small numbers
suppressed), and the contact list only to comms:approve."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from .conftest import problem

pytestmark = pytest.mark.integration

EMAIL = "respondent.{}@example.com"


def _response(i: int) -> dict[str, Any]:
    """Eight residents (six women, two men), two businesses; every other one agreeing to be contacted."""
    body: dict[str, Any] = {
        "answers": {"vision": "agree"},
        "respondent_type": "business" if i >= 8 else "resident",
        "monitoring": {"sex": "female" if i < 6 else "male", "age_band": "35_44", "ethnicity": "white"},
    }
    if i % 2 == 0:
        body.update(consent_to_contact=True, contact_email=EMAIL.format(i))
    return body


async def _answered(new_consultation: Any, author: Any) -> dict[str, Any]:
    k = await new_consultation()
    for i in range(10):
        response = await author.post(f"/v1/consultations/{k['id']}/responses", json=_response(i))
        assert response.status_code == 201, response.text
        assert response.json()["respondent_type"] in ("resident", "business")
        # the answer to the response carries no monitoring answer or address either
        assert not {"monitoring", "contact_email", "consent_to_contact"} & set(response.json())
    return dict(k)


async def test_monitoring_and_contacts_are_stored_apart_and_never_exported(new_consultation, author, db):
    k = await _answered(new_consultation, author)
    stored = await db["responses"].find({"consultation_id": k["id"]}).to_list()
    assert len(stored) == 10
    assert all(not {"monitoring", "contact_email", "consent_to_contact"} & set(r) for r in stored)
    details = await db["respondent_details"].find({"consultation_id": k["id"]}).to_list()
    assert {d["_id"] for d in details} == {r["_id"] for r in stored}  # keyed by the response id

    export = await author.get(f"/v1/consultations/{k['id']}/responses.csv")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert list(rows[0]) == ["response_id", "received_at", "channel", "vision", "priority",
                             "heard", "place", "comments", "respondent_type"]
    assert sorted(r["respondent_type"] for r in rows) == ["business"] * 2 + ["resident"] * 8
    listed = (await author.get(f"/v1/consultations/{k['id']}/responses", params={"limit": 500})).json()["items"]
    for text in (export.text, str(listed)):
        assert "@example.com" not in text
        assert not any(word in text for word in ("female", "35_44", "white", "monitoring", "consent"))


async def test_monitoring_is_reported_in_aggregate_with_small_numbers_suppressed(new_consultation, author, reader):
    k = await _answered(new_consultation, author)
    report = (await reader.get(f"/v1/consultations/{k['id']}/equality-monitoring")).json()
    assert report["responses"] == 10 and report["suppressed_below"] == 5
    sex = {c["value"]: c["count"] for c in report["questions"]["sex"]}
    # six women shown; two men, none preferring not to say, none not answering: fewer than 5
    assert sex == {"female": 6, "male": "fewer than 5", "prefer_not_to_say": "fewer than 5",
                   "not_answered": "fewer than 5"}
    age = {c["value"]: c["count"] for c in report["questions"]["age_band"]}
    assert age["35_44"] == 10 and age["18_24"] == "fewer than 5"
    disability = {c["value"]: c["count"] for c in report["questions"]["disability"]}
    assert disability["not_answered"] == 10


async def test_the_contact_list_is_for_comms_approve_only(new_consultation, author, writer, reader):
    k = await _answered(new_consultation, author)
    url = f"/v1/consultations/{k['id']}/contacts"
    for client in (writer, reader):
        assert problem(await client.get(url), 403)["required_scope"] == "comms:approve"
    contacts = (await author.get(url, params={"limit": 500})).json()["items"]
    assert sorted(c["contact_email"] for c in contacts) == sorted(EMAIL.format(i) for i in range(0, 10, 2))
    assert set(contacts[0]) == {"response_id", "contact_email"}
    problem(await author.get("/v1/consultations/nope/contacts"), 404)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"contact_email": "a@example.com"}, "contact_email"),  # an address without consent
        ({"consent_to_contact": True}, "contact_email"),  # consent with no address
        ({"consent_to_contact": True, "contact_email": "not an address"}, "contact_email"),
        ({"monitoring": {"sex": "unknown"}}, "monitoring.sex"),
        ({"respondent_type": "tourist"}, "respondent_type"),
    ],
)
async def test_details_that_do_not_fit_are_422_and_nothing_is_stored(new_consultation, author, db, extra, field):
    k = await new_consultation()
    body = problem(await author.post(f"/v1/consultations/{k['id']}/responses",
                                     json={"answers": {"vision": "agree"}, **extra}), 422)
    assert any(field in str(e.get("field") or e.get("loc")) for e in body.get("errors", [])), body
    assert await db["responses"].count_documents({"consultation_id": k["id"]}) == 0
    assert await db["respondent_details"].count_documents({"consultation_id": k["id"]}) == 0
    assert (await author.get(f"/v1/consultations/{k['id']}")).json()["responses"] == 0


async def test_paper_responses_carry_them_too_all_or_none(new_consultation, author, db):
    k = await new_consultation()
    rows = [{**_response(i), "channel": "paper"} for i in range(3)]
    bad = [*rows, {"answers": {"vision": "agree"}, "contact_email": "x@example.com"}]
    body = problem(await author.post(f"/v1/consultations/{k['id']}/responses/bulk", json={"responses": bad}), 422)
    assert body["errors"][0]["field"] == "responses.3.contact_email"
    assert await db["respondent_details"].count_documents({"consultation_id": k["id"]}) == 0
    accepted = await author.post(f"/v1/consultations/{k['id']}/responses/bulk", json={"responses": rows})
    assert accepted.status_code == 201, accepted.text
    assert await db["respondent_details"].count_documents({"consultation_id": k["id"]}) == 3
    stored = await db["responses"].find({"consultation_id": k["id"]}).to_list()
    assert {r["respondent_type"] for r in stored} == {"resident"}
