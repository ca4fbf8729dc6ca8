"""Each service's open dead letters (the events its consumers could not apply), and their re-drive.

A re-drive asks the service to apply the event again through its inbox, after a fix; what it answers is said
on the next page: applied (or found already applied), or failed again with the new error, when the letter
stays open. A service that does not answer is said on its own part of the page; the others are still shown.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from civic_web.gateway import Answer, GatewayUnavailable, Refused
from civic_web.pages import ask, page_at, render, segment, sent_to
from civic_web.pages.forms import no_fields, send
from civic_web.pages.ops.section import PAGES, dead_letters_of, operates, services_of
from civic_web.refusals import Refusal
from civic_web.sessions import SignedInOfficer

router = APIRouter(include_in_schema=False)

#: open letters shown for each service (the oldest are the ones a fix is usually for, but a page has to end)
SHOWN = "100"


async def _open_letters(request: Request, officer: SignedInOfficer, service: str) -> dict[str, Any]:
    try:
        answer = await ask(request, officer, dead_letters_of(service), {"status": "open", "limit": SHOWN})
    except (Refused, GatewayUnavailable) as exc:
        return {"service": service, "letters": [], "unread": str(exc) or "it did not answer"}
    letters = answer.body.get("items", [])
    return {"service": service, "letters": letters, "unread": None, "more": bool(answer.body.get("next_cursor"))}


async def _dead_letters_page(request: Request, officer: SignedInOfficer, *, refusal: Refusal | None = None
                             ) -> Response:
    services = await asyncio.gather(*(_open_letters(request, officer, s) for s in await services_of(request)))
    return render(request, "ops/dead_letters.html", {
        "services": services, "pages": PAGES, "count": sum(len(s["letters"]) for s in services),
    }, refusal)


page_at(router, "/dead-letters", page=_dead_letters_page, shown_to=operates)


def _outcome(service: str, answer: Answer) -> str:
    """The re-drive's outcome in words; one that failed again starts "Your" so it is not shown as done."""
    body = answer.body if isinstance(answer.body, dict) else {}
    letter, outcome = body.get("id", "the dead letter"), body.get("outcome")
    if outcome == "redriven":
        return f"{letter} was applied by {service}. It is no longer open."
    if outcome == "already_applied":
        return f"{letter} had already been applied by {service}, so nothing was applied twice. It is no longer open."
    return (f"Your re-drive of {letter} failed again in {service}: {body.get('error') or 'no reason given'}. "
            "It is still open.")


@sent_to(router, "/dead-letters/{service}/{letter_id}/redrive", may=operates)
async def redrive(request: Request, officer: SignedInOfficer, form: FormData, service: str, letter_id: str
                  ) -> Response:
    if service not in await services_of(request):
        return await _dead_letters_page(request, officer, refusal=Refusal(404, [{"text": "There is no such service."}]))
    return await send(request, officer, f"{dead_letters_of(service)}/{segment(letter_id)}/redrive", {},
                      fields=no_fields, again=partial(_again, request, officer),
                      done=partial(_outcome, service), then=f"/operations/dead-letters#{service}")


async def _again(request: Request, officer: SignedInOfficer, refusal: Refusal) -> Response:
    return await _dead_letters_page(request, officer, refusal=refusal)
