"""MongoDB adapter of the council services and their change champions: documents <-> the domain's models.

The collections and their indexes are the service's (``civic_comms.repository``)."""

from __future__ import annotations

from typing import Any

from civic.calendar import date_of, in_utc
from civic.documents import Stored, day_from_text, day_text, fields_of, values_of, values_or_none

from civic_comms.champions.domain import Champion, CouncilService, service_key
from civic_comms.repository import CHAMPIONS


def council_service_to_document(service: CouncilService) -> dict[str, Any]:
    # the key is how a name is looked up (unique index): case and extra spaces do not make a second service
    return {
        **fields_of(service, "name", "directorate", "representation", "council"),
        "key": service_key(service.name),
    }


def council_service_to_model(doc: dict[str, Any]) -> CouncilService:
    return CouncilService(doc["name"], doc["directorate"], doc.get("representation", "required"), doc.get("council"))


def champion_to_document(
    champion: Champion, base: dict[str, Any] | None = None, appointed_by: str | None = None
) -> dict[str, Any]:
    doc = dict(base or {})
    doc.update(
        **fields_of(champion, "name", "service"),
        service_key=service_key(champion.service),
        **fields_of(champion, "directorate", "council", "email"),
        appointed_on=day_text(champion.appointed_on),
        stood_down_on=day_text(champion.stood_down_on),
        stand_down_reason=champion.stand_down_reason,
    )
    if appointed_by is not None:
        doc["appointed_by"] = appointed_by
    return doc


def champion_to_model(doc: dict[str, Any]) -> Champion:
    return Champion(
        **values_of(doc, "name", "service", "directorate"),
        **values_or_none(doc, "council", "email", "stand_down_reason"),
        # a champion appointed before the day was kept joined on the day they were recorded
        appointed_on=day_from_text(doc.get("appointed_on")) or date_of(in_utc(doc["created_at"])),
        stood_down_on=day_from_text(doc.get("stood_down_on")),
    )


#: a champion as the use cases load and save them
CHAMPION_RECORDS = Stored(CHAMPIONS, "champion", champion_to_model, champion_to_document)
