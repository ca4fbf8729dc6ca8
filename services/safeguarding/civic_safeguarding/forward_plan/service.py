"""Forward plan use cases: a key decision added in one unit of work; answers in the API form."""

from __future__ import annotations

from typing import Any

from civic import documents
from civic.calendar import today
from civic.documents import resource
from civic.errors import Invalid, NotFound, Refused
from civic.service import Runtime
from civic.uow import UnitOfWork

from civic_safeguarding.boards.service import board_of
from civic_safeguarding.decisions.service import MEETING_RECORDS
from civic_safeguarding.forward_plan.domain import KeyDecision
from civic_safeguarding.records import Records
from civic_safeguarding.repository import KEY_DECISIONS

KEY_DECISION_RECORDS = Records(KEY_DECISIONS, KeyDecision, "key decision")


async def add_key_decision(rt: Runtime, board_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """A key decision in the board's forward plan, to be taken on a day or at one of its meetings (its day)."""

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        board = await board_of(uow, board_id)
        to_be_taken_on, meeting_id = body.get("to_be_taken_on"), body.get("meeting_id")
        if meeting_id is not None and to_be_taken_on is not None:
            raise Invalid.at(
                "to_be_taken_on", "not with meeting_id",
                "Name the meeting that will take it, or the day: the meeting's day is the day.",
            )  # fmt: skip
        if meeting_id is not None:
            try:
                _, meeting = await MEETING_RECORDS.load(uow, meeting_id)
            except NotFound:
                # an id in the body that names nothing is a field that does not fit (D4), not a missing board: the
                # path's board was found (a 404 would say it was not)
                raise Invalid.at(
                    "meeting_id", "a meeting of the board", f"{meeting_id!r} is not a meeting of {board.name}."
                ) from None
            if meeting.board_id != board.id:
                raise Refused(f"Meeting {meeting_id!r} is another board's, not {board.name}'s.", meeting_id=meeting_id)
            if meeting.status == "cancelled":
                raise Refused(
                    f"The meeting of {meeting.on.isoformat()} was cancelled: choose another.", meeting_id=meeting_id
                )
            to_be_taken_on = meeting.on
        elif to_be_taken_on is None:
            raise Invalid.at("to_be_taken_on", "required without meeting_id", "Say when the decision will be taken.")
        key = KeyDecision.plan(
            documents.new_id(), board.id, body["title"], body["decision_maker"], to_be_taken_on, today(),
            documents=body.get("documents"), meeting_id=meeting_id, urgent=body.get("urgent", False),
            urgency_reason=body.get("urgency_reason"),
        )  # fmt: skip
        return await KEY_DECISION_RECORDS.insert(uow, key)

    return resource(await rt.transaction(work))
