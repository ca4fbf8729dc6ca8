"""Outcome use cases: record a consultation's outcome, amend the draft, publish it with its event.

Each ``work`` runs in ``rt.transaction``, which runs it again when a concurrent change won the race
(everything the failed attempt wrote was rolled back): so it reads afresh and has no other effect.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from civic.documents import insert, load, now
from civic.errors import Refused
from civic.uow import UnitOfWork
from civic_contracts.comms import ConsultationOutcomePublished

from civic_comms.consultations.repository import consultation_to_model
from civic_comms.outcomes.domain import Outcome, outcome_subject, outcome_text
from civic_comms.outcomes.reports import asked_by_default, outcome_view, what_residents_said
from civic_comms.outcomes.repository import OUTCOME_RECORDS, outcome_to_document
from civic_comms.repository import CONSULTATIONS, OUTCOMES
from civic_comms.subscriptions import service as subscriptions
from civic_comms.subscriptions.domain import CONSULTATION, Topic

if TYPE_CHECKING:
    from civic.auth import Caller
    from civic.service import Runtime

log = logging.getLogger("civic.comms")


async def record_outcome(rt: Runtime, consultation_id: str, written: dict[str, Any], caller: Caller) -> dict[str, Any]:
    """A draft outcome; it may be written while the consultation is still open, and published once closed."""

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        consultation = consultation_to_model(await load(uow, CONSULTATIONS, consultation_id, kind="consultation"))
        if await uow.db[OUTCOMES].find_one({"_id": consultation_id}, {"_id": 1}, session=uow.session):
            raise Refused("This consultation's outcome is recorded already: amend it instead.",
                          consultation_id=consultation_id)
        outcome = Outcome.record(id=consultation_id, consultation_id=consultation_id, recorded_by=caller.sub,
                                 asked_by_default=asked_by_default(consultation), written=written)
        return await insert(uow, OUTCOMES, outcome_to_document(outcome))

    return await outcome_view(rt, await rt.transaction(work))


async def amend_outcome(rt: Runtime, outcome_id: str, changes: dict[str, Any],
                        expected_version: int | None) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc, outcome = await OUTCOME_RECORDS.load(uow, outcome_id, expected_version)
        consultation = consultation_to_model(
            await load(uow, CONSULTATIONS, outcome.consultation_id, kind="consultation")
        )
        outcome.amend(changes, asked_by_default=asked_by_default(consultation))
        return await OUTCOME_RECORDS.save(uow, doc, outcome)

    return await outcome_view(rt, await rt.transaction(work))


async def publish_outcome(rt: Runtime, outcome_id: str, caller: Caller,
                          expected_version: int | None) -> dict[str, Any]:
    """Published with the results as they stand at the close, and ``comms.consultation.outcome_published``."""

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc, outcome = await OUTCOME_RECORDS.load(uow, outcome_id, expected_version)
        consultation = consultation_to_model(
            await load(uow, CONSULTATIONS, outcome.consultation_id, kind="consultation")
        )
        moment = now()
        outcome.publish(
            by=caller.sub, may_publish=caller.has("comms:approve"), consultation_state=consultation.state(moment),
            now=moment, published_as=await what_residents_said(uow.db, consultation, uow.session),
        )
        saved = await OUTCOME_RECORDS.save(uow, doc, outcome)
        uow.emit(ConsultationOutcomePublished(consultation_id=outcome.consultation_id, outcome_id=outcome.id,
                                              decision_reference=outcome.decision_reference))
        await subscriptions.issue_bulletin(
            uow, topic=Topic(CONSULTATION, consultation.id), source="outcome", source_id=consultation.id,
            subject=outcome_subject(consultation.title), text=outcome_text(outcome), at=moment)
        return saved

    saved = await rt.transaction(work)
    log.info("consultation outcome published", extra={"outcome_id": outcome_id, "by": caller.sub})
    return await outcome_view(rt, saved)
