"""Campaigns (a theme the council's content runs under, with its objectives and dates), a new one, and a
campaign's page: what it is, its content by status and each item of it, and drafting content under it."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from civic_web.layout import link
from civic_web.pages import form_at, in_address, page_at, render, segment
from civic_web.pages.comms.section import API, get, may_draft, reads
from civic_web.pages.forms import as_filled, boxes_typed, date_typed, send_new
from civic_web.refusals import Refusal
from civic_web.sessions import SignedInOfficer, signed_in
from civic_web.vocabulary import moment, words_for

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


# ---------------------------------------------------------------- a campaign and its content

#: the campaign's content on its page: as many as one page of the API gives
CAMPAIGN_CONTENT = "200"


async def _campaign_page(request: Request, officer: SignedInOfficer, campaign_id: str) -> Response:
    here = f"/campaigns/{segment(campaign_id)}"
    campaign, content = await asyncio.gather(get(request, officer, here),
                                             get(request, officer, f"{here}/content", {"limit": CAMPAIGN_CONTENT}))
    items = content.body.get("items", [])
    return render(request, "comms/campaign.html", {
        "campaign": campaign.body, "more": bool(content.body.get("next_cursor")),
        "rows": [[
            {"html": link(f"/comms/content/{in_address(c.get('id', ''))}", c.get("title", ""))},
            {"text": words_for(c.get("status"))},
            {"text": ", ".join(words_for(ch) for ch in c.get("channels", []))},
            {"text": moment(c.get("published_at")) or moment(c.get("publish_at")) or "Not yet"},
        ] for c in items],
    })


page_at(router, "/campaigns/{campaign_id}", page=_campaign_page, shown_to=reads)
