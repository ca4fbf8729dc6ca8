"""Boards and members use cases: each change in one unit of work; each answers with the API form.

`board_of`, `members_of` and `member_of_board` load the board's domain objects for every other
area's use cases too.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from civic import documents
from civic.documents import resource
from civic.errors import NotFound, Refused
from civic.http import Page, paginate
from civic.service import Runtime
from civic.uow import UnitOfWork
from pymongo import ASCENDING

from civic_safeguarding.boards.domain import Board, Member
from civic_safeguarding.domain import given_or_today
from civic_safeguarding.records import Records
from civic_safeguarding.repository import BOARDS, MEMBERS, Source, find, to_model

BOARD_RECORDS = Records(BOARDS, Board, "board")
MEMBER_RECORDS = Records(MEMBERS, Member, "member")


def about_board(board: Board) -> dict[str, str]:
    """What every event of a board's business says of the board: its id and its name."""
    return {"board_id": board.id, "board_name": board.name}


async def board_of(source: Source, board_id: str) -> Board:
    return to_model(Board, await documents.load(source, BOARDS, board_id, kind="board"))


async def members_of(source: Source, board_id: str) -> list[Member]:
    docs = await find(source, MEMBERS, {"board_id": board_id}, sort=[("_id", ASCENDING)])
    return [to_model(Member, d) for d in docs]


async def board_and_members(source: Source, board_id: str) -> tuple[Board, list[Member]]:
    """The board and its members: what its quorum, chairing and partners' rules are worked out from."""
    return await board_of(source, board_id), await members_of(source, board_id)


async def member_of_board(uow: UnitOfWork, board_id: str, member_id: str) -> Member:
    """The member named in a request's body; Refused when they are not a member of this board."""
    try:
        member = to_model(Member, await documents.load(uow, MEMBERS, member_id, kind="member"))
    except NotFound:
        member = None
    if member is None or member.board_id != board_id:
        raise Refused(f"{member_id!r} is not a member of this board.", member_id=member_id)
    return member


# --------------------------------------------------------------------------- boards


async def establish_board(rt: Runtime, body: dict[str, Any]) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        board = Board.establish(
            documents.new_id(),
            body["name"],
            body["kind"],
            body.get("area") or "",
            body.get("statutory_partners") or [],
        )
        return await BOARD_RECORDS.insert(uow, board)

    return resource(await rt.transaction(work))


async def list_boards(rt: Runtime, page: Page) -> dict[str, Any]:
    return await paginate(rt.db[BOARDS], {}, page)


# --------------------------------------------------------------------------- members


async def appoint_member(rt: Runtime, board_id: str, body: dict[str, Any]) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        board, others = await board_and_members(uow, board_id)
        # the request's fields are the appointment's (NewMember): name, organisation, role, statutory, ...
        member = Member.appoint(documents.new_id(), board, others, **body)
        return await MEMBER_RECORDS.insert(uow, member)

    return resource(await rt.transaction(work))


async def sign_mou(
    rt: Runtime, member_id: str, signed_on: date | None, expected: int | None
) -> dict[str, Any]:
    def sign(member: Member) -> None:
        member.sign_mou(given_or_today(signed_on))

    return resource(await MEMBER_RECORDS.change(rt, member_id, expected, sign))


async def name_deputy(rt: Runtime, member_id: str, deputy_name: str, expected: int | None) -> dict[str, Any]:
    def name(member: Member) -> None:
        member.name_deputy(deputy_name)

    return resource(await MEMBER_RECORDS.change(rt, member_id, expected, name))
