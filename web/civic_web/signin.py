"""Signing in and out.

Locally an officer is chosen from the demo's officers and their token is minted with the embedded stack's
key; in production the council's issuer signs them in (OpenID Connect, authorization code with PKCE, by
Authlib). Either way the token is checked as the gateway checks it (``civic.auth.TokenVerifier``: signature,
issuer, audience, expiry) before the session takes it, so a misconfigured issuer or audience shows at sign-in
rather than as a refusal on every page, and its scopes decide what the pages show.
"""

from __future__ import annotations

import logging
from typing import Any

from authlib.integrations.starlette_client import OAuth, OAuthError, StarletteOAuth2App
from civic.auth import LocalSigningKey, TokenVerifier
from civic.errors import Unauthorised
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from civic_web.layout import Layout
from civic_web.officers import DEMO_OFFICERS, demo_officer
from civic_web.sessions import posted_form, safe_next, sign_in, sign_out, tell
from civic_web.settings import WebSettings

log = logging.getLogger("civic.web")


def council_issuer(settings: WebSettings, metadata: dict[str, Any] | None = None) -> StarletteOAuth2App:
    """The council's OpenID Connect issuer as an Authlib client: the authorization code flow with PKCE
    (S256); Authlib adds the state and, for the openid scope, the nonce, and keeps them in the session.
    ``metadata`` stands in for the issuer's discovery document (tests); otherwise it is read from the issuer."""
    oauth = OAuth()
    found: dict[str, Any] = dict(metadata) if metadata is not None else {
        "server_metadata_url": f"{(settings.oidc_issuer or '').rstrip('/')}/.well-known/openid-configuration"}
    client = oauth.register(
        "council",
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else None,
        client_kwargs={"scope": settings.oidc_scopes, "code_challenge_method": "S256"},
        **found,
    )
    assert isinstance(client, StarletteOAuth2App)
    return client


def verifier_for(settings: WebSettings) -> TokenVerifier:
    """The gateway's own token checks, with the same settings (locally: the stack's key set)."""
    if settings.local_keys is not None and settings.jwks_file is None and settings.jwks_url is None:
        return TokenVerifier(settings.model_copy(update={"jwks_file": settings.local_keys / "jwks.json"}))
    return TokenVerifier(settings)


def sign_in_routes(settings: WebSettings, layout: Layout, issuer: StarletteOAuth2App | None) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    verifier = verifier_for(settings)
    keys = LocalSigningKey(settings.local_keys) if settings.local_keys is not None else None

    async def start_session(request: Request, token: str, name: str | None, role: str) -> Response:
        caller = await verifier.caller_of(f"Bearer {token}")
        sign_in(request, sub=caller.sub, name=name or str(caller.claims.get("name") or caller.sub), role=role,
                scopes=caller.scopes, token=token, expires_at=float(caller.claims["exp"]))
        log.info("officer signed in", extra={"sub": caller.sub, "scopes": sorted(caller.scopes)})
        return RedirectResponse(safe_next(request.session.pop("after_sign_in", None)), status_code=303)

    @router.get("/sign-in")
    async def sign_in_page(request: Request) -> Response:
        after = request.query_params.get("next")
        if after:
            request.session["after_sign_in"] = safe_next(after)
        return layout.render(request, "sign_in.html", {"officers": DEMO_OFFICERS, "errors": None})

    @router.post("/sign-in")
    async def sign_in_as_demo_officer(request: Request) -> Response:
        form = await posted_form(request)
        officer = demo_officer(str(form.get("officer") or ""))
        if keys is None:
            return RedirectResponse("/sign-in", status_code=303)  # no demo officers here: the issuer signs in
        if officer is None:
            refusal = {"items": [{"text": "Choose who you are signing in as", "href": "#officer"}],
                       "field": "Choose who you are signing in as"}
            return layout.render(request, "sign_in.html", {"officers": DEMO_OFFICERS, "errors": refusal}, status=400)
        token = keys.mint(officer.key, officer.scopes, issuer=settings.jwt_issuer, audience=settings.jwt_audience,
                          ttl_seconds=int(settings.session_hours * 3600), extra={"name": officer.name})
        return await start_session(request, token, officer.name, officer.role)

    @router.get("/sign-in/start")
    async def start_with_issuer(request: Request) -> Response:
        if issuer is None:
            return RedirectResponse("/sign-in", status_code=303)
        redirect: Response = await issuer.authorize_redirect(request, settings.callback_url())
        return redirect

    @router.get("/sign-in/callback")
    async def back_from_issuer(request: Request) -> Response:
        if issuer is None:
            return RedirectResponse("/sign-in", status_code=303)
        try:
            # checks the state, exchanges the code with the PKCE verifier, validates the ID token and its nonce
            answer = await issuer.authorize_access_token(request)
        except OAuthError as exc:
            log.warning("sign-in with the issuer failed", extra={"error": exc.error})
            tell(request, "Signing in did not work; please try again.")
            return RedirectResponse("/sign-in", status_code=303)
        person = answer.get("userinfo") or {}
        try:
            return await start_session(request, str(answer["access_token"]), person.get("name") or person.get("email"),
                                       "Council officer")
        except Unauthorised as exc:
            log.warning("the issuer's access token is not one the gateway accepts", extra={"detail": exc.detail})
            tell(request, "You signed in, but your account has no access to this platform. Ask your administrator.")
            return RedirectResponse("/sign-in", status_code=303)

    @router.post("/sign-out")
    async def sign_out_now(request: Request) -> Response:
        await posted_form(request)
        sign_out(request)
        tell(request, "You have signed out.")
        return RedirectResponse("/sign-in", status_code=303)

    return router
