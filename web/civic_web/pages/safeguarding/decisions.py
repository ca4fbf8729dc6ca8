"""A decision taken between meetings: who took it and whom they consulted, its ratification, and the statutory
partners' confirmations that bring it into effect (issue 21: an interim decision binds only once every statutory
partner has confirmed it, by its member on the board or that member's named deputy). With
``safeguarding:write`` a partner's confirmation is recorded at the version the page showed; the API says whether
the member speaks for that partner."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from civic_web.pages import form_at, segment
from civic_web.pages.forms import boxes_typed, date_typed, record_page, send_change
from civic_web.pages.safeguarding.section import API, board_of, items, reads, runs_business
from civic_web.sessions import SignedInOfficer

router = APIRouter(include_in_schema=False)

CONFIRMATION_FIELDS = {
    "organisation": ("organisation", "Partner"),
    "member_id": ("member_id", "Member"),
    "deputy_name": ("deputy_name", "Deputy"),
    "confirmed_on": ("confirmed_on-day", "Date confirmed"),
}


def decision_address(decision_id: str) -> str:
    return f"/safeguarding/decisions/{segment(decision_id)}"


async def _about_decision(request: Request, officer: SignedInOfficer, decision: dict[str, Any]) -> dict[str, Any]:
    board_id = str(decision.get("board_id"))
    board, members = await asyncio.gather(
        board_of(request, officer, board_id), items(request, officer, f"/boards/{segment(board_id)}/members")
    )
    awaiting = decision.get("awaiting") or []
    return {
        "board": board,
        "names": {str(m.get("id")): f"{m.get('name')}, {m.get('organisation')}" for m in members},
        # the members of the partners still to confirm, for the form's choice
        "confirmers": [m for m in members if m.get("organisation") in awaiting],
        "confirms": bool(officer.permissions.may_run_board_business and awaiting),
    }


_decision_page = record_page(
    "safeguarding/interim_decision.html",
    "decision",
    lambda decision_id: f"{API}/decisions/{segment(decision_id)}",
    _about_decision,
)


@form_at(router, "/decisions/{decision_id}", page=_decision_page, may=runs_business, shown_to=reads)
async def confirm(request: Request, officer: SignedInOfficer, form: FormData, decision_id: str) -> Response:
    """A statutory partner's confirmation, by its member or their named deputy."""
    confirmed_on, typed = date_typed(form, "confirmed_on")
    typed |= boxes_typed(form, ("organisation", "member_id", "deputy_name"))
    body: dict[str, Any] = {"organisation": typed["organisation"] or None, "member_id": typed["member_id"] or None}
    if typed["deputy_name"]:
        body["deputy_name"] = typed["deputy_name"]
    if confirmed_on:
        body["confirmed_on"] = confirmed_on
    return await send_change(
        request,
        officer,
        f"{API}/decisions/{segment(decision_id)}/confirmations",
        body,
        form=form,
        typed=typed,
        page=partial(_decision_page, request, officer, decision_id),
        fields=CONFIRMATION_FIELDS.get,
        dates=("confirmed_on",),
        done=f"{typed['organisation']}'s confirmation is recorded.",
        then=decision_address(decision_id),
    )
