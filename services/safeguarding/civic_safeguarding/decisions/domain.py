"""Board decisions: the outcome of a vote or consensus, decisions between meetings, ratification.

From the board's constitution (seed 003, "Quoracy & Voting"): a simple majority of the votes cast,
the presiding chair's casting vote on a tie; between meetings the chair decides with every
statutory partner, and the next meeting ratifies. Plain Python. Who may vote at a meeting is the
meeting's rule (meetings.domain); what is decided, and how, is here.

A decision may authorise a comms content item for publication (``authorises_content_id``): the board
authorises its own media communications (seed 003), so its sign-off on a press release is a decision
of the board like any other, and comms records the sign-off from the decision's event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from civic.errors import Invalid, Refused

from civic_safeguarding.boards.domain import PARTNER_WORDS, ROLE_WORDS, SAFEGUARDING_PARTNERS, Board, Member

if TYPE_CHECKING:
    # a decision at a meeting is built from it; the meeting's rules in turn use the outcome below
    from civic_safeguarding.meetings.domain import Meeting

METHODS = ("consensus", "vote")  # how a meeting decides; between meetings is Decision.between_meetings
VOTES = ("for", "against", "abstain")
CASTING_VOTES = ("for", "against")
RATIFICATIONS = ("pending", "ratified", "not_ratified")
#: a between-meetings decision awaits the statutory partners' confirmations; every other decision is in effect
STATUSES = ("awaiting_confirmation", "in_effect")

Outcome = Literal["carried", "not_carried", "agreed"]

#: the id of a comms content item, as a decision names it (comms gives the ids): letters, digits, "_" and
#: "-", at most 64 (ASCII classes only, as JSON Schema's pattern reads them; the API states the same)
CONTENT_ID_PATTERN = "^[A-Za-z0-9_-]{1,64}$"
_CONTENT_ID = re.compile(CONTENT_ID_PATTERN[:-1] + r"\Z")


def content_to_authorise(value: str | None) -> str | None:
    """The comms content item a decision authorises for publication, if any: an id, or refused (422)."""
    if value is None:
        return None
    if _CONTENT_ID.match(value) is None:
        raise Invalid.at(
            "authorises_content_id", "not a content id",
            "authorises_content_id names a comms content item by its id (letters, digits, _ and -, "
            "at most 64).",
        )
    return value


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

    def recorded(self) -> dict[str, Any]:
        """The outcome as a decision records it: the same fields, under the same names (the votes a list of
        the decision's own)."""
        return {f.name: getattr(self, f.name) for f in fields(self)} | {"votes": list(self.votes)}

    @classmethod
    def by_consensus(cls, presiding: Member | None) -> DecisionOutcome:
        presiding_member_id = presiding.id if presiding else None
        return cls(method="consensus", outcome="agreed", presiding_member_id=presiding_member_id)

    @classmethod
    def by_vote(
        cls, counted: list[Vote], casting_vote: str | None, presiding: Member | None
    ) -> DecisionOutcome:
        """A simple majority of the votes counted; on a tie, the presiding chair's casting vote decides
        (and is needed: a tie without one is refused). A casting vote without a tie is not used."""
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
        return cls(
            method="vote",
            outcome=outcome,
            votes_for=ayes,
            votes_against=noes,
            abstentions=abstentions,
            casting_vote=used_casting,
            presiding_member_id=presiding.id if presiding else None,
            votes=counted,
        )


@dataclass
class Confirmation:
    """A statutory partner's electronic confirmation of a decision between meetings: by its member on the
    board, or that member's named deputy (``by_deputy``)."""

    organisation: str
    member_id: str
    by_deputy: bool
    confirmed_on: date


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
    #: the comms content item this decision authorises for publication (the board's sign-off), if any
    authorises_content_id: str | None = None
    #: decisions stored before confirmations existed were all in effect, hence the default
    status: str = "in_effect"
    #: between meetings: the statutory partners who must confirm, those still to, and those who have
    partners: list[str] = field(default_factory=list)
    awaiting: list[str] = field(default_factory=list)
    confirmations: list[Confirmation] = field(default_factory=list)
    in_effect_on: date | None = None

    @classmethod
    def at_meeting(
        cls,
        id: str,
        meeting: Meeting,
        item_id: str,
        outcome: DecisionOutcome,
        on: date,
        authorises_content_id: str | None = None,
    ) -> Decision:
        content_id = content_to_authorise(authorises_content_id)
        item = meeting.item(item_id)
        return cls(
            id=id,
            board_id=meeting.board_id,
            in_effect_on=on,
            meeting_id=meeting.id,
            item_id=item_id,
            item_title=item.title,
            decided_on=on,
            authorises_content_id=content_id,
            **outcome.recorded(),
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
        authorises_content_id: str | None = None,
    ) -> Decision:
        """The chair (or vice chair) with all the statutory partners decides, for ratification later. It
        awaits each statutory partner's confirmation (seed 003: validated electronically) before it takes
        effect: see :meth:`confirm`."""
        title = (title or "").strip()
        if not title:
            raise Invalid.at("item_title", "required", "Say what was decided.")
        content_id = content_to_authorise(authorises_content_id)
        by_id = {m.id: m for m in members}
        chair = by_id.get(decided_by)
        if chair is None:
            raise Refused(f"{decided_by!r} is not a member of {board.name}.", member_id=decided_by)
        if not chair.serving_on(on):
            raise Refused(f"{chair.describe} left the board on {chair.leaves_on}.", member_id=chair.id)
        if board.partnership:
            leads = [p for p in SAFEGUARDING_PARTNERS if board.lead_partner in (None, p)]
            if not (chair.statutory and chair.safeguarding_partner in leads):
                lead = PARTNER_WORDS[board.lead_partner] if board.lead_partner else "one of the safeguarding partners"
                raise Refused(
                    f"{chair.describe} is not a member for the lead partner ({lead}): between meetings the lead "
                    "partner decides with the other safeguarding partners (a children's partnership has no "
                    "independent chair).",
                    member_id=chair.id,
                )
        elif chair.role not in ("independent_chair", "vice_chair"):
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
        partners = board.statutory_organisations(members)
        not_consulted = [o for o in partners if o.casefold() not in consulted_orgs]
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
            authorises_content_id=content_id,
            status="awaiting_confirmation",
            partners=partners,
            awaiting=list(partners),
        )

    def confirm(self, members: list[Member], organisation: str, member_id: str,
                deputy_name: str | None, on: date) -> bool:
        """A statutory partner confirms this decision between meetings, by its member on the board or that
        member's named deputy. True when it was the last: the decision is then in effect."""
        if self.method != "between_meetings":
            raise Refused(f"The decision '{self.item_title}' was taken at a meeting; it needs no confirmation.")
        wanted = organisation.strip().casefold()
        partner = next((p for p in self.partners if p.casefold() == wanted), None)
        if partner is None:
            raise Refused(
                f"{organisation!r} is not a statutory partner of the board; only "
                + ", ".join(self.partners) + " confirm a decision between meetings.",
                partners=self.partners,
            )
        if partner not in self.awaiting:
            done = next(c for c in self.confirmations if c.organisation == partner)
            raise Refused(
                f"{partner} already confirmed the decision '{self.item_title}' on {done.confirmed_on}.",
                organisation=partner,
            )
        member = next((m for m in members if m.id == member_id), None)
        if member is None or member.organisation.casefold() != partner.casefold():
            raise Refused(
                f"{member_id!r} is not {partner}'s member on the board: the partner's own member (or their "
                "named deputy) confirms.",
                member_id=member_id,
            )
        deputy = (deputy_name or "").strip() or None
        if deputy is not None and (member.deputy_name or "").casefold() != deputy.casefold():
            raise Refused(
                f"{deputy} is not the named deputy of {member.describe}; change the named deputy first if it "
                "has changed.",
                member_id=member.id,
            )
        if on < self.decided_on:
            raise Invalid.at("confirmed_on", "not before the decision",
                             f"The decision was taken on {self.decided_on}; it cannot be confirmed before.")
        self.confirmations.append(Confirmation(partner, member.id, deputy is not None, on))
        self.awaiting.remove(partner)
        if self.awaiting:
            return False
        self.status, self.in_effect_on = "in_effect", on
        return True

    def check_in_effect(self) -> None:
        """What relies on a decision (an annual report's approval, a ratification) relies on one in effect."""
        if self.status != "in_effect":
            raise Refused(
                f"The decision '{self.item_title}' has not taken effect: it awaits the confirmation of "
                + ", ".join(self.awaiting) + ".",
                decision_id=self.id,
                awaiting=self.awaiting,
            )

    def ratify(self, meeting_id: str, outcome: DecisionOutcome, on: date) -> bool:
        self.check_in_effect()
        if self.ratification != "pending":
            raise Refused(f"The decision '{self.item_title}' is not awaiting ratification.")
        ratified = outcome.outcome in ("carried", "agreed")
        self.ratification = "ratified" if ratified else "not_ratified"
        self.ratified_at_meeting_id = meeting_id
        self.ratified_on = on
        return ratified

    @property
    def approves(self) -> bool:
        """Whether the board said yes (carried or agreed, in effect, and not overturned at ratification)."""
        return (
            self.status == "in_effect"
            and self.outcome in ("carried", "agreed")
            and self.ratification != "not_ratified"
        )
