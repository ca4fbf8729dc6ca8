"""Running a statutory safeguarding board: members, meetings, quorum, declarations, decisions, minutes.

The rules are the board's constitution (seed 003, "Quoracy & Voting", "Declaration/Conflict of
Interest", "Expectations of Partnership Members") under the Care Act 2014. Plain Python: the
service layer loads and saves these objects; nothing here knows about HTTP or MongoDB.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Literal

from civic.errors import Invalid, Refused

BOARD_KINDS = ("adults", "children")
ROLES = (
    "independent_chair",
    "vice_chair",
    "statutory_partner",
    "member",
    "sub_group_chair",
    "business_manager",
)
ROLE_WORDS = {
    "independent_chair": "independent chair",
    "vice_chair": "vice chair",
    "statutory_partner": "statutory partner",
    "member": "member",
    "sub_group_chair": "sub-group chair",
    "business_manager": "business manager",
}
ATTENDANCE_STATUSES = ("present", "apologies", "absent", "deputy")
VOTES = ("for", "against", "abstain")
DECLARATIONS_KIND = "declarations"
DECLARATIONS_TITLE = "Declarations of interest"
RATIFICATION_KIND = "ratification"
# Officers write the standing item in several ways; any of these is the same item.
_DECLARATION_KINDS = {"declarations", "declarations_of_interest", "declaration_of_interest", "declaration"}
_FINANCIAL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")

Outcome = Literal["carried", "not_carried", "agreed"]


# --------------------------------------------------------------------------- financial years


def financial_year_of(day: date) -> str:
    """The UK financial year (1 April to 31 March) a day falls in, e.g. 2021-03-31 -> "2020/21"."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def financial_year_bounds(year: str) -> tuple[date, date]:
    """First and last day of a financial year written "2020/21"; Invalid when malformed."""
    match = _FINANCIAL_YEAR.match(year or "")
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise Invalid(
            f'{year!r} is not a financial year: write it like "2020/21" (April to March).',
            errors=[{"field": "year", "message": "expected YYYY/YY with consecutive years"}],
        )
    start = int(match.group(1))
    return date(start, 4, 1), date(start + 1, 3, 31)


def day_of(moment: date | datetime) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def today() -> date:
    """The day now, in UTC: the service layer reads the clock and hands the rules their dates."""
    return datetime.now(UTC).date()


def given_or_today(day: date | None) -> date:
    """A date a request may leave out: today when it does."""
    return day or today()


def require_text(value: str | None, name: str, errors: list[dict[str, str]], message: str) -> str:
    """The text stripped; when blank, `message` is added to `errors` for the field `name`."""
    text = (value or "").strip()
    if not text:
        errors.append({"field": name, "message": message})
    return text


# --------------------------------------------------------------------------- boards and members


@dataclass
class Board:
    id: str
    name: str
    kind: str
    area: str = ""
    # Statutory partner organisations named by the board; organisations of members flagged
    # statutory count too (see statutory_organisations).
    statutory_partners: list[str] = field(default_factory=list)

    @classmethod
    def establish(
        cls, id: str, name: str, kind: str, area: str = "", statutory_partners: list[str] | None = None
    ) -> Board:
        errors: list[dict[str, str]] = []
        name = require_text(name, "name", errors, "a board needs a name")
        if kind not in BOARD_KINDS:
            errors.append({"field": "kind", "message": f"one of {', '.join(BOARD_KINDS)}"})
        partners = [p.strip() for p in (statutory_partners or [])]
        if any(not p for p in partners):
            errors.append({"field": "statutory_partners", "message": "organisation names cannot be blank"})
        if len({p.casefold() for p in partners}) != len(partners):
            errors.append({"field": "statutory_partners", "message": "an organisation is listed twice"})
        if errors:
            raise Invalid("The board cannot be set up as given.", errors=errors)
        return cls(id=id, name=name, kind=kind, area=(area or "").strip(), statutory_partners=partners)

    def statutory_organisations(self, members: list[Member]) -> list[str]:
        """Every statutory partner organisation: named on the board or by a statutory member."""
        seen: dict[str, str] = {}
        for org in [*self.statutory_partners, *(m.organisation for m in members if m.statutory)]:
            seen.setdefault(org.casefold(), org)
        return list(seen.values())


@dataclass
class Member:
    id: str
    board_id: str
    name: str
    organisation: str
    role: str
    statutory: bool
    nominated_chair: bool = False
    mou_signed_on: date | None = None
    deputy_name: str | None = None

    @classmethod
    def appoint(
        cls,
        id: str,
        board: Board,
        others: list[Member],
        name: str,
        organisation: str,
        role: str,
        statutory: bool,
        nominated_chair: bool = False,
        deputy_name: str | None = None,
    ) -> Member:
        errors: list[dict[str, str]] = []
        name = require_text(name, "name", errors, "a member needs a name")
        organisation = require_text(
            organisation, "organisation", errors, "name the organisation represented"
        )
        if role not in ROLES:
            errors.append({"field": "role", "message": f"one of {', '.join(ROLES)}"})
        if errors:
            raise Invalid("The member cannot be added as given.", errors=errors)
        for unique_role in ("independent_chair", "vice_chair"):
            holder = next((m for m in others if m.role == unique_role), None)
            if role == unique_role and holder is not None:
                raise Refused(
                    f"{board.name} already has its {ROLE_WORDS[unique_role]} ({holder.name}); "
                    "a board has only one.",
                    holder_id=holder.id,
                )
        deputy = (deputy_name or "").strip() or None
        return cls(
            id=id,
            board_id=board.id,
            name=name,
            organisation=organisation,
            role=role,
            statutory=bool(statutory),
            nominated_chair=bool(nominated_chair),
            deputy_name=deputy,
        )

    @property
    def signed(self) -> bool:
        return self.mou_signed_on is not None

    @property
    def describe(self) -> str:
        return f"{self.name} ({self.organisation})"

    def sign_mou(self, on: date) -> None:
        """The memorandum of understanding: only members with signed membership may vote."""
        if self.mou_signed_on is not None:
            raise Refused(
                f"{self.name} already signed the memorandum of understanding on "
                f"{self.mou_signed_on.isoformat()}."
            )
        self.mou_signed_on = on

    def name_deputy(self, deputy_name: str) -> None:
        """A consistent, named deputy who acts with the member's authority."""
        name = (deputy_name or "").strip()
        if not name:
            raise Invalid("Name the deputy.", errors=[{"field": "deputy_name", "message": "required"}])
        if name.casefold() == self.name.casefold():
            raise Invalid(
                "A member cannot be their own deputy.",
                errors=[{"field": "deputy_name", "message": "must be another person"}],
            )
        self.deputy_name = name


# --------------------------------------------------------------------------- meetings


@dataclass
class AgendaItem:
    id: str
    title: str
    kind: str
    decision_id: str | None = None
    # for a ratification item: the between-meetings decision it puts to the members
    ratifies_decision_id: str | None = None


@dataclass
class AttendanceEntry:
    member_id: str
    status: str
    deputy_name: str | None = None

    @property
    def attending(self) -> bool:
        return self.status in ("present", "deputy")


@dataclass
class Declaration:
    id: str
    member_id: str
    item_id: str
    nature: str
    declared_on: date


@dataclass
class Quorum:
    quorate: bool
    missing: list[str]
    presiding: Member | None


@dataclass
class Vote:
    member_id: str
    vote: str


@dataclass
class DecisionOutcome:
    method: str
    outcome: Outcome
    votes_for: int = 0
    votes_against: int = 0
    abstentions: int = 0
    casting_vote: str | None = None
    presiding_member_id: str | None = None
    votes: list[Vote] = field(default_factory=list)


def assess_quorum(board: Board, members: list[Member], register: list[AttendanceEntry]) -> Quorum:
    """Quoracy: the chair (or vice / nominated chair) and every statutory partner organisation.

    The chair counts only in person; an organisation counts when one of its members is present
    or represented by their named deputy. `missing` says what is missing in plain words.
    """
    by_id = {m.id: m for m in members}
    status = {e.member_id: e for e in register}
    in_person = [by_id[e.member_id] for e in register if e.status == "present" and e.member_id in by_id]
    attending = [by_id[e.member_id] for e in register if e.attending and e.member_id in by_id]
    missing: list[str] = []

    presiding = (
        next((m for m in in_person if m.role == "independent_chair"), None)
        or next((m for m in in_person if m.role == "vice_chair"), None)
        or next((m for m in in_person if m.nominated_chair), None)
    )
    if presiding is None:
        chairs = [m for m in members if m.role in ("independent_chair", "vice_chair") or m.nominated_chair]
        if chairs:
            why = "; ".join(
                f"{m.name} ({ROLE_WORDS[m.role] if not m.nominated_chair else 'nominated chair'}): "
                f"{_status_words(status.get(m.id))}"
                for m in chairs
            )
            missing.append(
                f"The chair: neither the independent chair, the vice chair nor a nominated "
                f"chair is present ({why})"
            )
        else:
            missing.append(
                "The chair: the board has no independent chair, vice chair or nominated chair "
                "among its members"
            )

    attending_orgs = {m.organisation.casefold() for m in attending}
    for org in board.statutory_organisations(members):
        if org.casefold() not in attending_orgs:
            reps = [m for m in members if m.organisation.casefold() == org.casefold()]
            if reps:
                why = "; ".join(f"{m.name}: {_status_words(status.get(m.id))}" for m in reps)
                missing.append(f"{org} (statutory partner): no member or named deputy present ({why})")
            else:
                missing.append(f"{org} (statutory partner): the board has no member from this organisation")
    return Quorum(quorate=not missing, missing=missing, presiding=presiding)


def _status_words(entry: AttendanceEntry | None) -> str:
    if entry is None:
        return "attendance not recorded"
    return {
        "apologies": "sent apologies",
        "absent": "absent",
        "present": "present",
        "deputy": f"represented by {entry.deputy_name}",
    }[entry.status]


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
    ) -> Meeting:
        """A meeting whose agenda opens with the standing item: declarations of interest.

        `agenda` is [(title, kind)]; a declarations item given anywhere is moved to the top, never
        duplicated. `to_ratify` is [(decision_id, title)] of between-meetings decisions awaiting
        ratification: each becomes an item so the members can ratify it.
        """
        errors: list[dict[str, str]] = []
        items: list[AgendaItem] = []
        declarations: AgendaItem | None = None
        for index, (title, kind) in enumerate(agenda):
            title, kind = (title or "").strip(), (kind or "").strip().lower()
            if not title:
                errors.append({"field": f"agenda.{index}.title", "message": "an agenda item needs a title"})
            if not kind:
                errors.append({"field": f"agenda.{index}.kind", "message": "say what kind of item it is"})
            if kind in _DECLARATION_KINDS:
                if declarations is None:
                    declarations = AgendaItem(
                        id=new_id(), title=title or DECLARATIONS_TITLE, kind=DECLARATIONS_KIND
                    )
                continue
            items.append(AgendaItem(id=new_id(), title=title, kind=kind))
        if errors:
            raise Invalid("The agenda cannot be accepted as given.", errors=errors)
        head = declarations or AgendaItem(id=new_id(), title=DECLARATIONS_TITLE, kind=DECLARATIONS_KIND)
        for decision_id, title in to_ratify or []:
            items.append(
                AgendaItem(
                    id=new_id(),
                    title=f"Ratification: {title}",
                    kind=RATIFICATION_KIND,
                    ratifies_decision_id=decision_id,
                )
            )
        return cls(
            id=id,
            board_id=board.id,
            scheduled_for=scheduled_for,
            agenda=[head, *items],
            extraordinary=bool(extraordinary),
        )

    def item(self, item_id: str) -> AgendaItem:
        for item in self.agenda:
            if item.id == item_id:
                return item
        raise Invalid(
            f"Item {item_id!r} is not on this meeting's agenda.",
            errors=[{"field": "item_id", "message": "not an item of this meeting"}],
        )

    def _open(self, action: str) -> None:
        if self.status == "cancelled":
            raise Refused(f"The meeting of {self.on.isoformat()} was cancelled: cannot {action}.")

    def record_attendance(self, members: list[Member], entries: list[AttendanceEntry]) -> None:
        """Replace the register. A deputy must be named, and be the member's named deputy if they have one."""
        self._open("record attendance")
        if self.status == "held":
            raise Refused("The meeting has been marked as held; its register is closed.")
        by_id = {m.id: m for m in members}
        errors: list[dict[str, str]] = []
        seen: set[str] = set()
        for i, entry in enumerate(entries):
            if entry.status not in ATTENDANCE_STATUSES:
                errors.append({"field": f"{i}.status", "message": f"one of {', '.join(ATTENDANCE_STATUSES)}"})
            if entry.member_id in seen:
                errors.append({"field": f"{i}.member_id", "message": "this member is listed twice"})
            seen.add(entry.member_id)
            if entry.status == "deputy" and not (entry.deputy_name or "").strip():
                errors.append({"field": f"{i}.deputy_name", "message": "name the deputy who attended"})
            if entry.status != "deputy" and entry.deputy_name:
                errors.append({"field": f"{i}.deputy_name", "message": "only for status deputy"})
        if errors:
            raise Invalid("The attendance register cannot be accepted as given.", errors=errors)
        for entry in entries:
            member = by_id.get(entry.member_id)
            if member is None:
                raise Refused(
                    f"{entry.member_id!r} is not a member of this board; add them to the board "
                    "before recording their attendance.",
                    member_id=entry.member_id,
                )
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

    def declare(self, id: str, member: Member, item_id: str, nature: str, on: date) -> Declaration:
        self._open("record a declaration")
        nature = (nature or "").strip()
        if not nature:
            raise Invalid("Say what the interest is.", errors=[{"field": "nature", "message": "required"}])
        item = self.item(item_id)
        if item.kind == DECLARATIONS_KIND:
            raise Invalid(
                "Declare an interest in a specific item, not in the declarations item itself.",
                errors=[{"field": "item_id", "message": "choose the item the interest relates to"}],
            )
        if item.decision_id is not None:
            raise Refused(
                f"'{item.title}' has already been decided; a declaration must be made before the decision."
            )
        if any(d.member_id == member.id and d.item_id == item_id for d in self.declarations):
            raise Refused(f"{member.name} has already declared an interest in '{item.title}'.")
        declaration = Declaration(id=id, member_id=member.id, item_id=item_id, nature=nature, declared_on=on)
        self.declarations.append(declaration)
        return declaration

    def quorum(self, board: Board, members: list[Member]) -> Quorum:
        return assess_quorum(board, members, self.attendance)

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
        if method not in ("consensus", "vote"):
            raise Invalid(
                "method must be consensus or vote.",
                errors=[{"field": "method", "message": "one of consensus, vote"}],
            )
        if method == "consensus" and (votes or casting_vote):
            raise Invalid(
                "A decision by consensus has no votes; use method vote to count votes.",
                errors=[{"field": "votes", "message": "only with method vote"}],
            )
        if method == "vote" and not votes:
            raise Invalid("A vote needs the votes cast.", errors=[{"field": "votes", "message": "required"}])
        if casting_vote is not None and casting_vote not in ("for", "against"):
            raise Invalid(
                "A casting vote is for or against.",
                errors=[{"field": "casting_vote", "message": "one of for, against"}],
            )

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
            return DecisionOutcome(
                method="consensus", outcome="agreed", presiding_member_id=presiding.id if presiding else None
            )

        counted = self._count(members, item, votes or [])
        ayes = sum(1 for v in counted if v.vote == "for")
        noes = sum(1 for v in counted if v.vote == "against")
        abstentions = len(counted) - ayes - noes
        used_casting: str | None = None
        if ayes > noes:
            outcome: Outcome = "carried"
        elif noes > ayes:
            outcome = "not_carried"
        else:
            if casting_vote is None:
                chair = presiding.name if presiding else "the chair"
                raise Refused(
                    f"The vote is tied ({ayes} for, {noes} against). The chair presiding ({chair}) has the "
                    'casting vote: send casting_vote "for" or "against".',
                    votes_for=ayes,
                    votes_against=noes,
                )
            used_casting = casting_vote
            outcome = "carried" if casting_vote == "for" else "not_carried"
        item.decision_id = decision_id
        return DecisionOutcome(
            method="vote",
            outcome=outcome,
            votes_for=ayes,
            votes_against=noes,
            abstentions=abstentions,
            casting_vote=used_casting,
            presiding_member_id=presiding.id if presiding else None,
            votes=counted,
        )

    def _count(self, members: list[Member], item: AgendaItem, votes: list[Vote]) -> list[Vote]:
        by_id = {m.id: m for m in members}
        register = {e.member_id: e for e in self.attendance}
        conflicted = {d.member_id: d for d in self.declarations if d.item_id == item.id}
        by_org: dict[str, Member] = {}
        counted: list[Vote] = []
        for index, ballot in enumerate(votes):
            if ballot.vote not in VOTES:
                raise Invalid(
                    "A vote is for, against or abstain.",
                    errors=[{"field": f"votes.{index}.vote", "message": "one of for, against, abstain"}],
                )
            member = by_id.get(ballot.member_id)
            if member is None:
                raise Refused(
                    f"Vote {index + 1} is from {ballot.member_id!r}, who is not a member of this "
                    "board; only members may vote.",
                    member_id=ballot.member_id,
                )
            entry = register.get(member.id)
            if entry is None or not entry.attending:
                raise Refused(
                    f"{member.describe} cannot vote: {_status_words(entry)} at this meeting. Only members "
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
                raise Refused(
                    f"{member.describe} cannot vote on '{item.title}': they declared an interest "
                    f"({conflicted[member.id].nature}) and take no part in this decision.",
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


# --------------------------------------------------------------------------- decisions


@dataclass
class Decision:
    """A board decision: at a meeting, or between meetings by the chair with the statutory partners."""

    id: str
    board_id: str
    meeting_id: str | None
    item_id: str | None
    item_title: str
    method: str  # consensus | vote | between_meetings
    outcome: Outcome
    decided_on: date
    requires_ratification: bool = False
    votes_for: int = 0
    votes_against: int = 0
    abstentions: int = 0
    casting_vote: str | None = None
    presiding_member_id: str | None = None
    votes: list[Vote] = field(default_factory=list)
    decided_by: str | None = None
    consulted: list[str] = field(default_factory=list)
    ratification: str | None = None  # None | pending | ratified | not_ratified
    ratified_at_meeting_id: str | None = None
    ratified_on: date | None = None

    @classmethod
    def at_meeting(
        cls, id: str, meeting: Meeting, item_id: str, outcome: DecisionOutcome, on: date
    ) -> Decision:
        item = meeting.item(item_id)
        return cls(
            id=id,
            board_id=meeting.board_id,
            meeting_id=meeting.id,
            item_id=item_id,
            item_title=item.title,
            method=outcome.method,
            outcome=outcome.outcome,
            decided_on=on,
            votes_for=outcome.votes_for,
            votes_against=outcome.votes_against,
            abstentions=outcome.abstentions,
            casting_vote=outcome.casting_vote,
            presiding_member_id=outcome.presiding_member_id,
            votes=list(outcome.votes),
        )

    @classmethod
    def between_meetings(
        cls,
        id: str,
        board: Board,
        members: list[Member],
        title: str,
        decided_by: str,
        consulted: list[str],
        on: date,
    ) -> Decision:
        """The chair (or vice chair) with all the statutory partners decides, for ratification later."""
        title = (title or "").strip()
        if not title:
            raise Invalid("Say what was decided.", errors=[{"field": "item_title", "message": "required"}])
        by_id = {m.id: m for m in members}
        chair = by_id.get(decided_by)
        if chair is None:
            raise Refused(f"{decided_by!r} is not a member of {board.name}.", member_id=decided_by)
        if chair.role not in ("independent_chair", "vice_chair"):
            raise Refused(
                f"{chair.describe} is the board's {ROLE_WORDS[chair.role]}: only the chair, or in their "
                "absence the vice chair, decides between meetings.",
                member_id=chair.id,
            )
        unknown = [c for c in consulted if c not in by_id]
        if unknown:
            raise Refused(
                f"Consulted {', '.join(unknown)}, who are not members of {board.name}.", members=unknown
            )
        consulted_orgs = {by_id[c].organisation.casefold() for c in consulted}
        not_consulted = [
            o for o in board.statutory_organisations(members) if o.casefold() not in consulted_orgs
        ]
        if not_consulted:
            raise Refused(
                "A decision between meetings needs the chair and every statutory partner. Not consulted: "
                + ", ".join(not_consulted)
                + ". Consult them, or convene an extraordinary meeting.",
                missing=not_consulted,
            )
        return cls(
            id=id,
            board_id=board.id,
            meeting_id=None,
            item_id=None,
            item_title=title,
            method="between_meetings",
            outcome="agreed",
            decided_on=on,
            requires_ratification=True,
            decided_by=chair.id,
            consulted=list(dict.fromkeys(consulted)),
            ratification="pending",
        )

    def ratify(self, meeting_id: str, outcome: DecisionOutcome, on: date) -> bool:
        if self.ratification != "pending":
            raise Refused(f"The decision '{self.item_title}' is not awaiting ratification.")
        ratified = outcome.outcome in ("carried", "agreed")
        self.ratification = "ratified" if ratified else "not_ratified"
        self.ratified_at_meeting_id = meeting_id
        self.ratified_on = on
        return ratified

    @property
    def approves(self) -> bool:
        """Whether the board said yes (carried or agreed, and not overturned at ratification)."""
        return self.outcome in ("carried", "agreed") and self.ratification != "not_ratified"
