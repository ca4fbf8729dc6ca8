"""The comms service: content and its approval, campaigns, consultations, the councillor briefing."""

from __future__ import annotations

from civic.service import ServiceDefinition, create_app

from civic_comms import api, handlers, repository, scheduler

definition = ServiceDefinition.of_package(
    "comms",
    "Content through approval to publication (with sign-offs and a scheduler), campaigns and "
    "the forward plan, consultations and their results, the weekly councillor briefing built from the "
    "other services' events, media coverage and change champions.",
    api=api,
    handlers=handlers,
    repository=repository,
    # publishes scheduled content, announces consultations opening and closing, issues the briefing;
    # and emails the briefing's deliveries
    background=[scheduler.scheduler, scheduler.sender],
)
app = create_app(definition)
