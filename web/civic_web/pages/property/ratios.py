"""The estate's two standards, as the API keeps them: desks for each type of worker (which turn a team's
workers into the desks it needs) and the share of its desks below which a building is under-used. Any officer
who reads the estate sees them; one who changes it may set them, at the version the page showed."""

from __future__ import annotations

import asyncio
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from civic_web.gateway import Answer
from civic_web.pages import ask, first, form_at, render, sent_to
from civic_web.pages.forms import at_version, send
from civic_web.pages.property.section import API, changes, reads
from civic_web.refusals import Refusal
from civic_web.sessions import SignedInOfficer
from civic_web.vocabulary import share, words_for

router = APIRouter(include_in_schema=False)

HERE = "/property/desk-ratios"
THRESHOLD_FIELDS = {"threshold": ("threshold", "Under-used below")}


def _number(text: str) -> Any:
    """A number goes as one; anything else as typed, for the API to say what is wrong with it."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    return float(number) if number.is_finite() else text


async def _page(request: Request, officer: SignedInOfficer, *, refusal: Refusal | None = None, form: str = "",
                typed: dict[str, str] | None = None) -> Response:
    ratios, settings = await asyncio.gather(ask(request, officer, f"{API}/desk-ratios"),
                                            ask(request, officer, f"{API}/utilisation-settings"))
    figures: dict[str, Any] = ratios.body
    workers = [w for w in figures if w not in ("id", "version")]
    shown = {f"ratio-{w}": str(figures[w]) for w in workers}
    shown["threshold"] = str(settings.body["threshold"])
    return render(request, "property/desk_ratios.html", {
        "ratios": figures, "workers": workers, "threshold": settings.body["threshold"], "share": share,
        "ratios_version": ratios.version or "", "threshold_version": settings.version or "",
        "changes": officer.permissions.may_change_estate, "form": form,
        # what the officer typed in the form they sent; the other form as the API has it
        "typed": shown | (typed or {}),
    }, refusal)


@form_at(router, "/desk-ratios", page=_page, may=changes, shown_to=reads)
async def set_desk_ratios(request: Request, officer: SignedInOfficer, form: FormData) -> Response:
    ratios: Answer = await ask(request, officer, f"{API}/desk-ratios")
    workers = [w for w in ratios.body if w not in ("id", "version")]
    typed = {f"ratio-{w}": first(form.get(f"ratio-{w}")) for w in workers}
    # an emptied box goes as null: the API needs every ratio and says so
    body = {w: _number(typed[f"ratio-{w}"]) if typed[f"ratio-{w}"] else None for w in workers}

    async def again(refusal: Refusal) -> Response:
        return await _page(request, officer, refusal=refusal, form="ratios", typed=typed)

    return await send(request, officer, f"{API}/desk-ratios", body, method="PUT", headers=at_version(form),
                      fields=lambda name: (f"ratio-{name}", f"Desks for each {words_for(name).lower()} worker")
                      if name in workers else None,
                      again=again, then=HERE, done="The desk ratios are saved: desk demand is reckoned with them from now.")


@sent_to(router, "/utilisation-threshold", may=changes)
async def set_threshold(request: Request, officer: SignedInOfficer, form: FormData) -> Response:
    typed = {"threshold": first(form.get("threshold"))}
    # a share of the desks, as the API keeps it and says what it takes (0.4 for 40%)
    threshold = _number(typed["threshold"]) if typed["threshold"] else None

    async def again(refusal: Refusal) -> Response:
        return await _page(request, officer, refusal=refusal, form="threshold", typed=typed)

    return await send(request, officer, f"{API}/utilisation-settings", {"threshold": threshold}, method="PUT",
                      headers=at_version(form), fields=THRESHOLD_FIELDS.get, again=again, then=HERE,
                      done=lambda answer: f"A building is now under-used below {share(answer.body.get('threshold'))} "
                                          f"of its desks on average.")
