"""Quorum: who attended a meeting of the board (the attendance register), and whether they are enough to decide.

The board's constitution (seed 003, "Quoracy & Voting"): the chair (or the vice or a nominated chair) in
person, and every statutory partner organisation by a member or that member's named deputy; a children's
partnership: the lead partner's chair and each of its three safeguarding partners (boards.domain). Plain Python;
the meeting (meetings.domain) keeps the register and asks these rules before it decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from civic_safeguarding.boards.domain import PARTNER_WORDS, ROLE_WORDS, SAFEGUARDING_PARTNERS, Board, Member

ATTENDANCE_STATUSES = ("present", "apologies", "absent", "deputy")


@dataclass
class AttendanceEntry:
    member_id: str
    status: str
    deputy_name: str | None = None

    @property
    def attending(self) -> bool:
        return self.status in ("present", "deputy")


@dataclass
class Quorum:
    quorate: bool
    missing: list[str]
    presiding: Member | None


def assess_quorum(board: Board, members: list[Member], register: list[AttendanceEntry], on: date | None = None) -> Quorum:
    """Quoracy: the chair and every statutory partner, counting only the members serving on `on` (the
    meeting's day; one who gave notice counts until the day they leave, not after).

    An adults' board: the independent chair (or the vice or a nominated chair) and every statutory partner
    organisation. A children's partnership: the lead partner's member (or a nominated chair; any of the three
    partners' while they have not agreed a lead) and each of the three safeguarding partners. The chair counts
    only in person; a partner counts when one of its members is present or represented by their named
    deputy. `missing` says what is missing in plain words.
    """
    everyone = members
    members = [m for m in members if on is None or m.serving_on(on)]
    by_id = {m.id: m for m in members}
    status = {e.member_id: e for e in register}
    in_person = [by_id[e.member_id] for e in register if e.status == "present" and e.member_id in by_id]
    attending = [by_id[e.member_id] for e in register if e.attending and e.member_id in by_id]
    if board.partnership:
        presiding, missing = _partnership_chair(board, members, in_person, status)
        wanted = {
            PARTNER_WORDS[p]: [m for m in members if m.statutory and m.safeguarding_partner == p]
            for p in SAFEGUARDING_PARTNERS
        }
        missing += _unrepresented(wanted, attending, status, "safeguarding partner", "no member serving on the partnership")
    else:
        presiding, missing = _board_chair(members, in_person, status)
        orgs = board.statutory_organisations(everyone)
        wanted = {org: [m for m in members if m.organisation.casefold() == org.casefold()] for org in orgs}
        missing += _unrepresented(
            wanted, attending, status, "statutory partner", "the board has no member from this organisation"
        )
    return Quorum(quorate=not missing, missing=missing, presiding=presiding)


def _board_chair(
    members: list[Member], in_person: list[Member], status: dict[str, AttendanceEntry]
) -> tuple[Member | None, list[str]]:
    presiding = (
        next((m for m in in_person if m.role == "independent_chair"), None)
        or next((m for m in in_person if m.role == "vice_chair"), None)
        or next((m for m in in_person if m.nominated_chair), None)
    )
    if presiding is not None:
        return presiding, []
    chairs = [m for m in members if m.role in ("independent_chair", "vice_chair") or m.nominated_chair]
    if not chairs:
        return None, ["The chair: the board has no independent chair, vice chair or nominated chair among its members"]
    why = "; ".join(
        f"{m.name} ({ROLE_WORDS[m.role] if not m.nominated_chair else 'nominated chair'}): {status_words(status.get(m.id))}"
        for m in chairs
    )
    return None, [f"The chair: neither the independent chair, the vice chair nor a nominated chair is present ({why})"]


def _partnership_chair(
    board: Board, members: list[Member], in_person: list[Member], status: dict[str, AttendanceEntry]
) -> tuple[Member | None, list[str]]:
    """The three partners are equal: the one they agreed leads chairs (or a nominated chair); while they
    have agreed none, any of them present in person."""
    leads = [p for p in SAFEGUARDING_PARTNERS if board.lead_partner in (None, p)]
    presiding = next((m for m in in_person if m.statutory and m.safeguarding_partner in leads), None) or next(
        (m for m in in_person if m.nominated_chair), None
    )
    if presiding is not None:
        return presiding, []
    chairs = [m for m in members if (m.statutory and m.safeguarding_partner in leads) or m.nominated_chair]
    why = "; ".join(f"{m.name}: {status_words(status.get(m.id))}" for m in chairs) or "none on the partnership"
    lead = PARTNER_WORDS[board.lead_partner] if board.lead_partner else "any of the three safeguarding partners"
    return None, [f"The chair: no member of the lead partner ({lead}) nor a nominated chair is present ({why})"]


def _unrepresented(
    wanted: dict[str, list[Member]], attending: list[Member], status: dict[str, AttendanceEntry], kind: str, none: str
) -> list[str]:
    """Each statutory partner (`wanted`: its name and its members serving) none of whose members attends, in
    words; `kind` says what sort of partner it is, `none` what is missing when it has no member at all."""
    here = {m.id for m in attending}
    missing = []
    for partner, reps in wanted.items():
        if any(m.id in here for m in reps):
            continue
        if reps:
            why = "; ".join(f"{m.name}: {status_words(status.get(m.id))}" for m in reps)
            missing.append(f"{partner} ({kind}): no member or named deputy present ({why})")
        else:
            missing.append(f"{partner} ({kind}): {none}")
    return missing


def status_words(entry: AttendanceEntry | None) -> str:
    """How a member stands in the register, in words (why they do not count, or may not vote)."""
    if entry is None:
        return "attendance not recorded"
    return {
        "apologies": "sent apologies",
        "absent": "absent",
        "present": "present",
        "deputy": f"represented by {entry.deputy_name}",
    }[entry.status]
