"""Teams and desk demand (with a chart of the desks needed and to spare in each building), and the move plan:
the planned moves, a new move (refused over capacity with its numbers), a move completed or cancelled."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from civic_web.charts import Bar, bar_chart
from civic_web.pages import first, gateway_of, render, segment
from civic_web.pages.forms import at_version, attempt_of, date_typed, no_fields, send
from civic_web.pages.property.section import ALL, API, changes, get, reads
from civic_web.refusals import Refusal
from civic_web.sessions import SignedInOfficer, posted_form, signed_in
from civic_web.vocabulary import ESTATE_MOVE_WORDS, body_choices, share, words_for

router = APIRouter(include_in_schema=False)

MOVE_FIELDS = {"team_id": ("team_id", "Team"), "to_building_id": ("to_building_id", "Moving to"),
               "planned_for": ("planned_for-day", "Planned for")}
MOVE_PLAN = "/property/moves"


@router.get("/teams")
async def teams(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    reads(officer)
    demand, teams_page, ratios = await asyncio.gather(
        get(request, officer, "/reports/desk-demand"), get(request, officer, "/teams", {"limit": ALL}),
        get(request, officer, "/desk-ratios"))
    names = {b["building_id"]: b["name"] for b in demand.get("buildings", [])}
    rows = demand.get("buildings", [])
    chart = bar_chart(
        chart_id="desk-demand-chart", title="Desks needed and desks to spare in each building",
        description=(f"For each building in use, the desks its teams need and the desks to spare. Across the estate "
                     f"{demand['estate']['desks_needed']} of {demand['estate']['desks']} desks are needed "
                     f"({share(demand['estate'].get('needed_share'))})."),
        bars=[Bar(b["name"], [b["desks_needed"], max(b["surplus_desks"], 0)], f"{b['desks_needed']} of {b['desks']}")
              for b in rows], series=["Desks needed", "Desks to spare"]) if rows else None
    return render(request, "property/teams.html", {
        "demand": demand, "teams": teams_page.get("items", []), "names": names, "ratios": ratios, "chart": chart,
        "share": share,
    })


# ---------------------------------------------------------------- the move plan


async def _moves_page(request: Request, officer: SignedInOfficer, *, refusal: Refusal | None = None,
                      typed: dict[str, str] | None = None, attempt: str | None = None) -> Response:
    directorate = first(request.query_params.get("directorate"))
    may_change = officer.permissions.may_change_estate
    plan, planned, teams_page, buildings_page, document = await asyncio.gather(
        get(request, officer, "/reports/move-plan", {"directorate": directorate} if directorate else None),
        get(request, officer, "/moves", {"status": "planned", "limit": ALL}),
        get(request, officer, "/teams", {"limit": ALL}) if may_change else _nothing(),
        get(request, officer, "/buildings", {"limit": ALL}) if may_change else _nothing(),
        gateway_of(request).document())
    outcomes = body_choices(document, f"{API}/moves/{{move_id}}/transitions", "post", "to")
    return render(request, "property/moves.html", {
        "plan": plan, "planned": planned.get("items", []), "directorate": directorate,
        "teams": sorted(teams_page.get("items", []), key=lambda t: t.get("name", "")),
        "buildings": sorted(buildings_page.get("items", []), key=lambda b: b.get("name", "")),
        "outcomes": outcomes if may_change else [], "move_words": ESTATE_MOVE_WORDS,
        "typed": typed or {}, "attempt": attempt or uuid.uuid4().hex,
    }, refusal)


async def _nothing() -> dict[str, Any]:
    return {}


@router.get("/moves")
async def moves(request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    reads(officer)
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
    changes(officer)
    planned_for, typed = date_typed(form, "planned_for")
    typed |= {name: first(form.get(name)) for name in ("team_id", "to_building_id")}
    body: dict[str, Any] = {name: typed[name] for name in ("team_id", "to_building_id") if typed[name]}
    if planned_for:
        body["planned_for"] = planned_for
    attempt = attempt_of(form)

    async def again(refusal: Refusal) -> Response:
        return await _moves_page(request, officer, refusal=refusal, typed=typed, attempt=attempt)

    return await send(request, officer, f"{API}/moves", body, headers={"Idempotency-Key": attempt},
                      fields=MOVE_FIELDS.get, reworded=_with_numbers, again=again, then=MOVE_PLAN,
                      done=lambda answer: f"The move of {answer.body.get('team_name', 'the team')} to "
                                          f"{answer.body.get('to_building_name', 'its new building')} is planned.")


@router.post("/moves/{move_id}/transitions")
async def move_outcome(move_id: str, request: Request, officer: SignedInOfficer = Depends(signed_in)) -> Response:
    form = await posted_form(request)
    changes(officer)
    to = first(form.get("to"))

    async def again(refusal: Refusal) -> Response:
        return await _moves_page(request, officer, refusal=refusal)

    return await send(request, officer, f"{API}/moves/{segment(move_id)}/transitions", {"to": to} if to else {},
                      headers=at_version(form), fields=no_fields, again=again, then=MOVE_PLAN,
                      done=lambda answer: f"The move of {answer.body.get('team_name', 'the team')} is "
                                          f"{words_for(answer.body.get('status')).lower()}.")
