"""The safeguarding service: running a statutory safeguarding board (Care Act 2014)."""

from civic.service import ServiceDefinition, create_app

from civic_safeguarding import api, handlers, repository

definition = ServiceDefinition(
    name="safeguarding",
    title="civic safeguarding",
    description="Safeguarding boards: members, meetings, quorum, decisions, minutes, SARs, budget, "
    "sub-groups, annual reports and disputes.",
    routers=[api.router],
    handlers=handlers.HANDLERS,
    prepare_database=repository.ensure_indexes,
)
app = create_app(definition)
