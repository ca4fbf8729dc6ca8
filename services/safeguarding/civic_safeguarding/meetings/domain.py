"""Board meetings: the agenda, the attendance register, declarations of interest, voting.

The rules are the board's constitution (seed 003, "Quoracy & Voting", "Declaration/Conflict of
Interest") under the Care Act 2014. Plain Python: the service layer loads and saves these
objects; nothing here knows about HTTP or MongoDB. Whether those attending are quorate is the
quorum package's; what a decision is, once taken, the decisions package's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from civic.errors import FieldErrors, Invalid, Refused

from civic_safeguarding.boards.domain import Board, Member
from civic_safeguarding.decisions.domain import CASTING_VOTES, METHODS, VOTES, DecisionOutcome, Vote
from civic_safeguarding.domain import day_of
from civic_safeguarding.interests.domain import Interest, matter_key
from civic_safeguarding.quorum.domain import ATTENDANCE_STATUSES, AttendanceEntry, Quorum, assess_quorum, status_words

DECLARATIONS_KIND = "declarations"
DECLARATIONS_TITLE = "Declarations of interest"
RATIFICATION_KIND = "ratification"
#: who made a declaration: the member at the meeting, or the register of interests (pre-filled)
DECLARATION_SOURCES = ("member", "register")
# Officers write the standing item in several ways; any of these is the same item.
_DECLARATION_KINDS = {"declarations", "declarations_of_interest", "declaration_of_interest", "declaration"}


@dataclass
class AgendaItem:
    id: str
    title: str
    kind: str
    decision_id: str | None = None
    # for a ratification item: the between-meetings decision it puts to the members
    ratifies_decision_id: str | None = None
    # the organisations or matters the item concerns: a member's registered interest in one of them is
    # pre-filled as their declaration on the item
    matters: list[str] = field(default_factory=list)


@dataclass
class Declaration:
    id: str
    member_id: str
    item_id: str
    nature: str
    declared_on: date
    # False: the member declares the interest is not prejudicial (with a reason), and may take part
    prejudicial: bool = True
    reason: str | None = None
    source: str = "member"  # one of DECLARATION_SOURCES
    interest_id: str | None = None  # the registered interest a pre-filled declaration comes from


@dataclass
class Meeting:
    id: str
    board_id: str
    scheduled_for: date | datetime
    agenda: list[AgendaItem]
    extraordinary: bool = False
    status: str = "scheduled"  # scheduled -> held | cancelled
    attendance: list[AttendanceEntry] = field(default_factory=list)
    declarations: list[Declaration] = field(default_factory=list)
    # organisations already flagged for persistent non-attendance at this meeting (no second event)
    non_attendance_flagged: list[str] = field(default_factory=list)
    held_quorate: bool | None = None

    @property
    def on(self) -> date:
        return day_of(self.scheduled_for)

    @classmethod
    def schedule(
        cls,
        id: str,
        board: Board,
        scheduled_for: date | datetime,
        agenda: list[tuple[str, str]],
        new_id: Callable[[], str],
        extraordinary: bool = False,
        to_ratify: list[tuple[str, str]] | None = None,
        matters: list[list[str]] | None = None,
    ) -> Meeting:
        """A meeting whose agenda opens with the standing item: declarations of interest.

        `agenda` is [(title, kind)]; a declarations item given anywhere is moved to the top, never
        duplicated. `matters` are the organisations or matters each item of `agenda` concerns, in order.
        `to_ratify` is [(decision_id, title)] of between-meetings decisions awaiting ratification: each
        becomes an item so the members can ratify it.
        """
        errors = FieldErrors()
        items: list[AgendaItem] = []
        declarations: AgendaItem | None = None
        for index, (title, kind) in enumerate(agenda):
            title, kind = (title or "").strip(), (kind or "").strip().lower()
            # each matter once, as the register compares them
            concerning = matters[index] if matters and index < len(matters) else []
            given: dict[str, str] = {}
            for matter in concerning:
                if matter.strip():
                    given.setdefault(matter_key(matter), " ".join(matter.split()))
            if not title:
                errors.add(f"agenda.{index}.title", "an agenda item needs a title")
            if not kind:
                errors.add(f"agenda.{index}.kind", "say what kind of item it is")
            if kind in _DECLARATION_KINDS:
                if declarations is None:
                    declarations = AgendaItem(id=new_id(), title=title or DECLARATIONS_TITLE, kind=DECLARATIONS_KIND)
                continue
            items.append(AgendaItem(id=new_id(), title=title, kind=kind, matters=list(given.values())))
        errors.raise_if_any("The agenda cannot be accepted as given.")
        head = declarations or AgendaItem(id=new_id(), title=DECLARATIONS_TITLE, kind=DECLARATIONS_KIND)
        meeting = cls(
            id=id,
            board_id=board.id,
            scheduled_for=scheduled_for,
            agenda=[head, *items],
            extraordinary=bool(extraordinary),
        )
        for decision_id, title in to_ratify or []:
            meeting.take_for_ratification(decision_id, title, new_id)
        return meeting

    def take_for_ratification(self, decision_id: str, title: str, new_id: Callable[[], str]) -> AgendaItem:
        """A between-meetings decision in effect, "reported and submitted for ratification to the next meeting"
        (seed 003): an item at the end of the agenda, added as committee software adds one to an agenda already
        set, the meeting not yet held. Once on an agenda."""
        if self.status != "scheduled":
            raise Refused(f"The meeting of {self.on} is {self.status}: it takes no more items.", meeting_id=self.id)
        if any(i.ratifies_decision_id == decision_id for i in self.agenda):
            raise Refused(f"Decision {decision_id} is already on this meeting's agenda.", decision_id=decision_id)
        item = AgendaItem(
            id=new_id(), title=f"Ratification: {title}", kind=RATIFICATION_KIND, ratifies_decision_id=decision_id
        )
        self.agenda.append(item)
        return item

    def item(self, item_id: str) -> AgendaItem:
        for item in self.agenda:
            if item.id == item_id:
                return item
        raise Invalid.at("item_id", "not an item of this meeting", f"Item {item_id!r} is not on this meeting's agenda.")

    def _open(self, action: str) -> None:
        if self.status == "cancelled":
            raise Refused(f"The meeting of {self.on.isoformat()} was cancelled: cannot {action}.")

    def record_attendance(self, members: list[Member], entries: list[AttendanceEntry]) -> None:
        """Replace the register. A deputy must be named, and be the member's named deputy if they have one."""
        self._open("record attendance")
        if self.status == "held":
            raise Refused("The meeting has been marked as held; its register is closed.")
        by_id = {m.id: m for m in members}
        errors = FieldErrors()
        seen: set[str] = set()
        for i, entry in enumerate(entries):
            if entry.status not in ATTENDANCE_STATUSES:
                errors.add(f"{i}.status", f"one of {', '.join(ATTENDANCE_STATUSES)}")
            if entry.member_id in seen:
                errors.add(f"{i}.member_id", "this member is listed twice")
            seen.add(entry.member_id)
            if entry.status == "deputy" and not (entry.deputy_name or "").strip():
                errors.add(f"{i}.deputy_name", "name the deputy who attended")
            if entry.status != "deputy" and entry.deputy_name:
                errors.add(f"{i}.deputy_name", "only for status deputy")
        errors.raise_if_any("The attendance register cannot be accepted as given.")
        for entry in entries:
            member = _member(
                by_id, entry.member_id,
                f"{entry.member_id!r} is not a member of this board; add them to the board before recording "
                "their attendance.",
            )  # fmt: skip
            if entry.status == "deputy":
                given = (entry.deputy_name or "").strip()
                if member.deputy_name and given.casefold() != member.deputy_name.casefold():
                    raise Refused(
                        f"{member.name}'s named deputy is {member.deputy_name}, not {given}. A member sends "
                        "a consistent, named deputy: change the named deputy first if it has changed.",
                        member_id=member.id,
                    )
                entry.deputy_name = given
        self.attendance = list(entries)

    def declarations_from_register(self, interests: list[Interest], new_id: Callable[[], str], on: date) -> None:
        """The declarations of the items still to decide, brought up to date with the register: a member
        whose interest held on the meeting's day concerns one of an item's matters has it pre-filled as their
        declaration (prejudicial until they declare otherwise); a pre-fill whose interest no longer concerns
        the item (withdrawn, amended) goes. What a member declared themselves is theirs, and stays."""
        open_items = {i.id: i for i in self.agenda if i.decision_id is None and i.matters}
        applying = {
            (interest.member_id, item.id): interest
            for item in open_items.values()
            for interest in interests
            if interest.held_on(self.on) and interest.concerned(item.matters)
        }
        kept = [
            d for d in self.declarations
            if not (d.source == "register" and d.item_id in open_items and d.prejudicial
                    and (d.member_id, d.item_id) not in applying)
        ]  # fmt: skip
        declared = {(d.member_id, d.item_id) for d in kept}
        for (member_id, item_id), interest in applying.items():
            if (member_id, item_id) not in declared:
                kept.append(Declaration(
                    id=new_id(), member_id=member_id, item_id=item_id, nature=interest.words, declared_on=on,
                    source="register", interest_id=interest.id,
                ))  # fmt: skip
        self.declarations = kept

    def declare(
        self,
        id: str,
        member: Member,
        item_id: str,
        nature: str,
        on: date,
        prejudicial: bool = True,
        reason: str | None = None,
    ) -> Declaration:
        """The member's declaration on an item. Declaring an interest not prejudicial (with a reason) lets them
        take part; made on an item where the register pre-filled their declaration, it takes that one's place."""
        self._open("record a declaration")
        nature = (nature or "").strip()
        if not nature:
            raise Invalid.at("nature", "required", "Say what the interest is.")
        reason = (reason or "").strip() or None
        if not prejudicial and reason is None:
            raise Invalid.at(
                "reason", "required when the interest is declared not prejudicial",
                "Say why the interest is not prejudicial to the member taking part.",
            )  # fmt: skip
        item = self.item(item_id)
        if item.kind == DECLARATIONS_KIND:
            raise Invalid.at(
                "item_id",
                "choose the item the interest relates to",
                "Declare an interest in a specific item, not in the declarations item itself.",
            )
        if item.decision_id is not None:
            raise Refused(f"'{item.title}' has already been decided; a declaration must be made before the decision.")
        earlier = next((d for d in self.declarations if d.member_id == member.id and d.item_id == item_id), None)
        if earlier is not None and earlier.source == "member":
            raise Refused(f"{member.name} has already declared an interest in '{item.title}'.")
        declaration = Declaration(
            id=earlier.id if earlier else id, member_id=member.id, item_id=item_id, nature=nature, declared_on=on,
            prejudicial=prejudicial, reason=reason if not prejudicial else None,
            interest_id=earlier.interest_id if earlier else None,
        )  # fmt: skip
        self.declarations = [d for d in self.declarations if d is not earlier] + [declaration]
        return declaration

    def quorum(self, board: Board, members: list[Member]) -> Quorum:
        return assess_quorum(board, members, self.attendance, self.on)

    def decide(
        self,
        board: Board,
        members: list[Member],
        item_id: str,
        method: str,
        votes: list[Vote] | None,
        casting_vote: str | None,
        decision_id: str,
    ) -> DecisionOutcome:
        """Decide an agenda item: consensus where possible, else a simple majority of the votes of
        members present who are entitled to vote (signed MoU, no declared interest), one vote per
        organisation, the presiding chair's casting vote on a tie. An inquorate meeting cannot decide."""
        self._open("take decisions")
        item = self.item(item_id)
        if item.kind == DECLARATIONS_KIND:
            raise Refused("Declarations of interest are recorded, not decided; choose another item.")
        if item.decision_id is not None:
            raise Refused(
                f"'{item.title}' has already been decided (decision {item.decision_id}).",
                decision_id=item.decision_id,
            )
        if method not in METHODS:
            raise Invalid.at("method", "one of " + ", ".join(METHODS), "method must be consensus or vote.")
        if method == "consensus" and (votes or casting_vote):
            raise Invalid.at(
                "votes",
                "only with method vote",
                "A decision by consensus has no votes; use method vote to count votes.",
            )
        if method == "vote" and not votes:
            raise Invalid.at("votes", "required", "A vote needs the votes cast.")
        if casting_vote is not None and casting_vote not in CASTING_VOTES:
            raise Invalid.at("casting_vote", "one of " + ", ".join(CASTING_VOTES), "A casting vote is for or against.")

        quorum = self.quorum(board, members)
        if not quorum.quorate:
            raise Refused(
                "The meeting is not quorate, so it cannot decide anything. Missing: "
                + "; ".join(quorum.missing)
                + ". Record the attendance of the missing members or deputies, or take the item to the "
                "next meeting.",
                missing=quorum.missing,
            )
        presiding = quorum.presiding
        if method == "consensus":
            item.decision_id = decision_id
            return DecisionOutcome.by_consensus(presiding)
        outcome = DecisionOutcome.by_vote(self._count(members, item, votes or []), casting_vote, presiding)
        item.decision_id = decision_id
        return outcome

    def _count(self, members: list[Member], item: AgendaItem, votes: list[Vote]) -> list[Vote]:
        by_id = {m.id: m for m in members}
        register = {e.member_id: e for e in self.attendance}
        # a prejudicial declaration on the item, the register's pre-fill included, keeps the member out of it
        conflicted = {d.member_id: d for d in self.declarations if d.item_id == item.id and d.prejudicial}
        by_org: dict[str, Member] = {}
        counted: list[Vote] = []
        for index, ballot in enumerate(votes):
            if ballot.vote not in VOTES:
                raise Invalid.at(f"votes.{index}.vote", "one of " + ", ".join(VOTES), "A vote is for, against or abstain.")
            member = _member(
                by_id, ballot.member_id,
                f"Vote {index + 1} is from {ballot.member_id!r}, who is not a member of this board; only members "
                "may vote.",
            )  # fmt: skip
            if not member.serving_on(self.on):
                raise Refused(
                    f"{member.describe} cannot vote: they gave notice and left the board on {member.leaves_on}, "
                    f"before this meeting of {self.on}.",
                    member_id=member.id,
                )
            entry = register.get(member.id)
            if entry is None or not entry.attending:
                raise Refused(
                    f"{member.describe} cannot vote: {status_words(entry)} at this meeting. Only members "
                    "present in person or by their named deputy may vote.",
                    member_id=member.id,
                )
            if not member.signed:
                raise Refused(
                    f"{member.describe} cannot vote: they have not signed the memorandum of understanding. "
                    f"Only members with signed membership may vote (POST /v1/members/{member.id}/mou).",
                    member_id=member.id,
                )
            if member.id in conflicted:
                declared = conflicted[member.id]
                if declared.source == "register":
                    raise Refused(
                        f"{member.describe} cannot vote on '{item.title}': their registered interest "
                        f"({declared.nature}) concerns it, so they take no part in this decision unless they "
                        f"declare that it is not prejudicial (POST /v1/meetings/{self.id}/declarations with "
                        "prejudicial false and a reason).",
                        member_id=member.id, interest_id=declared.interest_id,
                    )  # fmt: skip
                raise Refused(
                    f"{member.describe} cannot vote on '{item.title}': they declared an interest "
                    f"({declared.nature}) and take no part in this decision.",
                    member_id=member.id,
                )
            org = member.organisation.casefold()
            if org in by_org:
                first = by_org[org]
                who = "voted twice" if first.id == member.id else f"and {first.name} both voted"
                raise Refused(
                    f"{member.name} {who} for {member.organisation}: no organisation has more than one "
                    "vote. Send one vote per organisation.",
                    organisation=member.organisation,
                )
            by_org[org] = member
            counted.append(ballot)
        return counted

    def mark_held(self, board: Board, members: list[Member]) -> Quorum:
        self._open("mark it as held")
        if self.status == "held":
            raise Refused("The meeting is already marked as held.")
        if not self.attendance:
            raise Refused("Record the attendance register before marking the meeting as held.")
        quorum = self.quorum(board, members)
        self.status = "held"
        self.held_quorate = quorum.quorate
        return quorum

    def cancel(self) -> None:
        if self.status != "scheduled":
            raise Refused(f"Only a scheduled meeting can be cancelled; this one is {self.status}.")
        if any(item.decision_id for item in self.agenda):
            raise Refused("Decisions were recorded at this meeting; it cannot be cancelled.")
        self.status = "cancelled"


def _member(by_id: dict[str, Member], member_id: str, refusal: str) -> Member:
    """The board's member `member_id`; Refused, saying `refusal`, when no member of the board has that id."""
    member = by_id.get(member_id)
    if member is None:
        raise Refused(refusal, member_id=member_id)
    return member
