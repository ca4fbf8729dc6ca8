"""Quorum: who attended a meeting of the board (the attendance register), and whether they are enough to decide.

The board's constitution (seed 003, "Quoracy & Voting"): the chair (or the vice or a nominated chair) in
person, and every statutory partner organisation by a member or that member's named deputy. Plain Python;
the meeting (meetings.domain) keeps the register and asks these rules before it decides.
"""

from __future__ import annotations

from dataclasses import dataclass

from civic_safeguarding.boards.domain import ROLE_WORDS, Board, Member

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
                f"{status_words(status.get(m.id))}"
                for m in chairs
            )
            missing.append(
                f"The chair: neither the independent chair, the vice chair nor a nominated chair is present ({why})"
            )
        else:
            missing.append("The chair: the board has no independent chair, vice chair or nominated chair among its members")

    attending_orgs = {m.organisation.casefold() for m in attending}
    for org in board.statutory_organisations(members):
        if org.casefold() not in attending_orgs:
            reps = [m for m in members if m.organisation.casefold() == org.casefold()]
            if reps:
                why = "; ".join(f"{m.name}: {status_words(status.get(m.id))}" for m in reps)
                missing.append(f"{org} (statutory partner): no member or named deputy present ({why})")
            else:
                missing.append(f"{org} (statutory partner): the board has no member from this organisation")
    return Quorum(quorate=not missing, missing=missing, presiding=presiding)


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
