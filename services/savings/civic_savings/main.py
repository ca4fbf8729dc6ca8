"""The savings service: transformation savings from pipeline to delivery."""

from civic.service import ServiceDefinition, create_app

from civic_savings import api, handlers, repository
from civic_savings.read_model.service import read_model_folding

definition = ServiceDefinition(
    name="savings",
    title="civic savings",
    description="Savings initiatives, programme targets, cost avoidance and the reports built on them.",
    routers=[api.router],
    handlers=handlers.HANDLERS,
    prepare_database=repository.ensure_indexes,
    background=[read_model_folding],
)
app = create_app(definition)
