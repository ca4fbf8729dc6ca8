"""Disaggregation: the services one council hosts or leads for the other until they are split (seed 003's shared
services after local government reorganisation), each with its planned date or the reason it is deferred, its
cost split and its lifecycle (planned, in progress, disaggregated; deferred or cancelled with the reason); and the
report of what is due, what has slipped and what is done, by host council. An officer who keeps the programme
(``savings:write``) registers a service, changes it and moves it on; every officer who reads savings sees it."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from civic_web.gateway import Refused
from civic_web.layout import link
from civic_web.pages import ask, first, form_at, in_address, page_at, render, segment
from civic_web.pages.forms import boxes_typed, date_boxes, date_typed, new_record_page, pounds_typed, send_change, send_new
from civic_web.pages.listed import Register
from civic_web.pages.savings.programme import AMOUNT, keeps_programme
from civic_web.pages.savings.section import PROGRAMME, reads
from civic_web.refusals import Refusal, refusal_from
from civic_web.sessions import SignedInOfficer
from civic_web.vocabulary import day, pounds, words_for

router = APIRouter(include_in_schema=False)

SHARED = f"{PROGRAMME}/shared-services"
KINDS = ("hosted", "lead")
STATUSES = ("planned", "in_progress", "disaggregated", "deferred", "cancelled")
FILTERS = {"status": "Status", "host_council": "Host council", "kind": "Kind"}
#: the API's name -> (the form field's id, what it is called), on the new service's form and its change
SERVICE_FIELDS = {
    "service": ("service", "Service"),
    "directorate": ("directorate", "Directorate"),
    "kind": ("kind", "Kind"),
    "host_council": ("host_council", "Host council"),
    "other_council": ("other_council", "Other council"),
    "planned_on": ("planned_on-day", "Planned date"),
    "deferred_reason": ("deferred_reason", "Why it is deferred"),
    "notes": ("notes", "Notes"),
    "cost_split": ("basis", "Cost split"),
    "cost_split.basis": ("basis", "Cost split"),
    "cost_split.host_percent": ("host_share", "Host council's share"),
    "cost_split.host_pence": ("host_share", "Host council's share"),
    "cost_split.other_percent": ("other_share", "Other council's share"),
    "cost_split.other_pence": ("other_share", "Other council's share"),
    "cost_split.annual_cost_pence": ("annual_cost", "Annual cost"),
}
TEXTS = ("service", "directorate", "kind", "host_council", "other_council", "deferred_reason", "notes")
SPLIT = ("basis", "host_share", "other_share", "annual_cost")
#: what the button of each step says
STEP_WORDS = {
    "planned": "Plan the split again",
    "in_progress": "Start the split",
    "disaggregated": "Record it as split",
    "deferred": "Defer the split",
    "cancelled": "Cancel the split",
}
#: a step that records the day it happened
DATED_STEPS = ("in_progress", "disaggregated")
STATUS_TAGS = {
    "planned": "govuk-tag--blue",
    "in_progress": "govuk-tag--light-blue",
    "disaggregated": "govuk-tag--green",
    "deferred": "govuk-tag--yellow",
    "cancelled": "govuk-tag--grey",
}
PAGE_SIZE = 50


def service_address(shared_service_id: str) -> str:
    return f"/savings/shared-services/{segment(shared_service_id)}"


def _split(typed: dict[str, str]) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The cost split as typed (percentages, or amounts in pounds), or None when none is given; and what the page
    could not read."""
    basis, host, other, cost = (typed[name] for name in SPLIT)
    if not (host or other or cost):
        return None, {}
    annual, not_read = pounds_typed(cost, "annual_cost", "Annual cost", AMOUNT)
    if basis == "pence":
        host_pence, host_wrong = pounds_typed(host, "host_share", "The host council's share", AMOUNT)
        other_pence, other_wrong = pounds_typed(other, "other_share", "The other council's share", AMOUNT)
        split = {"basis": "pence", "annual_cost_pence": annual, "host_pence": host_pence, "other_pence": other_pence}
        return split, not_read | host_wrong | other_wrong
    percent: dict[str, Any] = {}
    for name, share in (("host", host), ("other", other)):
        percent[f"{name}_percent"] = int(share) if share.isdigit() else share or None
    return {"basis": "percent", **percent, **({"annual_cost_pence": annual} if annual is not None else {})}, not_read


def _service_body(form: FormData) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """A service's fields as its form sends them, the boxes as typed and what the page could not read."""
    planned_on, typed = date_typed(form, "planned_on")
    typed |= boxes_typed(form, (*TEXTS, *SPLIT))
    body: dict[str, Any] = {name: typed[name] or None for name in TEXTS}
    body["planned_on"] = planned_on
    body["cost_split"], not_read = _split(typed)
    return body, typed, not_read


def _typed_from(shared: dict[str, Any]) -> dict[str, str]:
    """The change form as the service is."""
    typed = {name: str(shared.get(name) or "") for name in TEXTS}
    typed |= date_boxes("planned_on", shared.get("planned_on"))
    split = shared.get("cost_split") or {}
    basis = str(split.get("basis") or "percent")
    typed["basis"] = basis
    if basis == "pence":
        typed |= {"host_share": _plain(split.get("host_pence")), "other_share": _plain(split.get("other_pence"))}
    else:
        typed |= {"host_share": str(split.get("host_percent", "")), "other_share": str(split.get("other_percent", ""))}
    typed["annual_cost"] = _plain(split.get("annual_cost_pence"))
    return typed


def _plain(pence: Any) -> str:
    return pounds(pence).removeprefix("£") if isinstance(pence, int) else ""


def split_words(split: dict[str, Any] | None) -> str:
    """A cost split in words: "60% hosting, 40% other (£1,000,000 a year)"."""
    if not split:
        return "Not agreed"
    cost = f" of {pounds(split['annual_cost_pence'])} a year" if split.get("annual_cost_pence") is not None else ""
    if split.get("basis") == "pence":
        return f"{pounds(split.get('host_pence'))} the host council, {pounds(split.get('other_pence'))} the other{cost}"
    return f"{split.get('host_percent')}% the host council, {split.get('other_percent')}% the other{cost}"


# ---------------------------------------------------------------- the list


def _columns(shared: dict[str, Any]) -> list[dict[str, Any]]:
    """A service's row after its name and kind."""
    return [
        {"text": shared.get("host_council") or ""},
        {"text": shared.get("other_council") or ""},
        {"text": words_for(shared.get("status"))},
        {"text": day(shared.get("planned_on")) if shared.get("planned_on") else shared.get("deferred_reason") or ""},
    ]


SHARED_SERVICES = Register(
    path=SHARED,
    kinds_at=SHARED,
    filters=FILTERS,
    kinds=KINDS,
    statuses=STATUSES,
    template="savings/shared_services.html",
    address="/savings/shared-services",
    named_by="service",
    columns=_columns,
    page_size=PAGE_SIZE,
)


page_at(router, "/shared-services", page=SHARED_SERVICES.page, shown_to=reads)


# ---------------------------------------------------------------- a new shared service


async def _new_form(request: Request, officer: SignedInOfficer) -> dict[str, Any]:
    return await SHARED_SERVICES.choices(request)


_new_page = new_record_page("savings/shared_service_new.html", _new_form)


@form_at(router, "/shared-services/new", page=_new_page, may=keeps_programme)
async def register(request: Request, officer: SignedInOfficer, form: FormData) -> Response:
    body, typed, not_read = _service_body(form)
    body = {name: value for name, value in body.items() if value is not None}
    return await send_new(request, officer, SHARED, body, form=form, typed=typed,
                          page=partial(_new_page, request, officer), fields=SERVICE_FIELDS.get, dates=("planned_on",),
                          not_read=not_read, done=lambda answer: f"{answer.body.get('service')} is registered.",
                          then=lambda answer: service_address(str(answer.body.get("id", ""))))  # fmt: skip


# ---------------------------------------------------------------- a shared service: changed or moved on


async def _service_page(request: Request, officer: SignedInOfficer, shared_service_id: str, *,
                        refusal: Refusal | None = None, doing: str | None = None,
                        typed: dict[str, str] | None = None) -> Response:  # fmt: skip
    """The service as it is now (after someone else's change too), its steps and its change form, with what the
    officer typed in the form they sent."""
    answer, choices = await asyncio.gather(ask(request, officer, f"{SHARED}/{segment(shared_service_id)}"),
                                           SHARED_SERVICES.choices(request))  # fmt: skip
    shared = answer.body
    shown = _typed_from(shared)
    if typed is not None:
        shown |= typed
    keeps = officer.permissions.may_keep_programme
    return render(request, "savings/shared_service.html", {
        **choices, "shared": shared, "version": answer.version or "", "doing": doing, "typed": shown,
        "split": split_words(shared.get("cost_split")), "status_class": STATUS_TAGS.get(str(shared.get("status")), ""),
        "steps": [(step, STEP_WORDS.get(step, words_for(step))) for step in shared.get("next_statuses", []) if keeps],
        "dated_steps": DATED_STEPS, "may_change": keeps and shared.get("status") not in ("disaggregated", "cancelled"),
    }, refusal)  # fmt: skip


@form_at(router, "/shared-services/{shared_service_id}", page=_service_page, may=keeps_programme, shown_to=reads)
async def change_service(request: Request, officer: SignedInOfficer, form: FormData, shared_service_id: str) -> Response:
    """A step of its lifecycle (``doing`` names it), or a change to what the change form shows."""
    doing = first(form.get("doing"))
    api = f"{SHARED}/{segment(shared_service_id)}"
    body: dict[str, Any]
    dates: tuple[str, ...]
    not_read: dict[str, str] = {}
    if doing in STEP_WORDS:
        on, typed = date_typed(form, f"{doing}-on")
        planned_on, typed_planned = date_typed(form, f"{doing}-planned_on")
        typed |= typed_planned | boxes_typed(form, (f"{doing}-reason",))
        body = {"to": doing, "reason": typed[f"{doing}-reason"] or None}
        body |= {name: value for name, value in (("on", on), ("planned_on", planned_on)) if value}
        path, done = "/transitions", f"{STEP_WORDS[doing]}: done."
        dates = (f"{doing}-on", f"{doing}-planned_on")
        fields = {"reason": (f"{doing}-reason", "Reason"), "on": (f"{doing}-on-day", "Date"),
                  "planned_on": (f"{doing}-planned_on-day", "Planned date")}  # fmt: skip
    else:
        doing = "change"
        body, typed, not_read = _service_body(form)
        shared = (await ask(request, officer, api)).body
        # the dates and reasons the service's state lets it change, as the form offers them
        if shared.get("status") == "deferred" or body["planned_on"] is None:
            body.pop("planned_on")
        if shared.get("status") != "deferred":
            body.pop("deferred_reason")
        path, done, dates, fields = "", "The shared service is changed.", ("planned_on",), SERVICE_FIELDS
    return await send_change(request, officer, api + path, body, method="POST" if path else "PATCH", form=form,
                             page=partial(_service_page, request, officer, shared_service_id, doing=doing), typed=typed,
                             fields=fields.get, dates=dates, not_read=not_read, done=done,
                             then=service_address(shared_service_id))  # fmt: skip


# ---------------------------------------------------------------- the report


def _slip_words(shared: dict[str, Any], slipped: dict[str, Any]) -> str:
    """How a split slipped, as the API says why: its date passed, moved later, or it was deferred."""
    first_planned = day(shared.get("first_planned_on"))
    if slipped.get("why") == "deferred":
        return f"Deferred (first planned for {first_planned}): {shared.get('deferred_reason') or ''}"
    if slipped.get("why") == "moved_later":
        return f"Planned for {day(shared.get('planned_on'))}, {slipped.get('days_late')} days after first planned"
    return f"Planned for {day(shared.get('planned_on'))}, {slipped.get('days_late')} days ago"


def _report_rows(entries: list[dict[str, Any]], what: str) -> list[list[dict[str, Any]]]:
    rows: list[list[dict[str, Any]]] = []
    for s in entries:
        slipped = s.get("slipped") or {}
        detail = {
            "due": day(s.get("planned_on")),
            "slipped": _slip_words(s, slipped),
            "done": day(s.get("actual_on")),
            "deferred": s.get("deferred_reason") or "",
        }[what]  # fmt: skip
        rows.append([
            {"html": link(f"/savings/shared-services/{in_address(s.get('id', ''))}", s.get("service", ""))},
            {"text": s.get("host_council") or ""},
            {"text": words_for(s.get("status"))},
            {"text": detail},
        ])  # fmt: skip
    return rows


def _host_rows(report: dict[str, Any]) -> list[list[dict[str, Any]]]:
    def row(label: str, counts: dict[str, Any], bold: str = "") -> list[dict[str, Any]]:
        still = counts.get("still_shared") or {}
        return [
            {"text": label, "classes": bold},
            *({"text": counts.get(key, 0), "format": "numeric", "classes": bold}
              for key in ("services", "due", "slipped", "done", "deferred")),
            {"text": still.get("services", 0), "format": "numeric", "classes": bold},
            {"text": pounds(still.get("host_pence", 0)), "format": "numeric", "classes": bold},
            {"text": pounds(still.get("other_pence", 0)), "format": "numeric", "classes": bold},
        ]  # fmt: skip

    rows = [row(str(host.get("host_council")), host) for host in report.get("by_host", [])]
    return [*rows, row("Total", report.get("totals") or {}, "govuk-!-font-weight-bold")] if rows else []


REPORT_FIELDS = {"as_of": ("as_of", "Day of the report"), "months": ("months", "Months ahead")}


async def _report(request: Request, officer: SignedInOfficer) -> Response:
    chosen = {name: first(request.query_params.get(name)) for name in REPORT_FIELDS}
    query = {name: value for name, value in chosen.items() if value}
    try:
        report: dict[str, Any] | None = (
            await ask(request, officer, f"{PROGRAMME}/reports/disaggregation", query)
        ).body  # fmt: skip
        refusal = None
    except Refused as refused:
        report, refusal = None, refusal_from(refused.problem, REPORT_FIELDS.get, refused.status)
    sections = []
    for key, heading in (("due", "Due"), ("slipped", "Slipped"), ("done", "Done"), ("deferred", "Deferred")):
        sections.append((key, heading, _report_rows((report or {}).get(key, []), key)))
    return render(request, "savings/disaggregation.html", {
        "report": report, "chosen": chosen, "filtered": bool(query), "host_rows": _host_rows(report or {}),
        "sections": sections,
    }, refusal)  # fmt: skip


page_at(router, "/reports/disaggregation", page=_report, shown_to=reads)
