"""Reading consultations: one with its state and response count, the lists, the results and the CSV exports.

Results are counted afresh from the stored answers each time they are asked for (figures.py does the
arithmetic), so they are never out of step with the responses; the response count alone comes from
the tallies kept beside the responses (repository.py), which every consultation shows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC
from typing import TYPE_CHECKING, Any

from civic.documents import load, now, resource
from civic.http import Page, paginate
from pymongo import ASCENDING

from civic_comms.consultations import figures
from civic_comms.consultations.domain import Consultation
from civic_comms.consultations.repository import consultation_to_model
from civic_comms.repository import CONSULTATIONS, RESPONSES, response_counts

if TYPE_CHECKING:
    from civic.service import Runtime


# the scheduler's record of which events are out: not part of the consultation (its ETag does not cover them)
_BOOKKEEPING = ("opened_announced", "closed_announced")


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    view = {k: v for k, v in resource(doc).items() if k not in _BOOKKEEPING}
    view["state"] = consultation_to_model(doc).state(now())
    return view


async def consultation_view(rt: Runtime, doc: dict[str, Any]) -> dict[str, Any]:
    """The API form of one consultation: as stored, with its state now and how many have responded."""
    view = _public(doc)
    view["responses"] = (await response_counts(rt.db, [doc["_id"]]))[doc["_id"]]
    return view


async def get_consultation(rt: Runtime, consultation_id: str) -> dict[str, Any]:
    return await consultation_view(rt, await load(rt.db, CONSULTATIONS, consultation_id, kind="consultation"))


def _listed(doc: dict[str, Any]) -> dict[str, Any]:
    # a list shows each one's state but not its response count (one tally read per item)
    return _public(doc)


async def list_consultations(rt: Runtime, page: Page) -> dict[str, Any]:
    return await paginate(rt.db[CONSULTATIONS], {}, page, transform=_listed)


async def list_responses(rt: Runtime, consultation_id: str, page: Page) -> dict[str, Any]:
    await load(rt.db, CONSULTATIONS, consultation_id, kind="consultation")  # 404, not an empty list
    return await paginate(rt.db[RESPONSES], {"consultation_id": consultation_id}, page)


async def tally_responses(db: Any, consultation: Consultation, session: Any = None) -> dict[str, Any]:
    """The results of every response so far (also what the closed event carries, read in its transaction)."""
    counter = figures.Tally(consultation.questions)
    cursor = db[RESPONSES].find({"consultation_id": consultation.id}, {"answers": 1}, session=session)
    async for row in cursor:
        counter.add(row["answers"])
    return counter.results()


async def consultation_results(rt: Runtime, consultation_id: str) -> dict[str, Any]:
    doc = await load(rt.db, CONSULTATIONS, consultation_id, kind="consultation")
    consultation = consultation_to_model(doc)
    body = await tally_responses(rt.db, consultation)
    return {
        "consultation_id": consultation_id,
        "title": consultation.title,
        "state": consultation.state(now()),
        **body,
    }


async def results_csv(rt: Runtime, consultation_id: str) -> str:
    return figures.results_csv(await consultation_results(rt, consultation_id))


async def responses_csv(rt: Runtime, consultation_id: str) -> AsyncIterator[str]:
    """Every response as CSV lines, streamed: the consultation is looked up first, so an unknown one is 404."""
    consultation = consultation_to_model(
        await load(rt.db, CONSULTATIONS, consultation_id, kind="consultation")
    )

    async def rows() -> AsyncIterator[str]:
        header, *_ = figures.responses_csv(consultation.questions, [])
        yield header
        async for doc in rt.db[RESPONSES].find({"consultation_id": consultation_id}).sort("_id", ASCENDING):
            row = {
                "id": doc["_id"],
                "received_at": doc["received_at"].astimezone(UTC).isoformat(),
                "channel": doc.get("channel", "online"),
                "respondent_type": doc.get("respondent_type"),
                "answers": doc["answers"],
            }
            for line in list(figures.responses_csv(consultation.questions, [row]))[1:]:
                yield line

    return rows()
