"""Boards and members use cases: each change in one unit of work; each answers with the API form.

`board_of`, `members_of` and `member_of_board` load the board's domain objects for every other
area's use cases too.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from civic import documents
from civic.calendar import today
from civic.documents import resource
from civic.errors import NotFound, Refused
from civic.http import Page, paginate
from civic.service import Runtime
from civic.uow import UnitOfWork
from civic_contracts.safeguarding import MemberLeaving
from pymongo import ASCENDING

from civic_safeguarding.boards.domain import REVIEW_KINDS, Board, Member, vacancies
from civic_safeguarding.decisions.domain import Decision
from civic_safeguarding.domain import given_or_today
from civic_safeguarding.records import Records
from civic_safeguarding.repository import BOARDS, DECISIONS, MEMBERS, Source, find, to_model

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
            body.get("lead_partner"),
            today(),
        )
        return await BOARD_RECORDS.insert(uow, board)

    return board_resource(await rt.transaction(work))


def board_resource(doc: dict[str, Any]) -> dict[str, Any]:
    """A board as every answer shows it: its stored fields and the case reviews it holds (`review_kind`), so a
    client offers SARs or practice reviews without knowing which kind of board holds which."""
    return resource(doc) | {"review_kind": REVIEW_KINDS[doc["kind"]]}


async def list_boards(rt: Runtime, page: Page) -> dict[str, Any]:
    return await paginate(rt.db[BOARDS], {}, page, board_resource)


def board_view(doc: dict[str, Any], members: list[Member], on: date) -> dict[str, Any]:
    """The board as the API shows one: when its constitution was last reviewed and the next review is due,
    the members who gave notice of leaving, and the statutory partners' vacancies on `on` (today)."""
    board = to_model(Board, doc)
    return board_resource(doc) | {
        "constitution_reviewed_on": board.constitution_reviewed_on,
        "constitution_review_due_on": board.constitution_review_due_on,
        "constitution_review_overdue": board.constitution_review_overdue(on),
        "leaving": [
            {"member_id": m.id, "organisation": m.organisation, "leaves_on": m.leaves_on, "left": not m.serving_on(on)}
            for m in members
            if m.leaves_on is not None
        ],
        "vacancies": [
            {"partner": v.partner, "left_by_member_id": v.left_by, "since": v.since} for v in vacancies(board, members, on)
        ],
    }


async def get_board(rt: Runtime, board_id: str) -> dict[str, Any]:
    doc = await documents.load(rt.db, BOARDS, board_id, kind="board")
    return board_view(doc, await members_of(rt.db, board_id), today())


async def change_lead_partner(rt: Runtime, board_id: str, partner: str, expected: int | None) -> dict[str, Any]:
    def change(board: Board) -> None:
        board.change_lead_partner(partner)

    saved = await BOARD_RECORDS.change(rt, board_id, expected, change)
    return board_view(saved, await members_of(rt.db, board_id), today())


async def review_constitution(rt: Runtime, board_id: str, body: dict[str, Any], expected: int | None) -> dict[str, Any]:
    """The constitution's yearly review, approved by one of the board's decisions in favour."""

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc, board = await BOARD_RECORDS.load(uow, board_id, expected)
        decision = to_model(Decision, await documents.load(uow, DECISIONS, body["decision_id"], kind="decision"))
        if decision.board_id != board.id:
            raise Refused(
                f"Decision {decision.id} is another board's; {board.name}'s own decision approves its constitution.",
                decision_id=decision.id,
            )
        on = given_or_today(body.get("reviewed_on"))
        board.review_constitution(decision.id, decision.approves, decision.decided_on, on)
        return await BOARD_RECORDS.save(uow, doc, board)

    saved = await rt.transaction(work)
    return board_view(saved, await members_of(rt.db, board_id), today())


async def overdue_constitution_reviews(rt: Runtime) -> dict[str, Any]:
    """The boards whose constitution's yearly review is overdue today, the longest overdue first."""
    on = today()
    boards = [to_model(Board, d) for d in await find(rt.db, BOARDS, {}, sort=[("_id", ASCENDING)])]
    overdue = [b for b in boards if b.constitution_review_overdue(on)]
    overdue.sort(key=lambda b: (b.constitution_review_due_on is not None, b.constitution_review_due_on or on))
    return {
        "as_of": on,
        "boards": [
            {
                **about_board(b),
                "constitution_reviewed_on": b.constitution_reviewed_on,
                "constitution_review_due_on": b.constitution_review_due_on,
            }
            for b in overdue
        ],
    }


# --------------------------------------------------------------------------- members


async def appoint_member(rt: Runtime, board_id: str, body: dict[str, Any]) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        board, others = await board_and_members(uow, board_id)
        # the request's fields are the appointment's (NewMember): name, organisation, role, statutory, ...
        member = Member.appoint(documents.new_id(), board, others, **body)
        return await MEMBER_RECORDS.insert(uow, member)

    return resource(await rt.transaction(work))


async def sign_mou(rt: Runtime, member_id: str, signed_on: date | None, expected: int | None) -> dict[str, Any]:
    def sign(member: Member) -> None:
        member.sign_mou(given_or_today(signed_on))

    return resource(await MEMBER_RECORDS.change(rt, member_id, expected, sign))


async def name_deputy(rt: Runtime, member_id: str, deputy_name: str, expected: int | None) -> dict[str, Any]:
    def name(member: Member) -> None:
        member.name_deputy(deputy_name)

    return resource(await MEMBER_RECORDS.change(rt, member_id, expected, name))


async def give_notice(rt: Runtime, member_id: str, body: dict[str, Any], expected: int | None) -> dict[str, Any]:
    """A member's notice of leaving (seed 003): announced, so that the partner can find a replacement."""

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc, member = await MEMBER_RECORDS.load(uow, member_id, expected)
        board = await board_of(uow, member.board_id)
        member.give_notice(body["leaves_on"], given_or_today(body.get("given_on")))
        uow.emit(
            MemberLeaving(
                member_id=member.id,
                **about_board(board),
                **documents.fields_of(member, "organisation", "role", "statutory", "safeguarding_partner"),
                **documents.fields_of(member, "notice_given_on", "leaves_on"),
            )
        )
        return await MEMBER_RECORDS.save(uow, doc, member)

    return resource(await rt.transaction(work))
