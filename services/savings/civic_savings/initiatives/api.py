"""HTTP <-> the initiatives' use cases. Translation only: the rules are in domain.py, the work in service.py.

The request models state every rule JSON Schema can say (enumerations from the domain's own tuples, the
register's financial years, amounts, lengths, fields a status needs), so a client learns them from the
OpenAPI document; the domain checks them again, with the rules no schema can state.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from civic.http import WHOLE, IfMatch, NonBlank, Paging, RequestModel, Rt, financial_year, versioned
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import Field, model_validator

from civic_savings.domain import FIRST_YEAR_START, LAST_YEAR_START, MAX_AMOUNT_PENCE, MAX_REASON, MAX_TEXT
from civic_savings.http import Reader, Writer, new_record_route, record_routes, step_route
from civic_savings.initiatives import service
from civic_savings.initiatives.domain import RAG_STATUSES, REASONS_NEEDED, STATUSES
from civic_savings.programme.domain import CATEGORIES, THEMES

router = APIRouter(prefix="/v1", tags=["savings"])

# the domain's enumerations, in its order (the OpenAPI lists them so)
THEME_KEYS = tuple(THEMES)
CATEGORY_KEYS = tuple(CATEGORIES)
Theme = Literal[THEME_KEYS]  # type: ignore[valid-type]
Status = Literal[STATUSES]  # type: ignore[valid-type]
Category = Literal[CATEGORY_KEYS]  # type: ignore[valid-type]
Rag = Literal[RAG_STATUSES]  # type: ignore[valid-type]
#: the RAG statuses that need a reason
RAG_NEEDING_REASON = ("amber", "red")
#: a financial year the register accepts (2000/01 to 2099/00)
Year = Annotated[
    str,
    financial_year(FIRST_YEAR_START, LAST_YEAR_START),
    Field(description='A financial year, April to March, from 2000/01 to 2099/00, e.g. "2023/24"',
          examples=["2023/24"]),
]
Pence = Annotated[int, Field(ge=0, le=MAX_AMOUNT_PENCE, description="pence, not negative (at most £10bn)"), WHOLE]
Text = Annotated[NonBlank, Field(max_length=MAX_TEXT)]
Reason = Annotated[NonBlank, Field(max_length=MAX_REASON)]



def needs(field: str, when: str, values: tuple[Any, ...], schema: dict[str, Any]) -> None:
    """State in the model's schema that ``field`` is required (not null) when ``when`` is one of ``values``."""
    others = {"not": {"properties": {when: {"enum": list(values)}}, "required": [when]}}
    needed = {"properties": {when: {"enum": list(values)}, field: {"type": "string"}}, "required": [when, field]}
    schema.setdefault("allOf", []).append({"anyOf": [others, needed]})


class ProfileYear(RequestModel):
    year: Year
    planned_pence: Pence = Field(description="Planned saving in the year, in pence")


class BuildingLink(RequestModel):
    """The building whose closure is the saving: property's id, or its name and town until the id is known."""

    building_id: Text | None = Field(None, description="property's id of the building")
    building_name: Text | None = Field(None, description="with building_town, until property's id is known")
    building_town: Text | None = None


def _building_schema(schema: dict[str, Any]) -> None:
    """building_name and building_town come together (or neither)."""
    both = {"required": ["building_name", "building_town"],
            "properties": {"building_name": {"type": "string"}, "building_town": {"type": "string"}}}
    neither = {"not": {"anyOf": [
        {"required": ["building_name"], "properties": {"building_name": {"type": "string"}}},
        {"required": ["building_town"], "properties": {"building_town": {"type": "string"}}}]}}
    schema.setdefault("allOf", []).append({"anyOf": [both, neither]})


def _new_initiative_schema(schema: dict[str, Any]) -> None:
    needs("rag_reason", "rag", RAG_NEEDING_REASON, schema)
    _building_schema(schema)


class NewInitiative(RequestModel):
    model_config = {"json_schema_extra": _new_initiative_schema}

    title: Text
    directorate: Text
    theme: Theme
    category: Category
    profile: list[ProfileYear] = Field(min_length=1, description="each year at most once")
    owner: Text | None = None
    programme: Text | None = Field(None, description='e.g. "LGR", "Survive to Thrive"')
    rag: Rag | None = None
    rag_reason: Reason | None = Field(None, description="required when the RAG status is amber or red")
    building_id: Text | None = Field(None, description="property's id of the building whose closure is the saving")
    building_name: Text | None = Field(None, description="with building_town: the building, until its id is known")
    building_town: Text | None = None


def _changes_schema(schema: dict[str, Any]) -> None:
    # a RAG status that needs a reason is sent with it (the reason kept from before was for another status),
    # and a reason is cleared only with a status that needs none
    needs("rag_reason", "rag", RAG_NEEDING_REASON, schema)
    cleared = {"required": ["rag_reason"], "properties": {"rag_reason": {"type": "null"}}}
    no_reason_needed = {"required": ["rag"], "properties": {"rag": {"not": {"enum": list(RAG_NEEDING_REASON)}}}}
    # the building's name and town change together: both text, or both null to forget it
    names = ("building_name", "building_town")
    together = {"required": list(names), "anyOf": [
        {"properties": {n: {"type": "string"} for n in names}},
        {"properties": {n: {"type": "null"} for n in names}}]}
    schema.setdefault("allOf", []).extend([
        {"anyOf": [{"not": cleared}, no_reason_needed]},
        {"anyOf": [{"not": {"anyOf": [{"required": [n]} for n in names]}}, together]},
    ])


class InitiativeChanges(RequestModel):
    """Only the fields sent change. Theme, category and profile only while proposed; the building until its
    closure has realised the saving (null forgets it)."""

    model_config = {"json_schema_extra": _changes_schema}

    title: Text = Field(None, description="cannot be emptied")  # type: ignore[assignment]
    directorate: Text = Field(None, description="cannot be emptied")  # type: ignore[assignment]
    owner: Text | None = None
    programme: Text | None = None
    theme: Theme = None
    category: Category = None
    profile: list[ProfileYear] = Field(None, min_length=1)  # type: ignore[arg-type]
    rag: Rag | None = None
    rag_reason: Reason | None = Field(None, description="required with an amber or red RAG status")
    building_id: Text | None = None
    building_name: Text | None = None
    building_town: Text | None = None

    @model_validator(mode="after")
    def _together(self) -> InitiativeChanges:
        sent = self.model_fields_set
        if self.rag in RAG_NEEDING_REASON and self.rag_reason is None:
            raise ValueError(f"rag_reason is required with the RAG status {self.rag}")
        if "rag_reason" in sent and self.rag_reason is None and ("rag" not in sent or self.rag in RAG_NEEDING_REASON):
            raise ValueError("rag_reason is cleared only together with a RAG status that needs none (green or null)")
        if ("building_name" in sent or "building_town" in sent) and (
            not {"building_name", "building_town"} <= sent or (self.building_name is None) != (self.building_town is None)
        ):
            raise ValueError("building_name and building_town change together: both text, or both null")
        return self


def _transition_schema(schema: dict[str, Any]) -> None:
    needs("to_year", "to", ("slipped",), schema)
    needs("reason", "to", tuple(REASONS_NEEDED), schema)


class Transition(RequestModel):
    model_config = {"json_schema_extra": _transition_schema}

    to: Status = Field(description=f"one of {', '.join(STATUSES)}")
    reason: Reason | None = Field(None, description="required for undeliverable and rejected; noted for the others")
    to_year: Year | None = Field(None, description="for slipped (required): the later year the unmet saving moves to")
    from_year: Year | None = Field(
        None, description="for slipped: the year that slips (default: the earliest with an unmet saving)"
    )


class Actual(RequestModel):
    year: Year = Field(description="a year of the initiative's profile")
    delivered_pence: Pence


new_record_route(router, "/initiatives", "propose", NewInitiative, service.propose, summary="Propose an initiative",
                 id_field="initiative_id")


@router.get("/initiatives", summary="List initiatives")
async def list_initiatives(
    page: Paging, caller: Reader, rt: Rt, status: Status | None = None, theme: Theme | None = None,
    category: Category | None = None, programme: str | None = None, directorate: str | None = None,
    building_id: str | None = None, title: str | None = None,
) -> dict[str, Any]:
    filters = {
        "status": status,
        "theme": theme,
        "category": category,
        "programme": programme,
        "directorate": directorate,
        "building_id": building_id,
        "title": title,
    }
    return await service.list_initiatives(rt, page, filters)


record_routes(router, "/initiatives/{initiative_id}", service.get, service.amend, InitiativeChanges,
              summaries=("One initiative, with its history", "Amend an initiative (title, owner, RAG, ...)"))


step_route(router, "/initiatives/{initiative_id}/transitions", "transition", Transition, service.transition,
           summary="Move an initiative along its lifecycle")


@router.post("/initiatives/{initiative_id}/actuals", summary="Record the saving delivered in a year")
async def record_actual(initiative_id: str, body: Actual, if_match: IfMatch, caller: Writer, rt: Rt) -> JSONResponse:
    return versioned(
        await service.record_actual(rt, initiative_id, body.year, body.delivered_pence, caller, if_match)
    )
