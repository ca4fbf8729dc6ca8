"""The savings service: transformation savings from pipeline to delivery."""

from civic.service import ServiceDefinition, create_app
from civic.tallies import checking

from civic_savings import api, handlers, repository
from civic_savings.investment.payback_check import checking_paybacks
from civic_savings.milestones.missed import checking_milestones
from civic_savings.read_model.service import read_model_folding

definition = ServiceDefinition.of_package(
    "savings",
    "Savings initiatives, programme targets, cost avoidance and the reports built on them.",
    api=api,
    handlers=handlers,
    repository=repository,
    # the counts checked against the initiatives; the milestones missed announced once per due date; the
    # programmes' payback years settled again (a race can leave one stale)
    background=[read_model_folding, checking(repository.STATUS_COUNTS), checking_milestones, checking_paybacks],
)
app = create_app(definition)
