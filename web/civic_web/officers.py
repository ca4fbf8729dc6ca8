"""The demo's officers, for local sign-in: one per role, each role with the scopes its work needs.

On the embedded stack an officer is chosen on the sign-in page and the web mints their token with the
stack's key; in production the council's identity provider says who an officer is and what they may do.
The scopes are the platform's own (``civic.auth.ALL_SCOPES``); the gateway checks ``<service>:read`` for
reads and ``<service>:write`` for changes, and a service its finer scopes (``savings:approve``, ...).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Officer:
    key: str  # the token's subject, and the radio's value on the sign-in page
    name: str
    role: str
    does: str  # what the role is for, in a line
    scopes: tuple[str, ...]


DEMO_OFFICERS: tuple[Officer, ...] = (
    Officer("finance.officer", "Priya Shah", "Finance officer",
            "Keeps the savings register: proposes initiatives and records their progress.",
            ("savings:read", "savings:write")),
    Officer("programme.approver", "Tom Okafor", "Programme approver",
            "Approves proposed savings (the Star Chamber) as well as keeping the register.",
            ("savings:read", "savings:write", "savings:approve")),
    Officer("estates.officer", "Helen Marsh", "Estates officer",
            "Runs the office estate: buildings, occupancy, teams and moves.",
            ("property:read", "property:write")),
    Officer("board.manager", "Gareth Lloyd", "Board business manager",
            "Runs the safeguarding board's business: members, meetings, decisions and minutes.",
            ("safeguarding:read", "safeguarding:write")),
    Officer("board.manager.confidential", "Amina Yusuf", "Board business manager (confidential access)",
            "As the board business manager, and may read safeguarding adults reviews' case details.",
            ("safeguarding:read", "safeguarding:write", "safeguarding:confidential")),
    Officer("comms.officer", "Dan Whitfield", "Comms officer",
            "Drafts content, runs consultations and puts together the councillor briefing.",
            ("comms:read", "comms:write")),
    Officer("comms.approver", "Sophie Brennan", "Comms approver",
            "Approves content for publication as well as drafting it.",
            ("comms:read", "comms:write", "comms:approve")),
    Officer("operator", "Sam Ellis", "Operator",
            "Keeps the platform running: reads every service and runs the operator endpoints.",
            ("savings:read", "property:read", "safeguarding:read", "comms:read", "ops")),
)


def demo_officer(key: str) -> Officer | None:
    return next((o for o in DEMO_OFFICERS if o.key == key), None)
