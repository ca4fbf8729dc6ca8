"""SAR use cases: each change in one unit of work; each answers with the review's API form.

The case summary and the person's details are stored with the review but never put in an event
or a log, and the API form leaves them out unless the caller is cleared (`confidential`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from civic import documents
from civic.service import Runtime
from civic.uow import UnitOfWork
from civic_contracts.safeguarding import SarCommissioned, SarPublished

from civic_safeguarding.boards.domain import Board
from civic_safeguarding.boards.service import about_board, board_and_members, board_of
from civic_safeguarding.domain import given_or_today
from civic_safeguarding.records import Records, withheld_view
from civic_safeguarding.repository import SARS
from civic_safeguarding.sars.domain import CONFIDENTIAL_FIELDS, Action, Sar, for_an_adults_board

#: the API form; without `confidential` (the caller's clearance) the case details are withheld
sar_view = withheld_view(CONFIDENTIAL_FIELDS)


# shown as it is to a caller not cleared: each use case that may show more passes the caller's clearance
SAR_RECORDS = Records(SARS, Sar, "SAR", view=lambda doc: sar_view(doc, False), cleared_view=sar_view)


def _identity(sar: Sar, board: Board) -> dict[str, Any]:
    """What both SAR events say of it: its reference and its board, never the case or the person (Care Act s45)."""
    return {"sar_id": sar.id, **about_board(board), "reference": sar.reference}


async def refer_sar(rt: Runtime, board_id: str, body: dict[str, Any], confidential: bool) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        for_an_adults_board(await board_of(uow, board_id))
        sar = Sar.refer(
            documents.new_id(),
            board_id,
            body["reference"],
            body["case_summary"],
            body["person"],
            body["referred_by"],
            given_or_today(body.get("referred_on")),
        )
        return await SAR_RECORDS.insert(uow, sar)

    return sar_view(await rt.transaction(work), confidential)


async def advance_sar(
    rt: Runtime, sar_id: str, body: dict[str, Any], expected: int | None, confidential: bool
) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc, sar = await SAR_RECORDS.load(uow, sar_id, expected)
        board, members = await board_and_members(uow, sar.board_id)
        on = given_or_today(body.get("on"))
        sar.advance(
            body["to"],
            on,
            criteria_met=body.get("criteria_met"),
            reasons=body.get("reasons"),
            author=body.get("author"),
            author_organisation=body.get("author_organisation"),
            cost_pence=body.get("cost_pence"),
            actions=[Action(a["action"], a["owner"], a["due_on"]) for a in body.get("actions") or []],
            member_organisations=[m.organisation for m in members],
        )
        # events carry the reference only: never the case summary or the person (Care Act s45)
        if sar.status == "commissioned":
            author, cost_pence = sar.author or "", sar.cost_pence or 0
            uow.emit(SarCommissioned(**_identity(sar, board), author=author, cost_pence=cost_pence, commissioned_on=on))
        elif sar.status == "published":
            uow.emit(SarPublished(**_identity(sar, board), published_on=on, actions=len(sar.actions)))
        return await SAR_RECORDS.save(uow, doc, sar)

    return sar_view(await rt.transaction(work), confidential)


async def _changed(
    rt: Runtime, sar_id: str, expected: int | None, confidential: bool, change: Callable[[Sar], object]
) -> dict[str, Any]:
    """The review changed by one of its rules that announces nothing, in its own unit of work."""
    return sar_view(await SAR_RECORDS.change(rt, sar_id, expected, change), confidential)


async def complete_action(
    rt: Runtime, sar_id: str, action_id: str, body: dict[str, Any], expected: int | None, confidential: bool
) -> dict[str, Any]:
    on = given_or_today(body.get("completed_on"))
    return await _changed(rt, sar_id, expected, confidential,
                          lambda sar: sar.complete_action(action_id, body["evidence"], on))  # fmt: skip


async def record_learning_briefing(
    rt: Runtime, sar_id: str, body: dict[str, Any], expected: int | None, confidential: bool
) -> dict[str, Any]:
    on = given_or_today(body.get("issued_on"))
    return await _changed(rt, sar_id, expected, confidential,
                          lambda sar: sar.record_learning_briefing(body["summary"], on))  # fmt: skip
