"""The leases the estate holds: the report of breaks and expiries ahead (every lease held, the leasehold buildings
without their lease recorded, the rent partners pay), a review that flags what is due now, and a leasehold
building's lease (its landlord, rent, term and breaks), recorded or changed at the version its page showed. Changes
need ``property:write``; the API says whether a lease fits its building (its rent within the running cost, its
breaks within its term)."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from civic_web.gateway import Refused
from civic_web.layout import link
from civic_web.pages import ask, first, form_at, gateway_of, in_address, page_at, render, request_id, segment, sent_to
from civic_web.pages.forms import (
    Rows,
    boxes_typed,
    date_boxes,
    date_typed,
    fields_of,
    pounds_typed,
    record_page,
    send_change,
)
from civic_web.pages.property.section import API, changes, reads
from civic_web.refusals import Refusal, refusal_from
from civic_web.sessions import SignedInOfficer, tell
from civic_web.vocabulary import day, pounds, words_for

router = APIRouter(include_in_schema=False)

#: the API's name (under ``lease``) -> (the form field's id, what it is called)
LEASE_FIELDS = {
    "lease": ("landlord", "Lease"),
    "lease.landlord": ("landlord", "Landlord"),
    "lease.annual_rent_pence": ("rent", "Rent a year"),
    "lease.starts_on": ("starts_on-day", "Start"),
    "lease.expires_on": ("expires_on-day", "Expiry"),
    "tenure": ("landlord", "Tenure"),
}
BREAK_LABELS = {"on": "Break date", "notice_months": "Months of notice"}
AMOUNT = "50,000 or 50000.50"
SPARE_BREAKS = 2
#: the most rows a form is read for (the API takes a dozen breaks at most)
MAX_ROWS = 20
MONTHS = {"months": ("months", "Months ahead")}


def _breaks(lease: dict[str, Any] | None) -> Rows:
    """A lease's breaks as the form's rows: its own and two spare."""
    return Rows("lease.breaks", "break", BREAK_LABELS, len((lease or {}).get("breaks") or ()) + SPARE_BREAKS, "break")


# ---------------------------------------------------------------- the report


def _due_rows(report: dict[str, Any]) -> list[list[dict[str, Any]]]:
    return [
        [
            {"html": link(f"/property/buildings/{in_address(d.get('building_id', ''))}/lease", d.get("name", ""))},
            {"text": "Break" if d.get("kind") == "break" else "Expiry"},
            {"text": day(d.get("on"))},
            {"text": day(d.get("notice_by")) if d.get("notice_by") else ""},
            {"text": d.get("days_until"), "format": "numeric"},
            {"text": d.get("landlord") or ""},
            {"text": f"Flagged on {day(d['flagged_on'])}" if d.get("flagged_on") else "Not yet"},
        ]
        for d in report.get("due", [])
    ]


def _lease_rows(report: dict[str, Any]) -> list[list[dict[str, Any]]]:
    return [
        [
            {"html": link(f"/property/buildings/{in_address(held.get('building_id', ''))}/lease", held.get("name", ""))},
            {"text": held.get("landlord") or ""},
            {"text": pounds(held.get("annual_rent_pence")), "format": "numeric"},
            {"text": day(held.get("starts_on")) if held.get("starts_on") else ""},
            {"text": day(held.get("expires_on"))},
            {"text": day(held.get("next_break_on")) if held.get("next_break_on") else "None"},
        ]
        for held in report.get("leases", [])
    ]


async def _report(request: Request, officer: SignedInOfficer) -> Response:
    months = first(request.query_params.get("months"))
    refusal: Refusal | None = None
    report: dict[str, Any] | None = None
    try:
        report = (await ask(request, officer, f"{API}/reports/leases", {"months": months} if months else None)).body
    except Refused as refused:
        refusal = refusal_from(refused.problem, MONTHS.get, refused.status)
    shown = report or {}
    return render(
        request,
        "property/leases.html",
        {
            "report": report,
            "months": months,
            "due_rows": _due_rows(shown),
            "lease_rows": _lease_rows(shown),
            "without": shown.get("leasehold_without_lease", []),
            "partners": [
                [
                    {"html": link(f"/property/buildings/{in_address(b.get('building_id', ''))}", b.get("name", ""))},
                    {"text": ", ".join(str(p.get("name")) for p in b.get("partners", []))},
                    {"text": pounds(b.get("annual_rent_pence")), "format": "numeric"},
                ]
                for b in shown.get("partners", [])
            ],
        },
        refusal,
    )


page_at(router, "/leases", page=_report, shown_to=reads)


@sent_to(router, "/leases/review", may=changes)
async def review(request: Request, officer: SignedInOfficer, form: FormData) -> Response:
    """Flag each break and expiry due that was not flagged before (what the hourly review does), now."""
    answer = await gateway_of(request).post(officer.token, f"{API}/lease-reviews", {}, request_id=request_id(request))
    newly = int(answer.body.get("newly_flagged") or 0)
    tell(
        request,
        f"The leases are reviewed: {newly} break{'s' if newly != 1 else ''} or expir"
        f"{'ies' if newly != 1 else 'y'} flagged for the first time.",
    )
    return RedirectResponse("/property/leases", status_code=303)


# ---------------------------------------------------------------- a building's lease


def _as_typed(lease: dict[str, Any] | None) -> dict[str, str]:
    if not lease:
        return {}
    typed = {"landlord": lease.get("landlord") or "", "rent": pounds(lease.get("annual_rent_pence")).removeprefix("£")}
    typed |= date_boxes("starts_on", lease.get("starts_on")) | date_boxes("expires_on", lease.get("expires_on"))
    for row, held in enumerate(lease.get("breaks") or ()):
        typed |= {
            f"break-{row}-on": str(held.get("on") or ""),
            f"break-{row}-notice_months": str(held.get("notice_months") or ""),
        }
    return typed


async def _about_lease(request: Request, officer: SignedInOfficer, building: dict[str, Any]) -> dict[str, Any]:
    lease = building.get("lease")
    return {
        "lease": lease,
        "breaks": _breaks(lease),
        "leasehold": building.get("tenure") == "leasehold",
        "tenure": words_for(building.get("tenure")),
    }


_lease_page = record_page(
    "property/lease.html",
    "building",
    lambda building_id: f"{API}/buildings/{segment(building_id)}",
    _about_lease,
    as_typed=lambda building: _as_typed(building.get("lease")),
)


@form_at(router, "/buildings/{building_id}/lease", page=_lease_page, may=changes, shown_to=reads)
async def record_lease(request: Request, officer: SignedInOfficer, form: FormData, building_id: str) -> Response:
    """The lease as the form shows it, replacing the one recorded (at the version shown)."""
    starts_on, typed = date_typed(form, "starts_on")
    expires_on, typed_expiry = date_typed(form, "expires_on")
    typed |= typed_expiry | boxes_typed(form, ("landlord", "rent"))
    rows = first(form.get("break_rows"))
    breaks = Rows(
        "lease.breaks", "break", BREAK_LABELS, min(int(rows), MAX_ROWS) if rows.isdigit() else SPARE_BREAKS, "break"
    )
    lines, boxes = breaks.typed(form)
    typed |= boxes
    rent, not_read = pounds_typed(typed["rent"], "rent", "Rent a year", AMOUNT)
    lease: dict[str, Any] = {
        "landlord": typed["landlord"] or None,
        "annual_rent_pence": rent,
        "expires_on": expires_on,
        "breaks": [],
    }
    if starts_on:
        lease["starts_on"] = starts_on
    for line in lines:
        months = line["notice_months"]
        notice = int(months) if months.isdigit() else months or None
        lease["breaks"].append({"on": line["on"] or None, **({"notice_months": notice} if notice is not None else {})})
    return await send_change(
        request,
        officer,
        f"{API}/buildings/{segment(building_id)}",
        {"lease": lease},
        method="PATCH",
        form=form,
        typed=typed,
        not_read=not_read,
        page=partial(_lease_page, request, officer, building_id),
        fields=fields_of(LEASE_FIELDS, breaks),
        dates=("starts_on", "expires_on"),
        done="The lease is recorded.",
        then=f"/property/buildings/{segment(building_id)}/lease",
    )
