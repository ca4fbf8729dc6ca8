"""The boards, a board's page (members, meetings, decisions between meetings, reviews), and a member's page,
where the board business manager records their signed MoU and names their deputy."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from civic_web.pages import first, render, segment
from civic_web.pages.forms import at_version, date_typed, on_date_input, send
from civic_web.pages.safeguarding.section import API, PAGE_SIZE, get, items, reads, runs_business
from civic_web.refusals import Refusal
from civic_web.sessions import SignedInOfficer, posted_form, signed_in

router = APIRouter(include_in_schema=False)

MEMBER_FIELDS = {"signed_on": ("mou-signed_on-day", "Date signed"), "deputy_name": ("deputy_name", "Deputy's name")}


@router.get("/boards")
async def boards(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    reads(officer)
    cursor = first(request.query_params.get("cursor"))
    query = {"limit": str(PAGE_SIZE), **({"cursor": cursor} if cursor else {})}
    page = (await get(request, officer, "/boards", query)).body
    next_page = f"?{urlencode({'cursor': page['next_cursor']})}" if page.get("next_cursor") else None
    return render(request, "safeguarding/boards.html", {
        "items": page.get("items", []), "next_page": next_page, "first_page": "?" if cursor else None,
    })


@router.get("/boards/{board_id}")
async def board(board_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    reads(officer)
    here = f"/boards/{segment(board_id)}"
    found, members, meetings, sars, decisions = await asyncio.gather(
        get(request, officer, here), items(request, officer, f"{here}/members"),
        items(request, officer, f"{here}/meetings"), items(request, officer, f"{here}/sars"),
        items(request, officer, f"{here}/decisions"))
    return render(request, "safeguarding/board.html", {
        "board": found.body, "members": members, "meetings": sorted(meetings, key=lambda m: str(m["scheduled_for"])),
        "sars": sars, "between_meetings": [d for d in decisions if not d.get("meeting_id")],
        "names": {m["id"]: m["name"] for m in members},
    })


# ---------------------------------------------------------------- a member: the MoU and the named deputy


async def _member_page(request: Request, officer: SignedInOfficer, member_id: str, *, refusal: Refusal | None = None,
                       doing: str | None = None, typed: dict[str, str] | None = None) -> Response:
    member = await get(request, officer, f"/members/{segment(member_id)}")
    found = await get(request, officer, f"/boards/{segment(member.body['board_id'])}")
    return render(request, "safeguarding/member.html", {
        "member": member.body, "version": member.version or "", "board": found.body,
        "doing": doing, "typed": typed or {},
    }, refusal)


@router.get("/members/{member_id}")
async def member(member_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    reads(officer)
    return await _member_page(request, officer, member_id)


@router.post("/members/{member_id}")
async def change_member(member_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    """Record the member's signed memorandum of understanding, or name their deputy."""
    form = await posted_form(request)
    runs_business(officer)
    doing = first(form.get("doing"))
    signed_on, typed = date_typed(form, "mou")
    typed["deputy_name"] = first(form.get("deputy_name"))
    path = f"{API}/members/{segment(member_id)}"
    method = "PUT"
    body: dict[str, str] | None = {"deputy_name": typed["deputy_name"]}
    done = f"{typed['deputy_name']} is the named deputy."
    if doing == "mou":
        path, method, body = f"{path}/mou", "POST", {"signed_on": signed_on} if signed_on else None
        done = "The signed memorandum of understanding is recorded."
    else:
        path = f"{path}/deputy"

    async def again(refusal: Refusal) -> Response:
        return await _member_page(request, officer, member_id, refusal=on_date_input(refusal, "mou-signed_on"),
                                  doing=doing, typed=typed)

    return await send(request, officer, path, body, method=method, headers=at_version(form), fields=MEMBER_FIELDS.get,
                      again=again, done=done, then=f"/safeguarding/members/{segment(member_id)}")
