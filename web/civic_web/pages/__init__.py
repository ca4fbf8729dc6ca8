"""The app's pages: a package per section of the platform (``savings``, ``property``, ``safeguarding``,
``comms``), each with ``section.py`` (its API's address, who may see and change it, how its pages ask) and
a module per area of its work, whose routes the package's ``router`` gathers; ``home.py`` is the dashboard.
Every page asks the gateway (as the signed-in officer) and renders; a change goes through ``forms.py``. A page
shown again with a refusal, and a form's POST, are declared with :func:`page_at`, :func:`sent_to` and
:func:`form_at`, so every one checks the form's token and the officer's scopes the same way and in that order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette._utils import get_route_path
from starlette.routing import Match
from starlette.types import Scope

from civic_web.gateway import Answer, Gateway
from civic_web.layout import Layout
from civic_web.refusals import Refusal
from civic_web.sessions import SignedInOfficer, posted_form, signed_in


class Section(APIRouter):
    """A section's router (``/savings``, ``/property``, ...), every page of it under its prefix, made of its areas'
    routers (:meth:`include_area`). FastAPI tries every route of every router included before the one that
    answers (the last section's pages waited for a hundred of the others'), so a path is tried only against the
    section it is under, and there only against the areas whose addresses start as it does."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path = get_route_path(scope)
        if path != self.prefix and not path.startswith(self.prefix + "/"):
            return Match.NONE, {}
        return super().matches(scope)

    def include_area(self, router: APIRouter) -> None:
        """An area's routes, in the order included (an earlier area's ``/buildings/new`` before a later one's
        ``/buildings/{id}``), tried only for a path whose first part under the section is one of theirs."""
        firsts = set()
        for route in router.routes:
            path = getattr(route, "path", "")
            firsts.add(path.split("/")[1] if path.startswith("/") else "{")
        if any("{" in first for first in firsts):  # an address that starts with a parameter: always tried
            self.include_router(router)
            return
        area = _Area(self.prefix + "/", frozenset(firsts))
        area.include_router(router)
        self.include_router(area)


class _Area(APIRouter):
    """An area's routes (:meth:`Section.include_area`), asked only for paths under ``under`` whose next part is
    one of ``firsts``."""

    def __init__(self, under: str, firsts: frozenset[str]) -> None:
        super().__init__(include_in_schema=False)
        self.under = under
        self.firsts = firsts

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path = get_route_path(scope)
        first = path[len(self.under):].split("/", 1)[0] if path.startswith(self.under) else ""
        if first not in self.firsts:
            return Match.NONE, {}
        return super().matches(scope)


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


def in_address(value: Any) -> str:
    """A value in an address as a template's ``| urlencode`` writes it (a slash left as it is), for the links a
    page's table builds in Python."""
    return quote(str(value), safe="/")


def segment(value: str) -> str:
    """A record's id as one segment of an address (nothing in it read as a slash or a query)."""
    return quote(value, safe="")


async def ask(request: Request, officer: SignedInOfficer, path: str, params: dict[str, str] | None = None) -> Answer:
    """GET one of the API's addresses as the officer, with the page request's id."""
    return await gateway_of(request).get(officer.token, path, params, request_id(request))


#: a section's gate: goes on for an officer whose scopes allow it, else raises ``NoAccess`` (``may_draft``, ...)
Gate = Callable[[SignedInOfficer], None]

#: a page as it first shows: ``page(request, officer, **the address's parts)`` (``board_id=...``); the same
#: function shows it again with a refusal (``refusal=``, ``typed=``)
FormPage = Callable[..., Awaitable[Response]]

#: what a form does with what was sent: ``sent(request, officer, form, **the address's parts)``, which reads the
#: boxes and sends the body (``forms.send_new``, ``forms.send``)
FormSent = Callable[..., Awaitable[Response]]


def page_at(router: APIRouter, path: str, *, page: FormPage, shown_to: Gate) -> None:
    """GET ``path``: the ``page`` (a record's, a form's) as it first shows, to an officer ``shown_to`` lets in.
    The route takes its place in the router here (``/x/new`` before ``/x/{id}``, which would take "new")."""

    async def show(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
        shown_to(officer)
        return await page(request, officer, **request.path_params)

    router.add_api_route(path, show, methods=["GET"], name=getattr(page, "__name__", None))


def sent_to(router: APIRouter, path: str, *, may: Gate) -> Callable[[FormSent], FormSent]:
    """POST ``path``, declared by decorating what it does with what was sent: the form's token checked first,
    then ``may`` (the officer's scopes), then the form handed on with the address's parts."""

    def declare(sent: FormSent) -> FormSent:
        async def receive(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
            form = await posted_form(request)
            may(officer)
            return await sent(request, officer, form, **request.path_params)

        router.add_api_route(path, receive, methods=["POST"], name=sent.__name__)
        return sent

    return declare


def form_at(router: APIRouter, path: str, *, page: FormPage, may: Gate,
            shown_to: Gate | None = None) -> Callable[[FormSent], FormSent]:
    """A form's two routes at ``path``: its ``page`` (:func:`page_at`) for an officer ``shown_to`` lets in (by
    default ``may``: a form only for those who may send it), and what is sent to it (:func:`sent_to`)."""
    page_at(router, path, page=page, shown_to=shown_to or may)
    return sent_to(router, path, may=may)
