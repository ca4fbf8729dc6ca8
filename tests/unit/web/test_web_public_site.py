"""The public site's token, which the residents' subscription pages call comms with: locally minted with the
stack's key and only the public site's scopes, kept while it lasts; in production the client credentials grant
of the web's own client at the issuer's token endpoint (a stand-in issuer answering over httpx)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import httpx
from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from civic.auth import LocalSigningKey, TokenVerifier
from civic_web.public_site import SUBJECT, PublicSite
from civic_web.settings import WebSettings

from tests.unit.web.test_web_app import ISSUER, council_settings

SECRET = "s" * 40


async def test_locally_the_token_is_the_public_sites_own_with_its_scopes_only_and_kept(tmp_path: Path) -> None:
    keys = LocalSigningKey(tmp_path / "keys")
    keys.ensure()
    settings = WebSettings(session_secret=SECRET, local_keys=keys.directory, state_dir=tmp_path)
    site = PublicSite(settings, None)
    token = await site.token()
    verifier = TokenVerifier(settings.model_copy(update={"jwks_file": keys.directory / "jwks.json"}))
    caller = await verifier.caller_of(f"Bearer {token}")
    assert caller.sub == SUBJECT and set(caller.scopes) == {"comms:write"}
    assert await site.token() == token  # kept, not minted for every link


async def test_in_production_it_is_the_client_credentials_grant_at_the_issuer(tmp_path: Path) -> None:
    asked: list[dict[str, list[str]]] = []

    def token_endpoint(request: httpx.Request) -> httpx.Response:
        asked.append(parse_qs(request.content.decode()))
        return httpx.Response(200, json={"access_token": f"issued-{len(asked)}", "token_type": "Bearer", "expires_in": 3600})

    settings = council_settings(tmp_path, public_site_scopes="api://civic/comms.write")
    issuer = OAuth().register(
        "council",
        client_id="civic-web",
        client_secret="client-secret",
        client_kwargs={"transport": httpx.MockTransport(token_endpoint)},
        authorize_url=f"{ISSUER}/authorize",
        access_token_url=f"{ISSUER}/token",
    )
    assert isinstance(issuer, StarletteOAuth2App)
    site = PublicSite(settings, issuer)
    assert await site.token() == "issued-1"
    assert await site.token() == "issued-1"  # kept while it lasts
    [grant] = asked
    assert grant["grant_type"] == ["client_credentials"] and grant["scope"] == ["api://civic/comms.write"]


def test_the_public_sites_scopes_are_comms_write_unless_set(tmp_path: Path) -> None:
    assert WebSettings(session_secret=SECRET, local_keys=tmp_path, state_dir=tmp_path).public_site_scopes == "comms:write"
