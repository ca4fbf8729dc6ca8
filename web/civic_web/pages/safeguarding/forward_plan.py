"""A board's forward plan of key decisions: those to be taken from a day (today unless chosen) to another (open
unless chosen), in the order they will be taken, as the API lists them; and, for the board business manager, a
key decision added to it (on a day or at one of the board's meetings; urgent with the reason when it cannot have
its 28 clear days' notice, which the API judges)."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from civic_web.gateway import Refused
from civic_web.pages import form_at, page_at, render, segment
from civic_web.pages.forms import boxes_typed, date_typed, new_record_page, on_date_input, send_new
from civic_web.pages.safeguarding.section import API, board_address, board_of, board_with, get, reads, runs_business
from civic_web.refusals import refusal_from
from civic_web.sessions import SignedInOfficer

router = APIRouter(include_in_schema=False)

PERIOD_FIELDS = {"from": ("from-day", "From"), "to": ("to-day", "To")}
KEY_DECISION_FIELDS = {"title": ("title", "What will be decided"), "decision_maker": ("decision_maker", "Who decides"),
                       "to_be_taken_on": ("taken-day", "The day it will be taken"),
                       "meeting_id": ("meeting_id", "The meeting that will take it"),
                       "documents": ("documents", "Documents to be considered"), "urgent": ("urgent", "Urgent"),
                       "urgency_reason": ("urgency_reason", "Why it cannot wait")}


async def _forward_plan_page(request: Request, officer: SignedInOfficer, board_id: str) -> Response:
    query = FormData(request.query_params)  # the period's boxes, read as a form's are
    start, typed = date_typed(query, "from")
    end, typed_end = date_typed(query, "to")
    typed |= typed_end
    period = {name: day for name, day in (("from", start), ("to", end)) if day}
    found = await board_of(request, officer, board_id)
    plan: dict[str, Any] = {}
    refusal = None
    try:
        plan = (await get(request, officer, f"/boards/{segment(board_id)}/forward-plan", period)).body
    except Refused as refused:  # a period the API does not take: said on its boxes, nothing listed
        if refused.status != 422:
            raise
        refusal = refusal_from(refused.problem, PERIOD_FIELDS.get, refused.status)
        refusal = on_date_input(on_date_input(refusal, "from"), "to")
    return render(request, "safeguarding/forward_plan.html", {
        "board": found, "plan": plan, "typed": typed, "chosen": bool(period),
    }, refusal)


page_at(router, "/boards/{board_id}/forward-plan", page=_forward_plan_page, shown_to=reads)


# ---------------------------------------------------------------- a key decision added to the plan


def _on_the_day(problem: dict[str, Any], field: str) -> dict[str, Any]:
    """The API's refusal of too short a notice names the first day it may be taken (``earliest_on``), not a
    field: it is said on the box that chose the day (or the meeting), where the officer changes it."""
    if "earliest_on" in problem and not problem.get("errors"):
        return {**problem, "errors": [{"field": field, "message": str(problem.get("detail", ""))}]}
    return problem


async def _key_decision_form(request: Request, officer: SignedInOfficer, board_id: str) -> dict[str, Any]:
    found, meetings = await board_with(request, officer, board_id, "meetings")
    return {"board": found, "meetings": sorted((m for m in meetings if m.get("status") == "scheduled"),
                                               key=lambda m: str(m.get("scheduled_for")))}


_key_decision_page = new_record_page("safeguarding/new_key_decision.html", _key_decision_form)


@form_at(router, "/boards/{board_id}/forward-plan/new", page=_key_decision_page, may=runs_business)
async def add_key_decision(request: Request, officer: SignedInOfficer, form: FormData, board_id: str) -> Response:
    taken_on, typed = date_typed(form, "taken")
    typed |= boxes_typed(form, ("title", "decision_maker", "meeting_id", "documents", "urgent", "urgency_reason"))
    body: dict[str, Any] = {
        "title": typed["title"], "decision_maker": typed["decision_maker"],
        # one a line, as the officer lists them
        "documents": [line.strip() for line in typed["documents"].splitlines() if line.strip()],
        "urgent": typed["urgent"] == "yes",
    }
    body |= {name: typed[name] for name in ("meeting_id", "urgency_reason") if typed[name]}
    if taken_on:
        body["to_be_taken_on"] = taken_on
    return await send_new(request, officer, f"{API}/boards/{segment(board_id)}/forward-plan", body, form=form,
                          typed=typed, page=partial(_key_decision_page, request, officer, board_id), dates=("taken",),
                          fields=lambda name: KEY_DECISION_FIELDS.get(name.split(".")[0]),
                          reworded=partial(_on_the_day, field="meeting_id" if typed["meeting_id"] else "to_be_taken_on"),
                          done=lambda answer: f"{answer.body.get('title', 'The key decision')} is in the forward plan.",
                          then=f"{board_address(board_id)}/forward-plan")
