"""The savings programme's own records: a programme's target (set, or changed at the version the page showed)
and the cost avoided (recorded apart, never counted as a saving), with the cost avoidance recorded so far."""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from civic_web.gateway import Answer, Refused
from civic_web.pages import allowed, ask, first, form_at, render, segment, sent_to
from civic_web.pages.forms import as_filled, at_version, boxes_typed, pounds_typed, record_again, send, send_new
from civic_web.pages.savings.section import PROGRAMME, reads
from civic_web.refusals import Refusal
from civic_web.sessions import SignedInOfficer, signed_in
from civic_web.vocabulary import pounds

router = APIRouter(include_in_schema=False)

#: the API's name -> (the form field's id, what it is called)
TARGET_FIELDS = {"name": ("name", "Programme"), "amount_pence": ("amount", "Target"),
                 "description": ("description", "Description")}
COST_AVOIDANCE_FIELDS = {"title": ("title", "Title"), "directorate": ("directorate", "Directorate"),
                         "year": ("year", "Financial year"), "amount_pence": ("amount", "Cost avoided"),
                         "programme": ("programme", "Programme"), "description": ("description", "Description")}
#: how an amount is written, in the messages about one that is not
AMOUNT = "2,500,000 or 2500000.50"
PAGE_SIZE = 50
COST_AVOIDANCE = "/savings/cost-avoidance"


def keeps_programme(officer: SignedInOfficer) -> None:
    reads(officer)
    allowed(officer.permissions.may_keep_programme)


def _report(name: str) -> str:
    return f"/savings/reports/targets/{segment(name)}"


# ---------------------------------------------------------------- a programme's target


async def _target(request: Request, officer: SignedInOfficer, name: str) -> dict[str, Any] | None:
    """The programme's target as it is now, or None when the programme has none."""
    try:
        target: dict[str, Any] = (await ask(request, officer, f"{PROGRAMME}/targets/{segment(name)}")).body
    except Refused as refused:
        if refused.status == 404:
            return None
        raise
    return target


async def _target_page(request: Request, officer: SignedInOfficer, name: str, *, refusal: Refusal | None = None,
                       typed: dict[str, str] | None = None) -> Response:
    """A new target's form, or the programme's target as it is now (after a refusal too) to change."""
    target = await _target(request, officer, name) if name else None
    if typed is None:
        typed = {"name": name, "amount": pounds(target["amount_pence"]).removeprefix("£") if target else "",
                 "description": (target or {}).get("description") or ""}
    return render(request, "savings/target_form.html", {
        "target": target, "version": str(target.get("version", "")) if target else "", "typed": typed,
    }, refusal)


@router.get("/targets/set")
async def target_form(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    keeps_programme(officer)
    return await _target_page(request, officer, first(request.query_params.get("name")))


@sent_to(router, "/targets/set", may=keeps_programme)
async def set_target(request: Request, officer: SignedInOfficer, form: FormData) -> Response:
    typed = boxes_typed(form, ("name", "amount", "description"))
    changing = bool(first(form.get("version")))
    pence, not_read = pounds_typed(typed["amount"], "amount", "Target", AMOUNT)
    if not typed["name"]:  # the programme's name is the target's address: without one there is nothing to ask
        not_read = {"name": "Enter the programme's name"} | not_read
    body: dict[str, Any] = {"amount_pence": pence, "description": typed["description"] or None}

    async def again(refusal: Refusal) -> Response:  # a new target's form, as typed
        return await _target_page(request, officer, "", refusal=refusal, typed=typed)

    def done(answer: Answer) -> str:
        said = "is set at" if answer.status == 201 else "is now"
        return f"The target of {typed['name']} {said} {pounds(answer.body.get('amount_pence'))}."

    # a new target is created only: one set meanwhile by someone else is never replaced from this form (412)
    condition = at_version(form) if changing else {"If-None-Match": "*"}
    shown_again = record_again(partial(_target_page, request, officer, typed["name"]), typed) if changing else again
    return await send(request, officer, f"{PROGRAMME}/targets/{segment(typed['name'])}", body, method="PUT",
                      headers=condition, fields=TARGET_FIELDS.get, again=shown_again,
                      not_read=not_read, done=done, then=_report(typed["name"]))


# ---------------------------------------------------------------- cost avoidance


@router.get("/cost-avoidance")
async def cost_avoidance(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    reads(officer)
    year = first(request.query_params.get("year"))
    cursor = first(request.query_params.get("cursor"))
    query = {"limit": str(PAGE_SIZE), **({"year": year} if year else {}), **({"cursor": cursor} if cursor else {})}
    page = (await ask(request, officer, f"{PROGRAMME}/cost-avoidance", query)).body
    kept = {"year": year} if year else {}
    return render(request, "savings/cost_avoidance.html", {
        "items": page.get("items", []), "year": year,
        "next_page": f"?{urlencode({**kept, 'cursor': page['next_cursor']})}" if page.get("next_cursor") else None,
        "first_page": f"?{urlencode(kept)}" if cursor else None,
    })


async def _record_page(request: Request, officer: SignedInOfficer, *, refusal: Refusal | None = None,
                       typed: dict[str, str] | None = None, attempt: str | None = None) -> Response:
    return render(request, "savings/cost_avoidance_new.html", {
        **as_filled(typed, attempt),
    }, refusal)


@form_at(router, "/cost-avoidance/new", page=_record_page, may=keeps_programme)
async def record_cost_avoidance(request: Request, officer: SignedInOfficer, form: FormData) -> Response:
    typed = boxes_typed(form, (field_id for field_id, _ in COST_AVOIDANCE_FIELDS.values()))
    body: dict[str, Any] = {name: typed[field_id] for name, (field_id, _) in COST_AVOIDANCE_FIELDS.items()
                            if typed[field_id] and name != "amount_pence"}
    pence, not_read = pounds_typed(typed["amount"], "amount", "Cost avoided", AMOUNT)
    if pence is not None:
        body["amount_pence"] = pence
    return await send_new(request, officer, f"{PROGRAMME}/cost-avoidance", body, form=form, typed=typed,
                          page=partial(_record_page, request, officer), fields=COST_AVOIDANCE_FIELDS.get,
                          not_read=not_read,
                          done=lambda answer: f"{pounds(answer.body.get('amount_pence'))} of cost avoided in "
                                          f"{answer.body.get('year')} is recorded: {answer.body.get('title')}.",
                          then=COST_AVOIDANCE)
