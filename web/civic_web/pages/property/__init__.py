"""Property: the estate's buildings by status with their lifecycle, a building's utilisation, teams and desk
demand, the move plan and the rationalisation report.

Everything goes through the gateway's ``/api/property/v1/...`` as the officer. Changes (a new building and its
details, its next step, readings by hand or from a file, a team, the desk ratios and the under-use share,
planning, completing or cancelling a team's move) are offered only with ``property:write``; whether a
change is allowed is the API's to say, and a refusal comes back as the GOV.UK error summary in its words
(a move over capacity with its numbers), with what the officer typed kept.

``buildings.py``: the buildings, a building and its occupancy; ``register.py``: a new building and a
building's details; ``occupancy.py``: readings imported from a file; ``teams.py``: teams (a new one, a team's
details), desk demand and the move plan; ``ratios.py``: the desk ratios and the under-use share;
``rationalisation.py``: the rationalisation report.
"""

from __future__ import annotations

from civic_web.pages import Section
from civic_web.pages.property import buildings, estate_reports, leases, occupancy, rationalisation, ratios, register, teams

router = Section(prefix="/property", include_in_schema=False)
# register first: its /buildings/new is not a building's id
for area in (register, buildings, occupancy, teams, ratios, rationalisation, leases, estate_reports):
    router.include_area(area.router)
