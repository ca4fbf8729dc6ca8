"""HTTP <-> the boards and members use cases. Translation only: rules in domain.py, work in service.py."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from civic.http import Id, IfMatch, Paging, RequestModel, Required, Rt, Text, versioned
from civic.problems import created
from fastapi.responses import JSONResponse
from pydantic import Field, StrictBool

from civic_safeguarding.boards import service
from civic_safeguarding.boards.domain import BOARD_KINDS, ROLES
from civic_safeguarding.http import AreaRouter, Reader, Writer

router = AreaRouter()

BoardKind = Literal[BOARD_KINDS]  # type: ignore[valid-type]
Role = Literal[ROLES]  # type: ignore[valid-type]


class NewBoard(RequestModel):
    name: Required
    kind: BoardKind = "adults"
    area: Text | None = None
    statutory_partners: list[Required] = Field(
        default_factory=list,
        max_length=20,
        description="Statutory partner organisations, e.g. the council, the police and the ICB; each once "
        "(compared without case)",
    )


class NewMember(RequestModel):
    name: Required
    organisation: Required
    role: Role = Field(description="a board has one independent chair and one vice chair")
    statutory: StrictBool = False
    nominated_chair: StrictBool = Field(False, description="Agreed by the board to chair when the chair is absent")
    deputy_name: Text | None = Field(None, description="The member's consistent, named deputy")


class MouSigning(RequestModel):
    signed_on: date | None = None


class Deputy(RequestModel):
    deputy_name: Required = Field(description="another person than the member")


# --------------------------------------------------------------------------- boards


@router.post("/boards", status_code=201, responses=created("board_id"))
async def establish_board(body: NewBoard, caller: Writer, rt: Rt) -> JSONResponse:
    return versioned(await service.establish_board(rt, body.model_dump()), status=201)


@router.get("/boards")
async def list_boards(page: Paging, caller: Reader, rt: Rt) -> dict[str, Any]:
    return await service.list_boards(rt, page)


router.record("/boards/{board_id}", "get_board", service.BOARD_RECORDS.one)


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
