"""The estate's two standards, as the API keeps them: desks for each type of worker (which turn a team's
workers into the desks it needs) and the share of its desks below which a building is under-used. Any officer
who reads the estate sees them; one who changes it may set them, at the version the page showed, and review every
building in use over a past period against the under-use share (the API reports each under-used building once
a period)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from civic_web.gateway import Answer
from civic_web.pages import ask, first, form_at, render, sent_to
from civic_web.pages.forms import date_typed, on_date_input, send, send_change
from civic_web.pages.property.section import API, changes, reads
from civic_web.refusals import Refusal
from civic_web.sessions import SignedInOfficer
from civic_web.vocabulary import LONDON, day, share, words_for

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
    return await send_change(request, officer, f"{API}/desk-ratios", body, method="PUT", form=form,
                             page=partial(_page, request, officer), typed=typed, which={"form": "ratios"},
                             fields=lambda name: (f"ratio-{name}", f"Desks for each {words_for(name).lower()} worker")
                             if name in workers else None,
                             then=HERE, done="The desk ratios are saved: desk demand is reckoned with them from now.")


@sent_to(router, "/utilisation-threshold", may=changes)
async def set_threshold(request: Request, officer: SignedInOfficer, form: FormData) -> Response:
    typed = {"threshold": first(form.get("threshold"))}
    # a share of the desks, as the API keeps it and says what it takes (0.4 for 40%)
    threshold = _number(typed["threshold"]) if typed["threshold"] else None
    return await send_change(request, officer, f"{API}/utilisation-settings", {"threshold": threshold}, method="PUT",
                             form=form, page=partial(_page, request, officer), typed=typed, which={"form": "threshold"},
                             fields=THRESHOLD_FIELDS.get, then=HERE,
                             done=lambda answer: f"A building is now under-used below "
                                                 f"{share(answer.body.get('threshold'))} of its desks on average.")


# ---------------------------------------------------------------- a review of the estate's utilisation

REVIEW = "/property/utilisation-review"
REVIEW_FIELDS = {"from": ("from-day", "Start of the period"), "to": ("to-day", "End of the period"),
                 "threshold": ("threshold", "Under-used below")}


def _last_month() -> dict[str, str]:
    """The boxes as a first visit fills them: last calendar month, the period a monthly review looks back on."""
    end = datetime.now(LONDON).date().replace(day=1) - timedelta(days=1)
    return {"from-day": "1", "from-month": str(end.month), "from-year": str(end.year),
            "to-day": str(end.day), "to-month": str(end.month), "to-year": str(end.year)}


async def _review_page(request: Request, officer: SignedInOfficer, *, refusal: Refusal | None = None,
                       typed: dict[str, str] | None = None) -> Response:
    settings = await ask(request, officer, f"{API}/utilisation-settings")
    return render(request, "property/utilisation_review.html", {
        "threshold": settings.body["threshold"], "share": share, "typed": typed or _last_month(),
    }, refusal)


def _findings(answer: Answer) -> str:
    """What the review found, said on the next page."""
    review = answer.body
    under = review.get("under_used", [])
    said = (f"The review of {day(review.get('from'))} to {day(review.get('to'))} checked "
            f"{len(review.get('buildings', []))} buildings in use: ")
    if not under:
        return said + f"none is under-used below {share(review.get('threshold'))} of its desks."
    named = ", ".join(f"{b.get('name')} {share(b.get('mean'))}" for b in under)
    return (said + f"{len(under)} under-used below {share(review.get('threshold'))} of their desks ({named}); "
            f"{review.get('newly_reported', 0)} reported for the first time.")


@form_at(router, "/utilisation-review", page=_review_page, may=changes)
async def review_utilisation(request: Request, officer: SignedInOfficer, form: FormData) -> Response:
    start, typed = date_typed(form, "from")
    end, typed_end = date_typed(form, "to")
    typed |= typed_end | {"threshold": first(form.get("threshold"))}
    body: dict[str, Any] = {"from": start, "to": end}
    if typed["threshold"]:  # else the estate's under-use share
        body["threshold"] = _number(typed["threshold"])

    async def again(refusal: Refusal) -> Response:
        for date_id in ("from", "to"):
            refusal = on_date_input(refusal, date_id)
        return await _review_page(request, officer, refusal=refusal, typed=typed)

    return await send(request, officer, f"{API}/utilisation-reviews", body, fields=REVIEW_FIELDS.get, again=again,
                      done=_findings, then=REVIEW)
