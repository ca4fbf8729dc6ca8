"""The safeguarding service: running a statutory safeguarding board (Care Act 2014)."""

from civic.service import ServiceDefinition, create_app

from civic_safeguarding import api, handlers, repository

definition = ServiceDefinition.of_package(
    "safeguarding",
    "Safeguarding boards: members, meetings, quorum, decisions, minutes, SARs, budget, "
    "sub-groups, annual reports and disputes.",
    api=api,
    handlers=handlers,
    repository=repository,
)
app = create_app(definition)
