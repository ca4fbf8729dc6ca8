"""Consultation use cases: plan one, take responses (one at a time or typed in bulk), close early, and
announce openings and closings when their time comes.

Each ``work`` runs in ``rt.transaction``, which runs it again when a concurrent change won the race
(everything the failed attempt wrote was rolled back): so it reads afresh and has no other effect.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from civic.documents import insert, load, new_id, now, resource
from civic.errors import Invalid
from civic.uow import UnitOfWork
from civic_contracts.comms import ConsultationClosed, ConsultationOpened, HeadlineResult
from pymongo import ReturnDocument

from civic_comms.consultations import figures
from civic_comms.consultations.domain import BULK_LIMIT, Consultation
from civic_comms.consultations.reports import consultation_view, tally_responses
from civic_comms.consultations.repository import (
    CONSULTATION_RECORDS,
    consultation_to_document,
    consultation_to_model,
    respondent_details_document,
)
from civic_comms.repository import CONSULTATIONS, RESPONDENT_DETAILS, RESPONSES, add_to_tally, response_counts
from civic_comms.respondents.domain import RespondentDetails, check_respondent_type

if TYPE_CHECKING:
    from civic.auth import Caller
    from civic.service import Runtime

log = logging.getLogger("civic.comms")


async def create_consultation(rt: Runtime, body: dict[str, Any], caller: Caller) -> dict[str, Any]:
    consultation = Consultation.plan(id=new_id(), owner=caller.sub, **body)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        return await insert(uow, CONSULTATIONS, consultation_to_document(consultation))

    doc = await rt.transaction(work)
    # the scheduler announces the opening (and closing) when their time comes
    return await consultation_view(rt, doc)


async def respond(
    rt: Runtime,
    consultation_id: str,
    answers: dict[str, Any],
    caller: Caller,
    channel: str = "online",
    respondent: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One response; ``respondent`` its respondent_type, monitoring, consent_to_contact and contact_email."""
    respondent = respondent or {}
    respondent_type = check_respondent_type(respondent.get("respondent_type"))
    details = RespondentDetails.given(
        respondent.get("monitoring"), respondent.get("consent_to_contact"), respondent.get("contact_email")
    )

    async def record(uow: UnitOfWork) -> dict[str, Any]:
        consultation = consultation_to_model(
            await load(uow, CONSULTATIONS, consultation_id, kind="consultation")
        )
        moment = now()
        clean = consultation.accept(answers, moment)
        doc = await insert(
            uow,
            RESPONSES,
            {
                "consultation_id": consultation_id,
                "answers": clean,
                "respondent_type": respondent_type,
                "received_at": moment,
                "channel": channel,
                "recorded_by": caller.sub,
            },
        )
        if details.anything:
            await insert(uow, RESPONDENT_DETAILS, respondent_details_document(doc["_id"], consultation_id, details))
        await add_to_tally(uow, consultation_id, 1)
        return doc

    # retried: residents answering the same consultation at once may meet on a tally shard
    return resource(await rt.transaction(record))


async def respond_in_bulk(
    rt: Runtime, consultation_id: str, rows: list[dict[str, Any]], caller: Caller
) -> dict[str, Any]:
    """Paper or telephone responses typed in: all are checked first, then all are stored, or none."""
    if not rows:
        raise Invalid.at("responses", "empty", "Send at least one response.")
    if len(rows) > BULK_LIMIT:
        raise Invalid.at("responses", f"over {BULK_LIMIT}", f"At most {BULK_LIMIT} responses per request.")

    async def store(uow: UnitOfWork) -> int:
        consultation = consultation_to_model(
            await load(uow, CONSULTATIONS, consultation_id, kind="consultation")
        )
        moment = now()
        consultation.check_open(moment)
        clean: list[dict[str, Any]] = []
        details: list[RespondentDetails] = []
        errors: list[dict[str, Any]] = []
        for i, row in enumerate(rows):
            try:
                clean.append(consultation.check_answers(row["answers"], f"responses.{i}.answers"))
            except Invalid as exc:
                errors.extend(exc.errors)
            try:
                check_respondent_type(row.get("respondent_type"), f"responses.{i}.")
                details.append(RespondentDetails.given(
                    row.get("monitoring"), row.get("consent_to_contact"), row.get("contact_email"), f"responses.{i}."
                ))
            except Invalid as exc:
                errors.extend(exc.errors)
        if errors:
            raise Invalid(
                f"{len({e['field'].split('.')[1] for e in errors})} of {len(rows)} responses "
                "do not fit the questions; none was stored.",
                errors=errors[:200],
            )
        docs = [
            {
                "_id": new_id(),
                "consultation_id": consultation_id,
                "answers": answers,
                "respondent_type": row.get("respondent_type"),
                "received_at": moment,
                "channel": row.get("channel") or "paper",
                "recorded_by": caller.sub,
                "version": 1,
                "created_at": moment,
                "updated_at": moment,
            }
            for answers, row in zip(clean, rows, strict=True)
        ]
        await uow.db[RESPONSES].insert_many(docs, session=uow.session)
        kept = [
            {**respondent_details_document(str(doc["_id"]), consultation_id, d), "version": 1, "created_at": moment,
             "updated_at": moment}
            for doc, d in zip(docs, details, strict=True) if d.anything
        ]
        if kept:
            await uow.db[RESPONDENT_DETAILS].insert_many(kept, session=uow.session)
        await add_to_tally(uow, consultation_id, len(docs))
        return len(docs)

    accepted = await rt.transaction(store)  # retried like a single response (a tally shard shared)
    total = (await response_counts(rt.db, [consultation_id]))[consultation_id]
    return {"consultation_id": consultation_id, "accepted": accepted, "responses": total}


async def close_consultation(
    rt: Runtime, consultation_id: str, caller: Caller, expected_version: int | None
) -> dict[str, Any]:
    """Close early; the closed event with headline results goes out in the same transaction."""

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        doc, consultation = await CONSULTATION_RECORDS.load(uow, consultation_id, expected_version)
        consultation.close_now(now())
        if not consultation.opened_announced:
            consultation.opened_announced = True
            uow.emit(_opened_event(consultation))
        consultation.closed_announced = True
        uow.emit(await _closed_event(uow, consultation))
        return await CONSULTATION_RECORDS.save(uow, doc, consultation)

    saved = await rt.transaction(work)
    log.info("consultation closed early", extra={"consultation_id": consultation_id, "by": caller.sub})
    return await consultation_view(rt, saved)


def _identity(k: Consultation) -> dict[str, Any]:
    """What both consultation events say of it: which it is, and the day it closes."""
    return {"consultation_id": k.id, "title": k.title, "kind": k.kind, "closes_on": k.closes_on}


def _opened_event(k: Consultation) -> ConsultationOpened:
    return ConsultationOpened(
        **_identity(k), opens_at=k.opens_at, closes_at=k.closes_at, opens_on=k.opens_on, questions=len(k.questions)
    )


async def _closed_event(uow: UnitOfWork, k: Consultation) -> ConsultationClosed:
    body = await tally_responses(uow.db, k, uow.session)
    return ConsultationClosed(
        **_identity(k),
        closed_at=k.closes_at,
        responses=body["responses"],
        headline=[HeadlineResult(**h) for h in figures.headline(body)],
    )


async def announce_due(rt: Runtime, at: datetime | None = None) -> int:
    """Announce consultations that have opened or closed (each event once, claimed atomically)."""
    moment = at or now()
    announced = 0
    for flag, edge in (("opened_announced", "opens_at"), ("closed_announced", "closes_at")):

        async def claim_one(uow: UnitOfWork, flag: str = flag, edge: str = edge) -> bool:
            query: dict[str, Any] = {flag: False, edge: {"$lte": moment}}
            if flag == "closed_announced":
                query["opened_announced"] = True  # opened always goes out first
            claimed = await uow.db[CONSULTATIONS].find_one_and_update(
                query,
                # the scheduler's bookkeeping, not an officer's change: the version (the ETag an officer's
                # If-Match names) and updated_at stay, so a close sent from a page loaded just before the
                # opening was announced is not refused as a lost update
                {"$set": {flag: True}},
                return_document=ReturnDocument.AFTER,
                session=uow.session,
            )
            if claimed is None:
                return False
            consultation = consultation_to_model(claimed)
            uow.emit(
                _opened_event(consultation) if flag == "opened_announced" else await _closed_event(uow, consultation)
            )
            return True

        # another replica (or the background scheduler) may be claiming at the same moment: a write
        # conflict is retried, and whoever wins announces; the flag makes sure it happens once
        while await rt.transaction(claim_one):
            announced += 1
    return announced
