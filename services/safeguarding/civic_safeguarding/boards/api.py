"""HTTP <-> the boards and members use cases. Translation only: rules in domain.py, work in service.py."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from civic.http import Id, IfMatch, Paging, RequestModel, Required, Rt, Text, only_when, rules, versioned
from civic.problems import created
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from civic_safeguarding.boards import service
from civic_safeguarding.boards.domain import BOARD_KINDS, REVIEW_KINDS, ROLES, SAFEGUARDING_PARTNERS
from civic_safeguarding.http import AreaRouter, Reader, Writer

router = AreaRouter()

BoardKind = Literal[BOARD_KINDS]  # type: ignore[valid-type]
Role = Literal[ROLES]  # type: ignore[valid-type]
SafeguardingPartner = Literal[SAFEGUARDING_PARTNERS]  # type: ignore[valid-type]
ReviewKind = Literal[tuple(REVIEW_KINDS.values())]  # type: ignore[valid-type]


class BoardShown(BaseModel):
    """What the OpenAPI declares of a board as the API shows it (it shows more: its stored fields and, one
    board, its constitution's review, leavers and vacancies)."""

    model_config = ConfigDict(extra="allow")

    id: str
    name: str
    kind: BoardKind
    review_kind: ReviewKind = Field(  # type: ignore[valid-type]
        description="the case reviews the board holds: sar (Safeguarding Adults Reviews, /v1/boards/{id}/sars) on "
        "an adults' board, practice_review (Child Safeguarding Practice Reviews, /v1/boards/{id}/practice-reviews) "
        "on a children's partnership"
    )


class BoardsShown(BaseModel):
    """A page of boards."""

    items: list[BoardShown]
    next_cursor: str | None


class NewBoard(RequestModel):
    model_config = {"json_schema_extra": rules(only_when("kind", ("children",), "lead_partner"))}

    name: Required
    kind: BoardKind = "adults"
    area: Text | None = None
    statutory_partners: list[Required] = Field(
        default_factory=list,
        max_length=20,
        description="Statutory partner organisations, e.g. the council, the police and the ICB; each once "
        "(compared without case)",
    )
    lead_partner: SafeguardingPartner | None = Field(
        None,
        description="kind children only: the safeguarding partner that leads and chairs the partnership (the three "
        "are equal in law and agree which of them leads; null: not agreed yet)",
    )


class NewMember(RequestModel):
    model_config = {"json_schema_extra": rules(only_when("statutory", (True,), "safeguarding_partner"))}  # type: ignore[arg-type]

    name: Required
    organisation: Required
    role: Role = Field(
        description="a board has one independent chair and one vice chair; a children's partnership has no "
        "independent chair but may have an independent_scrutineer (an adults' board has none)"
    )
    statutory: StrictBool = False
    nominated_chair: StrictBool = Field(False, description="Agreed by the board to chair when the chair is absent")
    deputy_name: Text | None = Field(None, description="The member's consistent, named deputy")
    safeguarding_partner: SafeguardingPartner | None = Field(
        None,
        description="a statutory member only (required on a children's partnership): which of the three safeguarding "
        "partners the member represents (the local authority, the police, health: an adults' board's statutory "
        "partners under the Care Act too)",
    )


class MouSigning(RequestModel):
    signed_on: date | None = None


class LeadPartner(RequestModel):
    lead_partner: SafeguardingPartner


class ConstitutionReview(RequestModel):
    decision_id: Required = Field(description="the board's decision approving the reviewed constitution, in effect")
    reviewed_on: date | None = Field(None, description="by default today; not before the decision")


class Notice(RequestModel):
    leaves_on: date = Field(description="the member's last day; not before the notice is given")
    given_on: date | None = Field(None, description="by default today")


class Deputy(RequestModel):
    deputy_name: Required = Field(description="another person than the member")


# --------------------------------------------------------------------------- boards


@router.post("/boards", status_code=201, responses=created("board_id"))
async def establish_board(body: NewBoard, caller: Writer, rt: Rt) -> JSONResponse:
    return versioned(await service.establish_board(rt, body.model_dump()), status=201)


@router.get("/boards", response_model=None, responses={200: {"model": BoardsShown}})
async def list_boards(page: Paging, caller: Reader, rt: Rt) -> dict[str, Any]:
    return await service.list_boards(rt, page)


router.record("/boards/{board_id}", "get_board", service.get_board, BoardShown)


@router.put("/boards/{board_id}/lead-partner")
async def change_lead_partner(board_id: Id, body: LeadPartner, if_match: IfMatch, caller: Writer, rt: Rt) -> JSONResponse:
    """A children's partnership: the safeguarding partner that leads and chairs it (the partners may rotate it)."""
    return versioned(await service.change_lead_partner(rt, board_id, body.lead_partner, if_match))


@router.post("/boards/{board_id}/constitution-reviews")
async def review_constitution(
    board_id: Id, body: ConstitutionReview, if_match: IfMatch, caller: Writer, rt: Rt
) -> JSONResponse:
    """The constitution's yearly review (seed 003), approved by one of the board's decisions."""
    return versioned(await service.review_constitution(rt, board_id, body.model_dump(), if_match))


@router.get("/reports/overdue-constitution-reviews")
async def overdue_constitution_reviews(caller: Reader, rt: Rt) -> dict[str, Any]:
    report: dict[str, Any] = jsonable_encoder(await service.overdue_constitution_reviews(rt))
    return report


# --------------------------------------------------------------------------- members


router.kept_records(
    "/boards/{board_id}/members",
    "/members/{member_id}",
    ("appoint_member", NewMember, service.appoint_member),
    service.MEMBER_RECORDS,
)


router.recorded("/members/{member_id}/mou", "sign_mou", MouSigning, "signed_on", service.sign_mou)


@router.put("/members/{member_id}/deputy")
async def name_deputy(member_id: Id, body: Deputy, if_match: IfMatch, caller: Writer, rt: Rt) -> JSONResponse:
    return versioned(await service.name_deputy(rt, member_id, body.deputy_name, if_match))


@router.post("/members/{member_id}/notice")
async def give_notice(member_id: Id, body: Notice, if_match: IfMatch, caller: Writer, rt: Rt) -> JSONResponse:
    """Notice of leaving: a member until `leaves_on`; after it, counted for neither quorum nor representation."""
    return versioned(await service.give_notice(rt, member_id, body.model_dump(), if_match))
