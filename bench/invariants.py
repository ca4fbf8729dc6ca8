"""What must hold across the platform however many callers and replicas there were, read from the databases.

Used by the soak (``bench/soak.py``) and by the end-to-end replica test: each check returns a list of
what is wrong (empty when it holds), so a report can say exactly which record broke which rule.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from civic.tallies import RECORDS
from civic_comms.handlers import HANDLERS as COMMS_HANDLERS
from civic_comms.repository import RESPONSE_TALLIES, RESPONSES
from civic_property.buildings.domain import CLOSED, DISPOSED, FOR_DISPOSAL
from civic_property.repository import ESTATE
from civic_savings import figures
from civic_savings.handlers import HANDLERS as SAVINGS_HANDLERS
from civic_savings.repository import INITIATIVES, STATUS_COUNTS, TOTALS, cell_and_shard, to_model
from pymongo.asynchronous.database import AsyncDatabase

Database = AsyncDatabase[Any]

#: the event types each consuming service reacts to (what its inbox must end up holding)
REACTS_TO = {"savings": SAVINGS_HANDLERS.event_types, "comms": COMMS_HANDLERS.event_types}
#: a building in any of these has been closed, so its running cost is a realised saving
CLOSED_STATUSES = (CLOSED, FOR_DISPOSAL, DISPOSED)


async def savings_read_model_matches_initiatives(savings: Database) -> list[str]:
    """The read model's totals, every shard of every cell added up, equal the initiatives' own figures, and
    its status counts the initiatives in each status; all read in one snapshot, so a fold of shards running
    meanwhile cannot tear the view."""
    async with savings.client.start_session() as session, await session.start_transaction():
        initiatives = [to_model(doc) async for doc in savings[INITIATIVES].find({}, session=session)]
        expected = figures.summed([(cell, sums) for initiative in initiatives
                                   for cell, sums in figures.contribution(initiative).items()])
        kept = figures.summed([(cell_and_shard(doc["_id"])[0], doc)
                               async for doc in savings[TOTALS].find({}, session=session)])
        counted = Counter({status: n[RECORDS] for status, n in (await STATUS_COUNTS.read(savings, session)).items()})
    in_status = Counter(initiative.status for initiative in initiatives)
    wrong = [f"initiatives {status}: read model {counted[status]}, initiatives {in_status[status]}"
             for status in sorted(set(in_status) | set(counted)) if counted[status] != in_status[status]]
    for cell in sorted(set(expected) | set(kept)):
        want = {m: v for m, v in expected.get(cell, {}).items() if v}
        have = {m: v for m, v in kept.get(cell, {}).items() if v}
        if want != have:
            wrong.append(f"totals of {cell}: read model {have}, initiatives {want}")
    return wrong


async def estate_tally_matches_buildings(property_db: Database) -> list[str]:
    """Property's tally of the estate (buildings and running cost by status) equals the buildings, in one snapshot."""
    async with property_db.client.start_session() as session, await session.start_transaction():
        kept = await ESTATE.read(property_db, session)
        held: dict[str, Counter[str]] = {}
        async for doc in property_db["buildings"].find({}, {"status": 1, "annual_running_cost_pence": 1},
                                                        session=session):
            counted = held.setdefault(doc["status"], Counter())
            counted[RECORDS] += 1
            counted["annual_running_cost_pence"] += doc.get("annual_running_cost_pence") or 0
    return [f"estate {status}: tally {kept.get(status)}, buildings {dict(held.get(status) or {})}"
            for status in sorted(set(kept) | set(held))
            if (kept.get(status) or {}) != {name: (held.get(status) or Counter())[name] for name in
                                             (RECORDS, "annual_running_cost_pence")}]


async def closures_realised_once(property_db: Database, savings: Database,
                                 building_ids: list[str] | None = None) -> list[str]:
    """Each building property closed (or went on to sell) is one saving in savings: never none, never two.

    ``building_ids`` narrows the check to the buildings a test or soak made itself.
    """
    among: dict[str, Any] = {"$in": building_ids} if building_ids is not None else {"$type": "string"}
    closed = {doc["_id"] for doc in await property_db["buildings"].find(
        {"_id": among, "status": {"$in": list(CLOSED_STATUSES)}}, {"_id": 1}).to_list()}
    # an initiative may name a building it plans to close: only a realisation (the closure booked) counts;
    # a document from before realisations were kept was made by its building's closure
    realised = Counter(
        (doc["realisation"] or {}).get("building_id") if "realisation" in doc else doc["building_id"]
        for doc in await savings[INITIATIVES].find({"building_id": among}, {"building_id": 1, "realisation": 1}).to_list())
    realised.pop(None, None)
    wrong = [f"building {b} closed, no saving" for b in sorted(closed - set(realised))]
    wrong += [f"building {b} realised {n} times" for b, n in sorted(realised.items()) if n > 1]
    wrong += [f"saving for building {b}, which is not closed" for b in sorted(set(realised) - closed)]
    return wrong


async def tallies_match_responses(comms: Database) -> list[str]:
    """Each consultation's response tally (all shards) equals the responses stored for it."""
    stored = Counter({row["_id"]: row["n"] async for row in await comms[RESPONSES].aggregate(
        [{"$group": {"_id": "$consultation_id", "n": {"$sum": 1}}}])})
    tallied = Counter({row["_id"]: row["n"] async for row in await comms[RESPONSE_TALLIES].aggregate(
        [{"$group": {"_id": "$consultation_id", "n": {"$sum": "$responses"}}}])})
    return [f"consultation {c}: tally {tallied[c]}, responses stored {stored[c]}"
            for c in sorted(set(stored) | set(tallied)) if stored[c] != tallied[c]]


async def events_applied(producers: dict[str, Database], consumer: str, consumer_db: Database) -> dict[str, Any]:
    """Events the producers published of the types ``consumer`` reacts to, against its inbox.

    The inbox is keyed by event id, so an event applied twice cannot show here; that is what the
    other invariants (one saving per building, tallies) catch.
    """
    types = sorted(REACTS_TO[consumer])
    produced: set[str] = set()
    for db in producers.values():
        produced |= {doc["_id"] for doc in await db["outbox"].find({"type": {"$in": types}}, {"_id": 1}).to_list()}
    applied = {doc["_id"] for doc in await consumer_db["inbox"].find(
        {"_id": {"$in": sorted(produced)}}, {"_id": 1}).to_list()}
    dead = await consumer_db["dead_letters"].count_documents({"status": "open"})
    return {"produced": len(produced), "applied": len(applied), "missing": sorted(produced - applied)[:20],
            "dead_letters_open": dead}
