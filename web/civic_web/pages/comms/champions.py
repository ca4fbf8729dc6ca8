"""Change champions: the council's services and their champions, the services still without one (the API's
coverage report), appointing a champion, a champion standing down, and registering a service that should have
one."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from civic_web.pages import first, form_at, gateway_of, render, segment, sent_to
from civic_web.pages.comms.section import API, get, may_draft, reads
from civic_web.pages.forms import as_filled, at_version, no_fields, send, send_new
from civic_web.refusals import Refusal
from civic_web.sessions import SignedInOfficer
from civic_web.vocabulary import body_choices

router = APIRouter(include_in_schema=False)

CHAMPION_FIELDS = {name: (f"champion-{name}", label) for name, label in (
    ("name", "Name"), ("service", "Service"), ("directorate", "Directorate"), ("council", "Council"),
    ("email", "Email address"))}
SERVICE_FIELDS = {name: (f"service-{name}", label) for name, label in (
    ("name", "Service"), ("directorate", "Directorate"), ("representation", "Does it need a champion"))}


async def _champions_page(request: Request, officer: SignedInOfficer, *, refusal: Refusal | None = None,
                          doing: str | None = None, typed: dict[str, str] | None = None,
                          attempt: str | None = None) -> Response:
    champions, coverage, document = await asyncio.gather(
        get(request, officer, "/champions", {"limit": "200"}), get(request, officer, "/reports/champion-coverage"),
        gateway_of(request).document())
    return render(request, "comms/champions.html", {
        "champions": sorted(champions.body.get("items", []), key=lambda c: (str(c.get("directorate")),
                                                                           str(c.get("service")))),
        "coverage": coverage.body, "doing": doing, **as_filled(typed, attempt),
        "representations": body_choices(document, f"{API}/services", "post", "representation"),
    }, refusal)


@form_at(router, "/champions", page=_champions_page, may=may_draft, shown_to=reads)
async def appoint_or_register(request: Request, officer: SignedInOfficer, form: FormData) -> Response:
    """Appoint a champion, or register a service that should have one (the form says which)."""
    doing = "service" if first(form.get("doing")) == "service" else "champion"
    names = SERVICE_FIELDS if doing == "service" else CHAMPION_FIELDS
    typed = {f"{doing}-{name}": first(form.get(f"{doing}-{name}")) for name in names}
    body: dict[str, Any] = {name: typed[f"{doing}-{name}"] for name in names if typed[f"{doing}-{name}"]}
    if doing == "service":
        path, done, then = "services", f"{body.get('name', 'The service')} is registered.", "#coverage"
    else:
        path, then = "champions", "#champions"
        done = f"{body.get('name', 'The champion')} is the change champion for {body.get('service', '')}."
    return await send_new(request, officer, f"{API}/{path}", body, form=form, typed=typed,
                          page=partial(_champions_page, request, officer, doing=doing), fields=names.get, done=done,
                          then=f"/comms/champions{then}")


@sent_to(router, "/champions/{champion_id}/stand-down", may=may_draft)
async def stand_down(request: Request, officer: SignedInOfficer, form: FormData, champion_id: str) -> Response:
    """A champion leaves (at the version the page showed); their service may then be without one."""
    name = first(form.get("name")) or "The champion"

    async def again(refusal: Refusal) -> Response:
        return await _champions_page(request, officer, refusal=refusal)

    return await send(request, officer, f"{API}/champions/{segment(champion_id)}", None, method="DELETE",
                      headers=at_version(form), fields=no_fields, again=again,
                      done=f"{name} has stood down as a change champion.", then="/comms/champions#champions")
