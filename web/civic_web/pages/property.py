"""Property: the estate's buildings by status with their lifecycle, a building's utilisation, teams and desk
demand, the move plan and the rationalisation report.

Everything goes through the gateway's ``/api/property/v1/...`` as the officer. Changes (a building's next
step, planning, completing or cancelling a team's move) are offered only with ``property:write``; whether a
change is allowed is the API's to say, and a refusal comes back as the GOV.UK error summary in its words
(a move over capacity with its numbers), with what the officer typed kept.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from civic_web.charts import Bar, bar_chart
from civic_web.gateway import Answer, Refused
from civic_web.pages import first, gateway_of, layout_of, request_id
from civic_web.pages.savings import NoAccess
from civic_web.refusals import FieldOnPage, Refusal, refusal_from
from civic_web.sessions import SignedInOfficer, posted_form, signed_in, tell
from civic_web.vocabulary import ESTATE_MOVE_WORDS, body_choices, day, parameter_choices, pence_of, pounds, words_for

router = APIRouter(prefix="/property", include_in_schema=False)

API = "/api/property/v1"
#: as many as one page of the API gives: the estate is a handful of buildings and some dozens of teams
ALL = "500"
TRANSITION_FIELDS = {"to": ("to", "New status"), "on": ("on-day", "Date"), "method": ("method", "How it was disposed of"),
                     "receipt_pence": ("receipt", "Receipt")}
READING_FIELDS = {"date": ("reading-day", "Day of the reading"), "occupied_desks": ("occupied", "Desks occupied")}
MOVE_FIELDS = {"team_id": ("team_id", "Team"), "to_building_id": ("to_building_id", "Moving to"),
               "planned_for": ("planned_for-day", "Planned for")}
#: a date typed in GOV.UK's three boxes: (day, month, year) as the form names them after its prefix
DATE_PARTS = ("day", "month", "year")


def _reads(officer: SignedInOfficer) -> None:
    if not officer.permissions.reads("property"):
        raise NoAccess()


def _changes(officer: SignedInOfficer) -> None:
    _reads(officer)
    if not officer.permissions.may_change_estate:
        raise NoAccess()


def share(value: Any) -> str:
    """A share of desks as officers write it: ``0.6438`` -> ``64%``."""
    if value is None or value == "":
        return ""
    return f"{float(value) * 100:.0f}%"


def _fields(fields: dict[str, tuple[str, str]]) -> FieldOnPage:
    return lambda name: fields.get(name)


def _date(form: FormData, prefix: str) -> tuple[str | None, dict[str, str]]:
    """A date from GOV.UK's day, month and year boxes, as ISO for the API to judge (None when all empty)."""
    typed = {f"{prefix}-{part}": first(form.get(f"{prefix}-{part}")) for part in DATE_PARTS}
    day, month, year = (typed[f"{prefix}-{part}"] for part in DATE_PARTS)
    if not (day or month or year):
        return None, typed
    return f"{year}-{month.zfill(2)}-{day.zfill(2)}", typed


def _date_items(prefix: str, typed: dict[str, str], error: bool) -> list[dict[str, Any]]:
    """The GOV.UK date input's items, with what the officer typed."""
    widths = {"day": 2, "month": 2, "year": 4}
    return [{"name": part, "value": typed.get(f"{prefix}-{part}", ""),
             "classes": f"govuk-input--width-{widths[part]}" + (" govuk-input--error" if error else "")}
            for part in DATE_PARTS]


async def _get(request: Request, officer: SignedInOfficer, path: str, params: dict[str, str] | None = None) -> Any:
    answer = await gateway_of(request).get(officer.token, f"{API}{path}", params, request_id(request))
    return answer.body


# ---------------------------------------------------------------- buildings


@router.get("/buildings")
async def buildings(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _reads(officer)
    document = await gateway_of(request).document()
    statuses = parameter_choices(document, f"{API}/buildings", "get", "status")
    page = await _get(request, officer, "/buildings", {"limit": ALL})
    items: list[dict[str, Any]] = page.get("items", [])
    by_status = {status: [b for b in items if b.get("status") == status] for status in statuses}
    others = [b for b in items if b.get("status") not in statuses]
    if others:
        by_status["other"] = others
    return layout_of(request).render(request, "property/buildings.html", {
        "by_status": {s: found for s, found in by_status.items() if found}, "count": len(items),
        "more": bool(page.get("next_cursor")),
    })


async def _building_page(request: Request, officer: SignedInOfficer, building_id: str, *,
                         refusal: Refusal | None = None, typed: dict[str, str] | None = None) -> Response:
    gateway = gateway_of(request)
    address = f"{API}/buildings/{quote(building_id, safe='')}"
    window = {name: first(request.query_params.get(name)) for name in ("from", "to")}
    asked = {name: value for name, value in window.items() if value}
    window_refusal = None
    answer: Answer
    answer, teams_page, document = await asyncio.gather(
        gateway.get(officer.token, address, request_id=request_id(request)),
        _get(request, officer, "/teams", {"building_id": building_id, "limit": ALL}),
        gateway.document())
    building: dict[str, Any] = answer.body
    try:
        utilisation = await _get(request, officer, f"/buildings/{quote(building_id, safe='')}/utilisation", asked)
    except Refused as refused:
        window_refusal = refusal_from(refused.problem, _fields({"from": ("from", "From"), "to": ("to-date", "To")}),
                                      refused.status)
        utilisation = None
    readings: list[dict[str, Any]] = []
    if utilisation:
        found = await _get(request, officer, f"/buildings/{quote(building_id, safe='')}/occupancy",
                           {"from": utilisation["from"], "to": utilisation["to"], "limit": ALL})
        readings = found.get("items", [])
    chart = None
    if readings:
        desks = building.get("desks") or 0
        chart = bar_chart(
            chart_id="utilisation-chart", title=f"{building['name']}: desks occupied each day",
            description=(f"Desks occupied on each of {len(readings)} days from {utilisation['from']} to "
                         f"{utilisation['to']}, out of {desks}. Mean {share(utilisation.get('mean'))}, peak "
                         f"{share(utilisation.get('peak'))}; under-used below {share(utilisation.get('threshold'))}."),
            bars=[Bar(r["date"], [r["occupied_desks"]], f"{r['occupied_desks']} ({share(r['occupied_desks'] / desks)})"
                      if desks else str(r["occupied_desks"])) for r in readings],
            maximum=float(desks) if desks else None,
            marker=(desks * float(utilisation["threshold"]), f"Under-used below {share(utilisation['threshold'])}")
            if desks and utilisation.get("threshold") else None)
    changes = officer.permissions.may_change_estate
    transitions = f"{API}/buildings/{{building_id}}/transitions"
    statuses = [s for s in body_choices(document, transitions, "post", "to") if s != building.get("status")]
    return layout_of(request).render(request, "property/building.html", {
        "building": building, "version": answer.version or "", "teams": teams_page.get("items", []),
        "utilisation": utilisation, "readings": readings, "chart": chart, "window": window,
        "window_refusal": window_refusal, "share": share, "refusal": refusal, "typed": typed or {},
        "statuses": statuses if changes else [], "methods": body_choices(document, transitions, "post", "method"),
        "changes": changes,
        "move_words": ESTATE_MOVE_WORDS, "date_items": _date_items,
    }, status=refusal.status if refusal else (window_refusal.status if window_refusal else 200))


@router.get("/buildings/{building_id}")
async def building(building_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _reads(officer)
    return await _building_page(request, officer, building_id)


@router.post("/buildings/{building_id}/transitions")
async def move_building(building_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    form = await posted_form(request)
    _changes(officer)
    on, typed = _date(form, "on")
    typed |= {name: first(form.get(name)) for name in ("to", "method", "receipt")}
    body: dict[str, Any] = {"to": typed["to"]} if typed["to"] else {}
    if on:
        body["on"] = on
    if typed["method"]:
        body["method"] = typed["method"]
    if typed["receipt"]:
        pence = pence_of(typed["receipt"])
        if pence is None:
            text = "Receipt must be an amount in pounds, like 1,250,000 or 1250000.50"
            return await _building_page(request, officer, building_id, typed=typed,
                                        refusal=Refusal(400, [{"text": text, "href": "#receipt"}], {"receipt": text}))
        body["receipt_pence"] = pence
    version = first(form.get("version"))
    address = f"{API}/buildings/{quote(building_id, safe='')}/transitions"
    try:
        answer = await gateway_of(request).post(officer.token, address, body,
                                                headers={"If-Match": f'"{version}"'} if version else {},
                                                request_id=request_id(request))
    except Refused as refused:
        refusal = refusal_from(_with_steps(refused.problem), _fields(TRANSITION_FIELDS), refused.status)
        return await _building_page(request, officer, building_id, refusal=refusal, typed=typed)
    tell(request, f"{answer.body.get('name', 'The building')} is now {words_for(answer.body.get('status')).lower()}.")
    return RedirectResponse(f"/property/buildings/{quote(building_id, safe='')}", status_code=303)


def _with_steps(problem: dict[str, Any]) -> dict[str, Any]:
    """A step the building's state does not allow: the API's sentence, then the steps it allows, in words."""
    allowed = problem.get("allowed")
    if isinstance(allowed, list) and not problem.get("errors"):
        steps = [ESTATE_MOVE_WORDS.get(str(s), words_for(str(s))) for s in allowed]
        then = f"From here you can: {', or '.join(steps)}." if steps else "It has left the estate: no step is left."
        return {**problem, "errors": [{"message": str(problem.get("detail", ""))}, {"message": then}]}
    return problem


@router.post("/buildings/{building_id}/occupancy")
async def record_reading(building_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    form = await posted_form(request)
    _changes(officer)
    on, typed = _date(form, "reading")
    typed["occupied"] = first(form.get("occupied"))
    body: dict[str, Any] = {"date": on} if on else {}
    if typed["occupied"]:
        # a whole number goes as one; anything else as typed, for the API to say what is wrong with it
        body["occupied_desks"] = int(typed["occupied"]) if typed["occupied"].isdigit() else typed["occupied"]
    try:
        answer = await gateway_of(request).post(officer.token, f"{API}/buildings/{quote(building_id, safe='')}/occupancy",
                                                body, request_id=request_id(request))
    except Refused as refused:
        refusal = refusal_from(refused.problem, _fields(READING_FIELDS), refused.status)
        return await _building_page(request, officer, building_id, refusal=refusal, typed=typed)
    done = "corrected" if answer.status == 200 else "recorded"
    tell(request, f"The reading for {day(answer.body.get('date', on))} is {done}: "
                  f"{answer.body.get('occupied_desks')} desks occupied.")
    return RedirectResponse(f"/property/buildings/{quote(building_id, safe='')}#utilisation", status_code=303)


# ---------------------------------------------------------------- teams and desk demand


@router.get("/teams")
async def teams(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _reads(officer)
    demand, teams_page, ratios = await asyncio.gather(
        _get(request, officer, "/reports/desk-demand"), _get(request, officer, "/teams", {"limit": ALL}),
        _get(request, officer, "/desk-ratios"))
    names = {b["building_id"]: b["name"] for b in demand.get("buildings", [])}
    rows = demand.get("buildings", [])
    chart = bar_chart(
        chart_id="desk-demand-chart", title="Desks needed and desks to spare in each building",
        description=(f"For each building in use, the desks its teams need and the desks to spare. Across the estate "
                     f"{demand['estate']['desks_needed']} of {demand['estate']['desks']} desks are needed "
                     f"({share(demand['estate'].get('needed_share'))})."),
        bars=[Bar(b["name"], [b["desks_needed"], max(b["surplus_desks"], 0)], f"{b['desks_needed']} of {b['desks']}")
              for b in rows], series=["Desks needed", "Desks to spare"]) if rows else None
    return layout_of(request).render(request, "property/teams.html", {
        "demand": demand, "teams": teams_page.get("items", []), "names": names, "ratios": ratios, "chart": chart,
        "share": share,
    })


# ---------------------------------------------------------------- the move plan


async def _moves_page(request: Request, officer: SignedInOfficer, *, refusal: Refusal | None = None,
                      typed: dict[str, str] | None = None, attempt: str | None = None) -> Response:
    gateway = gateway_of(request)
    directorate = first(request.query_params.get("directorate"))
    plan, planned, teams_page, buildings_page, document = await asyncio.gather(
        _get(request, officer, "/reports/move-plan", {"directorate": directorate} if directorate else None),
        _get(request, officer, "/moves", {"status": "planned", "limit": ALL}),
        _get(request, officer, "/teams", {"limit": ALL}) if officer.permissions.may_change_estate else _nothing(),
        _get(request, officer, "/buildings", {"limit": ALL}) if officer.permissions.may_change_estate else _nothing(),
        gateway.document())
    outcomes = body_choices(document, f"{API}/moves/{{move_id}}/transitions", "post", "to")
    return layout_of(request).render(request, "property/moves.html", {
        "plan": plan, "planned": planned.get("items", []), "directorate": directorate,
        "teams": sorted(teams_page.get("items", []), key=lambda t: t.get("name", "")),
        "buildings": sorted(buildings_page.get("items", []), key=lambda b: b.get("name", "")),
        "outcomes": outcomes if officer.permissions.may_change_estate else [], "move_words": ESTATE_MOVE_WORDS,
        "refusal": refusal, "typed": typed or {}, "attempt": attempt or uuid.uuid4().hex, "date_items": _date_items,
    }, status=refusal.status if refusal else 200)


async def _nothing() -> dict[str, Any]:
    return {}


@router.get("/moves")
async def moves(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _reads(officer)
    return await _moves_page(request, officer)


def _with_numbers(problem: dict[str, Any]) -> dict[str, Any]:
    """A move over capacity: the API's sentence, then the desks short, which it gives apart."""
    if isinstance(problem.get("shortfall"), int) and not problem.get("errors"):
        return {**problem, "errors": [{"message": str(problem.get("detail", ""))},
                                      {"message": f"That is {problem['shortfall']} desks more than it has."}]}
    return problem


@router.post("/moves")
async def plan_move(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    form = await posted_form(request)
    _changes(officer)
    planned_for, typed = _date(form, "planned_for")
    typed |= {name: first(form.get(name)) for name in ("team_id", "to_building_id")}
    body: dict[str, Any] = {name: typed[name] for name in ("team_id", "to_building_id") if typed[name]}
    if planned_for:
        body["planned_for"] = planned_for
    # one attempt at the form is one Idempotency-Key, as for a new initiative
    attempt = first(form.get("attempt")) or uuid.uuid4().hex
    try:
        answer = await gateway_of(request).post(officer.token, f"{API}/moves", body,
                                                headers={"Idempotency-Key": attempt}, request_id=request_id(request))
    except Refused as refused:
        refusal = refusal_from(_with_numbers(refused.problem), _fields(MOVE_FIELDS), refused.status)
        return await _moves_page(request, officer, refusal=refusal, typed=typed, attempt=attempt)
    move = answer.body
    tell(request, f"The move of {move.get('team_name', 'the team')} to {move.get('to_building_name', 'its new building')} "
                  f"is planned.")
    return RedirectResponse("/property/moves", status_code=303)


@router.post("/moves/{move_id}/transitions")
async def move_outcome(move_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    form = await posted_form(request)
    _changes(officer)
    to = first(form.get("to"))
    version = first(form.get("version"))
    try:
        answer = await gateway_of(request).post(
            officer.token, f"{API}/moves/{quote(move_id, safe='')}/transitions", {"to": to} if to else {},
            headers={"If-Match": f'"{version}"'} if version else {}, request_id=request_id(request))
    except Refused as refused:
        return await _moves_page(request, officer, refusal=refusal_from(refused.problem, lambda _: None, refused.status))
    move = answer.body
    tell(request, f"The move of {move.get('team_name', 'the team')} is {words_for(move.get('status')).lower()}.")
    return RedirectResponse("/property/moves", status_code=303)


# ---------------------------------------------------------------- rationalisation


@router.get("/rationalisation")
async def rationalisation(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    _reads(officer)
    chosen = {name: first(request.query_params.get(name)) for name in ("from_year", "to_year")}
    asked = {name: value for name, value in chosen.items() if value}
    report: dict[str, Any] | None = None
    refusal = None
    try:
        report = await _get(request, officer, "/reports/rationalisation", asked)
    except Refused as refused:
        refusal = refusal_from(refused.problem, _fields({"from_year": ("from_year", "From"),
                                                         "to_year": ("to_year", "To")}), refused.status)
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
    return layout_of(request).render(request, "property/rationalisation.html", {
        "report": report, "refusal": refusal, "chosen": chosen, "chart": chart, "filtered": bool(asked),
    }, status=refusal.status if refusal else 200)
