"""Teams and desk demand (with a chart of the desks needed and to spare in each building), a new team and a
team's details (its name, directorate and workers by type; its building changes only by a completed move), and
the move plan: the planned moves, a new move (refused over capacity with its numbers), a move completed or
cancelled."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from civic_web.charts import Bar, bar_chart
from civic_web.gateway import Answer
from civic_web.pages import ask, first, form_at, gateway_of, render, segment, sent_to
from civic_web.pages.forms import as_filled, at_version, boxes_typed, date_typed, no_fields, send, send_change, send_new
from civic_web.pages.property.section import ALL, API, changes, get, reads
from civic_web.refusals import Refusal
from civic_web.sessions import SignedInOfficer, signed_in
from civic_web.vocabulary import ESTATE_MOVE_WORDS, body_choices, share, words_for

router = APIRouter(include_in_schema=False)

MOVE_FIELDS = {"team_id": ("team_id", "Team"), "to_building_id": ("to_building_id", "Moving to"),
               "planned_for": ("planned_for-day", "Planned for")}
MOVE_PLAN = "/property/moves"
#: a team's fields: the API's name -> (the form field's id, what it is called); workers by type come from the
#: API's own description (its desk ratios' fields)
TEAM_FIELDS = {"name": ("name", "Name"), "directorate": ("directorate", "Directorate"),
               "building_id": ("building_id", "Based at"), "workforce": ("workforce-fixed", "Workers")}


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


# ---------------------------------------------------------------- a new team, a team's details
# (/teams/new declared before /teams/{team_id}, which would take "new")


def _team_field(name: str) -> tuple[str, str] | None:
    if name.startswith("workforce."):
        worker = name.removeprefix("workforce.")
        return f"workforce-{worker}", f"{words_for(worker)} workers"
    return TEAM_FIELDS.get(name)


def _team_typed(form: Any, workers: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The team's body from the form and every box as typed; an empty box of workers is left out (the API
    counts it as none), a whole number goes as one and anything else as typed, for the API to judge."""
    typed = boxes_typed(form, ("name", "directorate", "building_id"))
    typed |= {f"workforce-{w}": first(form.get(f"workforce-{w}")) for w in workers}
    body: dict[str, Any] = {name: typed[name] for name in ("name", "directorate", "building_id") if typed[name]}
    body["workforce"] = {w: int(text) if text.isdigit() else text
                         for w in workers if (text := typed[f"workforce-{w}"])}
    return body, typed


async def _workers(request: Request) -> list[str]:
    """The worker types, as the API's desk ratios name them (fixed, part flexible, flexible, field)."""
    document = await gateway_of(request).document()
    schema = document.get("paths", {}).get(f"{API}/desk-ratios", {}).get("put", {}).get("requestBody", {}) \
        .get("content", {}).get("application/json", {}).get("schema", {})
    ref = schema.get("$ref", "")
    found = document.get("components", {}).get("schemas", {}).get(ref.rpartition("/")[2], schema)
    return list(found.get("properties", {})) or ["fixed", "part_flexible", "flexible", "field"]


async def _team_form(request: Request, officer: SignedInOfficer, *, team: dict[str, Any] | None = None,
                     version: str = "", refusal: Refusal | None = None, typed: dict[str, str] | None = None,
                     attempt: str | None = None) -> Response:
    workers = await _workers(request)
    buildings: list[dict[str, Any]] = []
    building: dict[str, Any] | None = None
    demand: dict[str, Any] | None = None
    if team is None:
        buildings = (await get(request, officer, "/buildings", {"limit": ALL})).get("items", [])
    else:
        report: dict[str, Any]
        building, report = await asyncio.gather(
            get(request, officer, f"/buildings/{segment(team['building_id'])}"),
            get(request, officer, "/reports/desk-demand"))
        demand = next((b for b in report.get("buildings", []) if b.get("building_id") == team["building_id"]), None)
    if typed is None:
        shown = team or {}
        typed = {"name": shown.get("name", ""), "directorate": shown.get("directorate", "")}
        typed |= {f"workforce-{w}": str((shown.get("workforce") or {}).get(w, "")) for w in workers}
    return render(request, "property/team_form.html", {
        "team": team, "version": version, **as_filled(typed, attempt), "workers": workers, "building": building,
        "demand": demand, "buildings": sorted(buildings, key=lambda b: b.get("name", "")),
        "share": share,
    }, refusal)


@form_at(router, "/teams/new", page=_team_form, may=changes)
async def create_team(request: Request, officer: SignedInOfficer, form: FormData) -> Response:
    body, typed = _team_typed(form, await _workers(request))
    return await send_new(request, officer, f"{API}/teams", body, form=form, typed=typed,
                          page=partial(_team_form, request, officer), fields=_team_field,
                          done=lambda answer: f"{answer.body.get('name', 'The team')} is on the register.",
                          then=lambda answer: f"/property/teams/{segment(str(answer.body['id']))}")


async def _team_page(request: Request, officer: SignedInOfficer, team_id: str, *, refusal: Refusal | None = None,
                     typed: dict[str, str] | None = None) -> Response:
    answer: Answer = await ask(request, officer, f"{API}/teams/{segment(team_id)}")
    return await _team_form(request, officer, team=answer.body, version=answer.version or "", refusal=refusal,
                            typed=typed)


@form_at(router, "/teams/{team_id}", page=_team_page, may=changes)
async def amend_team(request: Request, officer: SignedInOfficer, form: FormData, team_id: str) -> Response:
    body, typed = _team_typed(form, await _workers(request))
    body.pop("building_id", None)  # the form has no such field: a team moves by a completed move
    # emptied, the name and directorate go as empty for the API to refuse, not left as they were
    body |= {name: typed[name] for name in ("name", "directorate")}
    return await send_change(request, officer, f"{API}/teams/{segment(team_id)}", body, method="PATCH", form=form,
                             page=partial(_team_page, request, officer, team_id), typed=typed, fields=_team_field,
                             done=lambda answer: f"The details of {answer.body.get('name', 'the team')} are saved.",
                             then=f"/property/teams/{segment(team_id)}")


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
        **as_filled(typed, attempt),
    }, refusal)


async def _nothing() -> dict[str, Any]:
    return {}


def _with_numbers(problem: dict[str, Any]) -> dict[str, Any]:
    """A move over capacity: the API's sentence, then the desks short, which it gives apart."""
    if isinstance(problem.get("shortfall"), int) and not problem.get("errors"):
        return {**problem, "errors": [{"message": str(problem.get("detail", ""))},
                                      {"message": f"That is {problem['shortfall']} desks more than it has."}]}
    return problem


@form_at(router, "/moves", page=_moves_page, may=changes, shown_to=reads)
async def plan_move(request: Request, officer: SignedInOfficer, form: FormData) -> Response:
    planned_for, typed = date_typed(form, "planned_for")
    typed |= boxes_typed(form, ("team_id", "to_building_id"))
    body: dict[str, Any] = {name: typed[name] for name in ("team_id", "to_building_id") if typed[name]}
    if planned_for:
        body["planned_for"] = planned_for
    return await send_new(request, officer, f"{API}/moves", body, form=form, typed=typed,
                          page=partial(_moves_page, request, officer), fields=MOVE_FIELDS.get, reworded=_with_numbers,
                          then=MOVE_PLAN, done=lambda answer: f"The move of {answer.body.get('team_name', 'the team')} to "
                                          f"{answer.body.get('to_building_name', 'its new building')} is planned.")


@sent_to(router, "/moves/{move_id}/transitions", may=changes)
async def move_outcome(request: Request, officer: SignedInOfficer, form: FormData, move_id: str) -> Response:
    to = first(form.get("to"))

    async def again(refusal: Refusal) -> Response:
        return await _moves_page(request, officer, refusal=refusal)

    return await send(request, officer, f"{API}/moves/{segment(move_id)}/transitions", {"to": to} if to else {},
                      headers=at_version(form), fields=no_fields, again=again, then=MOVE_PLAN,
                      done=lambda answer: f"The move of {answer.body.get('team_name', 'the team')} is "
                                          f"{words_for(answer.body.get('status')).lower()}.")
