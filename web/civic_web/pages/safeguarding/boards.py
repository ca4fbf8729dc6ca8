"""The boards, a board's page (members, meetings, decisions between meetings, reviews, sub-groups, budgets, annual
reports and disputes), where the board business manager records a sub-group's terms of reference review, setting
up a board and adding its members, and a member's page, where they record the member's signed MoU and name their
deputy."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from functools import partial
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from civic_web.pages import first, form_at, gateway_of, render, segment, sent_to
from civic_web.pages.forms import (
    as_filled,
    at_version,
    attempt_of,
    boxes_typed,
    date_typed,
    record_again,
    send,
    send_change,
    send_new,
)
from civic_web.pages.safeguarding.documents import feed_url
from civic_web.pages.safeguarding.section import API, PAGE_SIZE, board_address, board_of, get, items, reads, runs_business
from civic_web.refusals import Refusal
from civic_web.sessions import SignedInOfficer, signed_in
from civic_web.vocabulary import body_choices, words_for

router = APIRouter(include_in_schema=False)

# ---------------------------------------------------------------- setting up a board
# (declared before /boards/{board_id}, which would take "new")

BOARD_FIELDS = {"name": ("name", "The board's name"), "kind": ("kind", "Adults or children"), "area": ("area", "Area"),
                "statutory_partners": ("statutory_partners", "Statutory partners")}


async def _new_board_page(request: Request, officer: SignedInOfficer, *, refusal: Refusal | None = None,
                          typed: dict[str, str] | None = None, attempt: str | None = None) -> Response:
    document = await gateway_of(request).document()
    return render(request, "safeguarding/new_board.html", {
        "kinds": body_choices(document, f"{API}/boards", "post", "kind") or ["adults", "children"],
        **as_filled(typed, attempt),
    }, refusal)


@form_at(router, "/boards/new", page=_new_board_page, may=runs_business)
async def set_up_board(request: Request, officer: SignedInOfficer, form: FormData) -> Response:
    typed = boxes_typed(form, BOARD_FIELDS)
    body: dict[str, Any] = {name: typed[name] for name in ("name", "kind", "area") if typed[name]}
    # one partner a line, as the officer lists them; the API says whether one is named twice
    body["statutory_partners"] = [line.strip() for line in typed["statutory_partners"].splitlines() if line.strip()]
    return await send_new(request, officer, f"{API}/boards", body, form=form, typed=typed,
                          page=partial(_new_board_page, request, officer),
                          fields=lambda name: BOARD_FIELDS.get(name.split(".")[0]),
                          done=lambda answer: f"{answer.body.get('name', 'The board')} is set up. Add its members next.",
                          then=lambda answer: board_address(str(answer.body["id"])))


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


#: where a board's reviews are listed, by the kind of case review the API says it holds (``review_kind``)
REVIEW_LISTS = {"sar": "sars", "practice_review": "practice-reviews"}


async def board_page(request: Request, officer: SignedInOfficer, board_id: str, *, refusal: Refusal | None = None,
                     doing: str | None = None, typed: dict[str, str] | None = None) -> Response:
    """The board's page; shown again with a refusal of the form it sent (``doing``: the sub-group whose terms of
    reference review was refused, ``lead-partner`` or ``constitution``), what was typed kept there."""
    here = f"/boards/{segment(board_id)}"

    async def board_and_reviews() -> tuple[Any, list[dict[str, Any]]]:
        # the reviews it holds are the API's to say: a board answers with its review_kind
        found = await get(request, officer, here)
        listed = REVIEW_LISTS.get(str(found.body.get("review_kind")))
        return found, (await items(request, officer, f"{here}/{listed}") if listed else [])

    # its business and its oversight (sub-groups, budgets, annual reports, disputes), every call at once
    ((found, reviews), members, meetings, decisions, partners), (sub_groups, budgets, reports, disputes) = (
        await asyncio.gather(
            asyncio.gather(board_and_reviews(), items(request, officer, f"{here}/members"),
                           items(request, officer, f"{here}/meetings"), items(request, officer, f"{here}/decisions"),
                           gateway_of(request).document()),
            asyncio.gather(items(request, officer, f"{here}/sub-groups"), items(request, officer, f"{here}/budgets"),
                           items(request, officer, f"{here}/annual-reports"),
                           items(request, officer, f"{here}/disputes"))))
    today = date.today()
    return render(request, "safeguarding/board.html", {
        "board": found.body, "version": found.version or "", "members": members,
        "meetings": sorted(meetings, key=lambda m: str(m["scheduled_for"])),
        "review_kind": found.body.get("review_kind"), "reviews": reviews, "feed_url": feed_url(request, board_id),
        "between_meetings": [d for d in decisions if not d.get("meeting_id")],
        # a constitution's review is approved by one of the board's decisions in effect (the API judges which)
        "decisions_in_effect": [d for d in decisions if d.get("status") == "in_effect"],
        "partners": body_choices(partners, f"{API}/boards/{{board_id}}/lead-partner", "put", "lead_partner"),
        "names": {m["id"]: m["name"] for m in members}, "sub_groups": sub_groups,
        "budgets": sorted(budgets, key=lambda b: str(b.get("year")), reverse=True),
        "annual_reports": sorted(reports, key=lambda r: str(r.get("year")), reverse=True),
        "disputes": sorted(disputes, key=lambda d: str(d.get("determined_on")), reverse=True),
        "doing": doing, "typed": typed or {},
        # the review's date starts as today, as the API takes it when none is given
        "today": {"day": str(today.day), "month": str(today.month), "year": str(today.year)},
    }, refusal)


@form_at(router, "/boards/{board_id}", page=board_page, may=runs_business, shown_to=reads)
async def review_terms_of_reference(request: Request, officer: SignedInOfficer, form: FormData,
                                    board_id: str) -> Response:
    """Record a sub-group's yearly review of its terms of reference, from its row on the board's page."""
    sub_group = first(form.get("sub_group"))
    prefix = f"tor-{sub_group}"
    reviewed_on, typed = date_typed(form, prefix)
    return await send_change(request, officer, f"{API}/sub-groups/{segment(sub_group)}/tor-reviews",
                             {"reviewed_on": reviewed_on} if reviewed_on else None, form=form,
                             page=partial(board_page, request, officer, board_id, doing=sub_group), typed=typed,
                             dates=(prefix,),
                             fields=lambda name: (f"{prefix}-day", "Date of the review") if name == "reviewed_on" else None,
                             done=lambda answer: f"The {answer.body.get('name', 'sub-group')} sub-group's terms "
                                                 "of reference review is recorded.",
                             then=board_address(board_id, "#sub-groups"))


@sent_to(router, "/boards/{board_id}/lead-partner", may=runs_business)
async def change_lead_partner(request: Request, officer: SignedInOfficer, form: FormData, board_id: str) -> Response:
    """A children's partnership: the safeguarding partner that leads and chairs it, as the partners agree."""
    typed = boxes_typed(form, ("lead_partner",))
    return await send_change(request, officer, f"{API}/boards/{segment(board_id)}/lead-partner",
                             {"lead_partner": typed["lead_partner"] or None}, form=form, typed=typed, method="PUT",
                             page=partial(board_page, request, officer, board_id, doing="lead-partner"),
                             fields=lambda name: ("lead_partner", "Lead partner") if name == "lead_partner" else None,
                             done=lambda answer: f"{words_for(answer.body.get('lead_partner'))} leads the partnership.",
                             then=board_address(board_id))


CONSTITUTION_FIELDS = {"decision_id": ("decision_id", "The decision approving it"),
                       "reviewed_on": ("constitution-day", "Date of the review")}


@sent_to(router, "/boards/{board_id}/constitution-review", may=runs_business)
async def review_constitution(request: Request, officer: SignedInOfficer, form: FormData, board_id: str) -> Response:
    """The constitution's yearly review, approved by one of the board's decisions."""
    reviewed_on, typed = date_typed(form, "constitution")
    typed |= boxes_typed(form, ("decision_id",))
    body = {"decision_id": typed["decision_id"], **({"reviewed_on": reviewed_on} if reviewed_on else {})}
    return await send_change(request, officer, f"{API}/boards/{segment(board_id)}/constitution-reviews", body,
                             form=form, typed=typed, dates=("constitution",), fields=CONSTITUTION_FIELDS.get,
                             page=partial(board_page, request, officer, board_id, doing="constitution"),
                             done="The constitution's review is recorded.", then=board_address(board_id, "#constitution"))


# ---------------------------------------------------------------- a new member of a board

NEW_MEMBER_FIELDS = {"name": ("name", "Name"), "organisation": ("organisation", "Organisation"),
                     "role": ("role", "Role"), "statutory": ("statutory", "Statutory partner"),
                     "nominated_chair": ("nominated_chair", "Nominated chair"),
                     "deputy_name": ("deputy_name", "Named deputy"),
                     "safeguarding_partner": ("safeguarding_partner", "Safeguarding partner")}


async def _new_member_page(request: Request, officer: SignedInOfficer, board_id: str, *,
                           refusal: Refusal | None = None, typed: dict[str, str] | None = None,
                           attempt: str | None = None) -> Response:
    found, document = await asyncio.gather(board_of(request, officer, board_id), gateway_of(request).document())
    return render(request, "safeguarding/new_member.html", {
        "board": found, "roles": body_choices(document, f"{API}/boards/{{board_id}}/members", "post", "role"),
        "partners": body_choices(document, f"{API}/boards/{{board_id}}/members", "post", "safeguarding_partner"),
        **as_filled(typed, attempt),
    }, refusal)


@form_at(router, "/boards/{board_id}/members/new", page=_new_member_page, may=runs_business)
async def add_member(request: Request, officer: SignedInOfficer, form: FormData, board_id: str) -> Response:
    typed = boxes_typed(form, NEW_MEMBER_FIELDS)
    body: dict[str, Any] = {name: typed[name] for name in ("name", "organisation", "role", "deputy_name",
                                                           "safeguarding_partner") if typed[name]}
    body |= {"statutory": typed["statutory"] == "yes", "nominated_chair": typed["nominated_chair"] == "yes"}
    return await send_new(request, officer, f"{API}/boards/{segment(board_id)}/members", body, form=form, typed=typed,
                          page=partial(_new_member_page, request, officer, board_id), fields=NEW_MEMBER_FIELDS.get,
                          done=lambda answer: f"{answer.body.get('name', 'The member')} is a member of the board.",
                          then=board_address(board_id, "#members"))


# ---------------------------------------------------------------- a member: the MoU, the named deputy, the register


MEMBER_FIELDS = {"signed_on": ("mou-signed_on-day", "Date signed"), "deputy_name": ("deputy_name", "Deputy's name"),
                 "leaves_on": ("leaves-day", "Last day as a member"), "given_on": ("given-day", "Date notice was given"),
                 "reviewed_on": ("review-day", "Date of the review"), "reviewed_by": ("reviewed_by", "Reviewed by")}


async def _member_page(request: Request, officer: SignedInOfficer, member_id: str, *, refusal: Refusal | None = None,
                       doing: str | None = None, typed: dict[str, str] | None = None) -> Response:
    member, register = await asyncio.gather(get(request, officer, f"/members/{segment(member_id)}"),
                                            get(request, officer, f"/members/{segment(member_id)}/interests"))
    found = await get(request, officer, f"/boards/{segment(member.body['board_id'])}")
    return render(request, "safeguarding/member.html", {
        "member": member.body, "version": member.version or "", "board": found.body, "register": register.body,
        "doing": doing, "typed": typed or {},
        # the review's attempt: the same one when a refused review is shown again, so it is still made once
        "attempt": (typed or {}).get("attempt") or uuid.uuid4().hex,
    }, refusal)


@form_at(router, "/members/{member_id}", page=_member_page, may=runs_business, shown_to=reads)
async def change_member(request: Request, officer: SignedInOfficer, form: FormData, member_id: str) -> Response:
    """Record the member's signed memorandum of understanding, name their deputy, record the yearly review of
    their register of interests, or their notice of leaving."""
    doing = first(form.get("doing"))
    signed_on, typed = date_typed(form, "mou")
    typed["deputy_name"] = first(form.get("deputy_name"))
    path = f"{API}/members/{segment(member_id)}"
    method = "PUT"
    body: dict[str, str] | None = {"deputy_name": typed["deputy_name"]}
    headers = at_version(form)
    done = f"{typed['deputy_name']} is the named deputy."
    if doing == "mou":
        path, method, body = f"{path}/mou", "POST", {"signed_on": signed_on} if signed_on else None
        done = "The signed memorandum of understanding is recorded."
    elif doing == "review":
        reviewed_on, typed = date_typed(form, "review")
        typed["reviewed_by"] = first(form.get("reviewed_by"))
        typed["attempt"] = attempt_of(form)
        path, method, done = f"{path}/interest-reviews", "POST", "The yearly review of the register is recorded."
        body = {"reviewed_by": typed["reviewed_by"], **({"reviewed_on": reviewed_on} if reviewed_on else {})}
        headers = {"Idempotency-Key": typed["attempt"]}  # a new review, made once however often it is sent
    elif doing == "notice":
        leaves_on, typed = date_typed(form, "leaves")
        given_on, typed_given = date_typed(form, "given")
        typed |= typed_given
        path, method, done = f"{path}/notice", "POST", "The notice of leaving is recorded."
        body = {"leaves_on": leaves_on, **({"given_on": given_on} if given_on else {})} if leaves_on else {}
    else:
        path = f"{path}/deputy"
    again = record_again(partial(_member_page, request, officer, member_id), typed, which={"doing": doing},
                         dates=("mou-signed_on", "review", "leaves", "given"))
    return await send(request, officer, path, body, method=method, headers=headers, fields=MEMBER_FIELDS.get,
                      again=again, done=done, then=f"/safeguarding/members/{segment(member_id)}")
