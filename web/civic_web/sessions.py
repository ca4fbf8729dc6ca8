"""The officer's session (Starlette's signed cookie) and the CSRF token every form carries.

The cookie is signed with ``CIVIC_WEB_SESSION_SECRET`` (itsdangerous, through Starlette's SessionMiddleware),
HttpOnly, SameSite=Lax and Secure unless configured off for plain-http local use. It holds who signed in,
their scopes, their token for the gateway and its expiry, the form token, and messages for the next page.

Every POST carries the session's form token in ``csrf_token``; :func:`posted_form` checks it before a page
does anything, and a missing or wrong token is refused (403) with nothing changed. SameSite=Lax already
keeps the cookie off another site's POST; the token also covers a browser or proxy that does not honour it.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request

from civic_web.permissions import Permissions

SESSION_COOKIE = "civic_session"
CSRF_FIELD = "csrf_token"


class NotSignedIn(Exception):
    """The page needs a signed-in officer (or their sign-in has run out)."""


class FormRefused(Exception):
    """A POST without the session's form token: refused, nothing done."""


@dataclass(frozen=True)
class SignedInOfficer:
    sub: str
    name: str
    role: str
    scopes: frozenset[str]
    token: str
    expires_at: float

    @property
    def permissions(self) -> Permissions:
        return Permissions(self.scopes)


def sign_in(request: Request, *, sub: str, name: str, role: str, scopes: frozenset[str] | list[str],
            token: str, expires_at: float) -> None:
    """Start a new session for the officer: whatever the session held before goes (no fixation)."""
    after = request.session.get("after_sign_in")
    request.session.clear()
    request.session["officer"] = {"sub": sub, "name": name, "role": role, "scopes": sorted(scopes),
                                  "token": token, "expires_at": expires_at}
    request.session[CSRF_FIELD] = secrets.token_urlsafe(32)
    if after:
        request.session["after_sign_in"] = after


def sign_out(request: Request) -> None:
    request.session.clear()


def officer_of(request: Request) -> SignedInOfficer | None:
    """The signed-in officer, or None (never signed in, or their token has expired)."""
    held: Any = request.session.get("officer")
    if not isinstance(held, dict):
        return None
    try:
        officer = SignedInOfficer(str(held["sub"]), str(held["name"]), str(held["role"]), frozenset(held["scopes"]),
                                  str(held["token"]), float(held["expires_at"]))
    except (KeyError, TypeError, ValueError):
        return None
    if officer.expires_at <= time.time():
        return None
    return officer


async def signed_in(request: Request) -> SignedInOfficer:
    """A page's dependency: the signed-in officer, or :class:`NotSignedIn` (the app sends them to sign in).
    Async, though it never waits: FastAPI runs a plain function dependency in a worker thread, a hand-over
    every page would pay for nothing."""
    officer = officer_of(request)
    if officer is None:
        raise NotSignedIn()
    return officer


def csrf_token(request: Request) -> str:
    """The session's form token (made on first use, so a signed-out page's form has one too)."""
    token = request.session.get(CSRF_FIELD)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return token


async def posted_form(request: Request) -> FormData:
    """The POSTed form, once its token matches the session's; else :class:`FormRefused`."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = request.session.get(CSRF_FIELD)
    if not isinstance(sent, str) or not isinstance(expected, str) or not expected \
            or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise FormRefused()
    return form


def tell(request: Request, text: str) -> None:
    """A message for the next page the officer sees (after a redirect)."""
    told = list(request.session.get("told", []))
    told.append(text)
    request.session["told"] = told[-3:]


def told(request: Request) -> list[str]:
    """The messages waiting for this page (taken: they show once)."""
    return list(request.session.pop("told", []) or [])


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only, never another site's address."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target
