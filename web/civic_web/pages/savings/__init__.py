"""Savings: the register of initiatives, a new initiative's form, an initiative's page with the moves the
officer may make and its progress (actuals, the RAG status), and the reports (savings by theme and year, a
target, the variance, the reconciliation with the budget report, a month's highlights).

Everything goes through the gateway's ``/api/savings/v1/...`` as the officer. The pages decide only what to
show and offer (``permissions.py``) and how to say it (``vocabulary.py``); whether a change is allowed is the
API's to say, and a refusal comes back as the GOV.UK error summary with what the officer typed kept.

``initiatives.py``: the register and an initiative; ``delivery_plans.py``: an initiative's milestones;
``reports.py``: the reports (the overdue milestones among them); ``programme.py``: a
programme's target and the cost avoided; ``programmes.py``: a programme's investment, payback and highlight
reports; ``raid.py``: the RAID log; ``disaggregation.py``: the shared services and their report.
"""

from __future__ import annotations

from civic_web.pages import Section
from civic_web.pages.savings import delivery_plans, disaggregation, initiatives, programme, programmes, raid, reports

router = Section(prefix="/savings", include_in_schema=False)
for area in (initiatives, delivery_plans, reports, programme, programmes, raid, disaggregation):
    router.include_area(area.router)
