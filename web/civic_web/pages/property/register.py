"""The estate register's entries: a new building and a building's details amended (its name, town, kind,
desks, tenure, costs, carbon, floor area, partners, energy measures and notes; never its lifecycle, which
moves by its next step on the building's page).

The form is the same for both: the API's create and amend take the same fields. An amendment sends every
field at the version the page showed, so the API judges the building as the officer left it (desks that no
longer change once it is vacated, a name and town already registered) and someone else's change in between
is refused, not overwritten.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from civic_web.gateway import Answer
from civic_web.pages import ask, form_at, gateway_of, render, segment
from civic_web.pages.forms import Rows, as_filled, boxes_typed, fields_of, pounds_typed, send_change, send_new
from civic_web.pages.property.section import API, changes
from civic_web.refusals import Refusal
from civic_web.sessions import SignedInOfficer
from civic_web.vocabulary import body_choices, item_choices, pounds

router = APIRouter(include_in_schema=False)

#: the building's own fields: the API's name -> (the form field's id, what it is called)
BUILDING_FIELDS = {
    "name": ("name", "Name"), "town": ("town", "Town"), "kind": ("kind", "Kind of building"),
    "desks": ("desks", "Desks"), "tenure": ("tenure", "Tenure"), "floor_area_m2": ("floor_area", "Floor area"),
    "annual_running_cost_pence": ("running_cost", "Running cost a year"),
    "annual_utility_cost_pence": ("utility_cost", "Utilities part of the running cost"),
    "annual_carbon_kg": ("carbon", "Carbon a year"), "notes": ("notes", "Notes"),
}
#: the boxes of each list row are named for the API's fields, so a refusal finds its box
PARTNER_LABELS = {"name": "Partner", "annual_rent_pence": "Rent a year", "since": "Moved in on"}
MEASURE_LABELS = {"kind": "Energy measure", "expected_annual_saving_pence": "Saving a year",
                  "expected_carbon_saving_kg": "Carbon saved a year", "installed_on": "Installed on"}
#: how an amount is written, in the messages about one that is not
AMOUNT = "120,000 or 120000.50"
#: empty rows offered beyond the building's own partners and measures
SPARE_ROWS = 2


def _count(text: str) -> Any:
    """A whole number goes as one; anything else as typed, for the API to say what is wrong with it."""
    return int(text) if text.isdigit() else text


def _tables(building: dict[str, Any] | None) -> tuple[Rows, Rows]:
    shown = building or {}
    return (Rows("partners", "partner", PARTNER_LABELS, len(shown.get("partners") or ()) + SPARE_ROWS),
            Rows("energy_measures", "measure", MEASURE_LABELS, len(shown.get("energy_measures") or ()) + SPARE_ROWS))


def _as_typed(building: dict[str, Any]) -> dict[str, str]:
    """A building's fields as the form shows them (amounts in pounds), to amend."""
    def amount(pence: Any) -> str:
        return pounds(pence).removeprefix("£") if pence is not None else ""

    typed = {"name": building.get("name") or "", "town": building.get("town") or "", "kind": building.get("kind") or "",
             "tenure": building.get("tenure") or "", "desks": str(building.get("desks", "")),
             "floor_area": str(building.get("floor_area_m2") or ""), "notes": building.get("notes") or "",
             "running_cost": amount(building.get("annual_running_cost_pence")),
             "utility_cost": amount(building.get("annual_utility_cost_pence")),
             "carbon": str(building.get("annual_carbon_kg", ""))}
    for row, partner in enumerate(building.get("partners") or ()):
        typed |= {f"partner-{row}-name": partner.get("name") or "",
                  f"partner-{row}-annual_rent_pence": amount(partner.get("annual_rent_pence")),
                  f"partner-{row}-since": partner.get("since") or ""}
    for row, measure in enumerate(building.get("energy_measures") or ()):
        typed |= {f"measure-{row}-kind": measure.get("kind") or "",
                  f"measure-{row}-expected_annual_saving_pence": amount(measure.get("expected_annual_saving_pence")),
                  f"measure-{row}-expected_carbon_saving_kg": str(measure.get("expected_carbon_saving_kg", "")),
                  f"measure-{row}-installed_on": measure.get("installed_on") or ""}
    return typed


def _building_body(form: FormData, partners: Rows, measures: Rows, *, amending: bool,
                   ) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """The API's body from the form, every box as typed, and what could not be read (field id -> message).
    A new building leaves out what was left empty (the API says what it needs); an amendment sends it all,
    an emptied box as null (only the floor area and notes may be emptied: the API refuses the rest)."""
    typed = boxes_typed(form, (field_id for field_id, _ in BUILDING_FIELDS.values()))
    body: dict[str, Any] = {}
    not_read: dict[str, str] = {}
    for name, (field_id, label) in BUILDING_FIELDS.items():
        text = typed[field_id]
        if not text:
            if amending:
                body[name] = None
            continue
        if name.endswith("_pence"):
            pence, message = pounds_typed(text, field_id, label, AMOUNT)
            not_read |= message
            body[name] = pence
        elif name in ("desks", "floor_area_m2", "annual_carbon_kg"):
            body[name] = _count(text)
        else:
            body[name] = text
    partner_rows, partner_boxes = partners.typed(form)
    measure_rows, measure_boxes = measures.typed(form)
    typed |= partner_boxes | measure_boxes
    body["partners"] = []
    for row, line in zip(partners.sent, partner_rows, strict=True):
        field_id = f"partner-{row}-annual_rent_pence"
        rent, message = pounds_typed(line["annual_rent_pence"], field_id, f"Rent a year in partner {row + 1}", AMOUNT)
        not_read |= message
        body["partners"].append({"name": line["name"], "annual_rent_pence": rent,
                                 **({"since": line["since"]} if line["since"] else {})})
    body["energy_measures"] = []
    for row, line in zip(measures.sent, measure_rows, strict=True):
        field_id = f"measure-{row}-expected_annual_saving_pence"
        saving, message = pounds_typed(line["expected_annual_saving_pence"], field_id,
                                       f"Saving a year in measure {row + 1}", AMOUNT)
        not_read |= message
        body["energy_measures"].append({
            "kind": line["kind"], "expected_annual_saving_pence": saving,
            "expected_carbon_saving_kg": _count(line["expected_carbon_saving_kg"]),
            **({"installed_on": line["installed_on"]} if line["installed_on"] else {})})
    if not amending:
        body = {name: value for name, value in body.items() if value is not None and value != []}
    return body, typed, not_read


async def _building_form(request: Request, officer: SignedInOfficer, *, building: dict[str, Any] | None = None,
                         version: str = "", refusal: Refusal | None = None, typed: dict[str, str] | None = None,
                         attempt: str | None = None) -> Response:
    document = await gateway_of(request).document()
    buildings = f"{API}/buildings"
    partners, measures = _tables(building)
    return render(request, "property/building_form.html", {
        "building": building, "version": version,
        **as_filled(typed if typed is not None else _as_typed(building or {}), attempt),
        "kinds": body_choices(document, buildings, "post", "kind"),
        "tenures": body_choices(document, buildings, "post", "tenure"),
        "measure_kinds": item_choices(document, buildings, "post", "energy_measures", "kind"),
        "partner_rows": range(partners.count), "measure_rows": range(measures.count),
    }, refusal)


def _address(building_id: str) -> str:
    return f"/property/buildings/{segment(building_id)}"


# ---------------------------------------------------------------- a new building
# (declared before the buildings' /buildings/{building_id}, which would take "new")


@form_at(router, "/buildings/new", page=_building_form, may=changes)
async def register_building(request: Request, officer: SignedInOfficer, form: FormData) -> Response:
    partners, measures = _tables(None)
    body, typed, not_read = _building_body(form, partners, measures, amending=False)
    return await send_new(request, officer, f"{API}/buildings", body, form=form, typed=typed,
                          page=partial(_building_form, request, officer),
                          fields=fields_of(BUILDING_FIELDS, partners, measures), not_read=not_read,
                          done=lambda answer: f"{answer.body.get('name', 'The building')} is on the register.",
                          then=lambda answer: _address(str(answer.body["id"])))


# ---------------------------------------------------------------- a building's details


async def _details_page(request: Request, officer: SignedInOfficer, building_id: str, *,
                        refusal: Refusal | None = None, typed: dict[str, str] | None = None) -> Response:
    """The building as it is now (after a refusal too), with what was typed."""
    answer: Answer = await ask(request, officer, f"{API}/buildings/{segment(building_id)}")
    return await _building_form(request, officer, building=answer.body, version=answer.version or "", refusal=refusal,
                                typed=typed)


@form_at(router, "/buildings/{building_id}/details", page=_details_page, may=changes)
async def amend_building(request: Request, officer: SignedInOfficer, form: FormData, building_id: str) -> Response:
    # as many rows as the form had: the building's own partners and measures and the spare ones
    partners = Rows("partners", "partner", PARTNER_LABELS, _rows_sent(form, "partner"))
    measures = Rows("energy_measures", "measure", MEASURE_LABELS, _rows_sent(form, "measure"))
    body, typed, not_read = _building_body(form, partners, measures, amending=True)
    return await send_change(request, officer, f"{API}/buildings/{segment(building_id)}", body, method="PATCH",
                             form=form, page=partial(_details_page, request, officer, building_id), typed=typed,
                             fields=fields_of(BUILDING_FIELDS, partners, measures), not_read=not_read,
                             done=lambda answer: f"The details of {answer.body.get('name', 'the building')} are saved.",
                             then=_address(building_id))


def _rows_sent(form: FormData, prefix: str) -> int:
    """How many rows of a list the form carried (its rows' first boxes are numbered from 0)."""
    rows = 0
    while f"{prefix}-{rows}-{'name' if prefix == 'partner' else 'kind'}" in form:
        rows += 1
    return rows
