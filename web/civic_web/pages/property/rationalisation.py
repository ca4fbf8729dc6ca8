"""The rationalisation report: the estate's annual saving by financial year, running cost saved and rent from
partners, over the years the officer chooses."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from civic_web.charts import Bar, bar_chart
from civic_web.gateway import Refused
from civic_web.pages import first, render
from civic_web.pages.property.section import get, reads
from civic_web.refusals import refusal_from
from civic_web.sessions import SignedInOfficer, signed_in
from civic_web.vocabulary import pounds

router = APIRouter(include_in_schema=False)

YEAR_FIELDS = {"from_year": ("from_year", "From"), "to_year": ("to_year", "To")}


@router.get("/rationalisation")
async def rationalisation(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    reads(officer)
    chosen = {name: first(request.query_params.get(name)) for name in ("from_year", "to_year")}
    asked = {name: value for name, value in chosen.items() if value}
    report: dict[str, Any] | None = None
    refusal = None
    try:
        report = await get(request, officer, "/reports/rationalisation", asked)
    except Refused as refused:
        refusal = refusal_from(refused.problem, YEAR_FIELDS.get, refused.status)
    chart = None
    if report and report.get("years"):
        years = report["years"]
        chart = bar_chart(
            chart_id="rationalisation-chart", title="The estate's annual saving by financial year",
            description=(f"The running cost saved and the rent gained from partners, a year's worth at each year's end, "
                         f"from {years[0]['year']} to {years[-1]['year']}: {pounds(years[-1]['annual_saving_pence'])} "
                         f"a year by {years[-1]['year']}."),
            bars=[Bar(y["year"], [y.get("annual_running_cost_saved_pence", 0), y.get("partner_rent_gained_pence", 0)],
                      pounds(y.get("annual_saving_pence", 0))) for y in years],
            series=["Running cost saved", "Rent from partners"])
    return render(request, "property/rationalisation.html", {
        "report": report, "chosen": chosen, "chart": chart, "filtered": bool(asked),
        "rows": _year_rows(report.get("years") or []) if report else [],
    }, refusal)


def _year_rows(years: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The estate by financial year as table rows: built here rather than in the template, where each cell cost
    a dozen template calls."""
    rows = []
    for y in years:
        closed = [c["name"] for c in y.get("closed_in_year", [])] + [f"{c['name']} (disposed of)"
                                                                     for c in y.get("disposed_in_year", [])]
        after = y["after"]
        rows.append([
            {"text": y["year"]},
            {"text": ", ".join(closed) or "None"},
            {"text": f"{after['buildings']} ({after['desks']} desks)", "format": "numeric"},
            {"text": pounds(after["annual_running_cost_pence"]), "format": "numeric"},
            {"text": pounds(y["annual_saving_pence"]), "format": "numeric"},
            {"text": f"{y['annual_carbon_saved_kg']:,} kg", "format": "numeric"},
            {"text": pounds(y["disposal_receipts_pence"]), "format": "numeric"},
        ])
    return rows
