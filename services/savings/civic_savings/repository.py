"""MongoDB adapter: collection names, indexes, and documents <-> domain models."""

from __future__ import annotations

import contextlib
import json
from datetime import date
from typing import Any

from civic.documents import Stored, day_from_text, day_text, fields_of, resource, values_of, values_or_none
from civic.tallies import Tally
from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import OperationFailure

from civic_savings.disaggregation.domain import CostSplit, SharedService, slip_of
from civic_savings.initiatives.domain import STATUSES, TRANSITIONS, Initiative
from civic_savings.investment.domain import InvestmentLine
from civic_savings.milestones.domain import Milestone
from civic_savings.programme.domain import Target
from civic_savings.risks.domain import RaidItem

INITIATIVES = "initiatives"
TARGETS = "targets"
COST_AVOIDANCE = "cost_avoidance"
#: the initiatives' delivery plans: one document per milestone, versioned on its own
MILESTONES = "milestones"
#: programmes' investment (cost of change): one document per line, versioned on its own
INVESTMENT = "investment_lines"
#: each programme with investment: the payback year last worked out (a change that moves it says so)
PAYBACKS = "paybacks"
#: programmes' and initiatives' risks, assumptions, issues and dependencies: one document per item
RAID = "raid_items"
#: programmes' monthly highlight reports as issued to their boards: one document per programme and month
HIGHLIGHT_REPORTS = "highlight_reports"
#: the services one council hosts or leads for the other, and their disaggregation: one document per service
SHARED_SERVICES = "shared_services"
#: the read model: running sums per (theme, year, directorate, programme, category)
TOTALS = "savings_totals"
#: the read model: how many initiatives are in each status (:class:`civic.tallies.Tally`, in the same shard
#: as the change's totals); the dashboard reads these rather than counting initiatives
STATUS_COUNTS = Tally("status_counts", INITIATIVES)

CELL_FIELDS = ("theme", "year", "directorate", "programme", "category")


async def ensure_indexes(db: AsyncDatabase[Any]) -> None:
    await db[INITIATIVES].create_indexes(
        [
            IndexModel([("status", ASCENDING), ("_id", ASCENDING)]),
            IndexModel([("theme", ASCENDING), ("_id", ASCENDING)]),
            IndexModel([("programme", ASCENDING), ("_id", ASCENDING)]),
            IndexModel([("directorate", ASCENDING), ("_id", ASCENDING)]),
            IndexModel([("title", ASCENDING), ("_id", ASCENDING)]),
            # the monthly highlight report finds initiatives by when their history moved
            IndexModel([("history.at", ASCENDING)]),
            # one saving per building, however often property tells us it closed or was sold; sparse
            # (an initiative without a building has no building_id at all), so the closure handler's
            # lookup by building reads it: SecantusDB answers no query from a partial index, and the
            # partial one this replaces left that lookup a scan of every initiative (25 ms an event at
            # 1,000 initiatives, 228 ms at 3,000)
            IndexModel([("building_id", ASCENDING)], unique=True, sparse=True, name="one_saving_per_building_id"),
            # a closure whose building no initiative names by id looks for one naming it by name and town
            # (sparse for the same reason: a plain or sparse index answers the lookup, a partial one not)
            IndexModel([("_building_key", ASCENDING)], sparse=True, name="building_by_name"),
        ]
    )
    with contextlib.suppress(OperationFailure):  # the partial index earlier versions made, once the above exists
        await db[INITIATIVES].drop_index("one_saving_per_building")
    # The read model has no secondary index. Every change adds to a totals document, and SecantusDB
    # rewrites a document's index entries on every update, changed keys or not: one index made the
    # create's transaction 0.3 ms of database CPU dearer (of about 4). Reports read the totals
    # folded to one document per cell (a few hundred at 100k initiatives) whatever their filter:
    # the cell index served none of them (its first field, theme, is never filtered on); a
    # programme's position (a target's check or report) reads them all, about 2.5 ms more.
    for unused in ("theme_1_year_1_directorate_1_programme_1_category_1", "programme_1"):
        with contextlib.suppress(OperationFailure):  # made by earlier versions; absent in a new database
            await db[TOTALS].drop_index(unused)
    await db[MILESTONES].create_indexes(
        [
            # an initiative's plan, in the order its milestones were added
            IndexModel([("initiative_id", ASCENDING), ("_id", ASCENDING)]),
            # the overdue ones (planned, due before today): the dashboard counts them by this index, so it
            # reads the overdue milestones only, never the whole of every plan
            IndexModel([("status", ASCENDING), ("due", ASCENDING)]),
        ]
    )
    # a programme's investment lines, in the order they were recorded (its list and its payback)
    await db[INVESTMENT].create_index([("programme", ASCENDING), ("_id", ASCENDING)])
    await db[RAID].create_indexes(
        [
            # a programme's log and an initiative's, in the order recorded
            IndexModel([("programme", ASCENDING), ("_id", ASCENDING)]),
            IndexModel([("initiative_id", ASCENDING), ("_id", ASCENDING)]),
            # the highest-scored open items of a programme (the highlight report's top risks and issues)
            IndexModel([("programme", ASCENDING), ("status", ASCENDING), ("score", ASCENDING)]),
        ]
    )
    # a programme's issued highlight reports, in id order, which within a programme is month order (its list;
    # one month's is found by its id)
    await db[HIGHLIGHT_REPORTS].create_index([("programme", ASCENDING), ("_id", ASCENDING)])
    await db[SHARED_SERVICES].create_indexes(
        [
            # the list by status or by host council, in the order registered; due before a date by planned date
            IndexModel([("status", ASCENDING), ("_id", ASCENDING)]),
            IndexModel([("host_council", ASCENDING), ("_id", ASCENDING)]),
            IndexModel([("planned_on", ASCENDING), ("_id", ASCENDING)]),
        ]
    )
    await db[COST_AVOIDANCE].create_index([("year", ASCENDING), ("_id", ASCENDING)])
    await db[COST_AVOIDANCE].create_index([("title", ASCENDING), ("_id", ASCENDING)])
    await STATUS_COUNTS.count_once(db)


# ---------------------------------------------------------------- initiatives


def to_document(initiative: Initiative) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "_id": initiative.id,
        **fields_of(initiative, "title", "directorate", "owner", "theme", "category", "programme", "status"),
        "profile": [{"year": y, "planned_pence": p} for y, p in initiative.profile.items()],
        "actuals": [{"year": y, "delivered_pence": d} for y, d in initiative.actuals.items()],
        # totals kept on the document so lists need no arithmetic
        **fields_of(initiative, "planned_pence", "delivered_pence", "rag", "rag_reason", "approved_by"),
        "approved_on": day_text(initiative.approved_on),
        **fields_of(initiative, "undeliverable_reason", "rejected_by"),
        "rejected_on": day_text(initiative.rejected_on),
        "rejection_reason": initiative.rejection_reason,
        "slippages": [dict(s, on=s["on"].isoformat()) for s in initiative.slippages],
        "history": initiative.history,
    }
    if initiative.building_id is not None:
        # absent rather than null, so the unique index ignores initiatives without a building
        doc["building_id"] = initiative.building_id
    doc["building_name"] = initiative.building_name
    doc["building_town"] = initiative.building_town
    if initiative.building_key is not None:
        # absent rather than null (a sparse index): how a closure finds the initiative that named its building
        doc["_building_key"] = initiative.building_key
    doc["realisation"] = initiative.realisation
    return doc


#: keys a document has only while they have a value (sparse indexes): an update that clears one drops it
_SPARSE_KEYS = ("building_id", "_building_key")


def updated_document(doc: dict[str, Any], initiative: Initiative) -> dict[str, Any]:
    """The stored document ``doc`` (its version and times) with the initiative's fields as they are now."""
    kept = {k: v for k, v in doc.items() if k not in _SPARSE_KEYS}
    return {**kept, **to_document(initiative)}


def to_model(doc: dict[str, Any]) -> Initiative:
    return Initiative(
        id=doc["_id"],
        **values_of(doc, "title", "directorate", "theme", "category", "status"),
        **values_or_none(doc, "owner", "programme"),
        profile={e["year"]: e["planned_pence"] for e in doc.get("profile", [])},
        actuals={e["year"]: e["delivered_pence"] for e in doc.get("actuals", [])},
        **values_or_none(doc, "rag", "rag_reason", "approved_by"),
        approved_on=day_from_text(doc.get("approved_on")),
        **values_or_none(doc, "undeliverable_reason", "rejected_by"),
        rejected_on=day_from_text(doc.get("rejected_on")),
        **values_or_none(doc, "rejection_reason", "building_id", "building_name", "building_town"),
        realisation=_realisation(doc),
        slippages=[dict(s, on=date.fromisoformat(s["on"])) for s in doc.get("slippages", [])],
        history=list(doc.get("history", [])),
    )


#: an initiative as the use cases load and save it
INITIATIVE_RECORDS = Stored(INITIATIVES, "initiative", to_model, lambda initiative, doc: updated_document(doc, initiative))


def _realisation(doc: dict[str, Any]) -> dict[str, Any] | None:
    """The closure that realised the initiative's saving. A document from before realisations were kept
    has none; one of those with a building was made by its closure (no initiative could name a building
    then), so it counts as realised, once."""
    if "realisation" in doc:
        realisation: dict[str, Any] | None = doc["realisation"]
        return realisation
    if doc.get("building_id") is None:
        return None
    return {"building_id": doc["building_id"], "planned": False, "realised_pence": doc.get("delivered_pence")}


def api_form(doc: dict[str, Any]) -> dict[str, Any]:
    """The initiative as the API shows it: ``id`` instead of ``_id``, no internal keys."""
    out = resource(doc)
    for name in ("building_id", "building_name", "building_town"):
        out.setdefault(name, None)
    out["realisation"] = _realisation(doc)
    # the moves its state allows, in the lifecycle's order: a client (the officers' web app) offers these
    # rather than keeping its own copy of the lifecycle
    out["next_statuses"] = [s for s in STATUSES if s in TRANSITIONS.get(str(doc.get("status")), ())]
    return out


# ---------------------------------------------------------------- milestones


def milestone_document(milestone: Milestone) -> dict[str, Any]:
    return {
        "_id": milestone.id,
        **fields_of(milestone, "initiative_id", "title", "owner"),
        # ISO text: it sorts as the days do, so "due before today" is a range of the (status, due) index
        "due": day_text(milestone.due),
        **fields_of(milestone, "status", "evidence"),
        "completed_on": day_text(milestone.completed_on),
        **fields_of(milestone, "completed_by", "dropped_reason"),
        "dropped_on": day_text(milestone.dropped_on),
        "history": milestone.history,
    }


def milestone_model(doc: dict[str, Any]) -> Milestone:
    due = day_from_text(doc["due"])
    assert due is not None
    return Milestone(
        id=doc["_id"],
        **values_of(doc, "initiative_id", "title", "owner", "status"),
        due=due,
        **values_or_none(doc, "evidence", "completed_by", "dropped_reason"),
        completed_on=day_from_text(doc.get("completed_on")),
        dropped_on=day_from_text(doc.get("dropped_on")),
        history=list(doc.get("history", [])),
    )


#: a milestone as the use cases load and save it
MILESTONE_RECORDS = Stored(MILESTONES, "milestone", milestone_model,
                           lambda milestone, doc: {**doc, **milestone_document(milestone)})


def milestone_form(doc: dict[str, Any], today: date) -> dict[str, Any]:
    """A milestone as the API shows it: ``id`` instead of ``_id``, and whether it is overdue today."""
    out = resource(doc)
    out["overdue"] = doc["status"] == "planned" and doc["due"] < today.isoformat()
    return out


# ---------------------------------------------------------------- investment


def investment_document(line: InvestmentLine) -> dict[str, Any]:
    return {"_id": line.id, **fields_of(line, "programme", "category", "year", "amount_pence", "description", "history")}


def investment_model(doc: dict[str, Any]) -> InvestmentLine:
    return InvestmentLine(
        id=doc["_id"], **values_of(doc, "programme", "category", "year", "amount_pence"),
        description=doc.get("description"), history=list(doc.get("history", [])),
    )  # fmt: skip


#: an investment line as the use cases load and save it
INVESTMENT_RECORDS = Stored(INVESTMENT, "investment line", investment_model,
                            lambda line, doc: {**doc, **investment_document(line)})


# ---------------------------------------------------------------- RAID


def raid_document(item: RaidItem) -> dict[str, Any]:
    return {
        "_id": item.id,
        **fields_of(item, "kind", "programme", "initiative_id", "title", "description", "owner", "likelihood",
                    "impact", "score", "rating", "mitigation", "decision_needed", "decision"),
        "review_on": day_text(item.review_on),
        **fields_of(item, "status", "closed_reason"),
        "closed_on": day_text(item.closed_on),
        **fields_of(item, "closed_by", "history"),
    }  # fmt: skip


def raid_model(doc: dict[str, Any]) -> RaidItem:
    review_on = day_from_text(doc["review_on"])
    assert review_on is not None
    return RaidItem(
        id=doc["_id"], **values_of(doc, "kind", "programme", "initiative_id", "title", "owner", "likelihood", "impact",
                                   "status"),
        review_on=review_on, **values_or_none(doc, "description", "mitigation", "closed_reason", "closed_by"),
        # items recorded before decisions were asked for have neither key
        decision_needed=bool(doc.get("decision_needed", False)), decision=doc.get("decision"),
        closed_on=day_from_text(doc.get("closed_on")), history=list(doc.get("history", [])),
    )  # fmt: skip


#: a RAID item as the use cases load and save it
RAID_RECORDS = Stored(RAID, "RAID item", raid_model, lambda item, doc: {**doc, **raid_document(item)})


# ---------------------------------------------------------------- highlight reports


def highlight_report_id(programme: str, month: str) -> str:
    """One issued report per programme and month, so its id is theirs: issuing the month again meets this id
    (a race between two issues conflicts on it). The month's fixed length keeps it unambiguous."""
    return f"{programme}@{month}"


# ---------------------------------------------------------------- read model


def cell_id(cell: tuple[str, ...], shard: int) -> str:
    return json.dumps([*cell, shard], ensure_ascii=False)


def cell_and_shard(totals_id: str) -> tuple[tuple[str, ...], int]:
    """The cell and the shard a totals document's id names (what ``cell_id`` made)."""
    *cell, shard = json.loads(totals_id)
    return tuple(cell), shard


def cell_document(cell: tuple[str, ...]) -> dict[str, Any]:
    return dict(zip(CELL_FIELDS, cell, strict=True))


# ---------------------------------------------------------------- targets


def target_to_document(target: Target) -> dict[str, Any]:
    return {
        "_id": target.name,
        **fields_of(target, "name", "amount_pence", "description", "passed_amount_pence"),
        "passed_on": day_text(target.passed_on),
    }


def target_to_model(doc: dict[str, Any]) -> Target:
    return Target(
        name=doc["name"],
        amount_pence=doc["amount_pence"],
        **values_or_none(doc, "description", "passed_amount_pence"),
        passed_on=day_from_text(doc.get("passed_on")),
    )


# ---------------------------------------------------------------- shared services (disaggregation)


def shared_service_document(shared: SharedService) -> dict[str, Any]:
    return {
        "_id": shared.id,
        **fields_of(shared, "service", "directorate", "kind", "host_council", "other_council", "status"),
        # ISO text: it sorts as the days do, so "due before" is a range of the planned_on index
        "planned_on": day_text(shared.planned_on),
        "first_planned_on": day_text(shared.first_planned_on),
        "deferred_reason": shared.deferred_reason,
        "started_on": day_text(shared.started_on),
        "actual_on": day_text(shared.actual_on),
        "cancelled_reason": shared.cancelled_reason,
        "cost_split": shared.cost_split.as_dict() if shared.cost_split is not None else None,
        **fields_of(shared, "notes", "history"),
    }


def shared_service_model(doc: dict[str, Any]) -> SharedService:
    split = doc.get("cost_split")
    return SharedService(
        id=doc["_id"], **values_of(doc, "service", "kind", "host_council", "other_council", "status"),
        **values_or_none(doc, "directorate", "deferred_reason", "cancelled_reason", "notes"),
        planned_on=day_from_text(doc.get("planned_on")), first_planned_on=day_from_text(doc.get("first_planned_on")),
        started_on=day_from_text(doc.get("started_on")), actual_on=day_from_text(doc.get("actual_on")),
        cost_split=CostSplit(**split) if split else None, history=list(doc.get("history", [])),
    )  # fmt: skip


#: a shared service as the use cases load and save it
SHARED_SERVICE_RECORDS = Stored(SHARED_SERVICES, "shared service", shared_service_model,
                                lambda shared, doc: {**doc, **shared_service_document(shared)})


def shared_service_form(doc: dict[str, Any], today: date) -> dict[str, Any]:
    """A shared service as the API shows it: ``id`` instead of ``_id``, the moves its status allows now, and
    how it has slipped today (null when it has not)."""
    shared = shared_service_model(doc)
    out = resource(doc)
    return {**out, "next_statuses": shared.next_statuses, "slipped": slip_of(shared, today)}
