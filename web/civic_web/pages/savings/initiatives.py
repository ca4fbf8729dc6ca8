"""The register of initiatives (filtered, a page at a time), a new initiative's form, and an initiative's page
with the moves the officer may make and its progress: a year's saving delivered and the RAG status."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from civic_web.gateway import Answer, Refused
from civic_web.layout import link
from civic_web.pages import allowed, ask, first, form_at, gateway_of, in_address, page_at, render, segment, sent_to
from civic_web.pages.forms import as_filled, boxes_typed, pounds_typed, send_change, send_new
from civic_web.pages.savings.delivery_plans import plan_of, plan_rows
from civic_web.pages.savings.section import API, reads
from civic_web.refusals import FieldOnPage, Refusal, refusal_from
from civic_web.sessions import SignedInOfficer, signed_in
from civic_web.vocabulary import body_choices, move_words, parameter_choices, pounds, words_for

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20
#: the register's filters the API takes, in the order the form shows them
FILTERS = ("theme", "directorate", "programme", "category", "status")
#: rows of a new initiative's savings profile (a year and an amount each); empty rows are left out
PROFILE_ROWS = 6
TEXT_FIELDS = {"title": "Title", "directorate": "Directorate", "programme": "Programme", "owner": "Owner",
               "rag_reason": "Reason for the RAG status"}
CHOICE_FIELDS = {"theme": "Theme", "category": "Category", "rag": "RAG status"}
MOVE_FIELDS = {"reason": "Reason", "to_year": "Year the unmet saving moves to", "from_year": "Year that slips"}
#: an actual's fields: the API's name -> (the form field's id, what it is called)
ACTUAL_FIELDS = {"year": ("actual-year", "Year"), "delivered_pence": ("actual-amount", "Saving delivered")}
RAG_FIELDS = {"rag": ("rag-rag", "RAG status"), "rag_reason": ("rag-rag_reason", "Reason for the RAG status")}
#: how an amount is written, in the messages about one that is not
AMOUNT = "12,500 or 12500.50"


async def _choices(request: Request) -> dict[str, list[str]]:
    """The register's enumerations, as the API describes them."""
    document = await gateway_of(request).document()
    return {
        "theme": parameter_choices(document, API, "get", "theme"),
        "category": parameter_choices(document, API, "get", "category"),
        "status": parameter_choices(document, API, "get", "status"),
        "rag": body_choices(document, API, "post", "rag"),
    }


def _address(initiative_id: str) -> str:
    return f"/savings/initiatives/{segment(initiative_id)}"


# ---------------------------------------------------------------- the register


@router.get("/initiatives")
async def initiatives(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    reads(officer)
    chosen = {name: first(request.query_params.get(name)) for name in FILTERS}
    cursor = first(request.query_params.get("cursor"))
    params = {name: value for name, value in chosen.items() if value}
    query = {**params, "limit": str(PAGE_SIZE), **({"cursor": cursor} if cursor else {})}
    refusal = None
    page: dict[str, Any] = {"items": [], "next_cursor": None}
    try:
        page = (await ask(request, officer, API, query)).body
    except Refused as refused:
        refusal = refusal_from(refused.problem, lambda f: (f, f.capitalize()) if f in FILTERS else None, refused.status)
    next_page = f"?{urlencode({**params, 'cursor': page['next_cursor']})}" if page.get("next_cursor") else None
    first_page = f"?{urlencode(params)}" if cursor else None
    items = page.get("items", [])
    return render(request, "savings/initiatives.html", {
        "items": items, "rows": _register_rows(items), "chosen": chosen, "choices": await _choices(request),
        "filtered": bool(params), "next_page": next_page, "first_page": first_page,
    }, refusal)


def _register_rows(items: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The register's table, a row an initiative: built here rather than in the template, where each of a
    page's hundred and twenty cells cost a dozen template calls."""
    return [[
        {"html": link(f"/savings/initiatives/{in_address(i.get('id', ''))}", i.get("title", ""))},
        {"text": i.get("directorate")},
        {"text": words_for(i.get("theme"))},
        {"text": words_for(i.get("status"))},
        {"text": words_for(i.get("rag")) or "Not set"},
        {"text": pounds(i.get("planned_pence")), "format": "numeric"},
    ] for i in items]


# ---------------------------------------------------------------- a new initiative
# (declared before /initiatives/{initiative_id}, which would take "new")


def _proposal(form: FormData) -> tuple[dict[str, Any], dict[str, str], list[int], dict[str, str]]:
    """The API's body from the form, what the officer typed (to show again), the form row of each profile
    entry sent, and what could not be read as typed (field id -> message)."""
    typed = boxes_typed(form, (*TEXT_FIELDS, *CHOICE_FIELDS))
    body: dict[str, Any] = {name: value for name, value in typed.items() if value}
    profile: list[dict[str, Any]] = []
    rows: list[int] = []
    not_read: dict[str, str] = {}
    for row in range(PROFILE_ROWS):
        year = typed[f"profile-{row}-year"] = first(form.get(f"profile-{row}-year"))
        amount = typed[f"profile-{row}-amount"] = first(form.get(f"profile-{row}-amount"))
        if not year and not amount:
            continue
        pence, message = pounds_typed(amount, f"profile-{row}-amount", f"Planned saving in row {row + 1}", AMOUNT)
        not_read |= message
        entry: dict[str, Any] = {"year": year}
        if pence is not None:
            entry["planned_pence"] = pence
        profile.append(entry)
        rows.append(row)
    body["profile"] = profile
    return body, typed, rows, not_read


def _proposal_field(rows: list[int]) -> FieldOnPage:
    def on_page(name: str) -> tuple[str, str] | None:
        if name in TEXT_FIELDS:
            return name, TEXT_FIELDS[name]
        if name in CHOICE_FIELDS:
            return name, CHOICE_FIELDS[name]
        parts = name.split(".")
        if parts[0] == "profile":
            if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(rows):
                row = rows[int(parts[1])]
                if parts[2] == "year":
                    return f"profile-{row}-year", f"Year in row {row + 1}"
                return f"profile-{row}-amount", f"Planned saving in row {row + 1}"
            return "profile-0-year", "Savings profile"
        return None

    return on_page


def _may_propose(officer: SignedInOfficer) -> None:
    reads(officer)
    allowed(officer.permissions.may_propose_initiative)


async def _new_page(request: Request, officer: SignedInOfficer, *, refusal: Refusal | None = None,
                    typed: dict[str, str] | None = None, attempt: str | None = None) -> Response:
    return render(request, "savings/new.html", {
        "choices": await _choices(request), **as_filled(typed, attempt), "rows": range(PROFILE_ROWS),
    }, refusal)


@form_at(router, "/initiatives/new", page=_new_page, may=_may_propose)
async def propose(request: Request, officer: SignedInOfficer, form: FormData) -> Response:
    body, typed, rows, not_read = _proposal(form)
    return await send_new(request, officer, API, body, form=form, typed=typed, page=partial(_new_page, request, officer),
                          fields=_proposal_field(rows), not_read=not_read,
                          done=lambda answer: f"{answer.body.get('title', 'The initiative')} is proposed.",
                          then=lambda answer: _address(str(answer.body["id"])))


# ---------------------------------------------------------------- one initiative


def _move_field(to: str) -> FieldOnPage:
    def on_page(name: str) -> tuple[str, str] | None:
        label = MOVE_FIELDS.get(name)
        return (f"{to}-{name}", label) if label else None

    return on_page


async def _initiative_page(request: Request, officer: SignedInOfficer, initiative_id: str, *,
                           refusal: Refusal | None = None, moving: str | None = None,
                           typed: dict[str, str] | None = None) -> Response:
    """The initiative as it is now (after a refusal too), with what the officer typed."""
    answer: Answer
    answer, milestones, document = await asyncio.gather(ask(request, officer, f"{API}/{segment(initiative_id)}"),
                                                        plan_of(request, officer, initiative_id),
                                                        gateway_of(request).document())
    initiative = answer.body
    moves = officer.permissions.initiative_moves(initiative.get("next_statuses", []))
    profile = {p["year"]: {"planned": p.get("planned_pence", 0), "delivered": None} for p in initiative.get("profile", [])}
    for actual in initiative.get("actuals", []):
        profile.setdefault(actual["year"], {"planned": 0, "delivered": None})["delivered"] = actual.get("delivered_pence")
    records = officer.permissions.may_record_progress
    return render(request, "savings/initiative.html", {
        "initiative": initiative, "version": answer.version or "", "moves": moves,
        "profile": dict(sorted(profile.items())), "moving": moving, "typed": typed or {},
        "records": records, "plan": plan_rows(initiative_id, milestones),
        # an ended initiative lists no next statuses, and its delivery plan no longer changes (the API's rule)
        "plans_delivery": records and bool(initiative.get("next_statuses")),
        "rag_choices": body_choices(document, f"{API}/{{initiative_id}}", "patch", "rag") if records else [],
    }, refusal)


page_at(router, "/initiatives/{initiative_id}", page=_initiative_page, shown_to=reads)


@sent_to(router, "/initiatives/{initiative_id}/moves", may=reads)
async def move(request: Request, officer: SignedInOfficer, form: FormData, initiative_id: str) -> Response:
    to = first(form.get("to"))
    typed = boxes_typed(form, MOVE_FIELDS)
    body: dict[str, Any] = {"to": to, **{name: value for name, value in typed.items() if value}}
    return await send_change(request, officer, f"{API}/{segment(initiative_id)}/transitions", body, form=form,
                             page=partial(_initiative_page, request, officer, initiative_id), typed=typed,
                             which={"moving": to}, fields=_move_field(to), done=f"{move_words(to)}: done.",
                             then=_address(initiative_id))


# ---------------------------------------------------------------- progress: actuals and the RAG status


def _may_record(officer: SignedInOfficer) -> None:
    reads(officer)
    allowed(officer.permissions.may_record_progress)


def _named(fields: dict[str, tuple[str, str]], whole: str | None = None) -> FieldOnPage:
    """The form field for an API field; ``whole`` takes a refusal of the request as a whole (``body``)."""
    def on_page(name: str) -> tuple[str, str] | None:
        if name == "body" and whole:
            return whole, ""
        return fields.get(name)

    return on_page


def _in_words(problem: dict[str, Any]) -> dict[str, Any]:
    """The API's rules name its own fields; the page says them in words."""
    return {**problem, "errors": [{**e, "message": str(e.get("message", "")).replace("rag_reason", "a reason")}
                                  for e in problem.get("errors") or () if isinstance(e, dict)]}


async def _progress(request: Request, officer: SignedInOfficer, initiative_id: str, form: FormData, what: str,
                    body: dict[str, Any], on_page: FieldOnPage, typed: dict[str, str], done: str,
                    not_read: dict[str, str] | None = None) -> Response:
    """Send an actual or a RAG status (PATCH for the RAG) at the version the page showed; a refusal shows the
    initiative as it is now, with the form as the officer filled it in."""
    address = f"{API}/{segment(initiative_id)}"
    return await send_change(request, officer, address if what == "rag" else f"{address}/actuals", body, form=form,
                             method="PATCH" if what == "rag" else "POST",
                             page=partial(_initiative_page, request, officer, initiative_id), typed=typed,
                             which={"moving": what}, fields=on_page, reworded=_in_words, not_read=not_read,
                             done=done, then=_address(initiative_id))


@sent_to(router, "/initiatives/{initiative_id}/actuals", may=_may_record)
async def record_actual(request: Request, officer: SignedInOfficer, form: FormData, initiative_id: str) -> Response:
    typed = {"year": first(form.get("year")), "amount": first(form.get("amount"))}
    body: dict[str, Any] = {"year": typed["year"]} if typed["year"] else {}
    pence, not_read = pounds_typed(typed["amount"], "actual-amount", "Saving delivered", AMOUNT)
    if pence is not None:
        body["delivered_pence"] = pence
    return await _progress(request, officer, initiative_id, form, "actual", body, _named(ACTUAL_FIELDS), typed,
                           f"The saving delivered in {typed['year']} is recorded.", not_read)


@sent_to(router, "/initiatives/{initiative_id}/rag", may=_may_record)
async def set_rag(request: Request, officer: SignedInOfficer, form: FormData, initiative_id: str) -> Response:
    typed = {"rag": first(form.get("rag")), "rag_reason": first(form.get("rag_reason"))}
    # an empty choice clears the status (null), and a status without a reason clears the old reason with it
    body: dict[str, Any] = {"rag": typed["rag"] or None, "rag_reason": typed["rag_reason"] or None}
    return await _progress(request, officer, initiative_id, form, "rag", body,
                           _named(RAG_FIELDS, whole="rag-rag_reason"), typed,
                           f"The RAG status is now {words_for(typed['rag']).lower() or 'not set'}.")
