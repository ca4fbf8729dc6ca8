"""The property service: rationalising the office estate."""

from __future__ import annotations

from civic.service import ServiceDefinition, create_app
from civic.tallies import checking

from civic_property import api, handlers, repository

definition = ServiceDefinition.of_package(
    "property",
    "Buildings and their lifecycle, occupancy and utilisation, teams and desk demand, moves, "
    "and the rationalisation of the office estate.",
    api=api,
    handlers=handlers,
    repository=repository,
    background=[checking(repository.ESTATE)],  # the estate's tally checked against the buildings
)
app = create_app(definition)
