"""The property service: rationalising the office estate."""

from __future__ import annotations

from civic.service import ServiceDefinition, create_app

from civic_property import api, handlers, repository

definition = ServiceDefinition(
    name="property",
    title="civic property",
    description="Buildings and their lifecycle, occupancy and utilisation, teams and desk demand, moves, "
    "and the rationalisation of the office estate.",
    routers=[api.router],
    handlers=handlers.HANDLERS,
    prepare_database=repository.ensure_indexes,
    background=[],
)
app = create_app(definition)
