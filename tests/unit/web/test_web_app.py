"""The web app in-process, with the gateway stood in for (httpx's MockTransport): sign-in, the session cookie,
the form token on every POST, the headers on pages and assets, the OpenID Connect redirect, and a refusal
turned into the error summary with what the officer typed kept.

The real gateway and services are in tests/browser; no OpenID issuer is reachable here, so the OIDC test
stops at the redirect (state, nonce and PKCE on it; the callback's exchange is Authlib's, untested here).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from asgi_lifespan import LifespanManager
from civic.auth import LocalSigningKey
from civic_web.gateway import Gateway
from civic_web.main import create_web
from civic_web.settings import WebSettings

SECRET = "a-session-secret-long-enough-for-the-rule-0123456789"
DOCUMENT = {"paths": {"/api/savings/v1/initiatives": {
    "get": {"parameters": [{"name": "theme", "schema": {"enum": ["redesign_reorganisation", "process_policy"]}},
                           {"name": "category", "schema": {"enum": ["transformation"]}},
                           {"name": "status", "schema": {"enum": ["proposed", "approved"]}}]},
    "post": {"requestBody": {"content": {"application/json": {"schema": {"properties": {
        "rag": {"enum": ["green", "amber", "red"]}}}}}}}}}}


class StandIn:
    """The gateway as the web sees it: answers by (method, path), remembers every call."""

    def __init__(self) -> None:
        self.calls: list[httpx.Request] = []
        self.answers: dict[tuple[str, str], Callable[[httpx.Request], httpx.Response]] = {
            ("GET", "/openapi.json"): lambda r: httpx.Response(200, json=DOCUMENT),
            ("GET", "/api/savings/v1/initiatives"): lambda r: httpx.Response(200, json={"items": [], "next_cursor": None}),
            ("GET", "/api/dashboard"): lambda r: httpx.Response(200, json={
                "savings": {"planned_pence": 100, "delivered_pence": 0, "cost_avoided_pence": 0,
                            "initiatives_by_status": {}, "targets": []},
                "property": None, "safeguarding": None, "comms": None,
                "degraded": ["property"], "forbidden": ["safeguarding", "comms"], "reasons": {}}),
        }

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        answer = self.answers.get((request.method, request.url.path))
        return answer(request) if answer else httpx.Response(404, json={"status": 404, "detail": "nothing"})

    def changes(self) -> list[httpx.Request]:
        return [c for c in self.calls if c.method != "GET"]


@pytest.fixture
def keys(tmp_path: Path) -> LocalSigningKey:
    signing = LocalSigningKey(tmp_path / "keys")
    signing.ensure()
    return signing


@pytest.fixture
def stand_in() -> StandIn:
    return StandIn()


def local_settings(keys: LocalSigningKey, tmp_path: Path, **more: Any) -> WebSettings:
    return WebSettings(session_secret=SECRET, local_keys=keys.directory, state_dir=tmp_path,
                       gateway_url="http://gateway.test", **more)


async def client_for(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with LifespanManager(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="https://civic.test", follow_redirects=False) as client:
        yield client


@pytest.fixture
async def web(keys: LocalSigningKey, tmp_path: Path, stand_in: StandIn) -> AsyncIterator[httpx.AsyncClient]:
    gateway = Gateway("http://gateway.test", 5, transport=httpx.MockTransport(stand_in.handle))
    async for client in client_for(create_web(local_settings(keys, tmp_path), gateway=gateway)):
        yield client


def form_token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page's form carries no form token"
    return found.group(1)


async def signed_in_as(web: httpx.AsyncClient, officer: str) -> None:
    page = await web.get("/sign-in")
    answer = await web.post("/sign-in", data={"officer": officer, "csrf_token": form_token(page.text)})
    assert answer.status_code == 303, answer.text


async def test_a_page_sends_a_signed_out_officer_to_sign_in_and_back(web: httpx.AsyncClient) -> None:
    answer = await web.get("/savings/initiatives?status=approved")
    assert answer.status_code == 303 and answer.headers["location"] == "/sign-in"
    page = await web.get("/sign-in")
    assert "Priya Shah, Finance officer" in page.text and "Sign in as one of the demo" in page.text
    signed = await web.post("/sign-in", data={"officer": "finance.officer", "csrf_token": form_token(page.text)})
    assert signed.headers["location"] == "/savings/initiatives?status=approved"


async def test_the_session_cookie_is_signed_http_only_secure_and_same_site_lax(web: httpx.AsyncClient) -> None:
    page = await web.get("/sign-in")
    answer = await web.post("/sign-in", data={"officer": "programme.approver", "csrf_token": form_token(page.text)})
    cookie = answer.headers["set-cookie"].lower()
    assert cookie.startswith("civic_session=")
    assert "httponly" in cookie and "secure" in cookie and "samesite=lax" in cookie
    # a cookie altered by the browser's holder is not a session
    value = web.cookies["civic_session"]
    web.cookies.set("civic_session", value[:-4] + "AAAA", domain="civic.test")
    assert (await web.get("/")).status_code == 303


async def test_a_post_without_the_forms_token_is_refused_and_changes_nothing(
        web: httpx.AsyncClient, stand_in: StandIn) -> None:
    await signed_in_as(web, "finance.officer")
    for path, data in (("/savings/initiatives/new", {"title": "x"}),
                       ("/savings/initiatives/abc/moves", {"to": "approved", "csrf_token": "not-the-token"}),
                       ("/sign-out", {})):
        answer = await web.post(path, data=data)
        assert answer.status_code == 403, path
        assert "This form has expired" in answer.text and "Nothing was changed" in answer.text
    assert stand_in.changes() == []
    assert (await web.get("/")).status_code == 200  # still signed in: sign-out needs the token too


async def test_signing_in_needs_the_forms_token_too(web: httpx.AsyncClient) -> None:
    await web.get("/sign-in")
    assert (await web.post("/sign-in", data={"officer": "operator"})).status_code == 403
    assert (await web.get("/")).status_code == 303


async def test_pages_are_never_cached_and_say_what_they_may_load(web: httpx.AsyncClient) -> None:
    await signed_in_as(web, "finance.officer")
    page = await web.get("/")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    policy = page.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce and f'nonce="{nonce.group(1)}"' in page.text  # the template's one inline script
    assert "frame-ancestors 'none'" in policy and page.headers["x-frame-options"] == "DENY"
    # every stylesheet and script is a fingerprinted asset, cached for a year
    assets = re.findall(r'(?:href|src)="(/assets/[^"]+)"', page.text)
    assert any(a.endswith(".css") for a in assets) and any(a.endswith(".js") for a in assets)
    for address in assets:
        asset = await web.get(address)
        assert asset.status_code == 200 and "immutable" in asset.headers["cache-control"], address


async def test_the_dashboard_says_plainly_what_did_not_answer_and_hides_what_the_officer_may_not_read(
        web: httpx.AsyncClient) -> None:
    await signed_in_as(web, "finance.officer")
    page = (await web.get("/")).text
    assert "Property is not answering; shown without it." in page
    assert "Savings" in page and "Safeguarding" not in page and "Communications" not in page
    assert "West Northamptonshire Council" in page


async def test_the_officers_token_goes_to_the_gateway_and_nowhere_else(web: httpx.AsyncClient, stand_in: StandIn) -> None:
    await signed_in_as(web, "finance.officer")
    await web.get("/")
    (call,) = [c for c in stand_in.calls if c.url.path == "/api/dashboard"]
    assert call.url.host == "gateway.test"
    token = call.headers["authorization"].removeprefix("Bearer ")
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert claims["sub"] == "finance.officer" and claims["scope"].split() == ["savings:read", "savings:write"]


async def test_a_refused_proposal_shows_the_summary_linked_to_its_fields_and_keeps_what_was_typed(
        web: httpx.AsyncClient, stand_in: StandIn) -> None:
    stand_in.answers[("POST", "/api/savings/v1/initiatives")] = lambda r: httpx.Response(422, json={
        "status": 422, "detail": "The request does not match what this endpoint accepts.",
        "errors": [{"field": "title", "message": "must not be blank"},
                   {"field": "profile.0.year", "message": "must be a financial year such as 2023/24"}]})
    await signed_in_as(web, "finance.officer")
    form = await web.get("/savings/initiatives/new")
    assert form.status_code == 200
    assert "None" not in re.sub(r"<[^>]+>", "", form.text)  # an empty field is empty, not Python's None
    answer = await web.post("/savings/initiatives/new", data={
        "csrf_token": form_token(form.text), "attempt": "attempt-1", "title": " ", "directorate": "Place",
        "theme": "process_policy", "profile-2-year": "2023-24", "profile-2-amount": "£12,500"})
    assert answer.status_code == 422
    assert 'href="#title"' in answer.text and 'href="#profile-2-year"' in answer.text
    assert "Year in row 3 must be a financial year such as 2023/24" in answer.text
    assert 'value="Place"' in answer.text and 'value="2023-24"' in answer.text and 'value="£12,500"' in answer.text
    assert '<option value="process_policy" selected>' in answer.text
    (sent,) = stand_in.changes()
    assert json.loads(sent.content)["profile"] == [{"year": "2023-24", "planned_pence": 1250000}]
    assert sent.headers["idempotency-key"] == "attempt-1"


async def test_an_amount_that_is_not_pounds_is_said_without_asking_the_api(
        web: httpx.AsyncClient, stand_in: StandIn) -> None:
    await signed_in_as(web, "finance.officer")
    form = await web.get("/savings/initiatives/new")
    answer = await web.post("/savings/initiatives/new", data={
        "csrf_token": form_token(form.text), "profile-0-year": "2024/25", "profile-0-amount": "lots"})
    assert answer.status_code == 400 and 'href="#profile-0-amount"' in answer.text
    assert stand_in.changes() == []


async def test_pages_the_role_does_not_reach_are_neither_linked_nor_served(web: httpx.AsyncClient) -> None:
    await signed_in_as(web, "estates.officer")
    home = (await web.get("/")).text
    assert "/savings/initiatives" not in home
    assert (await web.get("/savings/initiatives")).status_code == 403
    await web.post("/sign-out", data={"csrf_token": form_token(home)})
    await signed_in_as(web, "finance.officer")
    register = await web.get("/savings/initiatives")
    assert register.status_code == 200 and "/savings/initiatives/new" in register.text
    await web.post("/sign-out", data={"csrf_token": form_token(register.text)})
    await signed_in_as(web, "operator")  # reads savings, changes nothing
    register = await web.get("/savings/initiatives")
    assert register.status_code == 200 and "/savings/initiatives/new" not in register.text
    assert (await web.get("/savings/initiatives/new")).status_code == 403


async def test_signing_out_ends_the_session(web: httpx.AsyncClient) -> None:
    await signed_in_as(web, "finance.officer")
    home = await web.get("/")
    answer = await web.post("/sign-out", data={"csrf_token": form_token(home.text)})
    assert answer.status_code == 303 and answer.headers["location"] == "/sign-in"
    assert "You have signed out." in (await web.get("/sign-in")).text
    assert (await web.get("/")).status_code == 303


# ---------------------------------------------------------------- OpenID Connect

ISSUER = "https://login.example.gov.uk/v2.0"
METADATA = {"issuer": ISSUER, "authorization_endpoint": f"{ISSUER}/authorize", "token_endpoint": f"{ISSUER}/token",
            "jwks_uri": f"{ISSUER}/keys"}


def council_settings(tmp_path: Path, **more: Any) -> WebSettings:
    """Production's: officers sign in with the council's identity provider (``ISSUER``), whose keys sign tokens."""
    return WebSettings(session_secret=SECRET, state_dir=tmp_path, oidc_issuer=ISSUER, oidc_client_id="civic-web",
                       oidc_client_secret="client-secret", public_url="https://civic.example.gov.uk",
                       jwks_url=f"{ISSUER}/keys", **more)


async def test_signing_in_with_the_issuer_redirects_with_state_nonce_and_pkce(tmp_path: Path, stand_in: StandIn) -> None:
    settings = council_settings(tmp_path)
    gateway = Gateway("http://gateway.test", 5, transport=httpx.MockTransport(stand_in.handle))
    async for web in client_for(create_web(settings, issuer_metadata=METADATA, gateway=gateway)):
        page = await web.get("/sign-in")
        assert "Sign in with your council account" in page.text and 'name="officer"' not in page.text
        # there are no demo officers in this mode (and no form to post one with)
        assert (await web.post("/sign-in", data={"officer": "operator"})).status_code == 403
        answer = await web.get("/sign-in/start")
        assert answer.status_code == 302
        target = urlsplit(answer.headers["location"])
        assert f"{target.scheme}://{target.netloc}{target.path}" == f"{ISSUER}/authorize"
        query = {k: v[0] for k, v in parse_qs(target.query).items()}
        assert query["response_type"] == "code" and query["client_id"] == "civic-web"
        assert query["redirect_uri"] == "https://civic.example.gov.uk/sign-in/callback"
        assert "openid" in query["scope"].split()
        assert len(query["state"]) >= 20 and len(query["nonce"]) >= 20
        assert query["code_challenge_method"] == "S256" and re.fullmatch(r"[A-Za-z0-9_-]{43}", query["code_challenge"])
        # a second start is a new state, nonce and verifier
        again = parse_qs(urlsplit((await web.get("/sign-in/start")).headers["location"]).query)
        assert again["state"][0] != query["state"] and again["code_challenge"][0] != query["code_challenge"]
        # a callback whose state the session does not hold signs nobody in
        back = await web.get("/sign-in/callback", params={"code": "x", "state": "forged"})
        assert back.status_code == 303 and back.headers["location"] == "/sign-in"
        assert (await web.get("/")).status_code == 303
