"""Property: the estate's buildings by status with their lifecycle, a building's utilisation, teams and desk
demand, the move plan and the rationalisation report.

Everything goes through the gateway's ``/api/property/v1/...`` as the officer. Changes (a building's next
step, planning, completing or cancelling a team's move) are offered only with ``property:write``; whether a
change is allowed is the API's to say, and a refusal comes back as the GOV.UK error summary in its words
(a move over capacity with its numbers), with what the officer typed kept.

``buildings.py``: the buildings, a building and its occupancy; ``teams.py``: teams, desk demand and the move
plan; ``rationalisation.py``: the rationalisation report.
"""

from __future__ import annotations

from fastapi import APIRouter

from civic_web.pages.property import buildings, rationalisation, teams

router = APIRouter(prefix="/property", include_in_schema=False)
for area in (buildings, teams, rationalisation):
    router.include_router(area.router)
