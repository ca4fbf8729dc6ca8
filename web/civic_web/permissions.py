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
SECTIONS: tuple[tuple[str, str, str], ...] = (("savings", "Savings", "/savings/initiatives"),)

#: a move that needs a scope besides <service>:write
MOVES_NEEDING = {"approved": "savings:approve"}


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
        return [(heading, href) for service, heading, href in SECTIONS if self.reads(service)]

    @property
    def may_propose_initiative(self) -> bool:
        return self.may("savings:write")

    def initiative_moves(self, next_statuses: Iterable[str]) -> list[str]:
        """The moves to offer on an initiative's page: those its state allows that the scopes allow too."""
        if not self.may("savings:write"):
            return []
        return [s for s in next_statuses if MOVES_NEEDING.get(s) is None or self.may(MOVES_NEEDING[s])]
