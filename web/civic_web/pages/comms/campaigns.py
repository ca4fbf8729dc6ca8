"""Campaigns (a theme the council's content runs under, with its objectives and dates), and a new one."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from civic_web.pages import form_at, render
from civic_web.pages.comms.section import API, get, may_draft, reads
from civic_web.pages.forms import as_filled, boxes_typed, date_typed, send_new
from civic_web.refusals import Refusal
from civic_web.sessions import SignedInOfficer, signed_in

router = APIRouter(include_in_schema=False)

CAMPAIGN_FIELDS = {"title": ("title", "Title"), "objectives": ("objectives", "Objectives"),
                   "starts_on": ("starts-day", "Starts"), "ends_on": ("ends-day", "Ends"), "owner": ("owner", "Owner"),
                   "description": ("description", "Description")}


@router.get("/campaigns")
async def campaigns(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    reads(officer)
    page = (await get(request, officer, "/campaigns", {"limit": "100"})).body
    return render(request, "comms/campaigns.html", {
        "items": sorted(page.get("items", []), key=lambda c: str(c.get("starts_on")), reverse=True)})


async def _new_campaign_page(request: Request, officer: SignedInOfficer, *, refusal: Refusal | None = None,
                             typed: dict[str, str] | None = None, attempt: str | None = None) -> Response:
    return render(request, "comms/new_campaign.html", {
        **as_filled(typed, attempt)}, refusal)


@form_at(router, "/campaigns/new", page=_new_campaign_page, may=may_draft)
async def create_campaign(request: Request, officer: SignedInOfficer, form: FormData) -> Response:
    starts_on, typed = date_typed(form, "starts")
    ends_on, typed_ends = date_typed(form, "ends")
    typed |= typed_ends | boxes_typed(form, ("title", "objectives", "owner", "description"))
    body: dict[str, Any] = {name: typed[name] for name in ("title", "owner", "description") if typed[name]}
    # one objective a line; the API says whether there is one that counts
    body["objectives"] = [line.strip() for line in typed["objectives"].splitlines() if line.strip()]
    body |= {name: value for name, value in (("starts_on", starts_on), ("ends_on", ends_on)) if value}
    return await send_new(request, officer, f"{API}/campaigns", body, form=form, typed=typed,
                          page=partial(_new_campaign_page, request, officer), dates=("starts", "ends"),
                          fields=lambda name: CAMPAIGN_FIELDS.get(name.split(".")[0]),
                          done=lambda answer: f"{answer.body.get('title', 'The campaign')} is set up, on the forward plan.",
                          then="/comms/campaigns")
