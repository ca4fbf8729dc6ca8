"""Boards and their members: who sits on the board, in which role, who may vote, and until when.

From the board's constitution (seed 003, "Expectations of Partnership Members", "Notice of Leaving",
"Review of Constitution") under the Care Act 2014: one independent chair and one vice chair, statutory
partners, a memorandum of understanding signed before voting, a consistent named deputy, notice given to
the chair by a member leaving, the constitution reviewed every year.

A children's safeguarding partnership is shaped by other law (Children Act 2004 s16E-16F, as the Children
and Social Work Act 2017 amended it; Working Together to Safeguard Children 2023): three safeguarding
partners, equal in law (the local authority, the chief officer of police, the integrated care board),
no independent chair (the partners agree which of them leads and chairs, and may rotate it) but
independent scrutiny of the arrangements. Plain Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from civic.errors import FieldErrors, Invalid, Refused

from civic_safeguarding.domain import require_text

ADULTS, CHILDREN = "adults", "children"
BOARD_KINDS = (ADULTS, CHILDREN)
#: the case reviews each kind of board holds: an adults' board's Safeguarding Adults Reviews (Care Act 2014
#: s44), a children's partnership's Child Safeguarding Practice Reviews (Children Act 2004 s16F)
SAR, PRACTICE_REVIEW = "sar", "practice_review"
REVIEW_KINDS = {ADULTS: SAR, CHILDREN: PRACTICE_REVIEW}
ROLES = (
    "independent_chair",
    "vice_chair",
    "statutory_partner",
    "member",
    "sub_group_chair",
    "business_manager",
    "independent_scrutineer",
)
ROLE_WORDS = {
    "independent_chair": "independent chair",
    "vice_chair": "vice chair",
    "statutory_partner": "statutory partner",
    "member": "member",
    "sub_group_chair": "sub-group chair",
    "business_manager": "business manager",
    "independent_scrutineer": "independent scrutineer",
}
#: the three safeguarding partners of a children's partnership, equal in law (Children Act 2004 s16E)
SAFEGUARDING_PARTNERS = ("local_authority", "police", "health")
PARTNER_WORDS = {
    "local_authority": "the local authority",
    "police": "the chief officer of police",
    "health": "the integrated care board",
}
#: the roles one kind of board has and the other has not, and the rule that says so
ROLES_NOT_HELD = {
    CHILDREN: {
        "independent_chair": "A children's safeguarding partnership has no independent chair: its three safeguarding "
        "partners lead it equally and agree which of them chairs (Working Together to Safeguard Children 2023). "
        "Appoint the independent scrutineer (role independent_scrutineer) for independent scrutiny instead.",
    },
    ADULTS: {
        "independent_scrutineer": "A Safeguarding Adults Board is led by its independent chair (Care Act 2014 "
        "Schedule 2); independent scrutiny is a children's safeguarding partnership's role.",
    },
}
#: the constitution is reviewed by the board every year (seed 003, "Review of Constitution")
CONSTITUTION_REVIEW_YEARS = 1


def a_year_after(day: date, years: int = CONSTITUTION_REVIEW_YEARS) -> date:
    """The same day `years` later (29 February: the 28th)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass
class ConstitutionReview:
    """The board's yearly review of its constitution, approved by one of its decisions."""

    reviewed_on: date
    decision_id: str


@dataclass
class Board:
    id: str
    name: str
    kind: str
    area: str = ""
    # Statutory partner organisations named by the board; organisations of members flagged
    # statutory count too (see statutory_organisations).
    statutory_partners: list[str] = field(default_factory=list)
    #: a children's partnership: the safeguarding partner that leads and chairs it now (None: not agreed yet)
    lead_partner: str | None = None
    #: the day it was set up (None for a board stored before it was kept: its first review is due at once)
    established_on: date | None = None
    constitution_reviews: list[ConstitutionReview] = field(default_factory=list)

    @classmethod
    def establish(
        cls,
        id: str,
        name: str,
        kind: str,
        area: str = "",
        statutory_partners: list[str] | None = None,
        lead_partner: str | None = None,
        on: date | None = None,
    ) -> Board:
        errors = FieldErrors()
        name = require_text(name, "name", errors, "a board needs a name")
        if kind not in BOARD_KINDS:
            errors.add("kind", f"one of {', '.join(BOARD_KINDS)}")
        if lead_partner is not None and kind != CHILDREN:
            errors.add("lead_partner", "only a children's safeguarding partnership has a lead partner")
        elif lead_partner is not None and lead_partner not in SAFEGUARDING_PARTNERS:
            errors.add("lead_partner", f"one of {', '.join(SAFEGUARDING_PARTNERS)}")
        partners = [p.strip() for p in (statutory_partners or [])]
        if any(not p for p in partners):
            errors.add("statutory_partners", "organisation names cannot be blank")
        if len({p.casefold() for p in partners}) != len(partners):
            errors.add("statutory_partners", "an organisation is listed twice")
        errors.raise_if_any("The board cannot be set up as given.")
        area = (area or "").strip()
        return cls(id, name, kind, area, partners, lead_partner, on)

    @property
    def partnership(self) -> bool:
        """A children's safeguarding partnership (three equal partners), not an adults' board."""
        return self.kind == CHILDREN

    @property
    def review_kind(self) -> str:
        """The case reviews the board holds: SARs on an adults' board, practice reviews on a partnership."""
        return REVIEW_KINDS[self.kind]

    def change_lead_partner(self, partner: str) -> None:
        """The safeguarding partners agree which of them leads and chairs the partnership (and may rotate it)."""
        if not self.partnership:
            raise Refused(
                f"{self.name} is a Safeguarding Adults Board, chaired by its independent chair; only a children's "
                "safeguarding partnership has a lead partner."
            )
        if partner not in SAFEGUARDING_PARTNERS:
            raise Invalid.at("lead_partner", f"one of {', '.join(SAFEGUARDING_PARTNERS)}", "Name a safeguarding partner.")
        self.lead_partner = partner

    # ------------------------------------------------------------------ the constitution's yearly review

    @property
    def constitution_reviewed_on(self) -> date | None:
        return max((r.reviewed_on for r in self.constitution_reviews), default=None)

    @property
    def constitution_review_due_on(self) -> date | None:
        """A year after the last review, or after the board was set up; None: never reviewed, and set up before
        the day was kept (due at once)."""
        last = self.constitution_reviewed_on or self.established_on
        return a_year_after(last) if last else None

    def constitution_review_overdue(self, today: date) -> bool:
        due = self.constitution_review_due_on
        return due is None or due < today

    def review_constitution(self, decision_id: str, approved: bool, decided_on: date, on: date) -> ConstitutionReview:
        """The board reviewed its constitution (seed 003: annually), approved by its decision `decision_id`
        (`approved`: carried or agreed and in effect, on `decided_on`); once a decision."""
        if not approved:
            raise Refused(
                "The constitution's review is approved by a decision of the board in favour, in effect: "
                f"decision {decision_id} is not.",
                decision_id=decision_id,
            )
        if any(r.decision_id == decision_id for r in self.constitution_reviews):
            raise Refused(f"Decision {decision_id} already approved a review of the constitution.", decision_id=decision_id)
        if on < decided_on:
            raise Invalid.at(
                "reviewed_on",
                "not before the decision",
                f"The decision approving the review was taken on {decided_on}: the review is not recorded before it.",
            )
        review = ConstitutionReview(on, decision_id)
        self.constitution_reviews.append(review)
        return review

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
    #: on a children's partnership, a statutory member's safeguarding partner (one of SAFEGUARDING_PARTNERS)
    safeguarding_partner: str | None = None
    #: notice of leaving (seed 003): given on `notice_given_on`, a member until `leaves_on`, not after
    notice_given_on: date | None = None
    leaves_on: date | None = None

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
        safeguarding_partner: str | None = None,
    ) -> Member:
        errors = FieldErrors()
        name = require_text(name, "name", errors, "a member needs a name")
        organisation = require_text(organisation, "organisation", errors, "name the organisation represented")
        if role not in ROLES:
            errors.add("role", f"one of {', '.join(ROLES)}")
        if safeguarding_partner is not None and (not statutory or safeguarding_partner not in SAFEGUARDING_PARTNERS):
            errors.add("safeguarding_partner", f"a statutory member's: one of {', '.join(SAFEGUARDING_PARTNERS)}")
        errors.raise_if_any("The member cannot be added as given.")
        not_held = ROLES_NOT_HELD[board.kind].get(role)
        if not_held:
            raise Refused(not_held, role=role, kind=board.kind)
        if board.partnership and statutory and safeguarding_partner is None:
            # the field against the stored board's kind: 422 naming it, as the schema cannot know the kind
            raise Invalid.at(
                "safeguarding_partner",
                f"one of {', '.join(SAFEGUARDING_PARTNERS)} on a children's partnership",
                f"{board.name} is a children's safeguarding partnership: a statutory member represents one of its three "
                f"safeguarding partners (Children Act 2004 s16E); say which in safeguarding_partner "
                f"({', '.join(SAFEGUARDING_PARTNERS)}).",
            )
        for unique_role in ("independent_chair", "vice_chair"):
            holder = next((m for m in others if m.role == unique_role), None)
            if role == unique_role and holder is not None:
                raise Refused(
                    f"{board.name} already has its {ROLE_WORDS[unique_role]} ({holder.name}); a board has only one.",
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
            safeguarding_partner=safeguarding_partner,
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
            raise Refused(f"{self.name} already signed the memorandum of understanding on {self.mou_signed_on.isoformat()}.")
        self.mou_signed_on = on

    def name_deputy(self, deputy_name: str) -> None:
        """A consistent, named deputy who acts with the member's authority."""
        name = (deputy_name or "").strip()
        if not name:
            raise Invalid.at("deputy_name", "required", "Name the deputy.")
        if name.casefold() == self.name.casefold():
            raise Invalid.at("deputy_name", "must be another person", "A member cannot be their own deputy.")
        self.deputy_name = name

    # ------------------------------------------------------------------ notice of leaving

    def serving_on(self, day: date) -> bool:
        """A member on `day`: one who gave notice stays a member until the day they leave, not after it."""
        return self.leaves_on is None or day <= self.leaves_on

    def give_notice(self, leaves_on: date, given_on: date) -> None:
        """Notice of leaving, given to the chair so that a replacement can be found (seed 003): the member
        stays a member until `leaves_on`; after it they count for neither quorum nor representation."""
        if self.leaves_on is not None:
            left = "left" if self.leaves_on < given_on else "leaves"
            raise Refused(
                f"{self.describe} already gave notice on {self.notice_given_on}: {left} on {self.leaves_on}.",
                leaves_on=self.leaves_on.isoformat(),
            )
        if leaves_on < given_on:
            raise Invalid.at(
                "leaves_on",
                "not before the notice",
                f"Notice given on {given_on} cannot end membership before it: leaves_on is the member's last day.",
            )
        self.notice_given_on, self.leaves_on = given_on, leaves_on


@dataclass
class Vacancy:
    """A statutory partner with no member serving on the board: the partner must fill it."""

    partner: str
    #: the member whose leaving made it (or None: the partner never had one)
    left_by: str | None
    since: date | None


def vacancies(board: Board, members: list[Member], on: date) -> list[Vacancy]:
    """The statutory partners no member represents on `on`: on an adults' board each statutory organisation, on
    a children's partnership each of the three safeguarding partners."""
    serving = [m for m in members if m.statutory and m.serving_on(on)]
    if board.partnership:
        wanted = {p: [m for m in members if m.safeguarding_partner == p] for p in SAFEGUARDING_PARTNERS}
        held = {m.safeguarding_partner for m in serving}
    else:
        wanted = {
            org: [m for m in members if m.statutory and m.organisation.casefold() == org.casefold()]
            for org in board.statutory_organisations(members)
        }
        held = {m.organisation.casefold() for m in serving}
    found: list[Vacancy] = []
    for partner, past in wanted.items():
        if (partner if board.partnership else partner.casefold()) in held:
            continue
        gone = max((m for m in past if m.leaves_on), key=lambda m: m.leaves_on or on, default=None)
        found.append(Vacancy(partner, gone.id if gone else None, a_day_after(gone.leaves_on) if gone else None))
    return found


def a_day_after(day: date | None) -> date | None:
    return day + timedelta(days=1) if day else None
