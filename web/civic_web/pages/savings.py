"""Savings: the register of initiatives, an initiative's page with the moves the officer may make, and a new
initiative's form.

Everything goes through the gateway's ``/api/savings/v1/...`` as the officer. The pages decide only what to
show and offer (``permissions.py``) and how to say it (``vocabulary.py``); whether a change is allowed is the
API's to say, and a refusal comes back as the GOV.UK error summary with what the officer typed kept.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from civic_web.charts import Bar, bar_chart
from civic_web.gateway import Answer, Refused
from civic_web.pages import first, gateway_of, layout_of, request_id
from civic_web.refusals import Refusal, refusal_from
from civic_web.sessions import SignedInOfficer, posted_form, signed_in, tell
from civic_web.spreadsheets import XLSX, Sheet, workbook_of
from civic_web.vocabulary import LONDON, body_choices, move_words, parameter_choices, pence_of, pounds, words_for

router = APIRouter(prefix="/savings", include_in_schema=False)

API = "/api/savings/v1/initiatives"
REPORTS = "/api/savings/v1/reports"
PAGE_SIZE = 20
#: the register's filters the API takes, in the order the form shows them
FILTERS = ("theme", "directorate", "programme", "category", "status")
#: rows of a new initiative's savings profile (a year and an amount each); empty rows are left out
PROFILE_ROWS = 6
TEXT_FIELDS = {"title": "Title", "directorate": "Directorate", "programme": "Programme", "owner": "Owner",
               "rag_reason": "Reason for the RAG status"}
CHOICE_FIELDS = {"theme": "Theme", "category": "Category", "rag": "RAG status"}
MOVE_FIELDS = {"reason": "Reason", "to_year": "Year the unmet saving moves to", "from_year": "Year that slips"}
#: an actual's fields: the API's name -> (the form field's id, what it is called)
ACTUAL_FIELDS = {"year": ("actual-year", "Year"), "delivered_pence": ("actual-amount", "Saving delivered")}
RAG_FIELDS = {"rag": ("rag-rag", "RAG status"), "rag_reason": ("rag-rag_reason", "Reason for the RAG status")}
#: the theme report's filters (query parameters the API takes), in the order the form shows them
REPORT_FILTERS = {"years": "Financial years", "category": "Category", "directorate": "Directorate",
                  "programme": "Programme"}


class NoAccess(Exception):
    """The officer's scopes do not reach this page (it is never linked for them)."""


def _reads(officer: SignedInOfficer) -> None:
    if not officer.permissions.reads("savings"):
        raise NoAccess()


async def _choices(request: Request) -> dict[str, list[str]]:
    """The register's enumerations, as the API describes them."""
    document = await gateway_of(request).document()
    return {
        "theme": parameter_choices(document, API, "get", "theme"),
        "category": parameter_choices(document, API, "get", "category"),
        "status": parameter_choices(document, API, "get", "status"),
        "rag": body_choices(document, API, "post", "rag"),
    }


# ---------------------------------------------------------------- the register


@router.get("/initiatives")
async def initiatives(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _reads(officer)
    chosen = {name: first(request.query_params.get(name)) for name in FILTERS}
    cursor = first(request.query_params.get("cursor"))
    params = {name: value for name, value in chosen.items() if value}
    query = {**params, "limit": str(PAGE_SIZE), **({"cursor": cursor} if cursor else {})}
    refusal = None
    page: dict[str, Any] = {"items": [], "next_cursor": None}
    try:
        page = (await gateway_of(request).get(officer.token, API, query, request_id(request))).body
    except Refused as refused:
        refusal = refusal_from(refused.problem, lambda f: (f, f.capitalize()) if f in FILTERS else None, refused.status)
    next_page = f"?{urlencode({**params, 'cursor': page['next_cursor']})}" if page.get("next_cursor") else None
    first_page = f"?{urlencode(params)}" if cursor else None
    return layout_of(request).render(request, "savings/initiatives.html", {
        "items": page.get("items", []), "chosen": chosen, "choices": await _choices(request),
        "filtered": bool(params), "next_page": next_page, "first_page": first_page, "refusal": refusal,
    }, status=refusal.status if refusal else 200)


# ---------------------------------------------------------------- a new initiative
# (declared before /initiatives/{initiative_id}, which would take "new")


def _proposal(form: FormData) -> tuple[dict[str, Any], dict[str, str], list[int], list[tuple[str, str]]]:
    """The API's body from the form, what the officer typed (to show again), the form row of each profile
    entry sent, and what could not be read as typed (field id, message)."""
    typed = {name: first(form.get(name)) for name in (*TEXT_FIELDS, *CHOICE_FIELDS)}
    body: dict[str, Any] = {name: value for name, value in typed.items() if value}
    profile: list[dict[str, Any]] = []
    rows: list[int] = []
    unreadable: list[tuple[str, str]] = []
    for row in range(PROFILE_ROWS):
        year = typed[f"profile-{row}-year"] = first(form.get(f"profile-{row}-year"))
        amount = typed[f"profile-{row}-amount"] = first(form.get(f"profile-{row}-amount"))
        if not year and not amount:
            continue
        pence = pence_of(amount) if amount else None
        if amount and pence is None:
            unreadable.append((f"profile-{row}-amount",
                               f"Planned saving in row {row + 1} must be an amount in pounds, like 12,500 or 12500.50"))
        entry: dict[str, Any] = {"year": year}
        if pence is not None:
            entry["planned_pence"] = pence
        profile.append(entry)
        rows.append(row)
    body["profile"] = profile
    return body, typed, rows, unreadable


def _proposal_field(rows: list[int]) -> Any:
    def on_page(name: str) -> tuple[str, str] | None:
        if name in TEXT_FIELDS:
            return name, TEXT_FIELDS[name]
        if name in CHOICE_FIELDS:
            return name, CHOICE_FIELDS[name]
        parts = name.split(".")
        if parts[0] == "profile":
            if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(rows):
                row = rows[int(parts[1])]
                if parts[2] == "year":
                    return f"profile-{row}-year", f"Year in row {row + 1}"
                return f"profile-{row}-amount", f"Planned saving in row {row + 1}"
            return "profile-0-year", "Savings profile"
        return None

    return on_page


def _may_propose(officer: SignedInOfficer) -> None:
    _reads(officer)
    if not officer.permissions.may_propose_initiative:
        raise NoAccess()


@router.get("/initiatives/new")
async def new_initiative(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _may_propose(officer)
    return layout_of(request).render(request, "savings/new.html", {
        "choices": await _choices(request), "typed": {}, "refusal": None, "rows": range(PROFILE_ROWS),
        "attempt": uuid.uuid4().hex,
    })


@router.post("/initiatives/new")
async def propose(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    form = await posted_form(request)
    _may_propose(officer)
    body, typed, rows, unreadable = _proposal(form)
    # one attempt at the form is one Idempotency-Key: a second click, or a retry after a lost answer,
    # finds the first answer instead of proposing the initiative twice (a refusal leaves the key free)
    attempt = first(form.get("attempt")) or uuid.uuid4().hex
    refusal: Refusal | None = None
    if unreadable:
        refusal = Refusal(400, [{"text": text, "href": f"#{field}"} for field, text in unreadable], dict(unreadable))
    else:
        try:
            answer = await gateway_of(request).post(officer.token, API, body, headers={"Idempotency-Key": attempt},
                                                    request_id=request_id(request))
        except Refused as refused:
            refusal = refusal_from(refused.problem, _proposal_field(rows), refused.status)
        else:
            tell(request, f"{answer.body.get('title', 'The initiative')} is proposed.")
            return RedirectResponse(f"/savings/initiatives/{quote(str(answer.body['id']), safe='')}", status_code=303)
    assert refusal is not None
    return layout_of(request).render(request, "savings/new.html", {
        "choices": await _choices(request), "typed": typed, "refusal": refusal, "rows": range(PROFILE_ROWS),
        "attempt": attempt,
    }, status=refusal.status)


# ---------------------------------------------------------------- one initiative


def _move_field(to: str) -> Any:
    def on_page(name: str) -> tuple[str, str] | None:
        label = MOVE_FIELDS.get(name)
        return (f"{to}-{name}", label) if label else None

    return on_page


async def _initiative(request: Request, officer: SignedInOfficer, initiative_id: str) -> Answer:
    return await gateway_of(request).get(officer.token, f"{API}/{quote(initiative_id, safe='')}",
                                         request_id=request_id(request))


def _initiative_page(request: Request, officer: SignedInOfficer, answer: Answer, *, refusal: Refusal | None = None,
                     moving: str | None = None, typed: dict[str, str] | None = None,
                     rag_choices: list[str] | None = None) -> Response:
    initiative = answer.body
    moves = officer.permissions.initiative_moves(initiative.get("next_statuses", []))
    profile = {p["year"]: {"planned": p.get("planned_pence", 0), "delivered": None} for p in initiative.get("profile", [])}
    for actual in initiative.get("actuals", []):
        profile.setdefault(actual["year"], {"planned": 0, "delivered": None})["delivered"] = actual.get("delivered_pence")
    records = officer.permissions.may_record_progress
    return layout_of(request).render(request, "savings/initiative.html", {
        "initiative": initiative, "version": answer.version or "", "moves": moves,
        "profile": dict(sorted(profile.items())), "refusal": refusal, "moving": moving, "typed": typed or {},
        "records": records, "rag_choices": (rag_choices or []) if records else [],
    }, status=refusal.status if refusal else 200)


async def _rag_choices(request: Request) -> list[str]:
    document = await gateway_of(request).document()
    return body_choices(document, f"{API}/{{initiative_id}}", "patch", "rag")


@router.get("/initiatives/{initiative_id}")
async def initiative(initiative_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _reads(officer)
    answer = await _initiative(request, officer, initiative_id)
    return _initiative_page(request, officer, answer, rag_choices=await _rag_choices(request))


@router.post("/initiatives/{initiative_id}/moves")
async def move(initiative_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    form = await posted_form(request)
    _reads(officer)
    to = first(form.get("to"))
    typed = {name: first(form.get(name)) for name in MOVE_FIELDS}
    body: dict[str, Any] = {"to": to, **{name: value for name, value in typed.items() if value}}
    version = first(form.get("version"))
    headers = {"If-Match": f'"{version}"'} if version else {}
    address = f"/savings/initiatives/{quote(initiative_id, safe='')}"
    try:
        await gateway_of(request).post(officer.token, f"{API}/{quote(initiative_id, safe='')}/transitions", body,
                                       headers=headers, request_id=request_id(request))
    except Refused as refused:
        refusal = refusal_from(refused.problem, _move_field(to), refused.status)
        # shown as it is now (after a 412 that is someone else's change), with what the officer typed
        return _initiative_page(request, officer, await _initiative(request, officer, initiative_id),
                                refusal=refusal, moving=to, typed=typed, rag_choices=await _rag_choices(request))
    tell(request, f"{move_words(to)}: done.")
    return RedirectResponse(address, status_code=303)


# ---------------------------------------------------------------- progress: actuals and the RAG status


def _may_record(officer: SignedInOfficer) -> None:
    _reads(officer)
    if not officer.permissions.may_record_progress:
        raise NoAccess()


def _named(fields: dict[str, tuple[str, str]], whole: str | None = None) -> Any:
    """The form field for an API field; ``whole`` takes a refusal of the request as a whole (``body``)."""
    def on_page(name: str) -> tuple[str, str] | None:
        if name == "body" and whole:
            return whole, ""
        return fields.get(name)

    return on_page


async def _progress(request: Request, officer: SignedInOfficer, initiative_id: str, form: FormData, what: str,
                    body: dict[str, Any], on_page: Any, typed: dict[str, str], done: str,
                    unreadable: dict[str, str] | None = None) -> Response:
    """Send an actual or a RAG status (PATCH for the RAG) at the version the page showed; a refusal shows the
    initiative as it is now, with the form as the officer filled it in."""
    address = f"{API}/{quote(initiative_id, safe='')}"
    version = first(form.get("version"))
    headers = {"If-Match": f'"{version}"'} if version else {}
    refusal: Refusal | None = None
    if unreadable:
        refusal = Refusal(400, [{"text": text, "href": f"#{field}"} for field, text in unreadable.items()], unreadable)
    else:
        gateway = gateway_of(request)
        try:
            if what == "rag":
                await gateway.patch(officer.token, address, body, headers=headers, request_id=request_id(request))
            else:
                await gateway.post(officer.token, f"{address}/actuals", body, headers=headers,
                                   request_id=request_id(request))
        except Refused as refused:
            problem = dict(refused.problem)
            # the API's rules name its own fields; the page says them in words
            problem["errors"] = [{**e, "message": str(e.get("message", "")).replace("rag_reason", "a reason")}
                                 for e in problem.get("errors") or () if isinstance(e, dict)]
            refusal = refusal_from(problem, on_page, refused.status)
        else:
            tell(request, done)
            return RedirectResponse(f"/savings/initiatives/{quote(initiative_id, safe='')}", status_code=303)
    return _initiative_page(request, officer, await _initiative(request, officer, initiative_id), refusal=refusal,
                            moving=what, typed=typed, rag_choices=await _rag_choices(request))


@router.post("/initiatives/{initiative_id}/actuals")
async def record_actual(initiative_id: str, request: Request,
                        officer: SignedInOfficer = Depends(signed_in)) -> Response:
    form = await posted_form(request)
    _may_record(officer)
    typed = {"year": first(form.get("year")), "amount": first(form.get("amount"))}
    body: dict[str, Any] = {"year": typed["year"]} if typed["year"] else {}
    unreadable: dict[str, str] = {}
    if typed["amount"]:
        pence = pence_of(typed["amount"])
        if pence is None:
            unreadable["actual-amount"] = "Saving delivered must be an amount in pounds, like 12,500 or 12500.50"
        else:
            body["delivered_pence"] = pence
    return await _progress(request, officer, initiative_id, form, "actual", body, _named(ACTUAL_FIELDS), typed,
                           f"The saving delivered in {typed['year']} is recorded.", unreadable)


@router.post("/initiatives/{initiative_id}/rag")
async def set_rag(initiative_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    form = await posted_form(request)
    _may_record(officer)
    typed = {"rag": first(form.get("rag")), "rag_reason": first(form.get("rag_reason"))}
    # an empty choice clears the status (null), and a status without a reason clears the old reason with it
    body: dict[str, Any] = {"rag": typed["rag"] or None, "rag_reason": typed["rag_reason"] or None}
    return await _progress(request, officer, initiative_id, form, "rag", body,
                           _named(RAG_FIELDS, whole="rag-rag_reason"), typed,
                           f"The RAG status is now {words_for(typed['rag']).lower() or 'not set'}.")


# ---------------------------------------------------------------- reports


@router.get("/reports")
async def reports(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _reads(officer)
    answer = await gateway_of(request).get(officer.token, "/api/savings/v1/targets", {"limit": "100"},
                                           request_id(request))
    return layout_of(request).render(request, "savings/reports.html", {"targets": answer.body.get("items", [])})


def _report_query(request: Request) -> tuple[dict[str, str], dict[str, str]]:
    chosen = {name: first(request.query_params.get(name)) for name in REPORT_FILTERS}
    return chosen, {name: value for name, value in chosen.items() if value}


async def _theme_report(request: Request, officer: SignedInOfficer,
                        params: dict[str, str]) -> tuple[dict[str, Any] | None, Refusal | None]:
    try:
        answer = await gateway_of(request).get(officer.token, f"{REPORTS}/themes", params, request_id(request))
    except Refused as refused:
        return None, refusal_from(refused.problem, lambda f: (f, REPORT_FILTERS[f]) if f in REPORT_FILTERS else None,
                                  refused.status)
    report: dict[str, Any] = answer.body
    return report, None


def _theme_chart(report: dict[str, Any]) -> Any:
    years = report["years"]
    bars = [Bar(row["label"], [row["by_year"][year]["planned_pence"] for year in years], pounds(row["planned_pence"]))
            for row in report["rows"]]
    total = report["totals"]["planned_pence"]
    biggest = max(report["rows"], key=lambda row: row["planned_pence"], default=None)
    description = (f"Planned savings by theme, each bar split by financial year ({', '.join(years)}). "
                   f"In all {pounds(total)}" + (f"; the largest theme is {biggest['label']} with "
                                                f"{pounds(biggest['planned_pence'])}." if biggest and total else "."))
    return bar_chart(chart_id="theme-chart", title="Planned savings by theme and year", description=description,
                     bars=bars, series=years)


@router.get("/reports/themes")
async def theme_report(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _reads(officer)
    chosen, params = _report_query(request)
    report, refusal = await _theme_report(request, officer, params)
    document = await gateway_of(request).document()
    return layout_of(request).render(request, "savings/themes.html", {
        "report": report, "refusal": refusal, "chosen": chosen, "filtered": bool(params),
        "categories": parameter_choices(document, f"{REPORTS}/themes", "get", "category"),
        "chart": _theme_chart(report) if report else None,
        "download": "/savings/reports/themes.xlsx" + (f"?{urlencode(params)}" if params else ""),
    }, status=refusal.status if refusal else 200)


@router.get("/reports/themes.xlsx")
async def theme_report_xlsx(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _reads(officer)
    _, params = _report_query(request)
    report, refusal = await _theme_report(request, officer, params)
    if report is None:
        assert refusal is not None
        raise Refused(refusal.status, {"status": refusal.status, "detail": "; ".join(i["text"] for i in refusal.items)})
    years = report["years"]
    filters = report.get("filters", {})
    described = ", ".join(f"{words_for(k)}: {words_for(v) if k == 'category' else v}"
                          for k, v in filters.items() if v) or "none"
    sheets = []
    for measure in ("planned", "delivered"):
        key = f"{measure}_pence"
        rows: list[list[Any]] = [[row["label"], *(row["by_year"][y][key] / 100 for y in years), row[key] / 100]
                                 for row in report["rows"]]
        rows.append(["Total", *(report["totals"]["by_year"][y][key] / 100 for y in years),
                     report["totals"][key] / 100])
        sheets.append(Sheet(measure.capitalize(), [f"{measure.capitalize()} savings by theme and financial year, "
                                                   f"in pounds", f"Filters: {described}"],
                            ["Theme", *years, "Total"], rows))
    return Response(workbook_of(sheets), media_type=XLSX,
                    headers={"Content-Disposition": 'attachment; filename="savings-by-theme.xlsx"'})


@router.get("/reports/targets/{name}")
async def target_report(name: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _reads(officer)
    answer = await gateway_of(request).get(officer.token, f"{REPORTS}/target/{quote(name, safe='')}",
                                           request_id=request_id(request))
    report: dict[str, Any] = answer.body
    bars = [Bar(y["year"], [y.get("delivered_pence", 0), y.get("anticipated_pence", 0), y.get("pipeline_pence", 0)],
                pounds(y.get("delivered_pence", 0) + y.get("anticipated_pence", 0) + y.get("pipeline_pence", 0)))
            for y in report.get("by_year", [])]
    chart = bar_chart(
        chart_id="target-chart", title=f"{report['name']}: savings by year against the target",
        description=(f"Delivered, anticipated and pipeline savings by financial year. Target "
                     f"{pounds(report['target_pence'])}; delivered and anticipated together "
                     f"{pounds(report['total_pence'])}."),
        bars=bars, series=["Delivered", "Anticipated", "Pipeline"])
    return layout_of(request).render(request, "savings/target.html", {"report": report, "chart": chart})


@router.get("/reports/variance")
async def variance_report(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _reads(officer)
    chosen, params = _report_query(request)
    report: dict[str, Any] | None = None
    refusal = None
    try:
        report = (await gateway_of(request).get(officer.token, f"{REPORTS}/variance", params, request_id(request))).body
    except Refused as refused:
        refusal = refusal_from(refused.problem, lambda f: (f, REPORT_FILTERS[f]) if f in REPORT_FILTERS else None,
                               refused.status)
    chart = None
    if report and report.get("years"):
        chart = bar_chart(
            chart_id="variance-chart", title="Planned savings by year: delivered and still to deliver",
            description=(f"For each financial year, the saving delivered and the rest of the saving planned after "
                         f"slips. In all {pounds(report['totals']['delivered_pence'])} delivered of "
                         f"{pounds(report['totals']['planned_pence'])} planned."),
            bars=[Bar(y["year"], [y["delivered_pence"], y["variance_pence"]], pounds(y["planned_pence"]))
                  for y in report["years"]], series=["Delivered", "Still to deliver"])
    document = await gateway_of(request).document()
    return layout_of(request).render(request, "savings/variance.html", {
        "report": report, "refusal": refusal, "chosen": chosen, "filtered": bool(params), "chart": chart,
        "categories": parameter_choices(document, f"{REPORTS}/variance", "get", "category"),
    }, status=refusal.status if refusal else 200)


RECONCILIATION_FIELDS = {"year": ("year", "Financial year"), "budget_report_pence": ("budget", "Budget report's figure"),
                         "directorate": ("directorate", "Directorate")}


@router.get("/reports/reconciliation")
async def reconciliation_report(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _reads(officer)
    chosen = {name: first(request.query_params.get(name)) for name in ("year", "budget", "directorate")}
    report: dict[str, Any] | None = None
    refusal: Refusal | None = None
    if chosen["year"]:
        params = {"year": chosen["year"], **({"directorate": chosen["directorate"]} if chosen["directorate"] else {})}
        if chosen["budget"]:
            pence = pence_of(chosen["budget"])
            if pence is None:
                text = "Budget report's figure must be an amount in pounds, like 35,621,000"
                refusal = Refusal(400, [{"text": text, "href": "#budget"}], {"budget": text})
            else:
                params["budget_report_pence"] = str(pence)
        if refusal is None:
            try:
                report = (await gateway_of(request).get(officer.token, f"{REPORTS}/reconciliation", params,
                                                        request_id(request))).body
            except Refused as refused:
                refusal = refusal_from(refused.problem, lambda f: RECONCILIATION_FIELDS.get(f), refused.status)
    return layout_of(request).render(request, "savings/reconciliation.html", {
        "report": report, "refusal": refusal, "chosen": chosen,
    }, status=refusal.status if refusal else 200)


#: the highlight report's lists, in the order a month's story is told
HIGHLIGHTS = (("proposed", "Proposed"), ("approved", "Approved"), ("in_delivery", "Delivery started"),
              ("slipped", "Slipped"), ("delivered", "Delivered"), ("undeliverable", "Found undeliverable"),
              ("actuals", "Savings delivered recorded"), ("rag_changes", "RAG status changed"))


@router.get("/reports/highlights")
async def highlights_report(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _reads(officer)
    month = first(request.query_params.get("month")) or datetime.now(LONDON).strftime("%Y-%m")
    report: dict[str, Any] | None = None
    refusal = None
    try:
        report = (await gateway_of(request).get(officer.token, f"{REPORTS}/highlights/{quote(month, safe='')}",
                                                request_id=request_id(request))).body
    except Refused as refused:
        refusal = refusal_from(refused.problem, lambda f: ("month", "Month") if f == "month" else None, refused.status)
        if not refusal.fields:  # a month the address cannot carry: said against the field all the same
            refusal = Refusal(refusal.status, [{**i, "href": "#month"} for i in refusal.items],
                              {"month": refusal.items[0]["text"]})
    return layout_of(request).render(request, "savings/highlights.html", {
        "report": report, "refusal": refusal, "month": month, "sections": HIGHLIGHTS,
    }, status=refusal.status if refusal else 200)
