"""Operations: for officers with the ``ops`` scope (the operator), what they would otherwise do in a terminal.

``traces.py``: the recent traces, filtered by service, route, status and duration, and one trace as a waterfall
from the gateway through the services, their MongoDB commands and the Kafka hop to each service that reacted
(the gateway's ``/ops/traces``); ``dead_letters.py``: each service's open dead letters and their re-drive (each
service's ``/ops/dead-letters`` through the gateway).

The pages are at ``/operations/...``: ``/ops`` at the officers' one address is the gateway's own (its trace
view's API), which the gateway never forwards to this app.
"""

from __future__ import annotations

from civic_web.pages import Section
from civic_web.pages.ops import dead_letters, traces

router = Section(prefix="/operations", include_in_schema=False)
for area in (traces, dead_letters):
    router.include_area(area.router)
