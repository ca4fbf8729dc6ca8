"""The savings reports, as the API counts them: savings by theme and year (and as a workbook), a target's
savings by year, the variance after slips, the reconciliation with the budget report, a month's highlights, the
milestones overdue. Each is a chart drawn on the server beside the table that holds its figures."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from civic_web.charts import Bar, bar_chart
from civic_web.gateway import Refused
from civic_web.layout import link
from civic_web.pages import ask, first, gateway_of, in_address, render, segment
from civic_web.pages.forms import pounds_typed, unreadable
from civic_web.pages.savings.section import REPORTS, reads
from civic_web.refusals import FieldOnPage, Refusal, refusal_from
from civic_web.sessions import SignedInOfficer, signed_in
from civic_web.spreadsheets import XLSX, Sheet, workbook_of
from civic_web.vocabulary import LONDON, day, parameter_choices, pounds, words_for

router = APIRouter(include_in_schema=False)

#: the theme report's filters (query parameters the API takes), in the order the form shows them
REPORT_FILTERS = {"years": "Financial years", "category": "Category", "directorate": "Directorate",
                  "programme": "Programme"}


def _filter_field(name: str) -> tuple[str, str] | None:
    return (name, REPORT_FILTERS[name]) if name in REPORT_FILTERS else None


async def _report(request: Request, officer: SignedInOfficer, path: str, params: dict[str, str] | None,
                  fields: FieldOnPage) -> tuple[dict[str, Any] | None, Refusal | None]:
    """A report, or the refusal of what the officer asked (its filters) as the page's error summary."""
    try:
        report: dict[str, Any] = (await ask(request, officer, f"{REPORTS}{path}", params)).body
    except Refused as refused:
        return None, refusal_from(refused.problem, fields, refused.status)
    return report, None


@router.get("/reports")
async def reports(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    reads(officer)
    answer = await ask(request, officer, "/api/savings/v1/targets", {"limit": "100"})
    return render(request, "savings/reports.html", {"targets": answer.body.get("items", [])})


def _report_query(request: Request) -> tuple[dict[str, str], dict[str, str]]:
    chosen = {name: first(request.query_params.get(name)) for name in REPORT_FILTERS}
    return chosen, {name: value for name, value in chosen.items() if value}
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



def _theme_table(report: dict[str, Any], caption: str, key: str) -> dict[str, Any]:
    """One measure (``planned_pence``, ``delivered_pence``) by theme and year, with the totals, as GOV.UK's table:
    built here rather than in the template, where each cell cost a dozen template calls."""
    years = report["years"]
    bold = "govuk-!-font-weight-bold"
    rows: list[list[dict[str, Any]]] = [
        [{"text": row["label"]},
         *({"text": pounds(row["by_year"][year][key]), "format": "numeric"} for year in years),
         {"text": pounds(row[key]), "format": "numeric", "classes": bold}]
        for row in report["rows"]]
    totals = report["totals"]
    rows.append([{"text": "Total", "classes": bold},
                 *({"text": pounds(totals["by_year"][year][key]), "format": "numeric", "classes": bold} for year in years),
                 {"text": pounds(totals[key]), "format": "numeric", "classes": bold}])
    return {"caption": caption, "captionClasses": "govuk-table__caption--m", "firstCellIsHeader": True,
            "head": [{"text": "Theme"}, *({"text": year, "format": "numeric"} for year in years),
                     {"text": "Total", "format": "numeric"}],
            "rows": rows}


@router.get("/reports/themes")
async def theme_report(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    reads(officer)
    chosen, params = _report_query(request)
    report, refusal = await _report(request, officer, "/themes", params, _filter_field)
    document = await gateway_of(request).document()
    return render(request, "savings/themes.html", {
        "report": report, "chosen": chosen, "filtered": bool(params),
        "tables": [_theme_table(report, "Planned savings by theme and financial year", "planned_pence"),
                   _theme_table(report, "Delivered savings by theme and financial year", "delivered_pence")]
        if report else [],
        "categories": parameter_choices(document, f"{REPORTS}/themes", "get", "category"),
        "chart": _theme_chart(report) if report else None,
        "download": "/savings/reports/themes.xlsx" + (f"?{urlencode(params)}" if params else ""),
    }, refusal)


@router.get("/reports/themes.xlsx")
async def theme_report_xlsx(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    reads(officer)
    _, params = _report_query(request)
    report, refusal = await _report(request, officer, "/themes", params, _filter_field)
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
    reads(officer)
    report: dict[str, Any] = (await ask(request, officer, f"{REPORTS}/target/{segment(name)}")).body
    bars = [Bar(y["year"], [y.get("delivered_pence", 0), y.get("anticipated_pence", 0), y.get("pipeline_pence", 0)],
                pounds(y.get("delivered_pence", 0) + y.get("anticipated_pence", 0) + y.get("pipeline_pence", 0)))
            for y in report.get("by_year", [])]
    chart = bar_chart(
        chart_id="target-chart", title=f"{report['name']}: savings by year against the target",
        description=(f"Delivered, anticipated and pipeline savings by financial year. Target "
                     f"{pounds(report['target_pence'])}; delivered and anticipated together "
                     f"{pounds(report['total_pence'])}."),
        bars=bars, series=["Delivered", "Anticipated", "Pipeline"])
    return render(request, "savings/target.html", {"report": report, "chart": chart})


@router.get("/reports/variance")
async def variance_report(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    reads(officer)
    chosen, params = _report_query(request)
    report, refusal = await _report(request, officer, "/variance", params, _filter_field)
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
    return render(request, "savings/variance.html", {
        "report": report, "chosen": chosen, "filtered": bool(params), "chart": chart,
        "categories": parameter_choices(document, f"{REPORTS}/variance", "get", "category"),
    }, refusal)


RECONCILIATION_FIELDS = {"year": ("year", "Financial year"), "budget_report_pence": ("budget", "Budget report's figure"),
                         "directorate": ("directorate", "Directorate")}


@router.get("/reports/reconciliation")
async def reconciliation_report(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    reads(officer)
    chosen = {name: first(request.query_params.get(name)) for name in ("year", "budget", "directorate")}
    report: dict[str, Any] | None = None
    refusal: Refusal | None = None
    if chosen["year"]:
        params = {"year": chosen["year"], **({"directorate": chosen["directorate"]} if chosen["directorate"] else {})}
        pence, not_read = pounds_typed(chosen["budget"], "budget", "Budget report's figure", "35,621,000")
        if not_read:
            refusal = unreadable(not_read)
        else:
            if pence is not None:
                params["budget_report_pence"] = str(pence)
            report, refusal = await _report(request, officer, "/reconciliation", params, RECONCILIATION_FIELDS.get)
    return render(request, "savings/reconciliation.html", {
        "report": report, "chosen": chosen,
    }, refusal)


#: the highlight report's lists, in the order a month's story is told
HIGHLIGHTS = (("proposed", "Proposed"), ("approved", "Approved"), ("in_delivery", "Delivery started"),
              ("slipped", "Slipped"), ("delivered", "Delivered"), ("undeliverable", "Found undeliverable"),
              ("actuals", "Savings delivered recorded"), ("rag_changes", "RAG status changed"))


def _month_field(name: str) -> tuple[str, str] | None:
    return ("month", "Month") if name == "month" else None


@router.get("/reports/highlights")
async def highlights_report(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    reads(officer)
    month = first(request.query_params.get("month")) or datetime.now(LONDON).strftime("%Y-%m")
    report, refusal = await _report(request, officer, f"/highlights/{segment(month)}", None, _month_field)
    if refusal and not refusal.fields:  # a month the address cannot carry: said against the field all the same
        refusal = Refusal(refusal.status, [{**i, "href": "#month"} for i in refusal.items],
                          {"month": refusal.items[0]["text"]})
    return render(request, "savings/highlights.html", {
        "report": report, "month": month, "sections": HIGHLIGHTS,
    }, refusal)


def _programme_field(name: str) -> tuple[str, str] | None:
    return ("programme", "Programme") if name == "programme" else None


@router.get("/reports/overdue-milestones")
async def overdue_milestones_report(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    reads(officer)
    programme = first(request.query_params.get("programme"))
    report, refusal = await _report(request, officer, "/milestones/overdue",
                                    {"programme": programme} if programme else None, _programme_field)
    rows = [[
        {"html": link(f"/savings/initiatives/{in_address(m.get('initiative_id', ''))}/milestones/"
                      f"{in_address(m.get('id', ''))}", m.get("title", ""))},
        {"html": link(f"/savings/initiatives/{in_address(m.get('initiative_id', ''))}", m.get("initiative_title", ""))},
        {"text": m.get("programme") or "None"},
        {"text": m.get("owner")},
        {"text": day(m.get("due"))},
        {"text": m.get("days_overdue"), "format": "numeric"},
    ] for m in (report or {}).get("overdue_milestones", [])]
    return render(request, "savings/overdue_milestones.html", {
        "report": report, "programme": programme, "rows": rows,
    }, refusal)
