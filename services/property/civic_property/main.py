"""The property service: rationalising the office estate."""

from __future__ import annotations

from civic.service import ServiceDefinition, create_app
from civic.tallies import checking

from civic_property import api, handlers, repository
from civic_property.leases.service import reviewing

definition = ServiceDefinition.of_package(
    "property",
    "Buildings and their lifecycle, occupancy and utilisation, teams and desk demand, moves, "
    "leases and the Transparency Code's asset register, and the rationalisation of the office estate against its "
    "target.",
    api=api,
    handlers=handlers,
    repository=repository,
    # the estate's tally checked against the buildings; lease breaks and expiries flagged as they come within 18 months
    background=[checking(repository.ESTATE), reviewing],
)
app = create_app(definition)
