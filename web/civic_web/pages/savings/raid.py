"""The RAID log: the risks, assumptions, issues and dependencies of the programmes and their initiatives, as one
register filtered by programme, kind and status; an item raised on its programme or on an initiative; an item's
page, where an officer who keeps the programme (``savings:write``) updates it while it is open, or closes it with
the reason it no longer needs managing. Its rating (likelihood times impact, red, amber or green) is the API's."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup
from starlette.datastructures import FormData

from civic_web import components
from civic_web.pages import ask, first, form_at, page_at, render, segment
from civic_web.pages.forms import boxes_typed, date_boxes, date_typed, new_record_page, send_change, send_new
from civic_web.pages.listed import Register
from civic_web.pages.savings.programme import keeps_programme
from civic_web.pages.savings.section import API, PROGRAMME, reads
from civic_web.refusals import Refusal
from civic_web.sessions import SignedInOfficer
from civic_web.vocabulary import day, words_for

router = APIRouter(include_in_schema=False)

RAID = f"{PROGRAMME}/raid"
#: the kinds and statuses if the API's description does not answer
KINDS = ("risk", "assumption", "issue", "dependency")
STATUSES = ("open", "closed")
#: the API's name -> (the form field's id, what it is called), on the raise form and the update form
ITEM_FIELDS = {
    "kind": ("kind", "Kind"),
    "title": ("title", "Title"),
    "owner": ("owner", "Owner"),
    "likelihood": ("likelihood", "Likelihood"),
    "impact": ("impact", "Impact"),
    "review_on": ("review_on-day", "Review date"),
    "description": ("description", "Description"),
    "mitigation": ("mitigation", "Mitigation"),
    "decision_needed": ("decision_needed", "Decision needed"),
    "decision": ("decision", "Decision asked for"),
}
BOXES = ("kind", "title", "owner", "likelihood", "impact", "description", "mitigation", "decision")
CLOSE_FIELDS = {"reason": ("close-reason", "Reason")}
FILTERS = {"programme": "Programme", "kind": "Kind", "status": "Status"}
RATING_TAGS = {"red": "govuk-tag--red", "amber": "govuk-tag--orange", "green": "govuk-tag--green"}
PAGE_SIZE = 50


def item_address(item_id: str) -> str:
    return f"/savings/raid/{segment(item_id)}"


def rating_tag(item: dict[str, Any]) -> Markup:
    """An item's rating as a tag with its score (the colour is never the only sign: the word is there)."""
    rating = str(item.get("rating") or "")
    text = f"{words_for(rating)} ({item.get('score')})"
    return Markup(components.tag({"text": text, "classes": RATING_TAGS.get(rating, "")}))  # noqa: S704


# ---------------------------------------------------------------- the log


def _columns(item: dict[str, Any]) -> list[dict[str, Any]]:
    """An item's row after its title and kind."""
    return [
        {"text": item.get("programme") or ""},
        {"text": item.get("owner") or ""},
        {"html": rating_tag(item)},
        {"text": day(item.get("review_on"))},
        {"text": words_for(item.get("status"))},
    ]


LOG = Register(
    path=RAID,
    kinds_at=f"{PROGRAMME}/programmes/{{name}}/raid",
    filters=FILTERS,
    kinds=KINDS,
    statuses=STATUSES,
    template="savings/raid.html",
    address="/savings/raid",
    named_by="title",
    columns=_columns,
    page_size=PAGE_SIZE,
)


page_at(router, "/raid", page=LOG.page, shown_to=reads)


# ---------------------------------------------------------------- an item raised


def _item_body(form: FormData) -> tuple[dict[str, Any], dict[str, str]]:
    """An item's fields as its form sends them (a scale as a number when it is one: the API says what else is
    wrong), and the boxes as typed."""
    review_on, typed = date_typed(form, "review_on")
    typed |= boxes_typed(form, (*BOXES, "decision_needed"))
    body: dict[str, Any] = {name: typed[name] or None for name in BOXES}
    for scale in ("likelihood", "impact"):
        body[scale] = int(typed[scale]) if typed[scale].isdigit() else typed[scale] or None
    body["review_on"] = review_on
    body["decision_needed"] = typed["decision_needed"] == "yes"
    return body, typed


async def _raise_form(
    request: Request, officer: SignedInOfficer, *, name: str | None = None, initiative_id: str | None = None
) -> dict[str, Any]:
    if initiative_id is not None:
        initiative = (await ask(request, officer, f"{API}/{segment(initiative_id)}")).body
        at = f"/savings/initiatives/{segment(initiative_id)}"
        for_what = {"caption": initiative.get("title", ""), "action": f"{at}/raid/new", "back": f"{at}#raid"}
    else:
        for_what = {
            "caption": name,
            "action": f"/savings/programmes/{segment(name or '')}/raid/new",
            "back": f"/savings/programmes/{segment(name or '')}#raid",
        }
    return {**for_what, **await LOG.choices(request)}


_raise_page = new_record_page("savings/raid_new.html", _raise_form)


async def _raise(request: Request, officer: SignedInOfficer, form: FormData, path: str, **address: str) -> Response:
    body, typed = _item_body(form)
    body = {key: value for key, value in body.items() if value is not None}
    return await send_new(
        request,
        officer,
        path,
        body,
        form=form,
        typed=typed,
        page=partial(_raise_page, request, officer, **address),
        fields=ITEM_FIELDS.get,
        dates=("review_on",),
        done=lambda answer: f"{words_for(answer.body.get('kind'))} raised: {answer.body.get('title')}.",
        then=lambda answer: item_address(str(answer.body.get("id", ""))),
    )


@form_at(router, "/programmes/{name}/raid/new", page=_raise_page, may=keeps_programme)
async def raise_for_programme(request: Request, officer: SignedInOfficer, form: FormData, name: str) -> Response:
    return await _raise(request, officer, form, f"{PROGRAMME}/programmes/{segment(name)}/raid", name=name)


@form_at(router, "/initiatives/{initiative_id}/raid/new", page=_raise_page, may=keeps_programme)
async def raise_for_initiative(request: Request, officer: SignedInOfficer, form: FormData, initiative_id: str) -> Response:
    return await _raise(request, officer, form, f"{API}/{segment(initiative_id)}/raid", initiative_id=initiative_id)


# ---------------------------------------------------------------- an item: updated or closed


def _as_typed(item: dict[str, Any]) -> dict[str, str]:
    shown = {name: str(item.get(name) or "") for name in BOXES}
    shown["decision_needed"] = "yes" if item.get("decision_needed") else "no"
    return shown | date_boxes("review_on", item.get("review_on"))


async def _item_page(
    request: Request,
    officer: SignedInOfficer,
    item_id: str,
    *,
    refusal: Refusal | None = None,
    doing: str | None = None,
    typed: dict[str, str] | None = None,
) -> Response:
    """The item as it is now (after someone else's change too), with what the officer typed in the form they
    sent; the other form as the item is."""
    answer, choices = await asyncio.gather(ask(request, officer, f"{RAID}/{segment(item_id)}"), LOG.choices(request))
    item = answer.body
    shown = _as_typed(item)
    if typed is not None:
        shown |= typed
    initiative = None
    if item.get("initiative_id"):
        initiative = (await ask(request, officer, f"{API}/{segment(str(item['initiative_id']))}")).body
    return render(
        request,
        "savings/raid_item.html",
        {
            **choices,
            "item": item,
            "version": answer.version or "",
            "initiative": initiative,
            "rating": rating_tag(item),
            "doing": doing,
            "typed": shown,
            "steps": officer.permissions.may_keep_programme and item.get("status") == "open",
        },
        refusal,
    )


@form_at(router, "/raid/{item_id}", page=_item_page, may=keeps_programme, shown_to=reads)
async def update_item(request: Request, officer: SignedInOfficer, form: FormData, item_id: str) -> Response:
    """Update the item (every field as the form shows it: those left as they were change nothing), or close it
    with the reason."""
    doing = "close" if first(form.get("doing")) == "close" else "update"
    body: dict[str, Any]
    if doing == "close":
        typed = boxes_typed(form, ("close-reason",))
        path, body, fields, done = "/closure", {"reason": typed["close-reason"]}, CLOSE_FIELDS, "The item is closed."
    else:
        body, typed = _item_body(form)
        body.pop("kind")  # its kind is what it is: the API changes it no more than the form offers
        if not body["decision_needed"]:  # a decision not needed has none asked for
            body["decision"] = None
        path, fields, done = "", ITEM_FIELDS, "The item is updated."
    return await send_change(
        request,
        officer,
        f"{RAID}/{segment(item_id)}{path}",
        body,
        method="POST" if doing == "close" else "PATCH",
        form=form,
        page=partial(_item_page, request, officer, item_id, doing=doing),
        typed=typed,
        fields=fields.get,
        dates=("review_on",),
        done=done,
        then=item_address(item_id),
    )
