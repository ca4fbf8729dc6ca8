"""The pages behind the links in residents' subscription emails, where no one signs in: "Confirm your
subscription" (the double opt-in's link) and "Unsubscribe" (every bulletin's link), at the addresses comms writes
into its emails (``<CIVIC_COMMS_PUBLIC_URL>/subscriptions/confirm?token=…`` and ``/subscriptions/unsubscribe?token=…``).

A GET never changes anything (mail scanners and link previews open links): the page shows a button whose form
POSTs the token. RFC 8058's one-click unsubscribe is a POST to the same address with the body
``List-Unsubscribe=One-Click`` and no cookie: it is answered at once. The link's token is itself the resident's
authority (only the mailbox it was sent to holds it), so these POSTs carry no session form token; they reach
comms as the council's public site (``public_site.py``), never as an officer.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from civic_web.gateway import Refused
from civic_web.pages import first, gateway_of, layout_of, request_id
from civic_web.public_site import PublicSite

router = APIRouter(include_in_schema=False)

API = "/api/comms/v1/subscriptions"
#: what each link does: (the API's address under subscriptions, the page's template, where a done one goes)
LINKS = {
    "confirm": ("/confirmation", "subscriptions/confirm.html", "/subscriptions/confirmed"),
    "unsubscribe": ("/unsubscribe", "subscriptions/unsubscribe.html", "/subscriptions/unsubscribed"),
}
ONE_CLICK = "One-Click"


def _page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    return layout_of(request).render(request, template, context, status=status)


async def _token_of(request: Request) -> str:
    """The link's token: in the form the page's button sends, else in the address (a one-click POST)."""
    form = await request.form()
    return first(form.get("token")) or first(request.query_params.get("token"))


async def _send(request: Request, what: str, token: str) -> dict[str, Any] | None:
    """The token sent to comms as the public site: its answer, or None when the link is not valid (used,
    expired, never sent, or not a token at all)."""
    public_site: PublicSite = request.app.state.public_site
    try:
        answer = await gateway_of(request).post(
            await public_site.token(), API + LINKS[what][0], {"token": token}, request_id=request_id(request)
        )
    except Refused as refused:
        if refused.status in (400, 404, 410, 422):
            return None
        raise
    body: dict[str, Any] = answer.body
    return body


def _link_page(what: str) -> Any:
    async def show(request: Request) -> Response:
        token = first(request.query_params.get("token"))
        if not token:
            return _page(request, "subscriptions/not_valid.html", 404, what=what)
        return _page(request, LINKS[what][1], token=token)

    return show


def _link_sent(what: str) -> Any:
    async def send(request: Request) -> Response:
        form = await request.form()
        one_click = first(form.get("List-Unsubscribe")) == ONE_CLICK and what == "unsubscribe"
        token = await _token_of(request)
        done = await _send(request, what, token) if token else None
        if done is None:
            return _page(request, "subscriptions/not_valid.html", 410, what=what)
        if one_click:  # the mail client's POST: answered here, nothing to follow
            return _page(request, "subscriptions/unsubscribed.html")
        return RedirectResponse(LINKS[what][2], status_code=303)

    return send


for _what in LINKS:
    router.add_api_route(f"/subscriptions/{_what}", _link_page(_what), methods=["GET"], name=f"{_what}_page")
    router.add_api_route(f"/subscriptions/{_what}", _link_sent(_what), methods=["POST"], name=f"{_what}_sent")


@router.get("/subscriptions/confirmed")
async def confirmed(request: Request) -> Response:
    return _page(request, "subscriptions/confirmed.html")


@router.get("/subscriptions/unsubscribed")
async def unsubscribed(request: Request) -> Response:
    return _page(request, "subscriptions/unsubscribed.html")
