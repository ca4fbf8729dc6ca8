"""The board's oversight of its own work: forming a sub-group with its chair and work plan, a financial year's
budget (what the board spends and what each partner contributes), its annual report (drafted, approved by one of
the board's decisions, published) and disputes between partners (recorded, the joint meeting held, resolved).
Each is listed on the board's page; the API says what it takes, and which step comes next."""

from __future__ import annotations

import asyncio
from datetime import date
from functools import partial
from typing import Any

from civic.calendar import financial_year_of
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from civic_web.gateway import Answer, Refused
from civic_web.pages import first, form_at, gateway_of, page_at, render, segment, sent_to
from civic_web.pages.forms import (
    Rows,
    as_filled,
    at_version,
    boxes_typed,
    date_typed,
    fields_of,
    new_record_page,
    pounds_typed,
    record_again,
    send,
    send_change,
    send_new,
    step_typed,
)
from civic_web.pages.safeguarding.reviews import date_as_typed
from civic_web.pages.safeguarding.section import (
    API,
    board_address,
    board_of,
    board_with,
    get,
    items,
    reads,
    runs_business,
)
from civic_web.refusals import FieldOnPage, Refusal
from civic_web.sessions import SignedInOfficer, signed_in
from civic_web.vocabulary import body_choices, words_for

router = APIRouter(include_in_schema=False)

WORK_PLAN_ROWS = 4
BUDGET_ROWS = 6


# ---------------------------------------------------------------- a sub-group

SUB_GROUP_FIELDS = {"name": ("name", "Name"), "chair_member_id": ("chair", "Chair")}


def _work_plan() -> Rows:
    return Rows("work_plan", "plan", {"objective": "Objective", "business_plan_priority": "Business plan priority",
                                      "due_on": "Due"}, WORK_PLAN_ROWS, row_word="line")


async def _sub_group_form(request: Request, officer: SignedInOfficer, board_id: str) -> dict[str, Any]:
    found, members = await board_with(request, officer, board_id, "members")
    return {"board": found, "members": members, "plan_rows": range(WORK_PLAN_ROWS)}


_sub_group_page = new_record_page("safeguarding/new_sub_group.html", _sub_group_form)


@form_at(router, "/boards/{board_id}/sub-groups/new", page=_sub_group_page, may=runs_business)
async def form_sub_group(request: Request, officer: SignedInOfficer, form: FormData, board_id: str) -> Response:
    typed = {"name": first(form.get("name")), "chair": first(form.get("chair"))}
    plan = _work_plan()
    lines, boxes = plan.typed(form)
    body: dict[str, Any] = {"name": typed["name"], "chair_member_id": typed["chair"] or None,
                            "work_plan": [{**line, "due_on": date_as_typed(line["due_on"]) or None} for line in lines]}
    return await send_new(request, officer, f"{API}/boards/{segment(board_id)}/sub-groups", body, form=form,
                          typed=typed | boxes, page=partial(_sub_group_page, request, officer, board_id),
                          fields=fields_of(SUB_GROUP_FIELDS, plan),
                          done=lambda answer: f"The {answer.body.get('name', 'sub-group')} sub-group is formed.",
                          then=board_address(board_id, "#sub-groups"))


# ---------------------------------------------------------------- a year's budget


def _expenditure() -> Rows:
    return Rows("expenditure", "spend", {"name": "What it is for", "amount": "Amount"}, BUDGET_ROWS)


def _contributions() -> Rows:
    return Rows("contributions", "share", {"organisation": "Organisation", "amount": "Amount"}, BUDGET_ROWS)


def _amounts(lines: list[dict[str, str]], rows: Rows, name: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The lines with their amounts in pence, and the messages for amounts that are not ones."""
    sent: list[dict[str, Any]] = []
    not_read: dict[str, str] = {}
    for line, row in zip(lines, rows.sent, strict=True):
        pence, message = pounds_typed(line["amount"], f"{rows.prefix}-{row}-amount", f"Amount in row {row + 1}",
                                      "12,500 or 12500.50")
        not_read |= message
        sent.append({name: line[name], "amount_pence": pence})
    return sent, not_read


def _budget_field(expenditure: Rows, contributions: Rows) -> FieldOnPage:
    rows = fields_of({"year": ("year", "Financial year")}, expenditure, contributions)

    def on_page(name: str) -> tuple[str, str] | None:
        # the API's amount_pence is the amount the officer typed in pounds
        return rows(name.replace("amount_pence", "amount"))

    return on_page


async def _budget_page(request: Request, officer: SignedInOfficer, board_id: str, year: str, *,
                       refusal: Refusal | None = None, typed: dict[str, str] | None = None) -> Response:
    found = await board_of(request, officer, board_id)
    budget: dict[str, Any] = {}
    version = ""
    try:
        answer = await get(request, officer, f"/boards/{segment(board_id)}/budget/{year.replace('/', '-')}")
        budget, version = answer.body, answer.version or ""
    except Refused as refused:
        if refused.status not in (404, 422):  # no budget for the year yet, or no such year: the form is empty
            raise
    if typed is None:  # the budget as the API has it, in the form's boxes
        typed = {"year": year}
        for prefix, lines, name in (("spend", budget.get("expenditure", []), "name"),
                                    ("share", budget.get("contributions", []), "organisation")):
            for row, line in enumerate(lines[:BUDGET_ROWS]):
                typed[f"{prefix}-{row}-{name}"] = str(line.get(name, ""))
                typed[f"{prefix}-{row}-amount"] = f"{int(line.get('amount_pence', 0)) / 100:.2f}"
    return render(request, "safeguarding/budget.html", {
        "board": found, "year": year, "version": version, "budget": budget, "typed": typed,
        "budget_rows": range(BUDGET_ROWS),
    }, refusal)


@router.get("/boards/{board_id}/budget")
async def budget(board_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    runs_business(officer)
    year = first(request.query_params.get("year")) or financial_year_of(date.today())
    return await _budget_page(request, officer, board_id, year)


@sent_to(router, "/boards/{board_id}/budget", may=runs_business)
async def set_budget(request: Request, officer: SignedInOfficer, form: FormData, board_id: str) -> Response:
    year = first(form.get("year"))
    expenditure, contributions = _expenditure(), _contributions()
    spent, spent_boxes = expenditure.typed(form)
    shared, shared_boxes = contributions.typed(form)
    typed = {"year": year} | spent_boxes | shared_boxes
    spend_lines, spend_unread = _amounts(spent, expenditure, "name")
    share_lines, share_unread = _amounts(shared, contributions, "organisation")
    not_read = spend_unread | share_unread
    if not year:  # the year is the budget's address: without it there is nothing to ask the API
        not_read["year"] = "Financial year is required, like 2026/27"
    # the version the page showed is the year it showed: another year's budget is set as it stands
    headers = at_version(form) if first(form.get("shown_year")) == year else {}
    page = partial(_budget_page, request, officer, board_id, year or first(form.get("shown_year")))
    return await send(request, officer, f"{API}/boards/{segment(board_id)}/budget/{segment(year.replace('/', '-'))}",
                      {"expenditure": spend_lines, "contributions": share_lines}, method="PUT", headers=headers,
                      fields=_budget_field(expenditure, contributions), again=record_again(page, typed),
                      not_read=not_read,
                      done=f"The budget for {year} is set.", then=board_address(board_id, "#budget"))


# ---------------------------------------------------------------- an annual report

ANNUAL_REPORT_FIELDS = {"year": ("year", "Financial year"), "title": ("title", "Title"), "summary": ("summary", "Summary")}


async def _annual_report_page(request: Request, officer: SignedInOfficer, board_id: str, *,
                              refusal: Refusal | None = None, typed: dict[str, str] | None = None,
                              attempt: str | None = None) -> Response:
    return render(request, "safeguarding/new_annual_report.html", {
        "board": await board_of(request, officer, board_id),
        **as_filled(typed or {"year": financial_year_of(date.today())}, attempt),
    }, refusal)


@form_at(router, "/boards/{board_id}/annual-reports/new", page=_annual_report_page, may=runs_business)
async def draft_annual_report(request: Request, officer: SignedInOfficer, form: FormData, board_id: str) -> Response:
    typed = boxes_typed(form, ANNUAL_REPORT_FIELDS)
    body = {name: value for name, value in typed.items() if value}
    return await send_new(request, officer, f"{API}/boards/{segment(board_id)}/annual-reports", body, form=form, typed=typed,
                          page=partial(_annual_report_page, request, officer, board_id), fields=ANNUAL_REPORT_FIELDS.get,
                          done=lambda answer: f"The annual report for {answer.body.get('year', typed['year'])} is drafted.",
                          then=board_address(board_id, "#annual-reports"))


# ---------------------------------------------------------------- an annual report's steps after drafting

ANNUAL_REPORT_STEP_FIELDS = {"decision_id": ("decision_id", "The board's decision"), "on": ("on-day", "Date published")}


def next_step(document: dict[str, Any], path: str, status: str) -> str | None:
    """The step after ``status`` among a record's steps in the API's order (``to`` of its transitions, each
    status after the first); the first step from the first status, none after the last."""
    steps = body_choices(document, path, "post", "to")
    if status in steps:
        following = steps[steps.index(status) + 1:]
        return following[0] if following else None
    return steps[0] if steps else None


def _stepped_page(request: Request, officer: SignedInOfficer, template: str, record: tuple[str, Answer],
                  transitions: str, document: dict[str, Any], *, refusal: Refusal | None, typed: dict[str, str] | None,
                  **shown: Any) -> Response:
    """The page of a record that moves by steps (an annual report, a dispute; its API's ``transitions``): the record
    (named as the template names it) at its version, the step after where it is now for an officer who runs the
    board's business, what was typed, and the rest of what the page shows (``shown``)."""
    name, answer = record
    step = next_step(document, transitions, str(answer.body.get("status", "")))
    return render(request, template, {
        name: answer.body, "version": answer.version or "", "typed": typed or {},
        "next_step": step if officer.permissions.may_run_board_business else None, **shown,
    }, refusal)


async def _decision(request: Request, officer: SignedInOfficer, decision_id: str | None) -> dict[str, Any] | None:
    if not decision_id:
        return None
    found: dict[str, Any] = (await get(request, officer, f"/decisions/{segment(decision_id)}")).body
    return found


async def _annual_report_record_page(request: Request, officer: SignedInOfficer, report_id: str, *,
                                     refusal: Refusal | None = None, typed: dict[str, str] | None = None) -> Response:
    report = await get(request, officer, f"/annual-reports/{segment(report_id)}")
    board_path = f"/boards/{segment(str(report.body['board_id']))}"
    found, decisions, approved_by, document = await asyncio.gather(
        board_of(request, officer, str(report.body["board_id"])), items(request, officer, f"{board_path}/decisions"),
        _decision(request, officer, report.body.get("approved_by_decision_id")), gateway_of(request).document())
    return _stepped_page(request, officer, "safeguarding/annual_report.html", ("report", report),
                         f"{API}/annual-reports/{{report_id}}/transitions", document, refusal=refusal, typed=typed,
                         board=found, approved_by=approved_by,
                         # every decision of the board, latest first: the API says whether the one chosen is in favour
                         decisions=sorted(decisions, key=lambda d: str(d.get("decided_on")), reverse=True))


page_at(router, "/annual-reports/{report_id}", page=_annual_report_record_page, shown_to=reads)


@sent_to(router, "/annual-reports/{report_id}/steps", may=runs_business)
async def advance_annual_report(request: Request, officer: SignedInOfficer, form: FormData, report_id: str) -> Response:
    body, typed = step_typed(form, ("decision_id",))
    if typed["to"] == "approved":
        body = {"to": typed["to"], "decision_id": typed["decision_id"] or None}

    return await send_change(request, officer, f"{API}/annual-reports/{segment(report_id)}/transitions", body,
                             form=form, page=partial(_annual_report_record_page, request, officer, report_id),
                             typed=typed, dates=("on",), fields=ANNUAL_REPORT_STEP_FIELDS.get,
                             done=f"The annual report is {words_for(typed['to']).lower()}.",
                             then=f"/safeguarding/annual-reports/{segment(report_id)}")


# ---------------------------------------------------------------- disputes between partners

DISPUTE_FIELDS = {"parties": ("parties", "Parties"), "subject": ("subject", "What the dispute is about"),
                  "determined_on": ("determined-day", "Date determined")}
DISPUTE_STEP_FIELDS = {"on": ("on-day", "Date"), "resolution": ("resolution", "How it was resolved")}


def _organisations(members: list[dict[str, Any]]) -> list[str]:
    """The organisations of the board's members, each once, as the parties a dispute may be between."""
    return sorted({str(m["organisation"]) for m in members if m.get("organisation")}, key=str.casefold)


async def _dispute_form(request: Request, officer: SignedInOfficer, board_id: str) -> dict[str, Any]:
    found, members = await board_with(request, officer, board_id, "members")
    return {"board": found, "organisations": _organisations(members)}


_dispute_form_page = new_record_page("safeguarding/new_dispute.html", _dispute_form)


@form_at(router, "/boards/{board_id}/disputes/new", page=_dispute_form_page, may=runs_business)
async def record_dispute(request: Request, officer: SignedInOfficer, form: FormData, board_id: str) -> Response:
    determined_on, typed = date_typed(form, "determined")
    typed["subject"] = first(form.get("subject"))
    parties = [first(party) for party in form.getlist("parties") if first(party)]
    body: dict[str, Any] = {"parties": parties, "subject": typed["subject"]}
    if determined_on:
        body["determined_on"] = determined_on
    typed["parties"] = "\n".join(parties)  # the boxes ticked, one a line, ticked again if it is refused
    return await send_new(request, officer, f"{API}/boards/{segment(board_id)}/disputes", body, form=form, typed=typed,
                          page=partial(_dispute_form_page, request, officer, board_id), dates=("determined",),
                          fields=lambda name: DISPUTE_FIELDS.get(name.split(".")[0]),
                          done="The dispute is recorded: the chair convenes a joint meeting of the parties.",
                          then=lambda answer: f"/safeguarding/disputes/{segment(str(answer.body['id']))}")


async def _dispute_page(request: Request, officer: SignedInOfficer, dispute_id: str, *, refusal: Refusal | None = None,
                        typed: dict[str, str] | None = None) -> Response:
    dispute = await get(request, officer, f"/disputes/{segment(dispute_id)}")
    found, document = await asyncio.gather(board_of(request, officer, str(dispute.body["board_id"])),
                                           gateway_of(request).document())
    return _stepped_page(request, officer, "safeguarding/dispute.html", ("dispute", dispute),
                         f"{API}/disputes/{{dispute_id}}/transitions", document, refusal=refusal, typed=typed, board=found)


page_at(router, "/disputes/{dispute_id}", page=_dispute_page, shown_to=reads)


@sent_to(router, "/disputes/{dispute_id}/steps", may=runs_business)
async def advance_dispute(request: Request, officer: SignedInOfficer, form: FormData, dispute_id: str) -> Response:
    body, typed = step_typed(form, ("resolution",))
    if typed["to"] == "resolved":
        body["resolution"] = typed["resolution"]
    return await send_change(request, officer, f"{API}/disputes/{segment(dispute_id)}/transitions", body, form=form,
                             page=partial(_dispute_page, request, officer, dispute_id), typed=typed, dates=("on",),
                             fields=DISPUTE_STEP_FIELDS.get,
                             done=f"The dispute is at its next step: {words_for(typed['to']).lower()}.",
                             then=f"/safeguarding/disputes/{segment(dispute_id)}")
