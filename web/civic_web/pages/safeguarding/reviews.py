"""A safeguarding adults review's page and its next step in the API's order (the s44 decision, commissioning,
the report, the action plan, publication); case details only with ``safeguarding:confidential``; referring a
new review to a board."""

from __future__ import annotations

import asyncio
import re
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from civic_web.layout import link
from civic_web.pages import first, form_at, gateway_of, in_address, page_at, render, segment, sent_to
from civic_web.pages.forms import boxes_typed, date_typed, new_record_page, pounds_typed, send_change, send_new
from civic_web.pages.safeguarding.section import API, board_form, get, opens_case, reads, review_step, runs_business
from civic_web.refusals import FieldOnPage, Refusal
from civic_web.sessions import SignedInOfficer
from civic_web.vocabulary import body_choices, day, words_for

router = APIRouter(include_in_schema=False)

SAR_ACTION_ROWS = 4
SAR_FIELDS = {"criteria_met": ("criteria_met", "Whether the section 44 criteria are met"),
              "reasons": ("reasons", "Reasons"), "author": ("author", "Independent author"),
              "author_organisation": ("author_organisation", "Author's organisation"),
              "cost_pence": ("cost", "Cost"), "on": ("on-day", "Date")}
ACTION_FIELDS = {"action": "Action", "owner": "Owner", "due_on": "Due"}


def date_as_typed(text: str) -> str:
    """``31/3/2027`` or ``31 3 2027`` as ``2027-03-31``; anything else as typed (the API says what is wrong)."""
    parts = re.split(r"[/\s.-]+", text.strip())
    if len(parts) == 3 and all(part.isdigit() for part in parts) and len(parts[2]) == 4:
        return f"{parts[2]}-{parts[1].zfill(2)}-{parts[0].zfill(2)}"
    return text.strip()


def _sar_field(rows: list[int]) -> FieldOnPage:
    def on_page(name: str) -> tuple[str, str] | None:
        if name in SAR_FIELDS:
            return SAR_FIELDS[name]
        parts = name.split(".")
        if parts[0] == "actions":
            if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(rows) and parts[2] in ACTION_FIELDS:
                row = rows[int(parts[1])]
                return f"actions-{row}-{parts[2]}", f"{ACTION_FIELDS[parts[2]]} in row {row + 1}"
            return "actions-0-action", "Actions"
        return None

    return on_page


async def _sar_page(request: Request, officer: SignedInOfficer, sar_id: str, *, refusal: Refusal | None = None,
                    typed: dict[str, str] | None = None, doing: str = "step") -> Response:
    sar = await get(request, officer, f"/sars/{segment(sar_id)}")
    found, document = await asyncio.gather(get(request, officer, f"/boards/{segment(sar.body['board_id'])}"),
                                            gateway_of(request).document())
    # the review's steps in the API's order; the one after where it is now is offered (the API may still refuse)
    steps = body_choices(document, f"{API}/sars/{{sar_id}}/transitions", "post", "to")
    status = str(sar.body.get("status", ""))
    following = steps[steps.index(status) + 1:] if status in steps else steps if status == "referral" else []
    return render(request, "safeguarding/sar.html", {
        "sar": sar.body, "version": sar.version or "", "board": found.body, "typed": typed or {},
        "next_step": following[0] if following and officer.permissions.may_run_board_business else None,
        "action_rows": range(SAR_ACTION_ROWS), "doing": doing,
        # an agreed plan's open actions are completed, and its learning briefed, until the review is closed
        "completes": officer.permissions.may_run_board_business and bool(sar.body.get("action_plan_on"))
        and status != "closed",
        "briefs": officer.permissions.may_run_board_business and bool(sar.body.get("report_received_on"))
        and not sar.body.get("learning_briefing") and status != "closed",
    }, refusal)


page_at(router, "/sars/{sar_id}", page=_sar_page, shown_to=reads)


@sent_to(router, "/sars/{sar_id}/actions/{action_id}/completion", may=runs_business)
async def complete_action(request: Request, officer: SignedInOfficer, form: FormData, sar_id: str,
                          action_id: str) -> Response:
    """An action of the plan done, with what shows it (never the adult's name: the API keeps it for everyone)."""
    prefix = f"complete-{action_id}"
    completed_on, typed = date_typed(form, f"{prefix}-on")
    typed |= boxes_typed(form, (f"{prefix}-evidence",))
    body: dict[str, Any] = {"evidence": typed[f"{prefix}-evidence"]}
    if completed_on:
        body["completed_on"] = completed_on
    fields = {"evidence": (f"{prefix}-evidence", "Evidence"), "completed_on": (f"{prefix}-on-day", "Date done")}
    return await send_change(request, officer, f"{API}/sars/{segment(sar_id)}/actions/{segment(action_id)}/completion",
                             body, form=form, typed=typed, dates=(f"{prefix}-on",), fields=fields.get,
                             page=partial(_sar_page, request, officer, sar_id, doing=prefix),
                             done="The action is done.", then=f"/safeguarding/sars/{segment(sar_id)}#action-plan")


@sent_to(router, "/sars/{sar_id}/learning-briefing", may=runs_business)
async def brief_learning(request: Request, officer: SignedInOfficer, form: FormData, sar_id: str) -> Response:
    """The learning briefing partners are given once the author's report is in."""
    issued_on, typed = date_typed(form, "briefing-on")
    typed |= boxes_typed(form, ("briefing-summary",))
    body: dict[str, Any] = {"summary": typed["briefing-summary"]}
    if issued_on:
        body["issued_on"] = issued_on
    fields = {"summary": ("briefing-summary", "What partners are to learn"), "issued_on": ("briefing-on-day", "Date issued")}
    return await send_change(request, officer, f"{API}/sars/{segment(sar_id)}/learning-briefing", body, form=form,
                             typed=typed, dates=("briefing-on",), fields=fields.get,
                             page=partial(_sar_page, request, officer, sar_id, doing="briefing"),
                             done="The learning briefing is recorded.",
                             then=f"/safeguarding/sars/{segment(sar_id)}#learning")


async def _overdue_actions(request: Request, officer: SignedInOfficer, board_id: str) -> Response:
    """The board's open review actions past their due date, most overdue first (reference and action only)."""
    report = (await get(request, officer, f"/boards/{segment(board_id)}/reports/overdue-sar-actions")).body
    rows = [[
        {"html": link(f"/safeguarding/sars/{in_address(a.get('sar_id', ''))}", a.get("reference", ""))},
        {"text": a.get("action")}, {"text": a.get("owner")}, {"text": day(a.get("due_on"))},
        {"text": a.get("days_overdue"), "format": "numeric"},
    ] for a in report.get("actions", [])]
    return render(request, "safeguarding/overdue_sar_actions.html", {
        "report": report, "rows": rows, "board": {"id": board_id, "name": report.get("board_name")},
    })


page_at(router, "/boards/{board_id}/overdue-sar-actions", page=_overdue_actions, shown_to=reads)


@sent_to(router, "/sars/{sar_id}/steps", may=runs_business)
async def advance_sar(request: Request, officer: SignedInOfficer, form: FormData, sar_id: str) -> Response:
    body, typed = review_step(form, decided_at="decision", decided="criteria_met", commissioned="author", more=("cost",))
    not_read: dict[str, str] = {}
    if typed["to"] == "commissioned":
        pence, not_read = pounds_typed(typed["cost"], "cost", "Cost", "8,500 or 8500.50")
        if pence is not None:
            body["cost_pence"] = pence
    rows: list[int] = []
    if typed["to"] == "action_plan":
        actions = []
        for row in range(SAR_ACTION_ROWS):
            line = {name: typed.setdefault(f"actions-{row}-{name}", first(form.get(f"actions-{row}-{name}")))
                    for name in ACTION_FIELDS}
            if any(line.values()):
                actions.append({**line, "due_on": date_as_typed(line["due_on"])})
                rows.append(row)
        body["actions"] = actions

    return await send_change(request, officer, f"{API}/sars/{segment(sar_id)}/transitions", body, form=form,
                             page=partial(_sar_page, request, officer, sar_id), typed=typed, dates=("on",),
                             fields=_sar_field(rows), not_read=not_read,
                             done=f"The review is at its next step: {words_for(typed['to']).lower()}.",
                             then=f"/safeguarding/sars/{segment(sar_id)}")


# ---------------------------------------------------------------- referring a review
# A referral is its case details (the API requires the summary and the adult), which are confidential (Care Act
# 2014, s45): the form is offered only to an officer who may read them back, never to one who could not.

REFERRAL_FIELDS = {"reference": ("reference", "Reference"), "referred_by": ("referred_by", "Referred by"),
                   "referred_on": ("referred-day", "Date referred"), "case_summary": ("case_summary", "Case summary"),
                   "person.name": ("person_name", "The adult's name"),
                   "person.date_of_birth": ("born-day", "Date of birth"), "person.address": ("person_address", "Address")}


_referral_page = new_record_page("safeguarding/new_sar.html", board_form)


@form_at(router, "/boards/{board_id}/sars/new", page=_referral_page, may=opens_case)
async def refer_sar(request: Request, officer: SignedInOfficer, form: FormData, board_id: str) -> Response:
    referred_on, typed = date_typed(form, "referred")
    born, typed_born = date_typed(form, "born")
    typed |= typed_born | boxes_typed(form, ("reference", "referred_by", "case_summary", "person_name", "person_address"))
    person = {"name": typed["person_name"], "date_of_birth": born, "address": typed["person_address"] or None}
    body: dict[str, Any] = {name: typed[name] for name in ("reference", "referred_by", "case_summary")}
    body["person"] = {key: value for key, value in person.items() if value is not None}
    if referred_on:
        body["referred_on"] = referred_on
    return await send_new(request, officer, f"{API}/boards/{segment(board_id)}/sars", body, form=form, typed=typed,
                          page=partial(_referral_page, request, officer, board_id), dates=("referred", "born"),
                          fields=REFERRAL_FIELDS.get,
                          done=lambda answer: f"{answer.body.get('reference', 'The review')} is referred to the board.",
                          then=lambda answer: f"/safeguarding/sars/{segment(str(answer.body['id']))}")
