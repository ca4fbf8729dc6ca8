"""Reading who responded: equality monitoring in aggregate only (small numbers suppressed, figures.py), and the
respondents who agreed to be contacted (``comms:approve`` only). Neither ever reads the answers, nor the answers'
readers these: the two are in separate collections joined only by the response id."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from civic.documents import load
from civic.errors import Forbidden
from civic.http import Page, paginate

from civic_comms.repository import CONSULTATIONS, RESPONDENT_DETAILS, response_counts
from civic_comms.respondents.figures import FEWER_THAN, SUPPRESS_BELOW, monitoring_counts

if TYPE_CHECKING:
    from civic.auth import Caller
    from civic.service import Runtime


async def equality_monitoring(rt: Runtime, consultation_id: str) -> dict[str, Any]:
    """Counts per category of each monitoring question, any below five shown as "fewer than 5"."""
    doc = await load(rt.db, CONSULTATIONS, consultation_id, kind="consultation")
    responses = (await response_counts(rt.db, [consultation_id]))[consultation_id]
    cursor = rt.db[RESPONDENT_DETAILS].find({"consultation_id": consultation_id}, {"monitoring": 1})
    details = [d.get("monitoring") or {} async for d in cursor]
    return {
        "consultation_id": consultation_id,
        "title": doc["title"],
        "responses": responses,
        "suppressed_below": SUPPRESS_BELOW,
        "suppressed_as": FEWER_THAN,
        "questions": monitoring_counts(responses, details),
    }


def _contact(doc: dict[str, Any]) -> dict[str, Any]:
    return {"response_id": doc["_id"], "contact_email": doc["contact_email"]}


async def contacts(rt: Runtime, consultation_id: str, caller: Caller, page: Page) -> dict[str, Any]:
    """Respondents who agreed to be contacted about this consultation, by response id."""
    await load(rt.db, CONSULTATIONS, consultation_id, kind="consultation")
    if not caller.has("comms:approve"):
        raise Forbidden("The contact list of a consultation needs the comms:approve scope.",
                        required_scope="comms:approve")
    query = {"consultation_id": consultation_id, "consent_to_contact": True}
    return await paginate(rt.db[RESPONDENT_DETAILS], query, page, transform=_contact)
