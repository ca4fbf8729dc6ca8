"""Safeguarding: the boards, a board's members, MoUs, deputies, meetings and reviews, a meeting's page (agenda,
attendance, the quorum as the API states it, declarations, decisions, minutes), its agenda pack and approved
minutes to print, each board's meetings as a calendar file, and the board business manager's forms: the
attendance register, a declaration of interest, a decision.

Everything goes through the gateway's ``/api/safeguarding/v1/...`` as the officer. Whether a meeting is quorate,
who may vote and what a decision's outcome is are the API's to say; a refusal comes back as the GOV.UK error
summary with what the officer chose kept. A review's case details are never asked for apart: the API leaves
them out for an officer without ``safeguarding:confidential``, and the page shows them only with that scope.
The board business manager sets a board up here too: the board, its members, its meetings with their agendas,
reviews referred or notified to it (with confidential access), sub-groups, budgets and annual reports.

``boards.py``: the boards, a board and its members; ``meetings.py``: a meeting, its steps and its forms;
``reviews.py``: safeguarding adults reviews and referring one; ``practice_reviews.py``: a children's
partnership's child safeguarding practice reviews and notifying an incident; ``oversight.py``: sub-groups, budgets, annual
reports and disputes; ``interests.py``: registering a member's interest; ``forward_plan.py``: the forward plan
of key decisions and adding one; ``documents.py``: the agenda pack, the minutes (and their PDFs) and the calendar
file; ``decisions.py``: a decision between meetings and its partners' confirmations.
"""

from __future__ import annotations

from civic_web.pages import Section
from civic_web.pages.safeguarding import (
    boards,
    decisions,
    documents,
    forward_plan,
    interests,
    meetings,
    oversight,
    practice_reviews,
    reviews,
)

router = Section(prefix="/safeguarding", include_in_schema=False)
for area in (boards, interests, reviews, practice_reviews, oversight, forward_plan, documents, meetings, decisions):
    router.include_area(area.router)
