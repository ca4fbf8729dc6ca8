"""A member's register of interests: registering an interest (its kind as the API lists them, what it is, the
organisations or matters it concerns, the days it is held; a sensitive interest's details only for an officer
with ``safeguarding:confidential``, who alone reads them back). The register and its yearly review are on the
member's page (``boards.py``)."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from civic_web.pages import form_at, gateway_of, render, segment
from civic_web.pages.forms import as_filled, boxes_typed, date_typed, send_new
from civic_web.pages.safeguarding.section import API, board_of, get, runs_business
from civic_web.refusals import Refusal
from civic_web.sessions import SignedInOfficer
from civic_web.vocabulary import body_choices

router = APIRouter(include_in_schema=False)

INTEREST_FIELDS = {"kind": ("kind", "Kind of interest"), "description": ("description", "What the interest is"),
                   "concerns": ("concerns", "What it concerns"), "held_from": ("held_from-day", "Held from"),
                   "held_until": ("held_until-day", "Held until"), "details": ("details", "Details")}


async def _interest_page(request: Request, officer: SignedInOfficer, member_id: str, *, refusal: Refusal | None = None,
                         typed: dict[str, str] | None = None, attempt: str | None = None) -> Response:
    member, document = await asyncio.gather(get(request, officer, f"/members/{segment(member_id)}"),
                                            gateway_of(request).document())
    return render(request, "safeguarding/new_interest.html", {
        "member": member.body, "board": await board_of(request, officer, str(member.body["board_id"])),
        "kinds": body_choices(document, f"{API}/members/{{member_id}}/interests", "post", "kind"),
        **as_filled(typed, attempt),
    }, refusal)


@form_at(router, "/members/{member_id}/interests/new", page=_interest_page, may=runs_business)
async def register_interest(request: Request, officer: SignedInOfficer, form: FormData, member_id: str) -> Response:
    held_from, typed = date_typed(form, "held_from")
    held_until, typed_until = date_typed(form, "held_until")
    typed |= typed_until | boxes_typed(form, ("kind", "description", "concerns", "details"))
    body: dict[str, Any] = {
        "kind": typed["kind"] or None, "description": typed["description"],
        # one a line, as the officer lists them; the API says whether one is there twice
        "concerns": [line.strip() for line in typed["concerns"].splitlines() if line.strip()],
    }
    body |= {name: value for name, value in (("held_from", held_from), ("held_until", held_until)) if value}
    if officer.permissions.sees_case_details and typed["details"]:  # never sent by one who could not read it back
        body["details"] = typed["details"]
    return await send_new(request, officer, f"{API}/members/{segment(member_id)}/interests", body, form=form,
                          typed=typed, page=partial(_interest_page, request, officer, member_id),
                          dates=("held_from", "held_until"),
                          fields=lambda name: INTEREST_FIELDS.get(name.split(".")[0]),
                          done="The interest is on the member's register.",
                          then=f"/safeguarding/members/{segment(member_id)}#interests")
