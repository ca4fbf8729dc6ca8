"""What an officer's scopes let the pages show and offer.

Pages never show what the officer may not read, and never offer an action the API would refuse for
scope. The scopes are the token's; the rules mirror the gateway's (``<service>:read`` for a read,
``<service>:write`` for a change) and the finer ones a service checks itself (approving an initiative
needs ``savings:approve``). Whether a move is possible at all (an initiative's state) is the API's to
say: the page offers the moves the initiative's ``next_statuses`` lists, less those the scopes forbid.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: the sections of the app with pages so far: (service, heading, where its pages start)
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("savings", "Savings", "/savings/initiatives"),
    ("property", "Property", "/property/buildings"),
    ("safeguarding", "Safeguarding", "/safeguarding/boards"),
    ("comms", "Comms", "/comms/content"),
)

#: the operators' section (traces and dead letters), shown for the ops scope rather than a service's read scope
OPERATIONS = ("Operations", "/operations/traces")

#: a move that needs a scope besides <service>:write
MOVES_NEEDING = {"approved": "savings:approve", "rejected": "savings:approve"}

#: the steps of comms' content workflow from each status, as the API describes POST /content/{id}/transitions
#: (draft -> in_review -> approved -> scheduled -> published; back to draft with a reason). A content item
#: does not list its next statuses as an initiative does, so the page offers these; the API still decides.
CONTENT_STEPS: dict[str, tuple[str, ...]] = {
    "draft": ("in_review",),
    "in_review": ("approved", "draft"),
    "approved": ("scheduled", "published", "draft"),
    "scheduled": ("published", "draft"),
}
#: a content step that needs a scope besides comms:write
CONTENT_STEPS_NEEDING = {"approved": "comms:approve"}


class Needs:
    """Something an officer may do when their token holds ``scope``: read on a :class:`Permissions` as a bool."""

    def __init__(self, scope: str, doc: str) -> None:
        self.scope = scope
        self.__doc__ = doc

    def __get__(self, permissions: Permissions | None, owner: type) -> bool:
        return permissions is not None and permissions.may(self.scope)


@dataclass(frozen=True)
class Permissions:
    scopes: frozenset[str]

    @classmethod
    def of(cls, scopes: Iterable[str]) -> Permissions:
        return cls(frozenset(scopes))

    def may(self, scope: str) -> bool:
        return scope in self.scopes

    def reads(self, service: str) -> bool:
        return self.may(f"{service}:read")

    def sections(self) -> list[tuple[str, str]]:
        """(heading, address) of each section the officer may read, for the navigation."""
        found = [(heading, href) for service, heading, href in SECTIONS if self.reads(service)]
        return [*found, OPERATIONS] if self.may_operate else found

    #: what a scope lets an officer do, each one line: ``permissions.may_keep_programme`` and so on
    may_operate = Needs("ops", "Read the platform's traces and dead letters, and re-drive a dead letter.")
    may_propose_initiative = Needs("savings:write", "Propose an initiative.")
    may_record_progress = Needs("savings:write", "Record an initiative's delivered saving and set its RAG status.")
    may_keep_programme = Needs("savings:write", "Set a programme's target, record cost avoided and investment, keep "
                                                "the RAID log, issue highlight reports, keep the shared services.")
    may_change_estate = Needs("property:write", "Move a building along its lifecycle, plan, complete and cancel "
                                                "teams' moves, keep leases and the rationalisation target.")
    may_run_board_business = Needs("safeguarding:write", "Record attendance, declarations and decisions of the "
                                                         "safeguarding boards.")
    sees_case_details = Needs("safeguarding:confidential", "A safeguarding adults review's case summary and the "
                                                           "person's details (Care Act 2014, s45).")

    def initiative_moves(self, next_statuses: Iterable[str]) -> list[str]:
        """The moves to offer on an initiative's page: those its state allows that the scopes allow too."""
        if not self.may("savings:write"):
            return []
        return [s for s in next_statuses if MOVES_NEEDING.get(s) is None or self.may(MOVES_NEEDING[s])]

    def content_steps(self, status: str, author: str | None, officer: str) -> list[str]:
        """The steps to offer on a content item: its workflow's from its status that the scopes allow, and no
        approval of the officer's own words (the API refuses it)."""
        if not self.may("comms:write"):
            return []
        return [s for s in CONTENT_STEPS.get(status, ())
                if (CONTENT_STEPS_NEEDING.get(s) is None or self.may(CONTENT_STEPS_NEEDING[s]))
                and not (s == "approved" and author == officer)]
