"""The estate's buildings by status, and a building's page: its lifecycle (the next step, with the steps its
state allows in words when one is refused), its teams, its utilisation over a window with a chart, and the
day's occupancy reading."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from civic_web.charts import Bar, bar_chart
from civic_web.gateway import Answer, Refused
from civic_web.layout import link
from civic_web.pages import ask, first, gateway_of, in_address, layout_of, page_at, render, segment, sent_to
from civic_web.pages.forms import boxes_typed, date_typed, pounds_typed, send, send_change
from civic_web.pages.property.section import ALL, API, changes, get, reads
from civic_web.refusals import Refusal, refusal_from
from civic_web.sessions import SignedInOfficer, signed_in
from civic_web.vocabulary import ESTATE_MOVE_WORDS, body_choices, day, parameter_choices, pounds, share, words_for

router = APIRouter(include_in_schema=False)

TRANSITION_FIELDS = {"to": ("to", "New status"), "on": ("on-day", "Date"), "method": ("method", "How it was disposed of"),
                     "receipt_pence": ("receipt", "Receipt")}
READING_FIELDS = {"date": ("reading-day", "Day of the reading"), "occupied_desks": ("occupied", "Desks occupied")}
WINDOW_FIELDS = {"from": ("from", "From"), "to": ("to-date", "To")}


def _address(building_id: str, part: str = "") -> str:
    return f"/property/buildings/{segment(building_id)}{part}"


@router.get("/buildings")
async def buildings(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    reads(officer)
    document = await gateway_of(request).document()
    statuses = parameter_choices(document, f"{API}/buildings", "get", "status")
    page = await get(request, officer, "/buildings", {"limit": ALL})
    items: list[dict[str, Any]] = page.get("items", [])
    by_status = {status: [b for b in items if b.get("status") == status] for status in statuses}
    others = [b for b in items if b.get("status") not in statuses]
    if others:
        by_status["other"] = others
    return render(request, "property/buildings.html", {
        "by_status": {s: (found, _register_rows(found)) for s, found in by_status.items() if found},
        "count": len(items), "more": bool(page.get("next_cursor")),
    })


def _register_rows(found: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """A status's buildings as table rows: built here rather than in the template, where each cell cost a
    dozen template calls."""
    rows: list[list[dict[str, Any]]] = []
    for b in found:
        when = b.get("disposed_on") or b.get("closed_on") or b.get("closure_date") or b.get("market_engagement_from")
        rows.append([
            {"html": link(f"/property/buildings/{in_address(b.get('id', ''))}", b.get("name", ""))},
            {"text": b.get("town")},
            {"text": words_for(b.get("kind"))},
            {"text": b.get("desks"), "format": "numeric"},
            {"text": pounds(b.get("annual_running_cost_pence")), "format": "numeric"},
            {"text": day(when) if when else ""},
        ])
    return rows


def _utilisation_chart(building: dict[str, Any], utilisation: dict[str, Any], readings: list[dict[str, Any]]) -> Any:
    desks = building.get("desks") or 0
    return bar_chart(
        chart_id="utilisation-chart", title=f"{building['name']}: desks occupied each day",
        description=(f"Desks occupied on each of {len(readings)} days from {utilisation['from']} to "
                     f"{utilisation['to']}, out of {desks}. Mean {share(utilisation.get('mean'))}, peak "
                     f"{share(utilisation.get('peak'))}; under-used below {share(utilisation.get('threshold'))}."),
        bars=[Bar(r["date"], [r["occupied_desks"]], f"{r['occupied_desks']} ({share(r['occupied_desks'] / desks)})"
                  if desks else str(r["occupied_desks"])) for r in readings],
        maximum=float(desks) if desks else None,
        marker=(desks * float(utilisation["threshold"]), f"Under-used below {share(utilisation['threshold'])}")
        if desks and utilisation.get("threshold") else None)


async def _building_page(request: Request, officer: SignedInOfficer, building_id: str, *,
                         refusal: Refusal | None = None, typed: dict[str, str] | None = None) -> Response:
    here = f"/buildings/{segment(building_id)}"
    window = {name: first(request.query_params.get(name)) for name in ("from", "to")}
    asked = {name: value for name, value in window.items() if value}
    window_refusal = None
    answer: Answer
    answer, teams_page, document = await asyncio.gather(
        ask(request, officer, f"{API}{here}"), get(request, officer, "/teams", {"building_id": building_id, "limit": ALL}),
        gateway_of(request).document())
    building: dict[str, Any] = answer.body
    try:
        utilisation = await get(request, officer, f"{here}/utilisation", asked)
    except Refused as refused:
        window_refusal = refusal_from(refused.problem, WINDOW_FIELDS.get, refused.status)
        utilisation = None
    readings: list[dict[str, Any]] = []
    if utilisation:
        found = await get(request, officer, f"{here}/occupancy",
                          {"from": utilisation["from"], "to": utilisation["to"], "limit": ALL})
        readings = found.get("items", [])
    may_change = officer.permissions.may_change_estate
    transitions = f"{API}/buildings/{{building_id}}/transitions"
    statuses = [s for s in body_choices(document, transitions, "post", "to") if s != building.get("status")]
    return layout_of(request).render(request, "property/building.html", {
        "building": building, "version": answer.version or "", "teams": teams_page.get("items", []),
        "utilisation": utilisation, "readings": readings, "window": window,
        "chart": _utilisation_chart(building, utilisation, readings) if readings and utilisation else None,
        "window_refusal": window_refusal, "share": share, "refusal": refusal, "typed": typed or {},
        "statuses": statuses if may_change else [], "methods": body_choices(document, transitions, "post", "method"),
        "changes": may_change,
        "move_words": ESTATE_MOVE_WORDS,
    }, status=refusal.status if refusal else (window_refusal.status if window_refusal else 200))


page_at(router, "/buildings/{building_id}", page=_building_page, shown_to=reads)


def _with_steps(problem: dict[str, Any]) -> dict[str, Any]:
    """A step the building's state does not allow: the API's sentence, then the steps it allows, in words."""
    allowed = problem.get("allowed")
    if isinstance(allowed, list) and not problem.get("errors"):
        steps = [ESTATE_MOVE_WORDS.get(str(s), words_for(str(s))) for s in allowed]
        then = f"From here you can: {', or '.join(steps)}." if steps else "It has left the estate: no step is left."
        return {**problem, "errors": [{"message": str(problem.get("detail", ""))}, {"message": then}]}
    return problem


@sent_to(router, "/buildings/{building_id}/transitions", may=changes)
async def move_building(request: Request, officer: SignedInOfficer, form: FormData, building_id: str) -> Response:
    on, typed = date_typed(form, "on")
    typed |= boxes_typed(form, ("to", "method", "receipt"))
    body: dict[str, Any] = {"to": typed["to"]} if typed["to"] else {}
    if on:
        body["on"] = on
    if typed["method"]:
        body["method"] = typed["method"]
    pence, not_read = pounds_typed(typed["receipt"], "receipt", "Receipt", "1,250,000 or 1250000.50")
    if pence is not None:
        body["receipt_pence"] = pence
    return await send_change(request, officer, f"{API}/buildings/{segment(building_id)}/transitions", body, form=form,
                             page=partial(_building_page, request, officer, building_id), typed=typed,
                             fields=TRANSITION_FIELDS.get, reworded=_with_steps, not_read=not_read,
                             done=lambda answer: f"{answer.body.get('name', 'The building')} is now "
                                                 f"{words_for(answer.body.get('status')).lower()}.",
                             then=_address(building_id))


@sent_to(router, "/buildings/{building_id}/occupancy", may=changes)
async def record_reading(request: Request, officer: SignedInOfficer, form: FormData, building_id: str) -> Response:
    on, typed = date_typed(form, "reading")
    typed["occupied"] = first(form.get("occupied"))
    body: dict[str, Any] = {"date": on} if on else {}
    if typed["occupied"]:
        # a whole number goes as one; anything else as typed, for the API to say what is wrong with it
        body["occupied_desks"] = int(typed["occupied"]) if typed["occupied"].isdigit() else typed["occupied"]

    async def again(refusal: Refusal) -> Response:
        return await _building_page(request, officer, building_id, refusal=refusal, typed=typed)

    def done(answer: Answer) -> str:
        done = "corrected" if answer.status == 200 else "recorded"
        return (f"The reading for {day(answer.body.get('date', on))} is {done}: "
                f"{answer.body.get('occupied_desks')} desks occupied.")

    return await send(request, officer, f"{API}/buildings/{segment(building_id)}/occupancy", body,
                      fields=READING_FIELDS.get, again=again, done=done, then=_address(building_id, "#utilisation"))
