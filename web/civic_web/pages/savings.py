"""Savings: the register of initiatives, an initiative's page with the moves the officer may make, and a new
initiative's form.

Everything goes through the gateway's ``/api/savings/v1/...`` as the officer. The pages decide only what to
show and offer (``permissions.py``) and how to say it (``vocabulary.py``); whether a change is allowed is the
API's to say, and a refusal comes back as the GOV.UK error summary with what the officer typed kept.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from civic_web.gateway import Answer, Refused
from civic_web.pages import first, gateway_of, layout_of, request_id
from civic_web.refusals import Refusal, refusal_from
from civic_web.sessions import SignedInOfficer, posted_form, signed_in, tell
from civic_web.vocabulary import body_choices, move_words, parameter_choices, pence_of

router = APIRouter(prefix="/savings", include_in_schema=False)

API = "/api/savings/v1/initiatives"
PAGE_SIZE = 20
#: the register's filters the API takes, in the order the form shows them
FILTERS = ("theme", "directorate", "programme", "category", "status")
#: rows of a new initiative's savings profile (a year and an amount each); empty rows are left out
PROFILE_ROWS = 6
TEXT_FIELDS = {"title": "Title", "directorate": "Directorate", "programme": "Programme", "owner": "Owner",
               "rag_reason": "Reason for the RAG status"}
CHOICE_FIELDS = {"theme": "Theme", "category": "Category", "rag": "RAG status"}
MOVE_FIELDS = {"reason": "Reason", "to_year": "Year the unmet saving moves to", "from_year": "Year that slips"}


class NoAccess(Exception):
    """The officer's scopes do not reach this page (it is never linked for them)."""


def _reads(officer: SignedInOfficer) -> None:
    if not officer.permissions.reads("savings"):
        raise NoAccess()


async def _choices(request: Request) -> dict[str, list[str]]:
    """The register's enumerations, as the API describes them."""
    document = await gateway_of(request).document()
    return {
        "theme": parameter_choices(document, API, "get", "theme"),
        "category": parameter_choices(document, API, "get", "category"),
        "status": parameter_choices(document, API, "get", "status"),
        "rag": body_choices(document, API, "post", "rag"),
    }


# ---------------------------------------------------------------- the register


@router.get("/initiatives")
async def initiatives(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _reads(officer)
    chosen = {name: first(request.query_params.get(name)) for name in FILTERS}
    cursor = first(request.query_params.get("cursor"))
    params = {name: value for name, value in chosen.items() if value}
    query = {**params, "limit": str(PAGE_SIZE), **({"cursor": cursor} if cursor else {})}
    refusal = None
    page: dict[str, Any] = {"items": [], "next_cursor": None}
    try:
        page = (await gateway_of(request).get(officer.token, API, query, request_id(request))).body
    except Refused as refused:
        refusal = refusal_from(refused.problem, lambda f: (f, f.capitalize()) if f in FILTERS else None, refused.status)
    next_page = f"?{urlencode({**params, 'cursor': page['next_cursor']})}" if page.get("next_cursor") else None
    first_page = f"?{urlencode(params)}" if cursor else None
    return layout_of(request).render(request, "savings/initiatives.html", {
        "items": page.get("items", []), "chosen": chosen, "choices": await _choices(request),
        "filtered": bool(params), "next_page": next_page, "first_page": first_page, "refusal": refusal,
    }, status=refusal.status if refusal else 200)


# ---------------------------------------------------------------- a new initiative
# (declared before /initiatives/{initiative_id}, which would take "new")


def _proposal(form: FormData) -> tuple[dict[str, Any], dict[str, str], list[int], list[tuple[str, str]]]:
    """The API's body from the form, what the officer typed (to show again), the form row of each profile
    entry sent, and what could not be read as typed (field id, message)."""
    typed = {name: first(form.get(name)) for name in (*TEXT_FIELDS, *CHOICE_FIELDS)}
    body: dict[str, Any] = {name: value for name, value in typed.items() if value}
    profile: list[dict[str, Any]] = []
    rows: list[int] = []
    unreadable: list[tuple[str, str]] = []
    for row in range(PROFILE_ROWS):
        year = typed[f"profile-{row}-year"] = first(form.get(f"profile-{row}-year"))
        amount = typed[f"profile-{row}-amount"] = first(form.get(f"profile-{row}-amount"))
        if not year and not amount:
            continue
        pence = pence_of(amount) if amount else None
        if amount and pence is None:
            unreadable.append((f"profile-{row}-amount",
                               f"Planned saving in row {row + 1} must be an amount in pounds, like 12,500 or 12500.50"))
        entry: dict[str, Any] = {"year": year}
        if pence is not None:
            entry["planned_pence"] = pence
        profile.append(entry)
        rows.append(row)
    body["profile"] = profile
    return body, typed, rows, unreadable


def _proposal_field(rows: list[int]) -> Any:
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
    _reads(officer)
    if not officer.permissions.may_propose_initiative:
        raise NoAccess()


@router.get("/initiatives/new")
async def new_initiative(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _may_propose(officer)
    return layout_of(request).render(request, "savings/new.html", {
        "choices": await _choices(request), "typed": {}, "refusal": None, "rows": range(PROFILE_ROWS),
        "attempt": uuid.uuid4().hex,
    })


@router.post("/initiatives/new")
async def propose(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    form = await posted_form(request)
    _may_propose(officer)
    body, typed, rows, unreadable = _proposal(form)
    # one attempt at the form is one Idempotency-Key: a second click, or a retry after a lost answer,
    # finds the first answer instead of proposing the initiative twice (a refusal leaves the key free)
    attempt = first(form.get("attempt")) or uuid.uuid4().hex
    refusal: Refusal | None = None
    if unreadable:
        refusal = Refusal(400, [{"text": text, "href": f"#{field}"} for field, text in unreadable], dict(unreadable))
    else:
        try:
            answer = await gateway_of(request).post(officer.token, API, body, headers={"Idempotency-Key": attempt},
                                                    request_id=request_id(request))
        except Refused as refused:
            refusal = refusal_from(refused.problem, _proposal_field(rows), refused.status)
        else:
            tell(request, f"{answer.body.get('title', 'The initiative')} is proposed.")
            return RedirectResponse(f"/savings/initiatives/{quote(str(answer.body['id']), safe='')}", status_code=303)
    assert refusal is not None
    return layout_of(request).render(request, "savings/new.html", {
        "choices": await _choices(request), "typed": typed, "refusal": refusal, "rows": range(PROFILE_ROWS),
        "attempt": attempt,
    }, status=refusal.status)


# ---------------------------------------------------------------- one initiative


def _move_field(to: str) -> Any:
    def on_page(name: str) -> tuple[str, str] | None:
        label = MOVE_FIELDS.get(name)
        return (f"{to}-{name}", label) if label else None

    return on_page


async def _initiative(request: Request, officer: SignedInOfficer, initiative_id: str) -> Answer:
    return await gateway_of(request).get(officer.token, f"{API}/{quote(initiative_id, safe='')}",
                                         request_id=request_id(request))


def _initiative_page(request: Request, officer: SignedInOfficer, answer: Answer, *, refusal: Refusal | None = None,
                     moving: str | None = None, typed: dict[str, str] | None = None) -> Response:
    initiative = answer.body
    moves = officer.permissions.initiative_moves(initiative.get("next_statuses", []))
    profile = {p["year"]: {"planned": p.get("planned_pence", 0), "delivered": None} for p in initiative.get("profile", [])}
    for actual in initiative.get("actuals", []):
        profile.setdefault(actual["year"], {"planned": 0, "delivered": None})["delivered"] = actual.get("delivered_pence")
    return layout_of(request).render(request, "savings/initiative.html", {
        "initiative": initiative, "version": answer.version or "", "moves": moves,
        "profile": dict(sorted(profile.items())), "refusal": refusal, "moving": moving, "typed": typed or {},
    }, status=refusal.status if refusal else 200)


@router.get("/initiatives/{initiative_id}")
async def initiative(initiative_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _reads(officer)
    return _initiative_page(request, officer, await _initiative(request, officer, initiative_id))


@router.post("/initiatives/{initiative_id}/moves")
async def move(initiative_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    form = await posted_form(request)
    _reads(officer)
    to = first(form.get("to"))
    typed = {name: first(form.get(name)) for name in MOVE_FIELDS}
    body: dict[str, Any] = {"to": to, **{name: value for name, value in typed.items() if value}}
    version = first(form.get("version"))
    headers = {"If-Match": f'"{version}"'} if version else {}
    address = f"/savings/initiatives/{quote(initiative_id, safe='')}"
    try:
        await gateway_of(request).post(officer.token, f"{API}/{quote(initiative_id, safe='')}/transitions", body,
                                       headers=headers, request_id=request_id(request))
    except Refused as refused:
        refusal = refusal_from(refused.problem, _move_field(to), refused.status)
        # shown as it is now (after a 412 that is someone else's change), with what the officer typed
        return _initiative_page(request, officer, await _initiative(request, officer, initiative_id),
                                refusal=refusal, moving=to, typed=typed)
    tell(request, f"{move_words(to)}: done.")
    return RedirectResponse(address, status_code=303)
