"""Decision notices: what the board decided, who decided, the vote, the interests declared, the date.

Every decision of the board, at a meeting or between meetings, is published as a notice, as a council
publishes the record of its executive decisions. Members' names are public office-holders' details here
and a notice gives them, as the board publishes them; it never holds case details (a SAR is named only by
its agenda item's title), nor the confidential details of a registered interest (a declaration carries its
public description only). Plain Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from civic_safeguarding.boards.domain import ROLE_WORDS, Board, Member
from civic_safeguarding.decisions.domain import Decision
from civic_safeguarding.meetings.domain import Declaration

OUTCOME_WORDS = {"carried": "carried", "not_carried": "not carried", "agreed": "agreed"}


@dataclass
class NamedMember:
    member_id: str
    name: str
    organisation: str

    @classmethod
    def of(cls, member: Member) -> NamedMember:
        return cls(member_id=member.id, name=member.name, organisation=member.organisation)


@dataclass
class DeclaredInterest:
    member_id: str
    name: str
    organisation: str
    nature: str
    prejudicial: bool  # false: declared not prejudicial, so the member could take part
    reason: str | None
    from_register: bool  # pre-filled from the register of interests (the interest_id stays with the meeting)


@dataclass
class DecisionNotice:
    id: str
    board_id: str
    board_name: str
    decision_id: str
    meeting_id: str | None
    item_title: str
    decision: str  # what was decided, in words
    method: str
    outcome: str
    decision_maker: str  # who decided, in words
    decided_on: date
    published_on: date
    presiding: NamedMember | None = None
    decided_by: NamedMember | None = None
    consulted: list[NamedMember] = field(default_factory=list)
    votes_for: int = 0
    votes_against: int = 0
    abstentions: int = 0
    casting_vote: str | None = None
    requires_ratification: bool = False
    declared_interests: list[DeclaredInterest] = field(default_factory=list)

    @classmethod
    def of(
        cls,
        id: str,
        decision: Decision,
        board: Board,
        members: list[Member],
        declarations: list[Declaration],
        on: date,
    ) -> DecisionNotice:
        """The notice of `decision`, published on `on`; `declarations` are those made on its item."""
        by_id = {m.id: m for m in members}

        def named(member_id: str | None) -> NamedMember | None:
            member = by_id.get(member_id or "")
            return NamedMember.of(member) if member else None

        presiding, decided_by = named(decision.presiding_member_id), named(decision.decided_by)
        return cls(
            id=id,
            board_id=board.id,
            board_name=board.name,
            decision_id=decision.id,
            meeting_id=decision.meeting_id,
            item_title=decision.item_title,
            decision=_what(decision),
            method=decision.method,
            outcome=decision.outcome,
            decision_maker=_who(decision, board, presiding, decided_by, by_id),
            decided_on=decision.decided_on,
            published_on=on,
            presiding=presiding,
            decided_by=decided_by,
            consulted=[NamedMember.of(by_id[c]) for c in decision.consulted if c in by_id],
            votes_for=decision.votes_for,
            votes_against=decision.votes_against,
            abstentions=decision.abstentions,
            casting_vote=decision.casting_vote,
            requires_ratification=decision.requires_ratification,
            declared_interests=[
                _declared(d, by_id[d.member_id])
                for d in declarations
                if d.item_id == decision.item_id and d.member_id in by_id
            ],
        )


def _declared(declaration: Declaration, member: Member) -> DeclaredInterest:
    return DeclaredInterest(
        member_id=member.id, name=member.name, organisation=member.organisation, nature=declaration.nature,
        prejudicial=declaration.prejudicial, reason=declaration.reason, from_register=declaration.source == "register",
    )  # fmt: skip


def _what(decision: Decision) -> str:
    words = f"'{decision.item_title}': {OUTCOME_WORDS[decision.outcome]}"
    if decision.method == "vote":
        words += (
            f" by a vote of {decision.votes_for} for, {decision.votes_against} against, "
            f"{decision.abstentions} abstaining"
        )
        if decision.casting_vote:
            words += f", on the chair's casting vote ({decision.casting_vote})"
    elif decision.method == "consensus":
        words += " by consensus"
    else:
        words += " between meetings, for ratification at the board's next meeting"
    return words + "."


def _who(
    decision: Decision,
    board: Board,
    presiding: NamedMember | None,
    decided_by: NamedMember | None,
    by_id: dict[str, Member],
) -> str:
    if decision.meeting_id is not None:
        chaired = f", chaired by {presiding.name}" if presiding else ""
        return f"{board.name} at its meeting of {decision.decided_on.isoformat()}{chaired}."
    chair = by_id.get(decision.decided_by or "")
    role = ROLE_WORDS[chair.role] if chair else "chair"
    name = decided_by.name if decided_by else "the chair"
    return f"{name} ({role} of {board.name}) between meetings, with the statutory partners consulted."
