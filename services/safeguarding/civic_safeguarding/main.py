"""The safeguarding service: running a statutory safeguarding board (Care Act 2014)."""

from civic.service import ServiceDefinition, create_app

from civic_safeguarding import api, handlers, repository
from civic_safeguarding.minutes import api as minutes_api
from civic_safeguarding.oversight import api as oversight_api
from civic_safeguarding.sars import api as sars_api

definition = ServiceDefinition(
    name="safeguarding",
    title="civic safeguarding",
    description="Safeguarding boards: members, meetings, quorum, decisions, minutes, SARs, budget, "
    "sub-groups, annual reports and disputes.",
    routers=[api.router, minutes_api.router, sars_api.router, oversight_api.router],
    handlers=handlers.HANDLERS,
    prepare_database=repository.ensure_indexes,
)
app = create_app(definition)
