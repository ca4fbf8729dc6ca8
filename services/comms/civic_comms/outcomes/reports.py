"""Reading outcomes: one consultation's (draft or published), and the public "We asked, you said, we did"
page's data, the published ones newest first.

A draft shows the headline results as they stand; a published outcome shows them as they were frozen when it
was published (the consultation had closed, so they are the final figures either way).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from civic.calendar import in_utc
from civic.documents import load, now, resource
from civic.errors import Invalid
from civic.http import Page, encode_cursor
from pymongo import DESCENDING

from civic_comms.consultations import figures
from civic_comms.consultations.domain import Consultation
from civic_comms.consultations.reports import tally_responses
from civic_comms.consultations.repository import consultation_to_model
from civic_comms.outcomes.domain import PUBLISHED
from civic_comms.outcomes.repository import OUTCOME_RECORDS
from civic_comms.repository import CONSULTATIONS, OUTCOMES

if TYPE_CHECKING:
    from civic.service import Runtime


def asked_by_default(consultation: Consultation) -> str:
    """What we asked, unless the team words it: the consultation's description, else its title."""
    return consultation.description or consultation.title


async def what_residents_said(db: Any, consultation: Consultation, session: Any = None) -> dict[str, Any]:
    """The consultation's identity and its headline results now: what a published outcome freezes."""
    results = await tally_responses(db, consultation, session)
    return {
        "title": consultation.title,
        "kind": consultation.kind,
        "closes_on": consultation.closes_on.isoformat(),
        "responses": results["responses"],
        "headline": figures.headline(results),
    }


def _view(doc: dict[str, Any], said: dict[str, Any], consultation_state: str | None) -> dict[str, Any]:
    view = {k: v for k, v in resource(doc).items() if k != "published_as"}
    view.update(
        title=said["title"],
        consultation_kind=said["kind"],
        closes_on=said["closes_on"],
        results={"responses": said["responses"], "headline": said["headline"]},
    )
    if consultation_state is not None:
        view["consultation_state"] = consultation_state
    return view


async def outcome_view(rt: Runtime, doc: dict[str, Any]) -> dict[str, Any]:
    consultation = consultation_to_model(
        await load(rt.db, CONSULTATIONS, doc["consultation_id"], kind="consultation")
    )
    said = doc["published_as"] if doc.get("status") == PUBLISHED else await what_residents_said(rt.db, consultation)
    return _view(doc, said, consultation.state(now()))


async def get_outcome(rt: Runtime, outcome_id: str) -> dict[str, Any]:
    doc, _ = await OUTCOME_RECORDS.load(rt.db, outcome_id)
    return await outcome_view(rt, doc)


def _after(page: Page) -> tuple[datetime, str] | None:
    """The last item of the previous page: (published_at, id), as the cursor carries them."""
    text = page.after()
    if text is None:
        return None
    moment, _, last_id = text.partition("|")
    try:
        return in_utc(datetime.fromisoformat(moment)), last_id
    except ValueError as exc:
        raise Invalid.at("cursor", "malformed", "The cursor is not one this API gave you.") from exc


async def published_outcomes(rt: Runtime, page: Page) -> dict[str, Any]:
    """The public page's data: published outcomes, newest first (by when they were published)."""
    query: dict[str, Any] = {"status": PUBLISHED}
    after = _after(page)
    if after is not None:
        moment, last_id = after
        query["$or"] = [{"published_at": {"$lt": moment}}, {"published_at": moment, "_id": {"$lt": last_id}}]
    docs = await (rt.db[OUTCOMES].find(query).sort([("published_at", DESCENDING), ("_id", DESCENDING)])
                  .limit(page.limit + 1).to_list())
    more = len(docs) > page.limit
    docs = docs[: page.limit]
    last = docs[-1] if docs else None
    cursor = (encode_cursor(f"{in_utc(last['published_at']).isoformat()}|{last['_id']}") if more and last else None)
    return {"items": [_view(d, d["published_as"], None) for d in docs], "next_cursor": cursor}

