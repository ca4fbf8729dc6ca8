"""The app's pages: a package per section of the platform (``savings``, ``property``, ``safeguarding``,
``comms``), each with ``section.py`` (its API's address, who may see and change it, how its pages ask) and
a module per area of its work, whose routes the package's ``router`` gathers; ``home.py`` is the dashboard.
Every page asks the gateway (as the signed-in officer) and renders; a change goes through ``forms.py``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response

from civic_web.gateway import Answer, Gateway
from civic_web.layout import Layout
from civic_web.refusals import Refusal
from civic_web.sessions import SignedInOfficer


class NoAccess(Exception):
    """The officer's scopes do not reach this page (it is never linked for them)."""


def allowed(may: bool) -> None:
    """Go on only if the officer's scopes allow it; else :class:`NoAccess` (the app's 403 page)."""
    if not may:
        raise NoAccess()


def gateway_of(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


def layout_of(request: Request) -> Layout:
    layout: Layout = request.app.state.layout
    return layout


def render(request: Request, template: str, context: dict[str, Any], refusal: Refusal | None = None) -> Response:
    """The page from its template; one showing a refusal (its error summary, as ``refusal``) answers with the
    refusal's status."""
    return layout_of(request).render(request, template, {**context, "refusal": refusal},
                                     status=refusal.status if refusal else 200)


def request_id(request: Request) -> str | None:
    """The page request's X-Request-Id (the gateway's), carried on the page's own calls to the API."""
    return request.headers.get("x-request-id")


def first(value: Any) -> str:
    """A form or query value as text ('' when absent)."""
    return value.strip() if isinstance(value, str) else ""


def segment(value: str) -> str:
    """A record's id as one segment of an address (nothing in it read as a slash or a query)."""
    return quote(value, safe="")


async def ask(request: Request, officer: SignedInOfficer, path: str, params: dict[str, str] | None = None) -> Answer:
    """GET one of the API's addresses as the officer, with the page request's id."""
    return await gateway_of(request).get(officer.token, path, params, request_id(request))
