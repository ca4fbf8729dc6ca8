"""Authorisation on every route of every service, called directly (not through the gateway).

The routes come from each app's own route table, checked against its OpenAPI both ways, so a route
added tomorrow is in the matrix without anyone listing it. For each route: no token -> 401, a token
with no scopes or with every scope but the one the route needs -> 403, each as problem details; the
route's own scope -> past authorisation (neither 401 nor 403). Forged, expired, mis-addressed and
unsigned tokens -> 401. Confidential SAR details never reach a caller without
``safeguarding:confidential`` (on any GET route, in a replayed response), nor an event or a log line.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
import uuid
from typing import Any

import httpx
import jwt
import pytest
from civic.auth import ALL_SCOPES, LocalSigningKey
from civic.problems import required_scopes, route_contexts
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .conftest import SERVICES, assert_problem, build_world, quiesce

pytestmark = [pytest.mark.integration, pytest.mark.security]

#: the only routes open without a token: liveness, readiness and metrics (Prometheus scrapes them)
OPEN_ROUTES = {("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/metrics")}
#: routes whose answer asks more than the route's scope (the rule above): with the route's scope alone they
#: refuse with 403 naming the narrower one; with it, they answer
NARROWER = {("comms", "GET", "/v1/subscriptions"): "comms:approve"}  # subscribers' addresses
#: the OpenAPI document and its docs, served by FastAPI itself (not in the route table), open too
DOCUMENTS = {("GET", "/openapi.json"), ("GET", "/docs")}
BODY_METHODS = {"POST", "PUT", "PATCH"}


def route_table(app: Any) -> dict[tuple[str, str], tuple[str, ...] | None]:
    """(method, path template) -> the scopes its require(...) demands (None: open)."""
    table: dict[tuple[str, str], tuple[str, ...] | None] = {}
    for route in route_contexts(app):
        for method in route.methods or ():
            table[(method, route.path_format)] = required_scopes(route.dependant)
    return table


def expected_scopes(service: str, method: str, path: str) -> tuple[str, ...] | None:
    """The platform's rule: reads need <service>:read, any other verb <service>:write, /ops needs ops."""
    if (method, path) in OPEN_ROUTES:
        return None
    if path.startswith("/ops/"):
        return ("ops",)
    return (f"{service}:read",) if method in ("GET", "HEAD") else (f"{service}:write",)


def concrete(path: str) -> str:
    return re.sub(r"{(\w+)(:path)?}", lambda m: f"authz-{m.group(1)}", path)


async def call(app: Any, method: str, path: str, authorization: str | None) -> httpx.Response:
    headers = {"Authorization": authorization} if authorization is not None else {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://authz.test") as client:
        return await client.request(method, concrete(path), headers=headers,
                                    json={} if method in BODY_METHODS else None)


@pytest.mark.parametrize("name", SERVICES)
async def test_every_route_has_the_scope_the_rule_says(name, all_apps):
    app = all_apps[name]
    table = route_table(app)
    spec = app.openapi()
    documented = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    assert documented - DOCUMENTS == {key for key in table if key[0] != "HEAD"}, "route table and OpenAPI differ"
    assert len(table) >= 20
    wrong = {key: scopes for key, scopes in table.items() if scopes != expected_scopes(name, *key)}
    assert not wrong, f"routes whose scopes break the rule: {wrong}"
    for scopes in table.values():
        assert set(scopes or ()) <= set(ALL_SCOPES)
    # the document says the same: the bearer token with the route's scopes, or no token at all
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert "security" not in spec, "each operation says who may call it"
    said = {(m.upper(), p): op["security"] for p, ops in spec["paths"].items() for m, op in ops.items()}
    assert all(said[key] == [] for key in DOCUMENTS | OPEN_ROUTES)
    assert {key: said[key] for key in table if key[0] != "HEAD"} == {
        key: [] if scopes is None else [{"bearer": list(scopes)}] for key, scopes in table.items() if key[0] != "HEAD"
    }


@pytest.mark.parametrize("name", SERVICES)
async def test_authorisation_matrix(name, all_apps, token):
    app = all_apps[name]
    failures: list[str] = []
    calls = 0
    for (method, path), needed in sorted(route_table(app).items()):
        if needed is None:
            response = await call(app, method, path, None)
            calls += 1
            if response.status_code in (401, 403):
                failures.append(f"{method} {path}: open route refused {response.status_code}")
            continue
        others = [s for s in ALL_SCOPES if s not in needed]
        cases: list[tuple[str, str | None, int | None]] = [
            ("no token", None, 401),
            ("no scopes", f"Bearer {token([])}", 403),
            ("every other scope", f"Bearer {token(others)}", 403),
            ("its own scope", f"Bearer {token(list(needed))}", None),
            ("every scope", f"Bearer {token(list(ALL_SCOPES))}", None),
        ]
        for label, authorization, want in cases:
            response = await call(app, method, path, authorization)
            calls += 1
            narrower = NARROWER.get((name, method, path))
            if narrower is not None and label == "its own scope":
                body = assert_problem(response, 403)
                if body.get("required_scope") != narrower:
                    failures.append(f"{method} {path} [{label}]: not refused for {narrower}: {body}")
                continue
            if want is None:
                if response.status_code in (401, 403):
                    failures.append(f"{method} {path} [{label}]: {response.status_code} {response.text[:200]}")
                continue
            try:
                body = assert_problem(response, want)
                if want == 401:
                    assert response.headers.get("www-authenticate", "").startswith("Bearer")
                else:
                    assert set(body.get("missing_scopes", [])) == set(needed), body
            except AssertionError as exc:
                failures.append(f"{method} {path} [{label}]: {exc}")
    assert not failures, "\n".join(failures)
    assert calls >= 4 * 20


# --------------------------------------------------------------------------- forged and bad tokens


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"iss": "civic-local", "aud": "civic", "sub": "mallory", "iat": now, "nbf": now, "exp": now + 600,
              "jti": uuid.uuid4().hex, "scope": " ".join(ALL_SCOPES)}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def forged_tokens(keys: LocalSigningKey) -> dict[str, str]:
    """Tokens that must all be refused; under "control" the same claims, properly signed (accepted)."""
    kid = (keys.directory / "kid").read_text().strip()
    trusted = keys.private_path.read_bytes()
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = serialization.load_pem_private_key(trusted, password=None).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )

    def signed(claims: dict[str, Any], key: Any = trusted, headers: dict[str, Any] | None = None) -> str:
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid, **(headers or {})})

    def unsigned(alg: str) -> str:
        header = _b64(json.dumps({"alg": alg, "typ": "JWT", "kid": kid}).encode())
        return f"{header}.{_b64(json.dumps(_claims()).encode())}."

    def hmac_with_public_key() -> str:  # key confusion: the public key used as an HS256 secret
        signing_input = f"{_b64(json.dumps({'alg': 'HS256', 'kid': kid}).encode())}." \
                        f"{_b64(json.dumps(_claims()).encode())}"
        mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{_b64(mac)}"

    good = signed(_claims(scope="savings:read"))
    head, _, sig = good.split(".")
    elevated = f"{head}.{_b64(json.dumps(_claims()).encode())}.{sig}"  # payload swapped, signature kept
    return {
        "control": signed(_claims()),
        "another key, trusted kid": signed(_claims(), key=stranger),
        "another key, unknown kid": jwt.encode(_claims(), stranger, algorithm="RS256", headers={"kid": "not-ours"}),
        "expired": signed(_claims(iat=int(time.time()) - 7200, nbf=int(time.time()) - 7200,
                                  exp=int(time.time()) - 3600)),
        "not yet valid": signed(_claims(nbf=int(time.time()) + 3600, exp=int(time.time()) + 7200)),
        "wrong issuer": signed(_claims(iss="https://evil.example")),
        "wrong audience": signed(_claims(aud="someone-else")),
        "no expiry": signed(_claims(exp=None)),
        "no subject": signed(_claims(sub=None)),
        "alg none": unsigned("none"),
        "alg None": unsigned("None"),
        "HS256 with the public key": hmac_with_public_key(),
        "payload swapped": elevated,
        "garbage": "not.a.token",
        "empty signature": f"{head}.{_b64(json.dumps(_claims()).encode())}.",
    }


@pytest.mark.parametrize("name", SERVICES)
async def test_forged_and_bad_tokens_are_401(name, all_apps, stack, runtime_of):
    app = all_apps[name]
    db = (await runtime_of(name)).db
    table = route_table(app)
    reads = sorted(k for k, v in table.items() if v and k[0] == "GET" and "{" not in k[1] and k[1].startswith("/v1"))
    writes = sorted(k for k, v in table.items() if v and k[0] == "POST" and "{" not in k[1] and k[1].startswith("/v1"))
    targets = [reads[0], writes[0], ("GET", "/ops/outbox")]
    before = await db["outbox"].count_documents({})
    failures = []
    tokens = forged_tokens(stack.keys)
    for method, path in targets:  # the claims are fine: signed by the platform's key they open every target
        response = await call(app, method, path, f"Bearer {tokens['control']}")
        assert response.status_code not in (401, 403), f"control on {method} {path}: {response.text[:200]}"
    tokens.pop("control")
    for label, forged in tokens.items():
        for method, path in targets:
            response = await call(app, method, path, f"Bearer {forged}")
            try:
                assert_problem(response, 401)
                assert response.headers["www-authenticate"].startswith("Bearer")
            except AssertionError as exc:
                failures.append(f"{label} on {method} {path}: {exc}")
    for header in ("Basic dXNlcjpwYXNz", "Bearer", "Bearer  ", "Token abc", f"bearer{forged_tokens(stack.keys)['garbage']}"):
        response = await call(app, *reads[0], header)
        if response.status_code != 401:
            failures.append(f"Authorization {header[:20]!r}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert await db["outbox"].count_documents({}) == before


# --------------------------------------------------------------------------- confidential fields

SECRET_SUMMARY = "SECRET-CASE-3d1f: neglect at 7 Hidden Lane, missed visits"
SECRET_NAME = "Ottoline Secretperson"
SECRET_ADDRESS = "7 Hidden Lane"
# long, distinctive strings only: a short hex marker turns up by chance in ids and trace ids
SECRETS = (SECRET_SUMMARY, SECRET_NAME, SECRET_ADDRESS, "SECRET-CASE")
NOT_CLEARED = {
    "read": "safeguarding:read",
    "read and write": "safeguarding:read safeguarding:write",
    "every scope but confidential": " ".join(s for s in ALL_SCOPES if s != "safeguarding:confidential"),
}


SAR_STEPS = [
    {"to": "decision", "criteria_met": True, "reasons": "s44 met"},
    {"to": "commissioned", "author": "A. Reviewer", "author_organisation": "Reviews Ltd", "cost_pence": 500_000},
    {"to": "report_received"},
    {"to": "action_plan", "actions": [{"action": "Joint visits", "owner": "Police", "due_on": "2027-03-31"}]},
    {"to": "published"},
]


def leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


async def _safeguarding_get_paths(app: Any, ids: dict[str, str]) -> list[str]:
    paths = []
    for (method, path), scopes in route_table(app).items():
        if method != "GET" or not scopes or not path.startswith("/v1"):
            continue
        params = re.findall(r"{(\w+)(?::path)?}", path)
        if all(p in ids for p in params):
            paths.append(re.sub(r"{(\w+)(:path)?}", lambda m: ids[m.group(1)], path))
    return paths


async def test_confidential_sar_details_reach_only_cleared_callers(
    service_client, all_apps, runtime_of, published, log_records
):
    cleared = await service_client("safeguarding", scopes="safeguarding:read safeguarding:write "
                                                           "safeguarding:confidential")
    await build_world("safeguarding", cleared)
    board = (await cleared.post("/v1/boards", json={"name": f"Confidential Board {uuid.uuid4().hex[:6]}"})).json()
    referral = {"reference": "Adult S", "case_summary": SECRET_SUMMARY, "referred_by": "Police",
                "person": {"name": SECRET_NAME, "address": SECRET_ADDRESS, "date_of_birth": "1931-02-03",
                           "other": SECRET_SUMMARY}}
    created = await cleared.post(f"/v1/boards/{board['id']}/sars", json=referral, headers={"Idempotency-Key": "k1"})
    assert created.status_code == 201 and created.json()["case_summary"] == SECRET_SUMMARY  # cleared: sees it
    sar = created.json()
    for step in SAR_STEPS:  # to publication: the SAR's events go out on the way
        moved = await cleared.post(f"/v1/sars/{sar['id']}/transitions", json=step)
        assert moved.status_code == 200, moved.text
    # a sensitive interest's particulars on the register of interests are confidential too
    member = (await cleared.post(f"/v1/boards/{board['id']}/members", json={
        "name": "Rey Register", "organisation": "Police", "role": "member"})).json()
    interest = await cleared.post(f"/v1/members/{member['id']}/interests", json={
        "kind": "other", "description": "Sensitive interest", "concerns": ["Care Co"], "details": SECRET_SUMMARY})
    assert interest.status_code == 201 and interest.json()["details"] == SECRET_SUMMARY
    db = (await runtime_of("safeguarding")).db
    meeting = await db["meetings"].find_one({})
    ids = {"board_id": board["id"], "sar_id": sar["id"], "year": "2039/40", "meeting_id": str(meeting["_id"]),
           "member_id": member["id"], "interest_id": interest.json()["id"]}
    paths = await _safeguarding_get_paths(all_apps["safeguarding"], ids)
    assert f"/v1/sars/{sar['id']}" in paths and f"/v1/boards/{board['id']}/sars" in paths
    assert f"/v1/interests/{interest.json()['id']}" in paths and f"/v1/members/{member['id']}/interests" in paths

    failures = []
    for label, scopes in NOT_CLEARED.items():
        client = await service_client("safeguarding", scopes=scopes, sub="case-officer")
        for path in paths:
            response = await client.get(path)
            if response.status_code >= 500 or leaks(response.text):
                failures.append(f"[{label}] GET {path}: {response.status_code} leaks {leaks(response.text)}")
        one = (await client.get(f"/v1/sars/{sar['id']}")).json()
        assert one["confidential_withheld"] is True and "case_summary" not in one and "person" not in one
        assert one["reference"] == "Adult S"  # the non-identifying reference is still shown

    # a caller that may write but is not cleared gets no details back from its own writes either
    writer = await service_client("safeguarding", scopes=NOT_CLEARED["read and write"], sub="case-officer")
    second = await writer.post(f"/v1/boards/{board['id']}/sars", json={**referral, "reference": "Adult T"})
    assert second.status_code == 201 and not leaks(second.text)
    moved = await writer.post(f"/v1/sars/{second.json()['id']}/transitions",
                              json={"to": "decision", "criteria_met": False, "reasons": "not met"})
    assert moved.status_code == 200 and not leaks(moved.text)
    # a replay of the cleared caller's request, under a token that has lost the clearance, is not a way round
    downgraded = await service_client("safeguarding", scopes=NOT_CLEARED["read and write"])
    replay = await downgraded.post(f"/v1/boards/{board['id']}/sars", json=referral, headers={"Idempotency-Key": "k1"})
    if leaks(replay.text):
        failures.append(f"a replay without clearance ({replay.status_code}) leaks {leaks(replay.text)}")
    again = await cleared.post(f"/v1/boards/{board['id']}/sars", json=referral, headers={"Idempotency-Key": "k1"})
    assert again.status_code == 201 and again.headers.get("idempotent-replayed") == "true"  # same caller, same scopes
    assert await db["sars"].count_documents({"board_id": board["id"]}) == 2

    # never in an event (outbox or any topic) nor a log line
    await quiesce(runtime_of)
    for service in SERVICES:
        outbox = await (await runtime_of(service)).db["outbox"].find({}).to_list()
        if leaks(json.dumps(outbox, default=str)):
            failures.append(f"{service} outbox leaks")
        events = await published(f"{service}.events.v1")
        if leaks(json.dumps(events, default=str)):
            failures.append(f"{service}.events.v1 leaks")
    sar_events = {e["type"] for e in await published("safeguarding.events.v1") if e.get("subject") == sar["id"]}
    assert sar_events == {"safeguarding.sar.commissioned", "safeguarding.sar.published"}, sar_events
    if leaks(log_records.text()):
        failures.append(f"logs leak: {leaks(log_records.text())}")
    if cleared.headers["authorization"].split()[1] in log_records.text():
        failures.append("a bearer token was logged")
    assert len(log_records.lines) > 10
    assert not failures, "\n".join(failures)
