"""Boards and their members: who sits on the board, in which role, and who may vote.

From the board's constitution (seed 003, "Expectations of Partnership Members") under the Care
Act 2014: one independent chair and one vice chair, statutory partners, a memorandum of
understanding signed before voting, a consistent named deputy. Plain Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from civic.errors import FieldErrors, Invalid, Refused

from civic_safeguarding.domain import require_text

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
        errors = FieldErrors()
        name = require_text(name, "name", errors, "a board needs a name")
        if kind not in BOARD_KINDS:
            errors.add("kind", f"one of {', '.join(BOARD_KINDS)}")
        partners = [p.strip() for p in (statutory_partners or [])]
        if any(not p for p in partners):
            errors.add("statutory_partners", "organisation names cannot be blank")
        if len({p.casefold() for p in partners}) != len(partners):
            errors.add("statutory_partners", "an organisation is listed twice")
        errors.raise_if_any("The board cannot be set up as given.")
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
        errors = FieldErrors()
        name = require_text(name, "name", errors, "a member needs a name")
        organisation = require_text(
            organisation, "organisation", errors, "name the organisation represented"
        )
        if role not in ROLES:
            errors.add("role", f"one of {', '.join(ROLES)}")
        errors.raise_if_any("The member cannot be added as given.")
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
            raise Invalid.at("deputy_name", "required", "Name the deputy.")
        if name.casefold() == self.name.casefold():
            raise Invalid.at("deputy_name", "must be another person", "A member cannot be their own deputy.")
        self.deputy_name = name
