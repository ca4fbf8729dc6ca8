"""The estate's published and target reports: the Transparency Code's land and building assets register (its
table in the Code's layout, the buildings whose register fields are not complete, and the register as the API
publishes it, CSV and workbook, passed on as they are), and the rationalisation target: the saving a year promised
by year against what closures and partners moving in deliver, with the target set by year (``property:write``, at
the version shown)."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from civic_web.gateway import Refused
from civic_web.layout import link
from civic_web.pages import ask, first, form_at, gateway_of, in_address, page_at, render, request_id
from civic_web.pages.forms import Rows, boxes_typed, fields_of, pounds_typed, send_change
from civic_web.pages.property.section import API, changes, reads
from civic_web.refusals import Refusal, refusal_from
from civic_web.sessions import SignedInOfficer, signed_in
from civic_web.vocabulary import LONDON, day, pounds

router = APIRouter(include_in_schema=False)

#: the register as the API publishes it: (its address's end, the download's media type)
DOWNLOADS = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
YEAR_FIELDS = {"from_year": ("from_year", "From"), "to_year": ("to_year", "To")}
STEP_LABELS = {"year": "Financial year", "annual_saving_pence": "Saving a year", "by": "Due by"}
TARGET_FIELDS = {"source": ("source", "Where the target comes from"), "steps": ("step-0-year", "Steps")}
AMOUNT = "1,500,000 or 1500000"
SPARE_STEPS = 2
MAX_ROWS = 20


# ---------------------------------------------------------------- the asset register


async def _register(request: Request, officer: SignedInOfficer) -> Response:
    register = (await ask(request, officer, f"{API}/reports/asset-register")).body
    columns = register.get("columns", [])
    rows = [
        [
            {"html": link(f"/property/buildings/{in_address(asset.get('building_id', ''))}", asset.get(c["key"]) or "")}
            if c["key"] == "name"
            else {"text": "" if asset.get(c["key"]) is None else str(asset.get(c["key"]))}
            for c in columns
        ]
        for asset in register.get("assets", [])
    ]
    headings = {c["key"]: c["heading"] for c in columns}
    incomplete = [
        {
            "building_id": b.get("building_id"),
            "name": b.get("name"),
            "missing": ", ".join(headings.get(m, m) for m in b.get("missing", [])),
        }
        for b in register.get("incomplete", [])
    ]
    return render(
        request,
        "property/asset_register.html",
        {
            "register": register,
            "head": [{"text": c["heading"]} for c in columns],
            "rows": rows,
            "incomplete": incomplete,
        },
    )


page_at(router, "/asset-register", page=_register, shown_to=reads)


@router.get("/asset-register.{kind}")
async def register_download(kind: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    """The register as the API publishes it, under the API's own file name."""
    reads(officer)
    if kind not in DOWNLOADS:
        return Response(status_code=404)
    got = await gateway_of(request).download(officer.token, f"{API}/reports/asset-register.{kind}", request_id(request))
    published = datetime.now(LONDON).date().isoformat()  # as the API names it: the day it is published
    return Response(
        got.content,
        media_type=got.media_type or DOWNLOADS[kind],
        headers={"Content-Disposition": f'attachment; filename="land-and-building-assets-{published}.{kind}"'},
    )


# ---------------------------------------------------------------- the rationalisation target


def _target_rows(report: dict[str, Any]) -> list[list[dict[str, Any]]]:
    rows = []
    for y in report.get("years", []):
        met = y.get("met")
        gap = (
            f"{pounds(y['shortfall_pence'])} short"
            if y.get("shortfall_pence")
            else f"{pounds(y['excess_pence'])} over"
            if y.get("excess_pence")
            else ""
        )
        rows.append(
            [
                {"text": y.get("year")},
                {
                    "text": pounds(y["target_annual_saving_pence"])
                    if y.get("target_annual_saving_pence") is not None
                    else "No target",
                    "format": "numeric",
                },
                {"text": day(y.get("measured_on")) if y.get("measured_on") else ""},
                {"text": pounds(y.get("delivered_annual_saving_pence") or 0), "format": "numeric"},
                {"text": pounds(y.get("anticipated_annual_saving_pence") or 0), "format": "numeric"},
                {"text": ("Met" if met else "Not met" if met is False else "") + (f", {gap}" if gap else "")},
            ]
        )
    return rows


def _steps(target: dict[str, Any] | None, rows: int | None = None) -> Rows:
    count = rows if rows is not None else len((target or {}).get("steps") or ()) + SPARE_STEPS
    return Rows("steps", "step", STEP_LABELS, count, "step")


def _typed_target(target: dict[str, Any]) -> dict[str, str]:
    typed = {"source": target.get("source") or ""}
    for row, step in enumerate(target.get("steps") or ()):
        typed |= {
            f"step-{row}-year": step.get("year") or "",
            f"step-{row}-by": step.get("by") or "",
            f"step-{row}-annual_saving_pence": pounds(step.get("annual_saving_pence")).removeprefix("£"),
        }
    return typed


async def _target_page(
    request: Request, officer: SignedInOfficer, *, refusal: Refusal | None = None, typed: dict[str, str] | None = None
) -> Response:
    chosen = {name: first(request.query_params.get(name)) for name in YEAR_FIELDS}
    asked = {name: value for name, value in chosen.items() if value}
    report: dict[str, Any] | None = None
    report_refusal = None
    try:
        report = (await ask(request, officer, f"{API}/reports/rationalisation-target", asked)).body
    except Refused as refused:
        report_refusal = refusal_from(refused.problem, YEAR_FIELDS.get, refused.status)
    target = await ask(request, officer, f"{API}/rationalisation-target")
    return render(
        request,
        "property/rationalisation_target.html",
        {
            "report": report,
            "chosen": chosen,
            "filtered": bool(asked),
            "rows": _target_rows(report or {}),
            "target": target.body,
            "version": target.version or str(target.body.get("version", "")),
            "typed": typed if typed is not None else _typed_target(target.body),
            "steps": _steps(target.body),
        },
        refusal or report_refusal,
    )


@form_at(router, "/rationalisation-target", page=_target_page, may=changes, shown_to=reads)
async def set_target(request: Request, officer: SignedInOfficer, form: FormData) -> Response:
    """The target by year as the form shows it, replacing the one set (at the version shown; version 0 until
    first set)."""
    rows = first(form.get("step_rows"))
    steps = _steps(None, min(int(rows), MAX_ROWS) if rows.isdigit() else SPARE_STEPS)
    lines, typed = steps.typed(form)
    typed |= boxes_typed(form, ("source",))
    body: dict[str, Any] = {"source": typed["source"] or None, "steps": []}
    not_read: dict[str, str] = {}
    for row, line in zip(steps.sent, lines, strict=True):
        field_id = f"step-{row}-annual_saving_pence"
        saving, message = pounds_typed(line["annual_saving_pence"], field_id, f"Saving a year in step {row + 1}", AMOUNT)
        not_read |= message
        body["steps"].append(
            {"year": line["year"] or None, "annual_saving_pence": saving, **({"by": line["by"]} if line["by"] else {})}
        )
    return await send_change(
        request,
        officer,
        f"{API}/rationalisation-target",
        body,
        method="PUT",
        form=form,
        typed=typed,
        page=partial(_target_page, request, officer),
        not_read=not_read,
        fields=fields_of(TARGET_FIELDS, steps),
        done="The rationalisation target is set.",
        then="/property/rationalisation-target",
    )
