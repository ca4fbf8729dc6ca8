"""Comms: the approval queue and a content item's page with the steps the officer may take (draft -> review ->
approve -> schedule), the forward plan as a calendar of weeks, consultations (and new ones, with their
questions) with their live results and their responses to download, campaigns, change champions and the
services still without one, and the weekly councillor briefing as a page to print.

Everything goes through the gateway's ``/api/comms/v1/...`` as the officer. Whether a step is allowed (a sign-off
missing, one's own words, a time in the past) is the API's to say; a refusal comes back as the GOV.UK error
summary with what the officer typed kept. Approval is offered only with ``comms:approve``, never on the
officer's own content.

``content.py``: the approval queue, new content and a content item; ``consultations.py``: consultations, a new
one, and their responses; ``campaigns.py``: campaigns and a new one; ``champions.py``: change champions and
services; ``forward_plan.py``: the forward plan; ``briefing.py``: the councillor briefing.
"""

from __future__ import annotations

from civic_web.pages import Section
from civic_web.pages.comms import briefing, campaigns, champions, consultations, content, forward_plan

router = Section(prefix="/comms", include_in_schema=False)
for area in (content, forward_plan, consultations, campaigns, champions, briefing):
    router.include_area(area.router)
